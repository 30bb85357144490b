import { startSandbox } from ".."
import { readSandboxEnv } from "../cli"
import { Receiver, startReceiver, submitPage } from "./receiver"

let shop: Receiver

beforeAll(async () => {
  shop = await startReceiver()
})
afterAll(() => shop.close())
beforeEach(() => {
  shop.received.length = 0
  shop.respond = () => ({ status: 200, body: "" })
})

const hitpayRequest = async (baseUrl: string, webhook: string) => {
  const res = await fetch(`${baseUrl}/payment-requests`, {
    method: "POST",
    headers: { "X-BUSINESS-API-KEY": "k", "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ amount: "10.00", currency: "SGD", reference_number: "r", webhook }).toString(),
  })
  return (await res.json()) as { id: string; url: string }
}

describe("sandbox lifecycle and shared behaviour", () => {
  it("answers 404 for a gateway that is not configured, and lists the configured ones", async () => {
    const sandbox = await startSandbox({ hitpay: { apiKey: "k", salt: "s" } })
    try {
      expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect((await fetch(`${sandbox.url}/cashflows/api/gateway/payment-jobs`)).status).toBe(404)
      expect((await fetch(`${sandbox.url}/catalystpay/api/v1/payment-sessions/`, { method: "POST" })).status).toBe(404)
      expect(await (await fetch(sandbox.url)).json()).toEqual({ sandbox: "medusa-payment-hpp", gateways: ["hitpay"] })
    } finally {
      await sandbox.close()
    }
  })

  it("logs each API call and takes fault switches over HTTP, for a test in another process", async () => {
    const sandbox = await startSandbox({ hitpay: { apiKey: "k", salt: "s" } })
    try {
      const put = await fetch(`${sandbox.url}/__sandbox/faults`, {
        method: "PUT",
        body: JSON.stringify({ failNext: { hitpay: 1 } }),
      })
      expect(await put.json()).toEqual({ failNext: { hitpay: 1 } })
      expect(sandbox.faults.failNext).toEqual({ hitpay: 1 })
      const refused = await fetch(`${sandbox.baseUrls.hitpay}/payment-requests`, { method: "POST", body: "" })
      expect(refused.status).toBe(500)
      const request = await hitpayRequest(sandbox.baseUrls.hitpay, `${shop.url}/v1`)
      await fetch(request.url) // the hosted page is not an API call
      const calls = (await (await fetch(`${sandbox.url}/__sandbox/api-calls`)).json()) as { status: number }[]
      expect(calls).toEqual([
        expect.objectContaining({ gateway: "hitpay", method: "POST", path: "/v1/payment-requests", status: 500 }),
        expect.objectContaining({ gateway: "hitpay", method: "POST", path: "/v1/payment-requests", status: 201 }),
      ])
      expect(sandbox.apiCalls()).toEqual(calls)
      expect((await fetch(`${sandbox.url}/__sandbox/faults`, { method: "PUT", body: "[1]" })).status).toBe(400)
      await fetch(`${sandbox.url}/__sandbox/api-calls`, { method: "DELETE" })
      expect(sandbox.apiCalls()).toEqual([])
    } finally {
      await sandbox.close()
    }
  })

  it("sends a late failure webhook over HTTP without changing the payment, and shows what it keeps", async () => {
    const sandbox = await startSandbox({ hitpay: { apiKey: "k", salt: "s" } })
    try {
      const request = await hitpayRequest(sandbox.baseUrls.hitpay, `${shop.url}/v1`)
      await submitPage(request.url, { outcome: "pay", card_number: "4242424242424242" })
      await sandbox.webhooksIdle()
      const notify = (body: unknown) =>
        fetch(`${sandbox.url}/__sandbox/notify`, { method: "POST", body: JSON.stringify(body) })
      expect((await notify({ gateway: "hitpay", id: request.id, outcome: "failed" })).status).toBe(200)
      expect((await notify({ gateway: "hitpay", id: "nope", outcome: "failed" })).status).toBe(404)
      expect((await notify({ gateway: "hitpay", id: request.id, outcome: "lost" })).status).toBe(400)
      await sandbox.webhooksIdle()
      const statuses = shop.received.map((h) => new URLSearchParams(h.body).get("status"))
      expect(statuses).toEqual(["completed", "failed"])
      const kept = (await (await fetch(`${sandbox.url}/__sandbox/payments/hitpay?id=${request.id}`)).json()) as {
        status: string
      }
      expect(kept.status).toBe("completed")
      expect((await fetch(`${sandbox.url}/__sandbox/payments/hitpay?id=nope`)).status).toBe(404)
    } finally {
      await sandbox.close()
    }
  })

  it("latencyMsFor slows one gateway's API only", async () => {
    const sandbox = await startSandbox({ hitpay: { apiKey: "k", salt: "s" } })
    try {
      await fetch(`${sandbox.url}/__sandbox/faults`, {
        method: "PUT",
        body: JSON.stringify({ latencyMsFor: { hitpay: 300 } }),
      })
      const started = Date.now()
      await hitpayRequest(sandbox.baseUrls.hitpay, `${shop.url}/v1`)
      expect(Date.now() - started).toBeGreaterThanOrEqual(290)
      expect(sandbox.faults.latencyMsFor).toEqual({ hitpay: 300 })
    } finally {
      await sandbox.close()
    }
  })

  it("reorderWebhooks delivers webhooks queued together newest first", async () => {
    const sandbox = await startSandbox({
      hitpay: { apiKey: "k", salt: "s", v2WebhookUrl: `${shop.url}/v2` },
      faults: { reorderWebhooks: true },
    })
    try {
      const request = await hitpayRequest(sandbox.baseUrls.hitpay, `${shop.url}/v1`)
      await submitPage(request.url, { outcome: "pay", card_number: "4242424242424242" })
      await sandbox.webhooksIdle()
      expect(shop.received.map((h) => h.path)).toEqual(["/v2", "/v1"])
    } finally {
      await sandbox.close()
    }
  })

  it("publicUrl changes the hosted-page links, not where the API listens", async () => {
    const sandbox = await startSandbox({
      publicUrl: "https://pay.dev.example/",
      catalystpay: { apiKey: "rk_x", webhookSecret: "w" },
    })
    try {
      const res = await fetch(`${sandbox.baseUrls.catalystpay}/payment-sessions/`, {
        method: "POST",
        headers: { Authorization: "Bearer rk_x", "content-type": "application/json" },
        body: JSON.stringify({ campaign_id: "c", lead: { first_name: "A" } }),
      })
      expect((await res.json()).payment_url).toMatch(/^https:\/\/pay\.dev\.example\/catalystpay\/s\/ps_/)
    } finally {
      await sandbox.close()
    }
  })

  it("never delivers to a host other than loopback unless allowed", async () => {
    const sandbox = await startSandbox({ hitpay: { apiKey: "k", salt: "s" }, webhooks: { maxAttempts: 1 } })
    try {
      const request = await hitpayRequest(sandbox.baseUrls.hitpay, "https://shop.invalid/hook")
      await submitPage(request.url, { outcome: "pay", card_number: "4242424242424242" })
      await sandbox.webhooksIdle()
      expect(sandbox.deliveries()).toEqual([
        expect.objectContaining({
          url: "https://shop.invalid/hook",
          acknowledged: false,
          gaveUp: true,
          error: expect.stringContaining("loopback"),
        }),
      ])
    } finally {
      await sandbox.close()
    }
  })

  it("close() stops retries and verification timers: nothing arrives afterwards", async () => {
    shop.respond = () => ({ status: 500 })
    const sandbox = await startSandbox({
      hitpay: { apiKey: "k", salt: "s" },
      catalystpay: { apiKey: "rk_x", webhookSecret: "w", webhookUrl: `${shop.url}/cp`, verificationDelayMs: 100 },
      webhooks: { initialDelayMs: 50, maxAttempts: 50 },
    })
    const request = await hitpayRequest(sandbox.baseUrls.hitpay, `${shop.url}/v1`)
    await submitPage(request.url, { outcome: "pay", card_number: "4242424242424242" })
    const session = await (
      await fetch(`${sandbox.baseUrls.catalystpay}/payment-sessions/`, {
        method: "POST",
        headers: { Authorization: "Bearer rk_x", "content-type": "application/json" },
        body: JSON.stringify({ campaign_id: "c", lead: { first_name: "A" } }),
      })
    ).json()
    await submitPage(session.payment_url, { outcome: "pay", iban: "DE89370400440532013000", account_holder: "A" })
    await shop.waitFor(2)
    const idle = sandbox.webhooksIdle()
    await sandbox.close()
    await idle
    const count = shop.received.length
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(shop.received).toHaveLength(count)
    expect(shop.received.every((h) => h.path === "/v1")).toBe(true)
    expect(sandbox.payment("catalystpay", session.session_token)?.status).not.toBe("COMPLETED")
  })

  it("the CLI reads its settings from SANDBOX_* variables", () => {
    const options = readSandboxEnv({
      SANDBOX_PORT: "4011",
      SANDBOX_HITPAY_API_KEY: "k",
      SANDBOX_HITPAY_SALT: "s",
      SANDBOX_NETVALVE_CLIENT_ID: "c",
      SANDBOX_NETVALVE_API_KEY: "a",
      SANDBOX_NETVALVE_WEBHOOK_HEADER_NAME: "X-H",
      SANDBOX_NETVALVE_WEBHOOK_HEADER_VALUE: "v",
      SANDBOX_DUPLICATE_WEBHOOKS: "true",
      SANDBOX_WEBHOOK_MAX_ATTEMPTS: "3",
    })
    expect(options).toMatchObject({
      port: 4011,
      hitpay: { apiKey: "k", salt: "s" },
      netvalve: { clientId: "c", apiKey: "a", webhookHeaderName: "X-H", webhookHeaderValue: "v", authoriseOnly: false },
      faults: { duplicateWebhooks: true, reorderWebhooks: false },
      webhooks: { maxAttempts: 3 },
    })
    expect(options.cashflows).toBeUndefined()
    expect(readSandboxEnv({}).port).toBe(4010)
    expect(() => readSandboxEnv({ SANDBOX_CASHFLOWS_API_KEY: "x" })).toThrow("SANDBOX_CASHFLOWS_CONFIGURATION_ID")
    expect(() => readSandboxEnv({ SANDBOX_PORT: "abc" })).toThrow("SANDBOX_PORT")
  })
})
