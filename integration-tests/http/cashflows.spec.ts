import { Modules } from "@medusajs/framework/utils"
import {
  cashflowsCapture,
  cashflowsError,
  cashflowsNotification,
  cashflowsPayment,
  cashflowsPaymentJob,
  cashflowsRefund,
  cashflowsStandIn,
  CASHFLOWS_INTEGRATION,
  checkoutUrlOf,
  JOB_REFERENCE,
  PAYMENT_REFERENCE,
} from "../fixtures/cashflows"
import {
  GatewayRequest,
  hppWebhookRoute,
  jsonOf,
  medusaWebhookRoute,
  postFrom,
  WebhookDelivery,
} from "../helpers/gateway"
import { CART_AMOUNT, CART_TOTAL, GatewayAdapter, PAID, providerSuite, REFUND_TEXT } from "../helpers/provider-suite"

// Provider options come from the environment, read when medusa-config loads: set them first. This store
// only reserves at payment, so that the Admin API's capture can be seen reaching Cashflows; paid
// payments are captured either way.
const credentials = { apiKey: "cashflows-test-api-key", configurationId: "200426117314086912" }
Object.assign(process.env, {
  CASHFLOWS_API_KEY: credentials.apiKey,
  CASHFLOWS_CONFIGURATION_ID: credentials.configurationId,
  CASHFLOWS_WEBHOOK_URL: "https://shop-backend.example.com/hooks/cashflows/cashflows",
  CASHFLOWS_RETURN_URL: "https://shop.example.com/checkout/return",
  CASHFLOWS_ALLOWED_RETURN_ORIGINS: "https://www.shop.example.com",
  CASHFLOWS_AUTO_CAPTURE: "false",
  // Only Cashflows' published notification addresses may post, and this test's own client, which posts from
  // loopback with no proxy in front: the connection's address counts (webhookTrustedProxies 0, the default).
  CASHFLOWS_WEBHOOK_ALLOWED_IPS: "54.74.58.255, 52.215.48.101, 54.75.5.171, 54.73.83.234, 127.0.0.1, ::1",
  // A job asked about is not asked about again for 5 s (30 by default), so that a test can wait the window out.
  CASHFLOWS_WEBHOOK_REPEAT_WINDOW_SECONDS: "5",
})

const JOB_PATH = `/api/gateway/payment-jobs/${JOB_REFERENCE}`
const PAYMENT_PATH = `${JOB_PATH}/payments/${PAYMENT_REFERENCE}`
const ACKNOWLEDGEMENT = { paymentJobReference: JOB_REFERENCE, paymentReference: PAYMENT_REFERENCE }
/** References of a job and payment this store never created. */
const UNKNOWN = { job: "4242", payment: "4343" }

type PaymentJobRequest = {
  amountToCollect: string
  currency: string
  order: { orderNumber: string }
  parameters: { returnUrlSuccess: string; returnUrlFailed: string; returnUrlCancelled: string }
}

/**
 * Cashflows' `GET /payment-jobs/{ref}`, answering as often as asked with the job `job()` describes at
 * that moment: one payment in its status. The stand-in checks every request's signature.
 */
function standInForJob(
  job: () => { orderNumber: string; status: string; amount: string; refunded?: string; captured?: string }
) {
  const cashflows = cashflowsStandIn(credentials)
  cashflows.scope
    .persist()
    .get(JOB_PATH)
    .reply(
      cashflows.signed(() => {
        const { orderNumber, status, amount, refunded, captured } = job()
        const captures = captured ? [cashflowsCapture({ amount: captured, status: "Completed" }).data] : []
        const refunds = refunded
          ? [cashflowsRefund({ amount: refunded, refundNumber: "dashboard-1", status: "Completed" }).data]
          : []
        return [
          200,
          cashflowsPaymentJob({
            orderNumber,
            amount,
            payments: [cashflowsPayment({ status, amount, refunds, captures })],
          }),
        ]
      })
    )
  return cashflows
}

/** Cashflows' notification, as it posts it: unsigned JSON naming a job and a payment. */
const notification = (body: unknown = cashflowsNotification()): WebhookDelivery => ({
  body: JSON.stringify(body),
  headers: { "content-type": "application/json" },
})

const cashflows: GatewayAdapter = {
  name: "Cashflows",
  providerId: "pp_cashflows_cashflows",
  region: { currency: "gbp", country: "gb" },
  secrets: [credentials.apiKey],
  session: { extraKeys: [], legacyKeys: ["payment_job_reference", "payment_reference", "cashflows_status"] },
  create: {
    standIn() {
      const cashflows = cashflowsStandIn(credentials)
      cashflows.scope.post("/api/gateway/payment-jobs").reply(
        cashflows.signed((body) => {
          const sent: PaymentJobRequest = JSON.parse(body)
          return [201, cashflowsPaymentJob({ orderNumber: sent.order.orderNumber, amount: sent.amountToCollect })]
        })
      )
      return cashflows.received
    },
    read(request) {
      const { amountToCollect, currency, order, parameters } = jsonOf<PaymentJobRequest>(request)
      return {
        amount: amountToCollect,
        currency,
        reference: order.orderNumber,
        returnUrls: [parameters.returnUrlSuccess, parameters.returnUrlFailed, parameters.returnUrlCancelled],
      }
    },
    expectRequest(request, { session }) {
      expect(jsonOf(request)).toEqual({
        amountToCollect: "25.00",
        currency: "GBP",
        locale: "en_GB",
        type: "Payment",
        order: {
          orderNumber: session.id,
          billingIdentity: { emailAddress: "buyer@example.com" },
          billingAddress: { firstName: "Ada", lastName: "Lovelace" },
        },
        parameters: {
          returnUrlSuccess: "https://shop.example.com/checkout/return?cart=1&status=success",
          returnUrlFailed: "https://shop.example.com/checkout/return?cart=1&status=failed",
          returnUrlCancelled: "https://shop.example.com/checkout/return?cart=1&status=cancelled",
          webhookUrl: "https://shop-backend.example.com/hooks/cashflows/cashflows",
        },
      })
    },
    checkoutUrl: checkoutUrlOf(JOB_REFERENCE),
    sessionData: { gateway_reference: JOB_REFERENCE, gateway_payment_reference: PAYMENT_REFERENCE },
  },
  standInForStatus(checkout, payment) {
    standInForJob(() => {
      const { status, amount, refunded } = payment()
      return { orderNumber: checkout.session.id, status: status === "paid" ? "Paid" : "Pending", amount, refunded }
    })
  },
  paidPaymentData: {
    gateway_reference: JOB_REFERENCE,
    gateway_payment_reference: PAYMENT_REFERENCE,
    gateway_status: "Paid",
  },
  webhooks: {
    // The plugin's route answers after the work: the acknowledgement ends Cashflows' redelivery, an error asks for it.
    // A notification naming a job no live session holds is refused before Cashflows is asked: 422, not ours.
    route: hppWebhookRoute("cashflows", "cashflows", ACKNOWLEDGEMENT, 422),
    // Unsigned: it only names what to ask Cashflows about, over Cashflows' signed API.
    paid: () => notification(),
    claimsPaid: false,
    forgery: "a notification naming a job no session of this store holds",
    // No stand-in: the store must not ask Cashflows about it (a question would fail, and be answered 503).
    forged: () => [notification(cashflowsNotification(UNKNOWN.job, UNKNOWN.payment))],
  },
  refund: {
    standIn() {
      const cashflows = cashflowsStandIn(credentials)
      cashflows.scope.post(`${PAYMENT_PATH}/refunds`).reply(
        cashflows.signed((body) => {
          const { amountToRefund, refundNumber } = JSON.parse(body) as { amountToRefund: string; refundNumber: string }
          return [200, cashflowsRefund({ amount: amountToRefund, refundNumber })]
        })
      )
      return cashflows.received
    },
    endpoint: { baseUrl: CASHFLOWS_INTEGRATION, path: `${PAYMENT_PATH}/refunds` },
    read: (request: GatewayRequest) => ({
      reference: /\/payments\/(\d+)\/refunds$/.exec(request.path)?.[1] ?? null,
      amount: jsonOf<{ amountToRefund: string }>(request).amountToRefund,
    }),
    paidReference: PAYMENT_REFERENCE,
    expectRequest(request, medusaRefundId) {
      expect(jsonOf(request)).toEqual({ amountToRefund: REFUND_TEXT, refundNumber: medusaRefundId })
    },
  },
}

providerSuite(cashflows, (t) => {
  it("asks Cashflows nothing, and changes nothing, for notifications naming payment jobs no live session of this store holds, on either route", async () => {
    const checkout = await t.checkout()
    const gateway = t.gatewayReports(checkout, PAID) // the checkout's own job, were it asked about
    const anyJob = cashflowsStandIn(credentials)
    anyJob.scope
      .persist()
      .get(/^\/api\/gateway\/payment-jobs\/\d+$/)
      .reply(anyJob.signed(() => [404, cashflowsError("NotFound", "Payment job not found")]))

    const answers = []
    for (const job of [UNKNOWN.job, "210121017238589453", "1"]) {
      answers.push(await t.deliver(notification(cashflowsNotification(job, UNKNOWN.payment))))
    }
    await medusaWebhookRoute("cashflows_cashflows").deliver(
      { api: t.api, container: t.container() },
      notification(cashflowsNotification(UNKNOWN.job, UNKNOWN.payment))
    )

    expect(anyJob.received).toEqual([])
    expect(gateway.asked()).toBe(0)
    for (const answer of answers)
      expect(answer).toEqual({ status: 422, data: { message: "not a payment of this store" } })
    expect(await t.orders(checkout)).toHaveLength(0)
  })

  it("asks Cashflows once about a job notified many times within the repeat window, answers the repeats 503 so that Cashflows delivers them again, and acts on that later delivery", async () => {
    const checkout = await t.checkout()
    const gateway = t.gatewayReports(checkout, { status: "pending", amount: CART_AMOUNT })

    // Copies at once share the first one's question and answer (the webhook route's deliveries in flight).
    const burst = await Promise.all(Array.from({ length: 5 }, () => t.deliver(notification())))
    expect(gateway.asked()).toBe(1)
    expect(burst).toEqual(Array(5).fill({ status: 200, data: ACKNOWLEDGEMENT }))

    // The buyer pays and Cashflows notifies within the window: not asked, and not acknowledged either.
    gateway.changeTo(PAID)
    const repeat = await t.deliver(notification())
    expect(repeat.status).toBe(503)
    expect(repeat.data).not.toEqual(ACKNOWLEDGEMENT)
    expect(gateway.asked()).toBe(1)
    expect(await t.orders(checkout)).toHaveLength(0)

    // Cashflows delivers it again (a minute later; here once the 5 s window is over): asked, and the order is made.
    await new Promise((resolve) => setTimeout(resolve, 5_000))
    expect(await t.deliver(notification())).toEqual({ status: 200, data: ACKNOWLEDGEMENT })
    expect(await t.orders(checkout)).toHaveLength(1)
  })

  it("refuses with 403 a notification from an address outside webhookAllowedIps on either route, though its X-Forwarded-For names Cashflows: nothing is asked or changed, and from an allowed address it makes the order", async () => {
    const checkout = await t.checkout()
    const gateway = t.gatewayReports(checkout, PAID)
    // Cashflows' integration address, written into the header by the sender itself: no proxy stands in front.
    const forged = { ...notification(), headers: { ...notification().headers, "x-forwarded-for": "54.75.5.171" } }

    const answers = [
      await postFrom(t.api, "127.0.0.2", "/hooks/cashflows/cashflows", forged),
      await postFrom(t.api, "127.0.0.2", "/hooks/payment/cashflows_cashflows", forged),
    ]
    expect(gateway.asked()).toBe(0)
    expect(await t.orders(checkout)).toHaveLength(0)
    const refused = { status: 403, data: { message: "this sender may not post webhooks here" } }
    expect(answers).toEqual([refused, refused])

    expect(await t.deliver(notification())).toEqual({ status: 200, data: ACKNOWLEDGEMENT })
    expect(await t.orders(checkout)).toHaveLength(1)
  })

  it("answers 503 to a notification whose payment has a status Cashflows has not documented, so that it comes again", async () => {
    const checkout = await t.checkout()
    standInForJob(() => ({ orderNumber: checkout.session.id, status: "Settling", amount: CART_AMOUNT }))

    const response = await t.deliver(notification())
    expect(response.status).toBe(503)
    expect(response.data).not.toEqual(ACKNOWLEDGEMENT)
    expect(await t.orders(checkout)).toHaveLength(0)
  })

  it("acknowledges a notification for a job Cashflows says Failed, and makes no order", async () => {
    const checkout = await t.checkout()
    standInForJob(() => ({ orderNumber: checkout.session.id, status: "Failed", amount: CART_AMOUNT }))

    const response = await t.deliver(notification())
    expect(response.status).toBe(200)
    expect(response.data).toEqual(ACKNOWLEDGEMENT)
    expect(await t.orders(checkout)).toHaveLength(0)
  })

  it("answers 422, telling the caller nothing of the store, for a real job whose order number is not a session of this store", async () => {
    const checkout = await t.checkout()
    standInForJob(() => ({ orderNumber: "payses_01JNOTINTHISSTORE", status: "Paid", amount: CART_AMOUNT }))

    const foreign = await t.deliver(notification())
    expect(foreign.status).toBe(422)
    expect(foreign.data).toEqual({ message: "not a payment of this store" })
    expect(await t.orders(checkout)).toHaveLength(0)
  })

  it("answers 400 to a body that is not a Cashflows notification, and asks Cashflows nothing", async () => {
    const cashflows = standInForJob(() => ({
      orderNumber: "payses_01JANYSESSION",
      status: "Paid",
      amount: CART_AMOUNT,
    }))

    const response = await t.deliver(notification({ hello: "world" }))
    expect(response.status).toBe(400)
    expect(response.data).toEqual({ message: "not a Cashflows webhook" })
    expect(cashflows.received).toHaveLength(0)
  })

  it("leaves a reservation to the admin, whose capture from the Admin API reaches Cashflows", async () => {
    const checkout = await t.checkout()
    standInForJob(() => ({ orderNumber: checkout.session.id, status: "Reserved", amount: CART_AMOUNT }))
    const { data } = await t.completeCart(checkout)
    expect(data.type).toBe("order")
    const payment = (await t.orders(checkout))[0].payment_collections[0].payments[0]
    expect(payment.captures).toHaveLength(0)

    const capture = cashflowsStandIn(credentials)
    capture.scope
      .post(`${PAYMENT_PATH}/captures`)
      .reply(capture.signed(() => [200, cashflowsCapture({ amount: CART_AMOUNT })]))
    type CapturedBody = { payment: { captures: { amount: number }[] } }
    const { data: captured } = await t.api.post<CapturedBody>(
      `/admin/payments/${payment.id}/capture`,
      {},
      await t.admin()
    )

    expect(capture.received.map((r) => JSON.parse(r.body))).toEqual([
      { amountToCapture: "25.00", isFinalCapture: true },
    ])
    expect(captured.payment.captures.map((c) => Number(c.amount))).toEqual([CART_TOTAL])
  })

  it("captures the part of a reservation Medusa's capture names, and acknowledges Cashflows' notification about it", async () => {
    const checkout = await t.checkout()
    let captured: string | undefined
    // After the capture Cashflows shows the payment Paid for what it collected: 10.00 of the 25.00 reserved.
    standInForJob(() =>
      captured
        ? { orderNumber: checkout.session.id, status: "Paid", amount: captured, captured }
        : { orderNumber: checkout.session.id, status: "Reserved", amount: CART_AMOUNT }
    )
    await t.completeCart(checkout)
    const payment = (await t.orders(checkout))[0].payment_collections[0].payments[0]

    const capture = cashflowsStandIn(credentials)
    capture.scope.post(`${PAYMENT_PATH}/captures`).reply(
      capture.signed((body) => {
        captured = JSON.parse(body).amountToCapture as string
        return [200, cashflowsCapture({ amount: captured })]
      })
    )
    type CapturedBody = { payment: { captures: { amount: number }[] } }
    const { data } = await t.api.post<CapturedBody>(
      `/admin/payments/${payment.id}/capture`,
      { amount: 10 },
      await t.admin()
    )
    expect(capture.received.map((r) => JSON.parse(r.body))).toEqual([
      { amountToCapture: "10.00", isFinalCapture: false },
    ])
    expect(data.payment.captures.map((c) => Number(c.amount))).toEqual([10])

    // Cashflows then notifies about the payment (10.00 of 25.00 captured): acknowledged, not redelivered for a month.
    const answer = await t.deliver(notification())
    expect(answer).toEqual({ status: 200, data: ACKNOWLEDGEMENT })
    const orders = await t.orders(checkout)
    expect(orders).toHaveLength(1)
    expect(orders[0].payment_collections[0].payments[0].captures.map((c) => Number(c.amount))).toEqual([10])
  })

  it("does not record a payment as cancelled while Cashflows still holds its reservation, and says where to void it", async () => {
    const checkout = await t.checkout()
    standInForJob(() => ({ orderNumber: checkout.session.id, status: "Reserved", amount: CART_AMOUNT }))
    await t.completeCart(checkout)
    const [order] = await t.orders(checkout)
    const payment = order.payment_collections[0].payments[0]
    const cancel = cashflowsStandIn(credentials)
    cancel.scope
      .patch(`${JOB_PATH}/cancel`)
      .reply(cancel.signed(() => [400, cashflowsError("InvalidPaymentStatus", "Payment job cannot be cancelled")]))

    // What Medusa's order cancellation asks of the payment module for an uncaptured payment (it logs the error
    // and cancels the order anyway; the payment then stays uncancelled, as the money stays reserved).
    const paymentModule = t.container().resolve(Modules.PAYMENT)
    const error = await paymentModule.cancelPayment(payment.id).catch((e: Error) => e)
    expect(String(error)).toContain(`payment job ${JOB_REFERENCE} is still Reserved`)
    expect(String(error)).toContain("void it in the Cashflows dashboard")
    expect(cancel.received.map((r) => r.method)).toEqual(["PATCH"])
    const [after] = await t.orders(checkout)
    expect(after.payment_collections[0].payments[0].canceled_at).toBeNull()
  })
})
