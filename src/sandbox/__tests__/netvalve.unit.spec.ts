import { Sandbox, startSandbox } from ".."
import { formAction, Receiver, startReceiver, submitPage } from "./receiver"

const CLIENT_ID = "nv_client"
const API_KEY = "nv_api_key"
const HEADER = { name: "X-Shop-Webhook-Secret", value: "0123456789abcdef-agreed" }

let sandbox: Sandbox
let authorising: Sandbox
let shop: Receiver

const headers = (clientId = CLIENT_ID, apiKey = API_KEY) => ({
  "netvalve-client-id": clientId,
  "netvalve-api-key": apiKey,
  "content-type": "application/json",
})

/** A create-order body written as NetValve wants it: the amount a JSON number with two decimals. */
const orderBody = (clientOrderId: string, amount = "44.00") =>
  `{"amount": ${amount}, "currency": "USD", "midId": 1234, "clientOrderId": ${JSON.stringify(clientOrderId)}, "orderDesc": "Test",` +
  ` "successUrl": "https://shop.example/nv/success", "cancelUrl": "https://shop.example/nv/cancel",` +
  ` "failedUrl": "https://shop.example/nv/failed", "pendingUrl": "https://shop.example/nv/pending",` +
  ` "customerDetails": {"customerEmail": "test@test.com", "customerPhone": "+919900000000"}}`

const createOrder = async (clientOrderId: string, box = sandbox) => {
  const res = await fetch(`${box.baseUrls.netvalveHpp}/hpp/order`, {
    method: "POST",
    headers: headers(),
    body: orderBody(clientOrderId),
  })
  expect(res.status).toBe(200)
  const body = await res.json()
  expect(body).toMatchObject({
    responseCode: "GTW_1000",
    orderState: "CREATED",
    redirectUrl: expect.any(String),
    orderId: expect.any(Number),
    transactionID: expect.any(Number),
  })
  return body as { orderId: number; transactionID: number; redirectUrl: string }
}

const inquire = async (clientOrderId: string, box = sandbox) =>
  (
    await fetch(`${box.baseUrls.netvalvePayment}/order?clientOrderId=${encodeURIComponent(clientOrderId)}`, {
      headers: headers(),
    })
  ).json()

const operation = async (op: "capture" | "cancel" | "refund", body: string, box = sandbox) => {
  const res = await fetch(`${box.baseUrls.netvalvePayment}/${op}`, { method: "POST", headers: headers(), body })
  return { status: res.status, body: await res.json() }
}

const pay = (
  redirectUrl: string,
  fields: Record<string, string> = { outcome: "pay", cardNumber: "4111111111111111" }
) => submitPage(redirectUrl, fields)

beforeAll(async () => {
  shop = await startReceiver()
  const netvalve = {
    clientId: CLIENT_ID,
    apiKey: API_KEY,
    webhookUrl: `${shop.url}/hooks/payment/netvalve_netvalve`,
    webhookHeaderName: HEADER.name,
    webhookHeaderValue: HEADER.value,
  }
  sandbox = await startSandbox({ netvalve, webhooks: { initialDelayMs: 20, maxAttempts: 4 } })
  authorising = await startSandbox({
    netvalve: { ...netvalve, authoriseOnly: true },
    webhooks: { initialDelayMs: 20, maxAttempts: 4 },
  })
})

afterAll(async () => {
  await sandbox.close()
  await authorising.close()
  await shop.close()
})

beforeEach(async () => {
  await sandbox.webhooksIdle()
  await authorising.webhooksIdle()
  shop.received.length = 0
  shop.respond = () => ({ status: 200, body: "" })
  sandbox.faults.reorderWebhooks = false
})

const events = () => shop.received.map((h) => JSON.parse(h.body).eventName as string)

describe("NetValve sandbox", () => {
  it("refuses wrong credentials with GTW_9001", async () => {
    const res = await fetch(`${sandbox.baseUrls.netvalveHpp}/hpp/order`, {
      method: "POST",
      headers: headers(CLIENT_ID, "wrong"),
      body: orderBody("x"),
    })
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ responseCode: "GTW_9001", responseMessage: expect.any(String) })
  })

  it("wants the amount as a number with exactly two decimals (GTW_2003)", async () => {
    for (const amount of ["44", "44.0", "44.000", '"44.00"']) {
      const res = await fetch(`${sandbox.baseUrls.netvalveHpp}/hpp/order`, {
        method: "POST",
        headers: headers(),
        body: orderBody(`amount_${amount}`, amount),
      })
      expect((await res.json()).responseCode).toBe("GTW_2003")
    }
  })

  it("takes a payment: create -> page -> pay -> successUrl -> inquiry -> webhook with the agreed header", async () => {
    const order = await createOrder("sess_nv_1")
    expect(
      (
        await (
          await fetch(`${sandbox.baseUrls.netvalveHpp}/hpp/order`, {
            method: "POST",
            headers: headers(),
            body: orderBody("sess_nv_1"),
          })
        ).json()
      ).responseCode
    ).toBe("GTW_2065")

    const pageHtml = await (await fetch(order.redirectUrl)).text()
    expect(pageHtml).toContain('data-testid="amount">44.00<')
    expect(pageHtml).toContain('data-testid="currency">USD<')
    for (const id of [
      "pay",
      "decline",
      "cancel",
      "pending",
      "card-number",
      "option-card",
      "option-applepay",
      "option-googlepay",
    ])
      expect(pageHtml).toContain(`id="${id}"`)

    const res = await pay(formAction(pageHtml))
    expect(res.status).toBe(303)
    expect(res.headers.get("location")).toBe("https://shop.example/nv/success")

    const inquiry = await inquire("sess_nv_1")
    expect(inquiry).toMatchObject({
      responseCode: "GTW_1000",
      responseCodeType: "APPROVED",
      orderState: "PAID",
      clientOrderId: "sess_nv_1",
      amount: 44,
      currency: "USD",
      orderId: order.orderId,
      transactionID: order.transactionID,
    })
    const byTransaction = await (
      await fetch(`${sandbox.baseUrls.netvalvePayment}/transaction/status?transactionId=${order.transactionID}`, {
        headers: headers(),
      })
    ).json()
    expect(byTransaction.orderState).toBe("PAID")

    const [hook] = await shop.waitFor(1)
    expect(hook.headers[HEADER.name.toLowerCase()]).toBe(HEADER.value)
    expect(hook.body).toContain('"amount":44.00')
    expect(JSON.parse(hook.body)).toMatchObject({
      eventName: "PURCHASED",
      data: {
        transactionType: "PURCHASE",
        clientOrderId: "sess_nv_1",
        orderId: order.orderId,
        transactionId: order.transactionID,
        responseCode: "GTW_1000",
        responseCodeType: "APPROVED",
        amount: 44,
      },
    })
    expect(
      (
        await (
          await fetch(`${sandbox.baseUrls.netvalveHpp}/hpp/order`, {
            method: "POST",
            headers: headers(),
            body: orderBody("sess_nv_1"),
          })
        ).json()
      ).responseCode
    ).toBe("GTW_2070")
  })

  it("honours paymentOptions on the hosted page", async () => {
    const order = await createOrder("sess_nv_options")
    const pageHtml = await (await fetch(`${order.redirectUrl}&paymentOptions=applepay,googlepay`)).text()
    expect(pageHtml).toContain('id="option-applepay"')
    expect(pageHtml).toContain('id="option-googlepay"')
    expect(pageHtml).not.toContain('id="option-card"')
    expect(pageHtml).not.toContain('id="card-number"')
    const res = await submitPage(formAction(pageHtml), { outcome: "pay-googlepay" })
    expect(res.headers.get("location")).toBe("https://shop.example/nv/success")
    expect(sandbox.payment("netvalve", "sess_nv_options")).toMatchObject({
      orderState: "PAID",
      paymentMethod: "googlepay",
    })
    const order2 = await createOrder("sess_nv_options2")
    const refused = await submitPage(`${order2.redirectUrl}&paymentOptions=applepay`, { outcome: "pay-googlepay" })
    expect(refused.status).toBe(200)
    expect(sandbox.payment("netvalve", "sess_nv_options2")?.orderState).toBe("CREATED")
  })

  it("refunds: partial, exceeding (GTW_2108), full, again (GTW_2045)", async () => {
    const order = await createOrder("sess_nv_refund")
    await pay(order.redirectUrl)
    const refund = (amount: string) =>
      operation("refund", `{"transactionID": ${order.transactionID}, "amount": ${amount}}`)
    expect((await refund("10.00")).body.responseCode).toBe("GTW_1000")
    expect((await inquire("sess_nv_refund")).orderState).toBe("PARTIALLY_REFUNDED")
    expect((await refund("34.01")).body.responseCode).toBe("GTW_2108")
    expect((await refund("34")).body.responseCode).toBe("GTW_2003")
    expect((await refund("34.00")).body.responseCode).toBe("GTW_1000")
    expect((await inquire("sess_nv_refund")).orderState).toBe("REFUNDED")
    expect((await refund("1.00")).body.responseCode).toBe("GTW_2045")
    await sandbox.webhooksIdle()
    expect(events()).toEqual(["PURCHASED", "REFUNDED", "REFUNDED"])
  })

  it("authorise-only: capture once (GTW_2046 after), cancel once (GTW_2047 after)", async () => {
    const order = await createOrder("sess_nv_auth", authorising)
    await pay(order.redirectUrl)
    expect((await inquire("sess_nv_auth", authorising)).orderState).toBe("AUTHORISED")
    const capture = () =>
      operation("capture", `{"transactionID": ${order.transactionID}, "amount": 44.00}`, authorising)
    expect((await capture()).body.responseCode).toBe("GTW_1000")
    expect((await inquire("sess_nv_auth", authorising)).orderState).toBe("CAPTURED")
    expect((await capture()).body.responseCode).toBe("GTW_2046")

    const second = await createOrder("sess_nv_auth2", authorising)
    await pay(second.redirectUrl)
    const cancel = () => operation("cancel", JSON.stringify({ transactionID: second.transactionID }), authorising)
    expect((await cancel()).body.responseCode).toBe("GTW_1000")
    expect((await inquire("sess_nv_auth2", authorising)).orderState).toBe("CANCELLED")
    expect((await cancel()).body.responseCode).toBe("GTW_2047")
    await authorising.webhooksIdle()
    expect(events()).toEqual(["AUTHORISED", "CAPTURED", "AUTHORISED", "CANCELLED"])
  })

  it("declines (failedUrl, hard decline, PURCHASE_FAILED) and cancels (cancelUrl)", async () => {
    const order = await createOrder("sess_nv_decline")
    const res = await pay(order.redirectUrl, { outcome: "decline" })
    expect(res.headers.get("location")).toBe("https://shop.example/nv/failed")
    expect(await inquire("sess_nv_decline")).toMatchObject({ orderState: "FAILED", responseCodeType: "HARD DECLINE" })
    const cancelled = await createOrder("sess_nv_cancel")
    expect((await pay(cancelled.redirectUrl, { outcome: "cancel" })).headers.get("location")).toBe(
      "https://shop.example/nv/cancel"
    )
    expect((await inquire("sess_nv_cancel")).orderState).toBe("CANCELLED")
    await sandbox.webhooksIdle()
    expect(events()).toEqual(["PURCHASE_FAILED"])
  })

  it("pending: pendingUrl and GTW_1002, then payable again", async () => {
    const order = await createOrder("sess_nv_pending")
    expect(
      (await pay(order.redirectUrl, { outcome: "pending", cardNumber: "4111111111111111" })).headers.get("location")
    ).toBe("https://shop.example/nv/pending")
    expect(await inquire("sess_nv_pending")).toMatchObject({
      responseCode: "GTW_1002",
      responseCodeType: "PENDING",
      orderState: "PENDING",
    })
    await pay(order.redirectUrl)
    expect((await inquire("sess_nv_pending")).orderState).toBe("PAID")
    await sandbox.webhooksIdle()
    expect(events()).toEqual(["PURCHASE_PENDING", "PURCHASED"])
  })

  it("retries a webhook answered with non-2xx", async () => {
    const replies = [500, 503]
    shop.respond = () => ({ status: replies.shift() ?? 200 })
    const order = await createOrder("sess_nv_retry")
    await pay(order.redirectUrl)
    await shop.waitFor(3)
    await sandbox.webhooksIdle()
    expect(
      sandbox
        .deliveries()
        .filter((d) => d.paymentId === String(order.orderId))
        .map((d) => [d.status, d.acknowledged])
    ).toEqual([
      [500, false],
      [503, false],
      [200, true],
    ])
  })

  it("fault: reorderWebhooks delivers a late failure after the success; the inquiry still says PAID", async () => {
    sandbox.faults.reorderWebhooks = true
    const order = await createOrder("sess_nv_reorder")
    await pay(order.redirectUrl)
    await sandbox.webhooksIdle()
    expect(events()).toEqual(["PURCHASED", "PURCHASE_FAILED"])
    expect((await inquire("sess_nv_reorder")).orderState).toBe("PAID")
  })

  it("fault: failNext answers 500 with a NetValve body", async () => {
    sandbox.faults.failNext = { netvalve: 1 }
    const res = await fetch(`${sandbox.baseUrls.netvalvePayment}/order?clientOrderId=none`, { headers: headers() })
    expect(res.status).toBe(500)
    expect((await res.json()).responseCode).toEqual(expect.any(String))
    expect(
      (await fetch(`${sandbox.baseUrls.netvalvePayment}/order?clientOrderId=none`, { headers: headers() })).status
    ).toBe(404)
  })
})
