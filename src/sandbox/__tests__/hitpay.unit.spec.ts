import { createHmac } from "node:crypto"
import { Sandbox, startSandbox } from ".."
import { formAction, Receiver, startReceiver, submitPage } from "./receiver"

const API_KEY = "hitpay_test_key"
const SALT = "salt_test"
const V2_SALT = "v2_salt_test"

/** HitPay's v1 hmac, written here from the guide (not imported from the sandbox or the provider). */
function v1Hmac(fields: Record<string, string>, salt: string): string {
  const message = Object.keys(fields)
    .filter((k) => k !== "hmac")
    .sort()
    .map((k) => k + fields[k])
    .join("")
  return createHmac("sha256", salt).update(message).digest("hex")
}

let sandbox: Sandbox
let shop: Receiver
let v2: Receiver

const api = (path: string, init: RequestInit = {}, key = API_KEY) =>
  fetch(`${sandbox.baseUrls.hitpay}${path}`, {
    ...init,
    headers: {
      "X-BUSINESS-API-KEY": key,
      "X-Requested-With": "XMLHttpRequest",
      ...(init.headers as Record<string, string>),
    },
  })

const createForm = (fields: Record<string, string | string[]>) => {
  const form = new URLSearchParams()
  for (const [k, v] of Object.entries(fields)) (Array.isArray(v) ? v : [v]).forEach((x) => form.append(k, x))
  return api("/payment-requests", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
  })
}

const newRequest = async (reference: string, extra: Record<string, string | string[]> = {}) => {
  const res = await createForm({
    amount: "10.00",
    currency: "SGD",
    reference_number: reference,
    redirect_url: "https://shop.example/return?cart=1",
    webhook: `${shop.url}/hooks/payment/hitpay_hitpay`,
    ...extra,
  })
  expect(res.status).toBe(201)
  return (await res.json()) as { id: string; url: string; amount: string; currency: string; status: string }
}

beforeAll(async () => {
  shop = await startReceiver()
  v2 = await startReceiver()
  sandbox = await startSandbox({
    port: 0,
    hitpay: { apiKey: API_KEY, salt: SALT, v2WebhookUrl: `${v2.url}/v2`, v2Salt: V2_SALT },
    webhooks: { initialDelayMs: 20, maxAttempts: 3 },
  })
})

afterAll(async () => {
  await sandbox.close()
  await shop.close()
  await v2.close()
})

beforeEach(() => {
  shop.received.length = 0
  v2.received.length = 0
  sandbox.faults.duplicateWebhooks = false
})

describe("HitPay sandbox", () => {
  it("checks the test's own v1 verifier against a python-computed vector", () => {
    const fields = {
      payment_id: "9741164c-06a2-4d8e-a5a6-a12a5a0b9b3e",
      payment_request_id: "9741163e-0e0d-4f4b-9a7e-e52c4b8b0e4a",
      phone: "",
      amount: "10.00",
      currency: "SGD",
      status: "completed",
      reference_number: "pay_sess_01",
    }
    expect(v1Hmac(fields, SALT)).toBe("aa248de33dffeea9908741650adbf7fab78cbcc09850ab0f5869a8b26e12d633")
  })

  it("refuses a wrong API key with 401 and HitPay's message", async () => {
    const res = await api("/payment-requests/whatever", {}, "wrong")
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ message: expect.any(String) })
  })

  it("answers validation errors with 422 {message, errors}", async () => {
    const res = await createForm({ currency: "SGD", redirect_url: "not a url" })
    expect(res.status).toBe(422)
    const body = await res.json()
    expect(body.message).toEqual(expect.any(String))
    expect(body.errors.amount).toEqual(["The amount field is required."])
    expect(body.errors.redirect_url).toHaveLength(1)
    const tooSmall = await createForm({ amount: "0.10", currency: "SGD" })
    expect((await tooSmall.json()).errors.amount).toHaveLength(1)
  })

  it("takes a payment: create (form) -> page -> pay -> redirect -> status -> v1 and v2 webhooks", async () => {
    const created = await newRequest("pay_sess_01", {
      "payment_methods[]": ["card", "paynow_online"],
      purpose: "Order #1",
    })
    expect(created).toMatchObject({
      amount: "10.00",
      currency: "sgd",
      status: "pending",
      reference_number: "pay_sess_01",
      payment_methods: ["card", "paynow_online"],
    })
    expect(created.url).toBe(`${sandbox.url}/hitpay/checkout/${created.id}`)

    const page = await fetch(created.url)
    const pageHtml = await page.text()
    expect(page.status).toBe(200)
    expect(pageHtml).toContain('data-testid="amount">10.00<')
    expect(pageHtml).toContain('data-testid="currency">SGD<')
    for (const id of ["pay", "decline", "cancel", "pending", "card-number"]) expect(pageHtml).toContain(`id="${id}"`)

    const paid = await submitPage(formAction(pageHtml), { outcome: "pay", card_number: "4242 4242 4242 4242" })
    expect(paid.status).toBe(303)
    const back = new URL(paid.headers.get("location")!)
    expect(`${back.origin}${back.pathname}`).toBe("https://shop.example/return")
    expect(Object.fromEntries(back.searchParams)).toEqual({ cart: "1", reference: created.id, status: "completed" })

    const status = await (await api(`/payment-requests/${created.id}`)).json()
    expect(status.status).toBe("completed")
    expect(status.payments).toHaveLength(1)
    expect(status.payments[0]).toMatchObject({ status: "succeeded", amount: "10.00", currency: "sgd" })

    const [hook] = await shop.waitFor(1)
    expect(hook.path).toBe("/hooks/payment/hitpay_hitpay")
    expect(hook.headers["content-type"]).toBe("application/x-www-form-urlencoded")
    const fields = Object.fromEntries(new URLSearchParams(hook.body))
    expect(Object.keys(fields).sort()).toEqual([
      "amount",
      "currency",
      "hmac",
      "payment_id",
      "payment_request_id",
      "phone",
      "reference_number",
      "status",
    ])
    expect(fields).toMatchObject({
      payment_id: status.payments[0].id,
      payment_request_id: created.id,
      amount: "10.00",
      status: "completed",
      reference_number: "pay_sess_01",
      phone: "",
    })
    expect(fields.currency.toLowerCase()).toBe("sgd")
    expect(fields.hmac).toBe(v1Hmac(fields, SALT))
    expect(fields.hmac).not.toBe(v1Hmac(fields, "another salt"))

    const [hook2] = await v2.waitFor(1)
    expect(hook2.headers["hitpay-signature"]).toBe(createHmac("sha256", V2_SALT).update(hook2.body).digest("hex"))
    expect(hook2.headers["hitpay-event-type"]).toBe("completed")
    expect(hook2.headers["hitpay-event-object"]).toBe("payment_request")
    expect(JSON.parse(hook2.body)).toMatchObject({
      id: created.id,
      status: "completed",
      amount: "10.00",
      reference_number: "pay_sess_01",
    })

    // A completed request cannot be deleted.
    const del = await api(`/payment-requests/${created.id}`, { method: "DELETE" })
    expect(del.status).toBeGreaterThanOrEqual(400)
    expect((await del.json()).message).toEqual(expect.any(String))
    expect(sandbox.payment("hitpay", created.id)?.status).toBe("completed")

    // Refunds (JSON body this time) change the charge up to the paid amount.
    const chargeId = status.payments[0].id
    const refund = (amount: string) =>
      api("/refund", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ payment_id: chargeId, amount }),
      })
    const first = await refund("4.00")
    expect(first.status).toBe(201)
    expect(await first.json()).toMatchObject({
      payment_id: chargeId,
      amount_refunded: 4,
      total_amount: 10,
      status: "succeeded",
    })
    expect((await (await api(`/payment-requests/${created.id}`)).json()).payments[0]).toMatchObject({
      status: "partially_refunded",
      refunded_amount: "4.00",
    })
    const tooMuch = await refund("6.01")
    expect(tooMuch.status).toBe(422)
    expect((await tooMuch.json()).errors.amount).toHaveLength(1)
    expect((await refund("6.00")).status).toBe(201)
    expect(sandbox.payment("hitpay", created.id)?.charges[0]).toMatchObject({
      status: "refunded",
      refunded_amount: "10.00",
    })
    const wrongId = await api("/refund", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ payment_id: created.id, amount: "1.00" }),
    })
    expect(wrongId.status).toBe(422)
  })

  it("accepts JSON bodies on create", async () => {
    const res = await api("/payment-requests", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ amount: "25.5", currency: "MYR", payment_methods: ["card"], reference_number: "json_1" }),
    })
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ amount: "25.50", currency: "myr", payment_methods: ["card"] })
  })

  it("declines: redirect with status=failed, request failed, v1 webhook status failed", async () => {
    const created = await newRequest("pay_sess_02")
    const res = await submitPage(created.url, { outcome: "pay", card_number: "4000 0000 0000 0002" })
    expect(new URL(res.headers.get("location")!).searchParams.get("status")).toBe("failed")
    expect((await (await api(`/payment-requests/${created.id}`)).json()).status).toBe("failed")
    const [hook] = await shop.waitFor(1)
    const fields = Object.fromEntries(new URLSearchParams(hook.body))
    expect(fields.status).toBe("failed")
    expect(fields.hmac).toBe(v1Hmac(fields, SALT))
  })

  it("cancels: the buyer goes back with status=canceled, the request stays pending, DELETE removes it", async () => {
    const created = await newRequest("pay_sess_03")
    const res = await submitPage(created.url, { outcome: "cancel" })
    expect(new URL(res.headers.get("location")!).searchParams.get("status")).toBe("canceled")
    expect((await (await api(`/payment-requests/${created.id}`)).json()).status).toBe("pending")
    expect((await api(`/payment-requests/${created.id}`, { method: "DELETE" })).status).toBe(200)
    expect((await api(`/payment-requests/${created.id}`)).status).toBe(404)
    expect((await api(`/payment-requests/${created.id}`, { method: "DELETE" })).status).toBe(404)
    expect((await fetch(created.url)).status).toBe(410)
  })

  it("leaves a payment pending, then settles it when the buyer comes back", async () => {
    const created = await newRequest("pay_sess_04")
    const res = await submitPage(created.url, { outcome: "pending", card_number: "4242424242424242" })
    expect(new URL(res.headers.get("location")!).searchParams.get("status")).toBe("pending")
    const pending = await (await api(`/payment-requests/${created.id}`)).json()
    expect(pending).toMatchObject({ status: "pending", payments: [{ status: "pending" }] })
    await submitPage(created.url, { outcome: "pay", card_number: "4242424242424242" })
    const done = await (await api(`/payment-requests/${created.id}`)).json()
    expect(done).toMatchObject({ status: "completed", payments: [{ status: "succeeded" }] })
  })

  it("expires a request: status expired and the page no longer takes payment", async () => {
    const created = await newRequest("pay_sess_05", { expires_after: "30 mins" })
    expect(sandbox.expire("hitpay", created.id)).toBe(true)
    expect((await (await api(`/payment-requests/${created.id}`)).json()).status).toBe("expired")
    const res = await submitPage(created.url, { outcome: "pay", card_number: "4242424242424242" })
    expect(res.status).toBe(410)
  })

  it("fault: failNext answers 500 without creating anything, then recovers", async () => {
    const before = sandbox.payments("hitpay").length
    sandbox.faults.failNext = { hitpay: 2 }
    expect((await createForm({ amount: "10.00", currency: "SGD" })).status).toBe(500)
    expect((await createForm({ amount: "10.00", currency: "SGD" })).status).toBe(500)
    expect(sandbox.payments("hitpay")).toHaveLength(before)
    expect((await createForm({ amount: "10.00", currency: "SGD" })).status).toBe(201)
  })

  it("fault: duplicateWebhooks delivers each webhook twice", async () => {
    sandbox.faults.duplicateWebhooks = true
    const created = await newRequest("pay_sess_06")
    await submitPage(created.url, { outcome: "pay", card_number: "4242424242424242" })
    await sandbox.webhooksIdle()
    expect(shop.received).toHaveLength(2)
    expect(shop.received[0].body).toBe(shop.received[1].body)
    expect(v2.received).toHaveLength(2)
  })

  describe("paying without leaving the shop", () => {
    it("answers a paynow_online request with generate_qr with qr_code_data, whose code a second device pays, and HitPay's webhook follows", async () => {
      const created = (await newRequest("payses_qr", {
        "payment_methods[]": ["paynow_online"],
        generate_qr: "true",
      })) as {
        id: string
        qr_code_data?: { qr_code?: string }
      }
      const qr = created.qr_code_data?.qr_code
      expect(qr).toBe(`${sandbox.publicUrl}/hitpay/paynow/${created.id}`)
      const app = await fetch(qr!)
      expect(await app.text()).toContain("Your banking app")
      const paid = await submitPage(qr!, { outcome: "pay" })
      expect(await paid.text()).toContain("Paid.")
      const [hook] = await shop.waitFor(1)
      const fields = Object.fromEntries(new URLSearchParams(hook.body))
      expect(fields).toMatchObject({
        payment_request_id: created.id,
        status: "completed",
        reference_number: "payses_qr",
      })
      expect(fields.hmac).toBe(v1Hmac(fields, SALT))
      const after = await (await api(`/payment-requests/${created.id}`)).json()
      expect(after.status).toBe("completed")
      expect(after.payments[0]).toMatchObject({ status: "succeeded", payment_type: "paynow_online" })
    })

    it("gives no code without generate_qr or without paynow_online, and refuses a generate_qr that is not a boolean", async () => {
      expect(await newRequest("payses_a", { generate_qr: "true" })).not.toHaveProperty("qr_code_data")
      expect(await newRequest("payses_b", { "payment_methods[]": ["paynow_online"] })).not.toHaveProperty(
        "qr_code_data"
      )
      const res = await createForm({ amount: "1.00", currency: "SGD", generate_qr: "maybe" })
      expect(res.status).toBe(422)
    })

    it("serves a stand-in for the Drop-In script, which lays the request's checkout over the page", async () => {
      const res = await fetch(`${sandbox.publicUrl}/hitpay/drop-in.js`)
      expect(res.headers.get("content-type")).toContain("text/javascript")
      const script = await res.text()
      expect(script).toContain("window.HitPaySandboxDropIn")
      expect(script).toContain(JSON.stringify(`${sandbox.publicUrl}/hitpay/checkout/`))
    })
  })
})
