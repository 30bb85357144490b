import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import nock from "nock"
import {
  cashflowsCapture,
  cashflowsError,
  cashflowsNotification,
  cashflowsPayment,
  cashflowsPaymentJob,
  cashflowsRefund,
  cashflowsStandIn,
  checkoutUrlOf,
  JOB_REFERENCE,
  PAYMENT_REFERENCE,
} from "../fixtures/cashflows"
import {
  adminHeaders,
  isolateNetwork,
  ordersOfCart,
  seedStore,
  speedUpWebhooks,
  startCheckout,
  Store,
  storeHeaders,
} from "../helpers/store"

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
})

const PROVIDER_ID = "pp_cashflows_cashflows"
const WEBHOOK_PATH = "/hooks/cashflows/cashflows"
const JOB_PATH = `/api/gateway/payment-jobs/${JOB_REFERENCE}`
const PAYMENT_PATH = `${JOB_PATH}/payments/${PAYMENT_REFERENCE}`
const ACKNOWLEDGEMENT = { paymentJobReference: JOB_REFERENCE, paymentReference: PAYMENT_REFERENCE }

jest.setTimeout(120_000)

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    let store: Store
    let cashflows: ReturnType<typeof cashflowsStandIn>

    beforeEach(async () => {
      isolateNetwork()
      speedUpWebhooks(getContainer())
      store = await seedStore(getContainer(), { currency: "gbp", providerId: PROVIDER_ID, country: "gb" })
      cashflows = cashflowsStandIn(credentials)
    })

    afterEach(() => {
      nock.cleanAll()
    })

    /** A checkout whose session Cashflows accepted: a payment job for the cart's amount. */
    async function checkoutWithCashflows(unitPrice = 25) {
      cashflows.scope.post("/api/gateway/payment-jobs").reply(
        cashflows.signed((body) => {
          const sent = JSON.parse(body)
          return [201, cashflowsPaymentJob({ orderNumber: sent.order.orderNumber, amount: sent.amountToCollect })]
        })
      )
      return startCheckout(api, getContainer(), store, {
        providerId: PROVIDER_ID,
        unitPrice,
        sessionData: { return_url: "https://shop.example.com/checkout/return?cart=1" },
      })
    }

    /** Cashflows' `GET /payment-jobs/{ref}` answering, as often as asked, with one payment in `status`. */
    function cashflowsReports(status: string, orderNumber: string, amount = "25.00") {
      cashflows.scope
        .get(JOB_PATH)
        .times(20)
        .reply(
          cashflows.signed(() => [
            200,
            cashflowsPaymentJob({ orderNumber, amount, payments: [cashflowsPayment({ status, amount })] }),
          ])
        )
    }

    const notify = (body: unknown = cashflowsNotification()) =>
      api.post(WEBHOOK_PATH, body).catch((e: any) => e.response)

    it("creates a signed Cashflows payment job from the store checkout and hands back its checkout_url", async () => {
      const { session } = await checkoutWithCashflows()

      expect(cashflows.received).toHaveLength(1)
      expect(JSON.parse(cashflows.received[0].body)).toEqual({
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
      expect(session.data).toMatchObject({
        session_id: session.id,
        checkout_url: checkoutUrlOf(JOB_REFERENCE),
        gateway_reference: JOB_REFERENCE,
        gateway_payment_reference: PAYMENT_REFERENCE,
        amount: "25.00",
        currency_code: "gbp",
        return_url: "https://shop.example.com/checkout/return?cart=1",
      })
      expect(JSON.stringify(session.data)).not.toContain(credentials.apiKey)
    })

    it("turns the cart into exactly one order on a notification, acknowledges it, and acknowledges a repeat the same way", async () => {
      const { cartId, session } = await checkoutWithCashflows()
      cashflowsReports("Paid", session.id)

      const first = await notify()
      expect(first.status).toBe(200)
      expect(first.data).toEqual(ACKNOWLEDGEMENT)
      let orders = await ordersOfCart(getContainer(), cartId)
      expect(orders).toHaveLength(1)
      expect(Number(orders[0].total)).toBe(25)
      expect(orders[0].currency_code).toBe("gbp")
      expect(orders[0].payment_collections[0].payments[0].captures.map((c: any) => Number(c.amount))).toEqual([25])

      const again = await notify()
      expect(again.status).toBe(200)
      expect(again.data).toEqual(ACKNOWLEDGEMENT)
      orders = await ordersOfCart(getContainer(), cartId)
      expect(orders).toHaveLength(1)
      expect(orders[0].payment_collections[0].payments[0].captures).toHaveLength(1)
    })

    it("acknowledges a notification for a job Cashflows says Failed, and makes no order", async () => {
      const { cartId, session } = await checkoutWithCashflows()
      cashflowsReports("Failed", session.id)

      const response = await notify()
      expect(response.status).toBe(200)
      expect(response.data).toEqual(ACKNOWLEDGEMENT)
      expect(await ordersOfCart(getContainer(), cartId)).toHaveLength(0)
    })

    it("answers an error, so that Cashflows retries, for references the store never created, and makes no order", async () => {
      const { cartId } = await checkoutWithCashflows()
      cashflows.scope
        .get("/api/gateway/payment-jobs/4242")
        .reply(cashflows.signed(() => [404, cashflowsError("NotFound", "Payment job not found")]))

      const unknown = await notify(cashflowsNotification("4242", "4343"))
      expect(unknown.status).toBe(422)
      expect(unknown.data.message).toContain(
        "payment 4343 of job 4242 could not be verified with Cashflows as a payment of this store"
      )

      // A real job of the account, whose order number is a session id this store does not have.
      cashflowsReports("Paid", "payses_01JNOTINTHISSTORE")
      const foreign = await notify()
      expect(foreign.status).toBe(422)
      expect(foreign.data.message).toContain(
        `payment ${PAYMENT_REFERENCE} of job ${JOB_REFERENCE} could not be verified with Cashflows as a payment of this store`
      )
      expect(await ordersOfCart(getContainer(), cartId)).toHaveLength(0)
    })

    it("answers an error and makes no order when Cashflows was paid a different amount than the cart's", async () => {
      const { cartId, session } = await checkoutWithCashflows()
      cashflowsReports("Paid", session.id, "1.00")

      const response = await notify()
      expect(response.status).toBe(422)
      expect(response.data.message).toContain(
        `Cashflows reports 1.00 for payment ${PAYMENT_REFERENCE} of job ${JOB_REFERENCE}, but session ${session.id} is for 25 GBP`
      )
      expect(await ordersOfCart(getContainer(), cartId)).toHaveLength(0)
    })

    it("answers 400 to a body that is not a Cashflows notification", async () => {
      const response = await notify({ hello: "world" })
      expect(response.status).toBe(400)
      expect(response.data.message).toContain("not a Cashflows notification")
      expect(cashflows.received).toHaveLength(0)
    })

    it("completes the cart on the buyer's return when Cashflows says Paid", async () => {
      const { cartId, session } = await checkoutWithCashflows()
      cashflowsReports("Paid", session.id)

      const { data } = await api.post(`/store/carts/${cartId}/complete`, {}, storeHeaders(store))
      expect(data.type).toBe("order")
      expect(Number(data.order.total)).toBe(25)
      expect(await ordersOfCart(getContainer(), cartId)).toHaveLength(1)
    })

    it("refuses to complete the cart while Cashflows says Pending, and makes no order", async () => {
      const { cartId, session } = await checkoutWithCashflows()
      cashflowsReports("Pending", session.id)

      const response = await api
        .post(`/store/carts/${cartId}/complete`, {}, storeHeaders(store))
        .catch((e: any) => e.response)
      expect(response.status >= 400 || response.data.type === "cart").toBe(true)
      const message = response.data.message ?? response.data.error?.message
      expect(message).toContain("was not authorized with the provider")
      expect(await ordersOfCart(getContainer(), cartId)).toHaveLength(0)
    })

    it("leaves a reservation to the admin, whose capture from the Admin API reaches Cashflows", async () => {
      const { cartId, session } = await checkoutWithCashflows()
      cashflowsReports("Reserved", session.id)
      const { data } = await api.post(`/store/carts/${cartId}/complete`, {}, storeHeaders(store))
      expect(data.type).toBe("order")
      const payment = (await ordersOfCart(getContainer(), cartId))[0].payment_collections[0].payments[0]
      expect(payment.captures).toHaveLength(0)

      cashflows.scope
        .post(`${PAYMENT_PATH}/captures`)
        .reply(cashflows.signed(() => [200, cashflowsCapture({ amount: "25.00" })]))
      const admin = await adminHeaders(getContainer())
      const { data: captured } = await api.post(`/admin/payments/${payment.id}/capture`, {}, admin)

      const captures = cashflows.received.filter((r) => r.path.endsWith("/captures"))
      expect(captures.map((r) => JSON.parse(r.body))).toEqual([{ amountToCapture: "25.00", isFinalCapture: true }])
      expect(captured.payment.captures.map((c: any) => Number(c.amount))).toEqual([25])
    })

    it("sends a partial refund from the Admin API to Cashflows with the amount and Medusa's refund id", async () => {
      const { cartId, session } = await checkoutWithCashflows()
      cashflowsReports("Paid", session.id)
      await api.post(`/store/carts/${cartId}/complete`, {}, storeHeaders(store))
      const paymentId = (await ordersOfCart(getContainer(), cartId))[0].payment_collections[0].payments[0].id

      cashflows.scope
        .post(`${PAYMENT_PATH}/refunds`)
        .reply(
          cashflows.signed((body) => [
            200,
            cashflowsRefund({ amount: "10.50", refundNumber: JSON.parse(body).refundNumber }),
          ])
        )
      const admin = await adminHeaders(getContainer())
      const { data: refunded } = await api.post(`/admin/payments/${paymentId}/refund`, { amount: 10.5 }, admin)

      const refunds = cashflows.received.filter((r) => r.path.endsWith("/refunds"))
      expect(refunds.map((r) => JSON.parse(r.body))).toEqual([
        { amountToRefund: "10.50", refundNumber: refunded.payment.refunds[0].id },
      ])
      expect(refunded.payment.refunds.map((r: any) => Number(r.amount))).toEqual([10.5])
    })
  },
})
