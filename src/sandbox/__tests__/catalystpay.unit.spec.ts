import { createHmac } from "node:crypto"
import { Sandbox, startSandbox } from ".."
import { formAction, inputValue, Receiver, startReceiver, submitPage } from "./receiver"

const API_KEY = "rk_test_sandbox"
const SECRET = "whsec_catalyst"
const CAMPAIGN = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"

let sandbox: Sandbox
let shop: Receiver

/**
 * The test's own canonical form (a different technique from the sandbox's serializer): sort keys
 * recursively, JSON.stringify, then escape everything non-ASCII as Python's ensure_ascii does.
 */
function canonical(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sorted)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sorted((v as Record<string, unknown>)[k])])
          )
        : v
  return JSON.stringify(sorted(value)).replace(
    /[\u007f-\uffff]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0")
  )
}

const api = (path: string, init: RequestInit = {}, key = API_KEY) =>
  fetch(`${sandbox.baseUrls.catalystpay}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
  })

const createSession = async (overrides: Record<string, unknown> = {}) => {
  const res = await api("/payment-sessions/", {
    method: "POST",
    body: JSON.stringify({
      gateway_id: "gw_1",
      amount: "29.99",
      currency: "EUR",
      billing_type: "ONE_OFF",
      lead: { first_name: "Zoë", last_name: "Müller-Łukasiewicz", email: "zoe@example.com", country: "DE" },
      ...overrides,
    }),
  })
  expect(res.status).toBe(201)
  return (await res.json()) as { session_token: string; status: string; payment_url: string }
}

const status = async (token: string) => (await (await api(`/payment-sessions/${token}/`)).json()).status as string

const waitForStatus = async (token: string, wanted: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs
  while ((await status(token)) !== wanted) {
    if (Date.now() > deadline) throw new Error(`session ${token} never became ${wanted}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

beforeAll(async () => {
  shop = await startReceiver()
  sandbox = await startSandbox({
    catalystpay: {
      apiKey: API_KEY,
      webhookSecret: SECRET,
      webhookUrl: `${shop.url}/hooks/payment/catalystpay_catalystpay`,
      successRedirectUrl: "https://shop.example/cp/success?session={session_token}",
      failureRedirectUrl: "https://shop.example/cp/failure",
      verificationDelayMs: 400,
      campaigns: { [CAMPAIGN]: { amount: "49.00", currency: "EUR", name: "Annual plan" } },
    },
    webhooks: { initialDelayMs: 20, maxAttempts: 4 },
  })
})

afterAll(async () => {
  await sandbox.close()
  await shop.close()
})

beforeEach(async () => {
  await sandbox.webhooksIdle()
  shop.received.length = 0
  shop.respond = () => ({ status: 200, body: "" })
  sandbox.faults.duplicateWebhooks = false
})

describe("CatalystPay sandbox", () => {
  it("the test's canonical form matches python's json.dumps(sort_keys=True, separators=(',', ':'))", () => {
    const payload = {
      customer_name: "Zoë Müller-Łukasiewicz",
      amount: "29.99",
      nested: { b: 1, a: [{ d: "x", c: "é" }] },
    }
    expect(canonical(payload)).toBe(
      '{"amount":"29.99","customer_name":"Zo\\u00eb M\\u00fcller-\\u0141ukasiewicz","nested":{"a":[{"c":"\\u00e9","d":"x"}],"b":1}}'
    )
  })

  it("refuses a wrong key with 401 {detail}", async () => {
    const res = await api("/payment-sessions/", { method: "POST", body: "{}" }, "rk_wrong")
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ detail: expect.any(String) })
  })

  it("validates like CatalystPay: lead.first_name, direct-mode fields", async () => {
    const res = await api("/payment-sessions/", {
      method: "POST",
      body: JSON.stringify({ gateway_id: "gw_1", amount: "29.99", currency: "EUR", lead: { last_name: "X" } }),
    })
    expect(res.status).toBe(400)
    const body = await res.json()
    expect(body.lead.first_name).toEqual(["This field is required."])
    expect(body.billing_type).toEqual(["This field is required."])
  })

  it("takes a payment: create -> page -> IBAN -> success redirect -> in progress -> COMPLETED -> signed webhook", async () => {
    const created = await createSession()
    expect(created.status).toBe("PENDING")
    expect(created.session_token).toMatch(/^ps_[a-z0-9]{30}$/)
    expect(await (await api(`/payment-sessions/${created.session_token}/`)).json()).toMatchObject({
      status: "PENDING",
      amount: "29.99",
      currency: "EUR",
    })

    const pageHtml = await (await fetch(created.payment_url)).text()
    expect(pageHtml).toContain('data-testid="amount">29.99<')
    expect(pageHtml).toContain('data-testid="currency">EUR<')
    expect(inputValue(pageHtml, "iban")).toBe("DE89370400440532013000")
    expect(inputValue(pageHtml, "account-holder")).toBe("Zoë Müller-Łukasiewicz")

    const res = await submitPage(formAction(pageHtml), {
      outcome: "pay",
      iban: "GB82 WEST 1234 5698 7654 32",
      account_holder: "Zoë Müller-Łukasiewicz",
    })
    expect(res.status).toBe(303)
    expect(res.headers.get("location")).toBe(`https://shop.example/cp/success?session=${created.session_token}`)
    expect(await status(created.session_token)).toBe("PAYMENT_IN_PROGRESS")
    await waitForStatus(created.session_token, "AWAITING_VERIFICATION")
    expect(shop.received).toHaveLength(0)
    await waitForStatus(created.session_token, "COMPLETED")

    const [hook] = await shop.waitFor(1)
    expect(hook.headers["x-catalystpay-event"]).toBe("payment_session.completed")
    const payload = JSON.parse(hook.body)
    expect(payload).toEqual({
      session_token: created.session_token,
      status: "COMPLETED",
      order_number: expect.stringMatching(/^ORD-/),
      amount: "29.99",
      currency: "EUR",
      email: "zoe@example.com",
      customer_name: "Zoë Müller-Łukasiewicz",
    })
    // Sent as Python writes it by default (not the signed form): the receiver must re-serialize.
    expect(hook.body).toContain('"customer_name": "Zo\\u00eb M\\u00fcller-\\u0141ukasiewicz"')
    const expected = createHmac("sha256", SECRET).update(canonical(payload)).digest("hex")
    expect(hook.headers["x-catalystpay-signature"]).toBe(expected)
    // The guide's JavaScript sample (no \u escaping) would not verify it.
    const sortedRaw = JSON.stringify(
      Object.fromEntries(
        Object.keys(payload)
          .sort()
          .map((k) => [k, payload[k]])
      )
    )
    expect(createHmac("sha256", SECRET).update(sortedRaw).digest("hex")).not.toBe(expected)
  })

  it("declines while attempts remain (back to PENDING on the page), FAILED when used up; no webhook", async () => {
    const created = await createSession({ max_payment_attempts: 2 })
    const first = await submitPage(created.payment_url, {
      outcome: "pay",
      iban: "DE91100000000123456789",
      account_holder: "Zoë",
    })
    expect(first.headers.get("location")).toBe(`${created.payment_url}?declined=1`)
    expect(await (await api(`/payment-sessions/${created.session_token}/`)).json()).toMatchObject({
      status: "PENDING",
      attempts_remaining: 1,
    })
    expect(await (await fetch(first.headers.get("location")!)).text()).toContain('data-testid="message"')
    const second = await submitPage(created.payment_url, { outcome: "decline" })
    expect(second.headers.get("location")).toBe("https://shop.example/cp/failure")
    expect(await status(created.session_token)).toBe("FAILED")
    await sandbox.webhooksIdle()
    expect(shop.received).toHaveLength(0)
  })

  it("cancel returns to the failure URL and leaves the session PENDING; expiry makes it EXPIRED", async () => {
    const created = await createSession()
    expect((await submitPage(created.payment_url, { outcome: "cancel" })).headers.get("location")).toBe(
      "https://shop.example/cp/failure"
    )
    expect(await status(created.session_token)).toBe("PENDING")
    expect(sandbox.expire("catalystpay", created.session_token)).toBe(true)
    expect(await status(created.session_token)).toBe("EXPIRED")
    expect(sandbox.expire("catalystpay", created.session_token)).toBe(false)
  })

  it("leave pending holds AWAITING_VERIFICATION until the page settles it", async () => {
    const created = await createSession()
    await submitPage(created.payment_url, { outcome: "pending", iban: "DE89370400440532013000", account_holder: "Zoë" })
    await new Promise((resolve) => setTimeout(resolve, 450))
    expect(await status(created.session_token)).toBe("AWAITING_VERIFICATION")
    await submitPage(created.payment_url, { outcome: "pay", iban: "DE89370400440532013000", account_holder: "Zoë" })
    await waitForStatus(created.session_token, "COMPLETED")
  })

  it("campaign mode takes the price from the campaign; an unknown campaign is refused", async () => {
    const created = await createSession({
      gateway_id: undefined,
      amount: undefined,
      currency: undefined,
      billing_type: undefined,
      campaign_id: CAMPAIGN,
    })
    expect(await (await api(`/payment-sessions/${created.session_token}/`)).json()).toMatchObject({
      amount: "49.00",
      currency: "EUR",
      campaign_id: CAMPAIGN,
    })
    const res = await api("/payment-sessions/", {
      method: "POST",
      body: JSON.stringify({ campaign_id: "nope", lead: { first_name: "A" } }),
    })
    expect(res.status).toBe(400)
    expect((await res.json()).campaign_id).toHaveLength(1)
  })

  it("retries the webhook on non-2xx; duplicateWebhooks sends it twice", async () => {
    const replies = [502]
    shop.respond = () => ({ status: replies.shift() ?? 204 })
    sandbox.faults.duplicateWebhooks = true
    const created = await createSession()
    await submitPage(created.payment_url, { outcome: "pay", iban: "DE89370400440532013000", account_holder: "Zoë" })
    await waitForStatus(created.session_token, "COMPLETED")
    await shop.waitFor(3)
    await sandbox.webhooksIdle()
    const attempts = sandbox.deliveries().filter((d) => d.paymentId === created.session_token)
    expect(attempts.filter((d) => d.acknowledged)).toHaveLength(2)
    expect(attempts.map((d) => d.status)).toEqual([502, 204, 204])
  })

  it("fault: failNext answers 500 and creates nothing", async () => {
    const before = sandbox.payments("catalystpay").length
    sandbox.faults.failNext = { catalystpay: 1 }
    const res = await api("/payment-sessions/", {
      method: "POST",
      body: JSON.stringify({ campaign_id: CAMPAIGN, lead: { first_name: "A" } }),
    })
    expect(res.status).toBe(500)
    expect(sandbox.payments("catalystpay")).toHaveLength(before)
  })
})
