import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import nock from "nock"
import {
  HITPAY_SANDBOX,
  hitpayCharge,
  hitpayPaymentRequest,
  hitpayRefund,
  hitpayV1Webhook,
  hitpayV2Webhook,
} from "../fixtures/hitpay"
import {
  adminHeaders,
  deliverWebhook,
  isolateNetwork,
  ordersOfCart,
  seedStore,
  speedUpWebhooks,
  startCheckout,
  Store,
  storeHeaders,
} from "../helpers/store"

// Provider options come from the environment, read when medusa-config loads: set them first.
const SALT = "hitpay-test-salt"
Object.assign(process.env, {
  HITPAY_API_KEY: "hitpay-test-api-key",
  HITPAY_SALT: SALT,
  HITPAY_WEBHOOK_URL: "https://shop-backend.example.com/hooks/payment/hitpay_hitpay",
  HITPAY_RETURN_URL: "https://shop.example.com/checkout/return",
  HITPAY_ALLOWED_RETURN_ORIGINS: "https://www.shop.example.com",
})

const PROVIDER_ID = "pp_hitpay_hitpay"
const WEBHOOK_PATH = "/hooks/payment/hitpay_hitpay"
const REQUEST_ID = "9f2a6c1e-6a86-4a1e-9a8b-3c1f7d2e5b10"
const CHARGE_ID = "9f2a6c1f-0b3d-4f0e-8c55-2a7d9e4b1c22"

jest.setTimeout(120_000)

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    let store: Store

    beforeEach(async () => {
      isolateNetwork()
      speedUpWebhooks(getContainer())
      store = await seedStore(getContainer(), { currency: "sgd", providerId: PROVIDER_ID, country: "sg" })
    })

    afterEach(() => {
      nock.cleanAll()
    })

    /** A checkout whose session HitPay accepted; returns what HitPay was sent. */
    async function checkoutWithHitPay(unitPrice = 25) {
      let sent: { body: URLSearchParams; headers: Record<string, string | string[]> } | undefined
      nock(HITPAY_SANDBOX)
        .post("/payment-requests")
        .reply(function (_uri, body) {
          const form = new URLSearchParams(body as string)
          sent = { body: form, headers: this.req.headers }
          return [
            201,
            hitpayPaymentRequest({
              id: REQUEST_ID,
              amount: form.get("amount")!,
              reference_number: form.get("reference_number")!,
              email: form.get("email"),
              name: form.get("name"),
              redirect_url: form.get("redirect_url"),
              webhook: form.get("webhook"),
            }),
          ]
        })
      const checkout = await startCheckout(api, getContainer(), store, {
        providerId: PROVIDER_ID,
        unitPrice,
        sessionData: { return_url: "https://shop.example.com/checkout/return?cart=1" },
      })
      return { checkout, sent: sent! }
    }

    /** HitPay's `GET /payment-requests/{id}` answering with a status (and the charge once paid). */
    function hitpayReports(status: string, reference: string, amount = "25.00", times = 1) {
      const payments = status === "completed" ? [hitpayCharge({ id: CHARGE_ID, amount })] : []
      return nock(HITPAY_SANDBOX)
        .get(`/payment-requests/${REQUEST_ID}`)
        .times(times)
        .reply(200, hitpayPaymentRequest({ id: REQUEST_ID, amount, reference_number: reference, status, payments }))
    }

    function v1Fields(sessionId: string, amount = "25.00", status = "completed") {
      return {
        payment_id: CHARGE_ID,
        payment_request_id: REQUEST_ID,
        phone: "",
        amount,
        currency: "SGD",
        status,
        reference_number: sessionId,
      }
    }

    const formHeaders = { "content-type": "application/x-www-form-urlencoded" }

    it("creates a HitPay payment request from the store checkout and hands back its checkout_url", async () => {
      const { checkout, sent } = await checkoutWithHitPay()
      const { session } = checkout

      expect(sent.headers["x-business-api-key"]).toBe("hitpay-test-api-key")
      expect(sent.headers["x-requested-with"]).toBe("XMLHttpRequest")
      expect(Object.fromEntries(sent.body)).toEqual({
        amount: "25.00",
        currency: "SGD",
        reference_number: session.id,
        redirect_url: "https://shop.example.com/checkout/return?cart=1",
        webhook: "https://shop-backend.example.com/hooks/payment/hitpay_hitpay",
        purpose: "Order payment",
        email: "buyer@example.com",
        name: "Ada Lovelace",
        phone: "+6581234567",
        send_email: "false",
      })
      expect(session.data).toMatchObject({
        session_id: session.id,
        checkout_url: `https://securecheckout.sandbox.hit-pay.com/payment-request/@medusa-store/${REQUEST_ID}/checkout`,
        gateway_reference: REQUEST_ID,
        amount: "25.00",
        currency_code: "sgd",
      })
      const visible = JSON.stringify(session.data)
      expect(visible).not.toContain("hitpay-test-api-key")
      expect(visible).not.toContain(SALT)
    })

    it("refuses a return_url outside the allowed origins", async () => {
      const { data: cartBody } = await api.post(
        "/store/carts",
        { region_id: store.regionId, sales_channel_id: store.salesChannelId },
        storeHeaders(store)
      )
      const { data: pc } = await api.post(
        "/store/payment-collections",
        { cart_id: cartBody.cart.id },
        storeHeaders(store)
      )
      const error = await api
        .post(
          `/store/payment-collections/${pc.payment_collection.id}/payment-sessions`,
          { provider_id: PROVIDER_ID, data: { return_url: "https://evil.example.net/steal" } },
          storeHeaders(store)
        )
        .catch((e: any) => e.response)
      expect(error.status).toBe(400)
      expect(error.data.message).toContain("return_url origin https://evil.example.net is not allowed")
    })

    it("turns the cart into exactly one order on a signed v1 webhook, and ignores a repeat", async () => {
      const { checkout } = await checkoutWithHitPay()
      hitpayReports("completed", checkout.session.id, "25.00", 2)
      const body = hitpayV1Webhook(v1Fields(checkout.session.id), SALT)

      const first = await deliverWebhook(api, getContainer(), WEBHOOK_PATH, body, formHeaders)
      expect(first.status).toBe(200)
      let orders = await ordersOfCart(getContainer(), checkout.cartId)
      expect(orders).toHaveLength(1)
      expect(Number(orders[0].total)).toBe(25)
      expect(orders[0].currency_code).toBe("sgd")
      const payment = orders[0].payment_collections[0].payments[0]
      expect(payment.captured_at).toBeTruthy()
      expect(payment.captures.map((c: any) => Number(c.amount))).toEqual([25])

      await deliverWebhook(api, getContainer(), WEBHOOK_PATH, body, formHeaders)
      orders = await ordersOfCart(getContainer(), checkout.cartId)
      expect(orders).toHaveLength(1)
      expect(orders[0].payment_collections[0].payments[0].captures).toHaveLength(1)
    })

    it("accepts a signed v2 webhook for the payment request", async () => {
      const { checkout } = await checkoutWithHitPay()
      hitpayReports("completed", checkout.session.id)
      const object = hitpayPaymentRequest({
        id: REQUEST_ID,
        amount: "25.00",
        reference_number: checkout.session.id,
        status: "completed",
        payments: [hitpayCharge({ id: CHARGE_ID, amount: "25.00" })],
      })
      const { body, headers } = hitpayV2Webhook(object, SALT)
      await deliverWebhook(api, getContainer(), WEBHOOK_PATH, body, headers)
      expect(await ordersOfCart(getContainer(), checkout.cartId)).toHaveLength(1)
    })

    it("leaves no order for a forged webhook, and asks HitPay nothing", async () => {
      const { checkout } = await checkoutWithHitPay()
      const asked = hitpayReports("completed", checkout.session.id)
      const forged = hitpayV1Webhook(v1Fields(checkout.session.id), "not-the-salt")

      const response = await deliverWebhook(api, getContainer(), WEBHOOK_PATH, forged, formHeaders)
      expect(response.status).toBe(200) // Medusa's route answers before any check; the check is ours
      expect(await ordersOfCart(getContainer(), checkout.cartId)).toHaveLength(0)
      expect(asked.isDone()).toBe(false)
    })

    it("leaves no order when HitPay was paid a different amount than the cart's", async () => {
      const { checkout } = await checkoutWithHitPay()
      hitpayReports("completed", checkout.session.id, "1.00", 3)
      const body = hitpayV1Webhook(v1Fields(checkout.session.id, "1.00"), SALT)

      await deliverWebhook(api, getContainer(), WEBHOOK_PATH, body, formHeaders)
      expect(await ordersOfCart(getContainer(), checkout.cartId)).toHaveLength(0)
    })

    it("completes the cart on the buyer's return when HitPay says completed", async () => {
      const { checkout } = await checkoutWithHitPay()
      hitpayReports("completed", checkout.session.id)

      const { data } = await api.post(`/store/carts/${checkout.cartId}/complete`, {}, storeHeaders(store))
      expect(data.type).toBe("order")
      expect(Number(data.order.total)).toBe(25)
      expect(await ordersOfCart(getContainer(), checkout.cartId)).toHaveLength(1)
    })

    it("refuses to complete the cart while HitPay says pending, and makes no order", async () => {
      const { checkout } = await checkoutWithHitPay()
      hitpayReports("pending", checkout.session.id)

      const response = await api
        .post(`/store/carts/${checkout.cartId}/complete`, {}, storeHeaders(store))
        .catch((e: any) => e.response)
      const failed = response.status >= 400 || response.data.type === "cart"
      expect(failed).toBe(true)
      const message = response.data.message ?? response.data.error?.message
      expect(message).toContain("was not authorized with the provider")
      expect(await ordersOfCart(getContainer(), checkout.cartId)).toHaveLength(0)
    })

    it("sends a partial refund from the Admin API to HitPay with the charge id and amount", async () => {
      const { checkout } = await checkoutWithHitPay()
      hitpayReports("completed", checkout.session.id)
      const { data } = await api.post(`/store/carts/${checkout.cartId}/complete`, {}, storeHeaders(store))
      const paymentId = (await ordersOfCart(getContainer(), checkout.cartId))[0].payment_collections[0].payments[0].id
      expect(data.type).toBe("order")

      let refundForm: Record<string, string> | undefined
      nock(HITPAY_SANDBOX)
        .post("/refund")
        .reply(200, (_uri, body) => {
          refundForm = Object.fromEntries(new URLSearchParams(body as string))
          return hitpayRefund({ payment_id: CHARGE_ID, amount: 10.5, total: 25 })
        })
      const admin = await adminHeaders(getContainer())
      const { data: refunded } = await api.post(`/admin/payments/${paymentId}/refund`, { amount: 10.5 }, admin)

      expect(refundForm).toEqual({ payment_id: CHARGE_ID, amount: "10.50" })
      expect(refunded.payment.refunds.map((r: any) => Number(r.amount))).toEqual([10.5])
    })
  },
})
