import { createHash } from "node:crypto"
import { Sandbox, startSandbox } from ".."
import { formAction, inputValue, Receiver, startReceiver, submitPage } from "./receiver"

const CONFIGURATION_ID = "200426117314086912"
const API_KEY = "cashflows_api_key"

let sandbox: Sandbox
let shop: Receiver

/** Cashflows' request hash, written here from the guide: SHA-512 of apiKey + exact body, uppercase hex. */
const hash = (body: string, key = API_KEY) =>
  createHash("sha512")
    .update(key + body)
    .digest("hex")
    .toUpperCase()

const api = (method: string, path: string, body?: unknown, options: { key?: string; lowerCase?: boolean } = {}) => {
  const text = body === undefined ? "" : JSON.stringify(body)
  const signature = hash(text, options.key)
  return fetch(`${sandbox.baseUrls.cashflows}/api/gateway${path}`, {
    method,
    headers: {
      ConfigurationId: CONFIGURATION_ID,
      Hash: options.lowerCase ? signature.toLowerCase() : signature,
      "Content-Type": "application/json",
    },
    body: body === undefined ? undefined : text,
  })
}

type Job = {
  data: { reference: string; paymentStatus: string; payments: { reference: string; status: string }[] }
  links: { action: { url: string } }
}

const createJob = async (overrides: Record<string, unknown> = {}): Promise<Job> => {
  const res = await api("POST", "/payment-jobs", {
    amountToCollect: "10.00",
    currency: "GBP",
    locale: "en_GB",
    type: "Payment",
    paymentMethodsToUse: ["Card"],
    order: {
      orderNumber: "order_1",
      billingIdentity: { emailAddress: "alex@test.com" },
      billingAddress: { firstName: "Alex", lastName: "Smith" },
    },
    parameters: {
      returnUrlSuccess: "https://shop.example/cf/success",
      returnUrlFailed: "https://shop.example/cf/failed",
      returnUrlCancelled: "https://shop.example/cf/cancelled",
      webhookUrl: `${shop.url}/cashflows/webhook`,
    },
    ...overrides,
  })
  expect(res.status).toBe(201)
  return (await res.json()) as Job
}

/** The acknowledgement Cashflows waits for. */
const acknowledge = (body: string) => {
  const note = JSON.parse(body) as { paymentJobReference: string; paymentReference: string }
  return {
    status: 200,
    body: JSON.stringify({ paymentJobReference: note.paymentJobReference, paymentReference: note.paymentReference }),
  }
}

beforeAll(async () => {
  shop = await startReceiver()
  sandbox = await startSandbox({
    cashflows: { configurationId: CONFIGURATION_ID, apiKey: API_KEY },
    webhooks: { initialDelayMs: 40, backoffFactor: 2, maxAttempts: 4 },
  })
})

afterAll(async () => {
  await sandbox.close()
  await shop.close()
})

beforeEach(async () => {
  await sandbox.webhooksIdle()
  shop.received.length = 0
  shop.respond = (hook) => acknowledge(hook.body)
})

describe("Cashflows sandbox", () => {
  it("refuses a wrong hash with 401 and Cashflows' errorReport; accepts upper- and lower-case hex", async () => {
    const bad = await api("GET", "/payment-jobs/1", undefined, { key: "wrong key" })
    expect(bad.status).toBe(401)
    const body = await bad.json()
    expect(body.errorReport.errors[0]).toEqual({ code: expect.any(String), message: expect.any(String) })
    expect(typeof body.errorReport.isFatalError).toBe("boolean")
    // A body that differs from what was hashed is refused too.
    const tampered = await fetch(`${sandbox.baseUrls.cashflows}/api/gateway/payment-jobs`, {
      method: "POST",
      headers: {
        ConfigurationId: CONFIGURATION_ID,
        Hash: hash('{"amountToCollect":"10.00","currency":"GBP"}'),
        "Content-Type": "application/json",
      },
      body: '{"amountToCollect": "10.00","currency":"GBP"}',
    })
    expect(tampered.status).toBe(401)
    expect((await api("GET", "/payment-jobs/1", undefined, { lowerCase: true })).status).toBe(404)
  })

  it("takes a payment: create -> page -> pay -> redirect -> status -> webhook acknowledged", async () => {
    const raw = await api("POST", "/payment-jobs", {
      amountToCollect: "10.00",
      currency: "GBP",
      order: { orderNumber: "order_raw" },
      parameters: {
        returnUrlSuccess: "https://shop.example/cf/success?cart=7",
        webhookUrl: `${shop.url}/cashflows/webhook`,
      },
    })
    const text = await raw.text()
    // 64-bit references are JSON strings, as in Cashflows' examples: they do not fit a JS number.
    expect(text).toMatch(/"reference":"\d{18}"/)
    const job = JSON.parse(text) as Job
    expect(BigInt(job.data.reference) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true)
    expect(job.data.paymentStatus).toBe("Pending")
    const jobRef = job.data.reference
    const paymentRef = job.data.payments[0].reference

    const pageHtml = await (await fetch(job.links.action.url)).text()
    expect(pageHtml).toContain('data-testid="amount">10.00<')
    expect(pageHtml).toContain('data-testid="currency">GBP<')
    expect(inputValue(pageHtml, "card-number")).toBe("4000000000000002")
    expect(pageHtml).toContain('id="three-ds"')

    const paid = await submitPage(formAction(pageHtml), {
      outcome: "pay",
      cardNumber: "5400200400099009",
      threeDs: "successful",
    })
    expect(paid.status).toBe(303)
    const back = new URL(paid.headers.get("location")!)
    expect(back.pathname).toBe("/cf/success")
    expect(Object.fromEntries(back.searchParams)).toEqual({
      cart: "7",
      paymentjobref: jobRef,
      paymentref: paymentRef,
      ordernumber: "order_raw",
    })

    const payment = await (await api("GET", `/payment-jobs/${jobRef}/payments/${paymentRef}`)).json()
    expect(payment.data).toMatchObject({ reference: paymentRef, status: "Paid", amountToCollect: "10.00" })
    expect((await (await api("GET", `/payment-jobs/${jobRef}`)).json()).data.paymentStatus).toBe("Paid")

    const [hook] = await shop.waitFor(1)
    expect(JSON.parse(hook.body)).toEqual({
      notifyType: "PaymentStatusChange",
      paymentJobReference: jobRef,
      paymentReference: paymentRef,
    })
    expect(hook.headers["x-signature"]).toBeUndefined()
    await sandbox.webhooksIdle()
    const attempts = sandbox.deliveries().filter((d) => d.paymentId === jobRef)
    expect(attempts).toHaveLength(1)
    expect(attempts[0].acknowledged).toBe(true)
  })

  it("redelivers with backoff until the reply is 200 with exactly the two references", async () => {
    const job = await createJob()
    const jobRef = job.data.reference
    const paymentRef = job.data.payments[0].reference
    const replies = [
      { status: 200, body: "" }, // Medusa's bare 200
      { status: 200, body: JSON.stringify({ paymentJobReference: jobRef, paymentReference: "1" }) }, // wrong payment
      { status: 500, body: JSON.stringify({ paymentJobReference: jobRef, paymentReference: paymentRef }) }, // right body, wrong status
    ]
    shop.respond = (hook) => replies.shift() ?? acknowledge(hook.body)
    await submitPage(job.links.action.url, { outcome: "pay", cardNumber: "4510400400099005" })
    await shop.waitFor(4, 5000)
    await sandbox.webhooksIdle()
    const attempts = sandbox.deliveries().filter((d) => d.paymentId === jobRef)
    expect(attempts.map((a) => a.acknowledged)).toEqual([false, false, false, true])
    const gaps = shop.received.slice(1).map((h, i) => h.at - shop.received[i].at)
    expect(gaps[0]).toBeGreaterThanOrEqual(35)
    expect(gaps[2]).toBeGreaterThan(gaps[0])
  })

  it("gives up after maxAttempts when never acknowledged", async () => {
    shop.respond = () => ({ status: 200, body: "OK" })
    const job = await createJob()
    await submitPage(job.links.action.url, { outcome: "pay", cardNumber: "4510400400099005" })
    await sandbox.webhooksIdle()
    const attempts = sandbox.deliveries().filter((d) => d.paymentId === job.data.reference)
    expect(attempts).toHaveLength(4)
    expect(attempts[3]).toMatchObject({ acknowledged: false, gaveUp: true })
  })

  it("refunds change the payment: partial, too much, duplicate number", async () => {
    const job = await createJob()
    const { reference: jobRef } = job.data
    const paymentRef = job.data.payments[0].reference
    await submitPage(job.links.action.url, { outcome: "pay", cardNumber: "4510400400099005" })
    const refund = (amountToRefund: string, refundNumber: string) =>
      api("POST", `/payment-jobs/${jobRef}/payments/${paymentRef}/refunds`, { amountToRefund, refundNumber })
    expect((await refund("3.00", "r1")).status).toBe(201)
    const duplicate = await refund("1.00", "r1")
    expect(duplicate.status).toBe(400)
    expect((await duplicate.json()).errorReport.errors).toHaveLength(1)
    expect((await refund("7.01", "r2")).status).toBe(400)
    expect((await refund("7.00", "r3")).status).toBe(201)
    const payment = (await (await api("GET", `/payment-jobs/${jobRef}/payments/${paymentRef}`)).json()).data
    expect(payment.status).toBe("Paid")
    expect(
      payment.refunds.map((r: { amountToRefund: string; status: string }) => [r.amountToRefund, r.status])
    ).toEqual([
      ["3.00", "Completed"],
      ["7.00", "Completed"],
    ])
  })

  it("a Reservation stays Reserved until captured; captures are bounded", async () => {
    const job = await createJob({ type: "Reservation" })
    const { reference: jobRef } = job.data
    const paymentRef = job.data.payments[0].reference
    await submitPage(job.links.action.url, { outcome: "pay", cardNumber: "4510400400099005" })
    const status = async () =>
      (await (await api("GET", `/payment-jobs/${jobRef}/payments/${paymentRef}`)).json()).data.status
    expect(await status()).toBe("Reserved")
    const capture = (amountToCapture: string, isFinalCapture: boolean) =>
      api("POST", `/payment-jobs/${jobRef}/payments/${paymentRef}/captures`, { amountToCapture, isFinalCapture })
    expect((await capture("10.01", true)).status).toBe(400)
    expect((await capture("4.00", false)).status).toBe(200)
    expect(await status()).toBe("Reserved")
    expect((await capture("6.00", true)).status).toBe(200)
    expect(await status()).toBe("Paid")
    const again = await capture("1.00", true)
    expect(again.status).toBe(400)
    expect((await again.json()).errorReport.errors[0].code).toBe("PaymentAlreadyCaptured")
    // Two status changes, two notifications (Reserved, Paid).
    await sandbox.webhooksIdle()
    expect(
      sandbox
        .deliveries()
        .filter((d) => d.paymentId === jobRef)
        .map((d) => d.event)
    ).toEqual(["PaymentStatusChange Reserved", "PaymentStatusChange Paid"])
  })

  it("declines (button or failed 3-D Secure) and returns to returnUrlFailed", async () => {
    const job = await createJob()
    const res = await submitPage(job.links.action.url, { outcome: "decline", cardNumber: "4000000000000002" })
    expect(new URL(res.headers.get("location")!).pathname).toBe("/cf/failed")
    expect(sandbox.payment("cashflows", job.data.reference)?.paymentStatus).toBe("Declined")
    const job2 = await createJob()
    await submitPage(job2.links.action.url, { outcome: "pay", cardNumber: "4000000000000002", threeDs: "failed" })
    expect(sandbox.payment("cashflows", job2.data.reference)?.paymentStatus).toBe("Failed")
    // A card off the test list is refused on the page.
    const job3 = await createJob()
    const page = await submitPage(job3.links.action.url, { outcome: "pay", cardNumber: "4111111111111111" })
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('data-testid="message"')
  })

  it("cancels on the page (returnUrlCancelled) and over the API; a paid job cannot be cancelled", async () => {
    const job = await createJob()
    const res = await submitPage(job.links.action.url, { outcome: "cancel" })
    expect(new URL(res.headers.get("location")!).pathname).toBe("/cf/cancelled")
    expect(sandbox.payment("cashflows", job.data.reference)?.paymentStatus).toBe("Cancelled")

    const job2 = await createJob()
    const cancelled = await api("PATCH", `/payment-jobs/${job2.data.reference}/cancel`)
    expect(cancelled.status).toBe(200)
    expect((await cancelled.json()).data.paymentStatus).toBe("Cancelled")

    const job3 = await createJob()
    await submitPage(job3.links.action.url, { outcome: "pay", cardNumber: "4510400400099005" })
    expect((await api("PATCH", `/payment-jobs/${job3.data.reference}/cancel`)).status).toBe(400)
  })

  it("pending: the buyer is sent back but the API still says Pending", async () => {
    const job = await createJob()
    const res = await submitPage(job.links.action.url, { outcome: "pending" })
    expect(new URL(res.headers.get("location")!).pathname).toBe("/cf/success")
    expect((await (await api("GET", `/payment-jobs/${job.data.reference}`)).json()).data.paymentStatus).toBe("Pending")
  })

  it("fault: failNext and latency", async () => {
    sandbox.faults.failNext = { cashflows: 1 }
    sandbox.faults.latencyMs = 60
    const started = Date.now()
    const failed = await api("GET", "/payment-jobs/1")
    expect(failed.status).toBe(500)
    expect((await failed.json()).errorReport.isFatalError).toBe(true)
    expect(Date.now() - started).toBeGreaterThanOrEqual(55)
    sandbox.faults.latencyMs = 0
    expect((await api("GET", "/payment-jobs/1")).status).toBe(404)
  })
})
