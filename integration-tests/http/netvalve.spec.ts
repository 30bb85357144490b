import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import type { MedusaContainer } from "@medusajs/framework/types"
import nock from "nock"
import {
  NETVALVE_HPP_SANDBOX,
  NETVALVE_PAYMENT_SANDBOX,
  netvalveCreateOrderAnswer,
  netvalveOperationAnswer,
  netvalveOrder,
  netvalvePendingAnswer,
  netvalveRedirectUrl,
  netvalveWebhook,
} from "../fixtures/netvalve"
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
const HEADER = { name: "X-NetValve-Token", value: "nv-test-webhook-3c9f1e7a52b04d86" }
Object.assign(process.env, {
  NETVALVE_CLIENT_ID: "netvalve-test-client",
  NETVALVE_API_KEY: "netvalve-test-api-key",
  NETVALVE_MID_ID: "4711",
  NETVALVE_PAYMENT_METHODS: "card,googlepay",
  NETVALVE_RETURN_URL: "https://shop.example.com/checkout/return",
  NETVALVE_ALLOWED_RETURN_ORIGINS: "https://www.shop.example.com",
  NETVALVE_WEBHOOK_HEADER_NAME: HEADER.name,
  NETVALVE_WEBHOOK_HEADER_VALUE: HEADER.value,
})

const PROVIDER_ID = "pp_netvalve_netvalve"
const WEBHOOK_PATH = "/hooks/payment/netvalve_netvalve"
const ORDER_ID = 123445
const TRANSACTION_ID = 39725

jest.setTimeout(120_000)

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    let store: Store

    beforeEach(async () => {
      isolateNetwork()
      speedUpWebhooks(getContainer())
      store = await seedStore(getContainer(), { currency: "usd", providerId: PROVIDER_ID, country: "sg" })
    })

    afterEach(() => {
      nock.cleanAll()
    })

    /** A checkout whose order NetValve accepted; returns the exact request NetValve received. */
    async function checkoutWithNetValve(unitPrice = 25) {
      let sent: { body: string; headers: Record<string, unknown> } | undefined
      const scope = nock(NETVALVE_HPP_SANDBOX)
      scope.on("request", (req: any, _interceptor: unknown, body: string) => {
        sent = { body, headers: req.headers }
      })
      scope
        .post("/hpp/order")
        .reply(200, netvalveCreateOrderAnswer({ orderId: ORDER_ID, transactionID: 39001, midId: 4711 }))
      const checkout = await startCheckout(api, getContainer(), store, {
        providerId: PROVIDER_ID,
        unitPrice,
        sessionData: { return_url: "https://shop.example.com/checkout/return?cart=1" },
      })
      return { checkout, sent: sent! }
    }

    /** NetValve's order inquiry answering `times` times for the session. */
    function netvalveReports(sessionId: string, answer: Partial<Parameters<typeof netvalveOrder>[0]>, times = 1) {
      return nock(NETVALVE_PAYMENT_SANDBOX)
        .get("/order")
        .query({ clientOrderId: sessionId })
        .times(times)
        .reply(
          200,
          netvalveOrder({
            clientOrderId: sessionId,
            orderId: ORDER_ID,
            transactionID: TRANSACTION_ID,
            amount: 25,
            orderState: "PAID",
            ...answer,
          })
        )
    }

    function event(name: string, sessionId: string, header: { name: string; value: string } | null = HEADER) {
      return netvalveWebhook(
        name,
        { clientOrderId: sessionId, orderId: ORDER_ID, transactionId: TRANSACTION_ID, amount: 25 },
        header ?? undefined
      )
    }

    async function deliver(webhook: { body: string; headers: Record<string, string> }) {
      return deliverWebhook(api, getContainer(), WEBHOOK_PATH, webhook.body, webhook.headers)
    }

    async function orderStatus(container: MedusaContainer, orderId: string) {
      const { data } = await container
        .resolve(ContainerRegistrationKeys.QUERY)
        .graph({ entity: "order", fields: ["status"], filters: { id: orderId } })
      return (data[0] as { status: string }).status
    }

    it("creates a NetValve order from the store checkout and hands back its page with the payment options", async () => {
      const { checkout, sent } = await checkoutWithNetValve()
      const { session } = checkout

      expect(sent.headers).toMatchObject({
        "netvalve-client-id": "netvalve-test-client",
        "netvalve-api-key": "netvalve-test-api-key",
        "content-type": "application/json",
      })
      expect(sent.body).toContain('"amount":25.00,')
      const back = (result: string) => `https://shop.example.com/checkout/return?cart=1&netvalve_result=${result}`
      expect(JSON.parse(sent.body)).toEqual({
        amount: 25,
        currency: "USD",
        midId: 4711,
        clientOrderId: session.id,
        orderDesc: "Order payment",
        successUrl: back("success"),
        cancelUrl: back("cancel"),
        failedUrl: back("failed"),
        pendingUrl: back("pending"),
        customerDetails: {
          customerAddress: "1 Raffles Place",
          customerCity: "Singapore",
          customerCountryCode: "SG",
          customerEmail: "buyer@example.com",
          customerIp: "127.0.0.1",
          customerName: "Ada",
          customerLastName: "Lovelace",
          customerPhone: "+6581234567",
          customerZipCode: "048616",
        },
      })
      expect(session.data).toMatchObject({
        session_id: session.id,
        checkout_url: `${netvalveRedirectUrl()}&paymentOptions=card,googlepay`,
        amount: "25.00",
        currency_code: "usd",
        return_url: "https://shop.example.com/checkout/return?cart=1",
        gateway_reference: String(ORDER_ID),
        gateway_status: "CREATED",
      })
      const visible = JSON.stringify(session.data)
      expect(visible).not.toContain("netvalve-test-api-key")
      expect(visible).not.toContain(HEADER.value)
    })

    it("turns the cart into exactly one order on PURCHASED; a repeat or a late PURCHASE_FAILED changes nothing", async () => {
      const { checkout } = await checkoutWithNetValve()
      const sessionId = checkout.session.id
      const asked = netvalveReports(sessionId, {}, 3) // webhook + authorize, then the repeat

      expect((await deliver(event("PURCHASED", sessionId))).status).toBe(200)
      let orders = await ordersOfCart(getContainer(), checkout.cartId)
      expect(orders).toHaveLength(1)
      expect(Number(orders[0].total)).toBe(25)
      expect(orders[0].currency_code).toBe("usd")
      const payment = orders[0].payment_collections[0].payments[0]
      expect(payment.captured_at).toBeTruthy()
      expect(payment.captures.map((c: any) => Number(c.amount))).toEqual([25])
      expect(payment.data).toMatchObject({ gateway_payment_reference: String(TRANSACTION_ID), gateway_status: "PAID" })

      await deliver(event("PURCHASED", sessionId))
      expect(asked.isDone()).toBe(true)

      // At least once and out of order: a failed attempt reported after the payment, even with an
      // inquiry that now answers with that decline, must not undo the order.
      const declined = netvalveReports(sessionId, {
        orderState: "FAILED",
        responseCode: "BNK_3051",
        responseCodeType: "HARD DECLINE",
      })
      await deliver(event("PURCHASE_FAILED", sessionId))
      expect(declined.isDone()).toBe(true)

      orders = await ordersOfCart(getContainer(), checkout.cartId)
      expect(orders).toHaveLength(1)
      const after = orders[0].payment_collections[0].payments[0]
      expect(after.captures).toHaveLength(1)
      expect(after.canceled_at).toBeFalsy()
      expect(await orderStatus(getContainer(), orders[0].id)).toBe("pending")
    })

    it("leaves no order for a webhook without the agreed header, or with another value, and asks NetValve nothing", async () => {
      const { checkout } = await checkoutWithNetValve()
      const asked = netvalveReports(checkout.session.id, {})

      const response = await deliver(event("PURCHASED", checkout.session.id, null))
      expect(response.status).toBe(200) // Medusa's route answers before any check; the check is ours
      await deliver(
        event("PURCHASED", checkout.session.id, { name: HEADER.name, value: "nv-test-webhook-guessed-000000" })
      )

      expect(await ordersOfCart(getContainer(), checkout.cartId)).toHaveLength(0)
      expect(asked.isDone()).toBe(false)
    })

    it("leaves no order when NetValve's inquiry says the payment was declined", async () => {
      const { checkout } = await checkoutWithNetValve()
      const asked = netvalveReports(checkout.session.id, {
        orderState: "CREATED",
        responseCode: "BNK_3051",
        responseCodeType: "HARD DECLINE",
      })

      await deliver(event("PURCHASED", checkout.session.id))
      expect(asked.isDone()).toBe(true)
      expect(await ordersOfCart(getContainer(), checkout.cartId)).toHaveLength(0)
    })

    it("leaves no order when NetValve was paid a different amount than the cart's", async () => {
      const { checkout } = await checkoutWithNetValve()
      netvalveReports(checkout.session.id, { amount: 1 }, 2)

      await deliver(event("PURCHASED", checkout.session.id))
      expect(await ordersOfCart(getContainer(), checkout.cartId)).toHaveLength(0)
    })

    it("completes the cart on the buyer's return when NetValve says paid", async () => {
      const { checkout } = await checkoutWithNetValve()
      netvalveReports(checkout.session.id, {})

      const { data } = await api.post(`/store/carts/${checkout.cartId}/complete`, {}, storeHeaders(store))
      expect(data.type).toBe("order")
      expect(Number(data.order.total)).toBe(25)
      expect(await ordersOfCart(getContainer(), checkout.cartId)).toHaveLength(1)
    })

    it("makes no order on a pending return, and exactly one when NetValve's PURCHASED follows", async () => {
      const { checkout } = await checkoutWithNetValve()
      nock(NETVALVE_PAYMENT_SANDBOX)
        .get("/order")
        .query({ clientOrderId: checkout.session.id })
        .reply(200, netvalvePendingAnswer(TRANSACTION_ID))

      const response = await api
        .post(`/store/carts/${checkout.cartId}/complete`, {}, storeHeaders(store))
        .catch((e: any) => e.response)
      expect(response.status >= 400 || response.data.type === "cart").toBe(true)
      expect(response.data.message ?? response.data.error?.message).toContain("was not authorized with the provider")
      expect(await ordersOfCart(getContainer(), checkout.cartId)).toHaveLength(0)

      netvalveReports(checkout.session.id, {}, 2)
      await deliver(event("PURCHASED", checkout.session.id))
      const orders = await ordersOfCart(getContainer(), checkout.cartId)
      expect(orders).toHaveLength(1)
      expect(Number(orders[0].total)).toBe(25)
    })

    it("sends a partial refund from the Admin API to NetValve with the paying transaction and amount", async () => {
      const { checkout } = await checkoutWithNetValve()
      netvalveReports(checkout.session.id, {})
      const { data } = await api.post(`/store/carts/${checkout.cartId}/complete`, {}, storeHeaders(store))
      expect(data.type).toBe("order")
      const paymentId = (await ordersOfCart(getContainer(), checkout.cartId))[0].payment_collections[0].payments[0].id

      let refund: { body: string; headers: Record<string, unknown> } | undefined
      const scope = nock(NETVALVE_PAYMENT_SANDBOX)
      scope.on("request", (req: any, _interceptor: unknown, body: string) => {
        refund = { body, headers: req.headers }
      })
      scope.post("/refund").reply(200, netvalveOperationAnswer(40002))
      const admin = await adminHeaders(getContainer())
      const { data: refunded } = await api.post(`/admin/payments/${paymentId}/refund`, { amount: 10.5 }, admin)

      expect(refund?.body).toBe(`{"transactionID":${TRANSACTION_ID},"amount":10.50}`)
      expect(refund?.headers).toMatchObject({ "netvalve-api-key": "netvalve-test-api-key" })
      expect(refunded.payment.refunds.map((r: any) => Number(r.amount))).toEqual([10.5])
    })
  },
})
