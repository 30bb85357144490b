import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import nock from "nock"
import {
  CATALYSTPAY_STAGING,
  catalystpayCompletedPayload,
  catalystpayCreatedSession,
  catalystpaySession,
  catalystpayWebhookHeaders,
  COMPLETED_25_EUR_SIGNATURE,
  SESSION_TOKEN,
  TEST_WEBHOOK_SECRET,
} from "../fixtures/catalystpay"
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
const API_KEY = "rk_test_integration_7c1d"
const GATEWAY_ID = "f7e8d9c0-b1a2-3456-cdef-890123456789"
Object.assign(process.env, {
  CATALYSTPAY_API_KEY: API_KEY,
  CATALYSTPAY_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
  CATALYSTPAY_GATEWAY_ID: GATEWAY_ID,
  CATALYSTPAY_RETURN_URL: "https://shop.example.com/checkout/return",
})

const PROVIDER_ID = "pp_catalystpay_catalystpay"
const WEBHOOK_PATH = "/hooks/payment/catalystpay_catalystpay"

jest.setTimeout(120_000)

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    let store: Store

    beforeEach(async () => {
      isolateNetwork()
      speedUpWebhooks(getContainer())
      store = await seedStore(getContainer(), { currency: "eur", providerId: PROVIDER_ID, country: "de" })
    })

    afterEach(() => {
      nock.cleanAll()
    })

    /** A checkout whose session CatalystPay accepted; returns what CatalystPay was sent. */
    async function checkoutWithCatalystPay(unitPrice = 25) {
      let sent: { body: any; headers: Record<string, string | string[]> } | undefined
      nock(CATALYSTPAY_STAGING)
        .post("/payment-sessions/")
        .reply(function (_uri, body) {
          sent = { body, headers: this.req.headers }
          return [201, catalystpayCreatedSession()]
        })
      const checkout = await startCheckout(api, getContainer(), store, {
        providerId: PROVIDER_ID,
        unitPrice,
        sessionData: { return_url: "https://shop.example.com/checkout/return?cart=1" },
      })
      return { checkout, sent: sent! }
    }

    /** CatalystPay's `GET /payment-sessions/{token}/` answering with a status. */
    function catalystpayReports(status: string, amount = "25.00", times = 1) {
      return nock(CATALYSTPAY_STAGING)
        .get(`/payment-sessions/${SESSION_TOKEN}/`)
        .times(times)
        .reply(200, catalystpaySession({ status, amount }))
    }

    /** The guide's typical payment_session.completed, signed (in Python) with the profile's secret. */
    const completedWebhook = () => ({
      body: JSON.stringify(catalystpayCompletedPayload({ amount: "25.00" }), null, 2),
      headers: catalystpayWebhookHeaders(COMPLETED_25_EUR_SIGNATURE),
    })

    it("creates a direct-mode CatalystPay session from the store checkout and hands back its checkout_url", async () => {
      const { checkout, sent } = await checkoutWithCatalystPay()
      const { session } = checkout

      expect(sent.headers.authorization).toBe(`Bearer ${API_KEY}`)
      expect(sent.body).toEqual({
        gateway_id: GATEWAY_ID,
        amount: "25.00",
        currency: "EUR",
        billing_type: "ONE_OFF",
        lead: {
          first_name: "Ada",
          last_name: "Lovelace",
          email: "buyer@example.com",
          country: "SG",
          address: "1 Raffles Place",
          city: "Singapore",
          postal_code: "048616",
          phone: "+6581234567",
        },
        customer_ip: expect.any(String),
      })
      expect(session.data).toMatchObject({
        session_id: session.id,
        checkout_url: `https://pay.catalystpay.com/s/${SESSION_TOKEN}`,
        gateway_reference: SESSION_TOKEN,
        amount: "25.00",
        currency_code: "eur",
        return_url: "https://shop.example.com/checkout/return?cart=1",
      })
      const visible = JSON.stringify(session.data)
      expect(visible).not.toContain(API_KEY)
      expect(visible).not.toContain(TEST_WEBHOOK_SECRET)
    })

    it("refuses a session for a cart without the buyer's first name, saying what the storefront must send", async () => {
      const { data: cartBody } = await api.post(
        "/store/carts",
        { region_id: store.regionId, sales_channel_id: store.salesChannelId, email: "buyer@example.com" },
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
          { provider_id: PROVIDER_ID, data: {} },
          storeHeaders(store)
        )
        .catch((e: any) => e.response)
      expect(error.status).toBe(400)
      expect(error.data.message).toContain(
        "CatalystPay requires the buyer's first name; the storefront must set the cart's billing address (first_name)"
      )
    })

    it("turns the cart into exactly one order on a signed payment_session.completed, and ignores a repeat", async () => {
      const { checkout } = await checkoutWithCatalystPay()
      catalystpayReports("COMPLETED", "25.00", 10)
      const { body, headers } = completedWebhook()

      const first = await deliverWebhook(api, getContainer(), WEBHOOK_PATH, body, headers)
      expect(first.status).toBe(200)
      let orders = await ordersOfCart(getContainer(), checkout.cartId)
      expect(orders).toHaveLength(1)
      expect(Number(orders[0].total)).toBe(25)
      expect(orders[0].currency_code).toBe("eur")
      const payment = orders[0].payment_collections[0].payments[0]
      expect(payment.captured_at).toBeTruthy()
      expect(payment.captures.map((c: any) => Number(c.amount))).toEqual([25])

      await deliverWebhook(api, getContainer(), WEBHOOK_PATH, body, headers)
      orders = await ordersOfCart(getContainer(), checkout.cartId)
      expect(orders).toHaveLength(1)
      expect(orders[0].payment_collections[0].payments[0].captures).toHaveLength(1)
    })

    it("leaves no order for a forged payment_session.completed, and asks CatalystPay nothing", async () => {
      const { checkout } = await checkoutWithCatalystPay()
      const asked = catalystpayReports("COMPLETED")
      const forged = catalystpayWebhookHeaders("9".repeat(64))

      const response = await deliverWebhook(api, getContainer(), WEBHOOK_PATH, completedWebhook().body, forged)
      expect(response.status).toBe(200) // Medusa's route answers before any check; the check is ours
      expect(await ordersOfCart(getContainer(), checkout.cartId)).toHaveLength(0)
      expect(asked.isDone()).toBe(false)
    })

    it("leaves no order when CatalystPay completed a different amount than the cart's", async () => {
      const { checkout } = await checkoutWithCatalystPay()
      catalystpayReports("COMPLETED", "1.00", 10)
      const { body, headers } = completedWebhook()

      await deliverWebhook(api, getContainer(), WEBHOOK_PATH, body, headers)
      expect(await ordersOfCart(getContainer(), checkout.cartId)).toHaveLength(0)
    })

    it("completes the cart on the buyer's return when CatalystPay says COMPLETED", async () => {
      const { checkout } = await checkoutWithCatalystPay()
      catalystpayReports("COMPLETED")

      const { data } = await api.post(`/store/carts/${checkout.cartId}/complete`, {}, storeHeaders(store))
      expect(data.type).toBe("order")
      expect(Number(data.order.total)).toBe(25)
      expect(await ordersOfCart(getContainer(), checkout.cartId)).toHaveLength(1)
    })

    it("makes no order on the return while the mandate awaits verification; the later webhook makes it", async () => {
      const { checkout } = await checkoutWithCatalystPay()
      catalystpayReports("AWAITING_VERIFICATION")

      const response = await api
        .post(`/store/carts/${checkout.cartId}/complete`, {}, storeHeaders(store))
        .catch((e: any) => e.response)
      const failed = response.status >= 400 || response.data.type === "cart"
      expect(failed).toBe(true)
      const message = response.data.message ?? response.data.error?.message
      expect(message).toContain("was not authorized with the provider")
      expect(await ordersOfCart(getContainer(), checkout.cartId)).toHaveLength(0)

      catalystpayReports("COMPLETED", "25.00", 10)
      const { body, headers } = completedWebhook()
      await deliverWebhook(api, getContainer(), WEBHOOK_PATH, body, headers)
      const orders = await ordersOfCart(getContainer(), checkout.cartId)
      expect(orders).toHaveLength(1)
      expect(Number(orders[0].total)).toBe(25)
    })

    it("refuses a refund from the Admin API with where to make it, and records nothing", async () => {
      const { checkout } = await checkoutWithCatalystPay()
      catalystpayReports("COMPLETED")
      const { data } = await api.post(`/store/carts/${checkout.cartId}/complete`, {}, storeHeaders(store))
      expect(data.type).toBe("order")
      const paymentId = (await ordersOfCart(getContainer(), checkout.cartId))[0].payment_collections[0].payments[0].id

      const admin = await adminHeaders(getContainer())
      const error = await api
        .post(`/admin/payments/${paymentId}/refund`, { amount: 10 }, admin)
        .catch((e: any) => e.response)
      expect(error.status).toBeGreaterThanOrEqual(400)
      expect(error.data.message).toContain("refunds cannot be made through CatalystPay's API")
      expect(error.data.message).toContain(
        `Refund 10.00 EUR of payment session ${SESSION_TOKEN} in the CatalystPay dashboard`
      )

      const { data: after } = await api.get(`/admin/payments/${paymentId}?fields=*refunds,*captures`, admin)
      expect(after.payment.refunds).toEqual([])
      expect(after.payment.captures.map((c: any) => Number(c.amount))).toEqual([25])
      const [order] = await ordersOfCart(getContainer(), checkout.cartId)
      expect(Number(order.total)).toBe(25)
    })
  },
})
