import nock from "nock"
import {
  HITPAY_SANDBOX,
  hitpayCharge,
  hitpayPaymentRequest,
  hitpayRefund,
  hitpayV1Webhook,
  hitpayV2Webhook,
} from "../fixtures/hitpay"
import { GatewayRequest, hppWebhookRoute, standInForPost } from "../helpers/gateway"
import { CART_AMOUNT, CART_TOTAL, GatewayAdapter, GatewayPayment, PAID, providerSuite } from "../helpers/provider-suite"

// Provider options come from the environment, read when medusa-config loads: set them first.
const API_KEY = "hitpay-test-api-key"
const SALT = "hitpay-test-salt"
Object.assign(process.env, {
  HITPAY_API_KEY: API_KEY,
  HITPAY_SALT: SALT,
  HITPAY_WEBHOOK_URL: "https://shop-backend.example.com/hooks/hitpay/hitpay",
  HITPAY_RETURN_URL: "https://shop.example.com/checkout/return",
  HITPAY_ALLOWED_RETURN_ORIGINS: "https://www.shop.example.com",
  // Only HitPay's published webhook addresses may post, as seen by the one proxy in front of Medusa (this test's
  // client plays that proxy: it connects from loopback and writes X-Forwarded-For).
  HITPAY_WEBHOOK_ALLOWED_IPS: "3.1.13.32, 52.77.254.34, 54.179.156.147",
  HITPAY_WEBHOOK_TRUSTED_PROXIES: "1",
})

/** What the proxy in front of Medusa adds to a webhook HitPay's sandbox posts. */
const FROM_HITPAY = { "x-forwarded-for": "54.179.156.147" }

const REQUEST_ID = "9f2a6c1e-6a86-4a1e-9a8b-3c1f7d2e5b10"
const CHARGE_ID = "9f2a6c1f-0b3d-4f0e-8c55-2a7d9e4b1c22"

/** HitPay's `GET /payment-requests/{id}`: completed with its charge once paid, pending before. */
function paymentRequestAs(sessionId: string, payment: GatewayPayment) {
  const paid = payment.status === "paid"
  return hitpayPaymentRequest({
    id: REQUEST_ID,
    amount: payment.amount,
    reference_number: sessionId,
    status: paid ? "completed" : "pending",
    payments: paid
      ? [{ ...hitpayCharge({ id: CHARGE_ID, amount: payment.amount }), refunded_amount: payment.refunded ?? "0.00" }]
      : [],
  })
}

/** The fields of HitPay's v1 webhook (form-encoded, signed with the salt in `hmac`). */
function v1Fields(sessionId: string, amount: string) {
  return {
    payment_id: CHARGE_ID,
    payment_request_id: REQUEST_ID,
    phone: "",
    amount,
    currency: "SGD",
    status: "completed",
    reference_number: sessionId,
  }
}

const formHeaders = { "content-type": "application/x-www-form-urlencoded", ...FROM_HITPAY }
const formOf = (request: GatewayRequest) => new URLSearchParams(request.body)

const hitpay: GatewayAdapter = {
  name: "HitPay",
  providerId: "pp_hitpay_hitpay",
  region: { currency: "sgd", country: "sg" },
  secrets: [API_KEY, SALT],
  create: {
    standIn: () =>
      standInForPost(HITPAY_SANDBOX, "/payment-requests", 201, (body) => {
        const form = new URLSearchParams(body)
        return hitpayPaymentRequest({
          id: REQUEST_ID,
          amount: form.get("amount")!,
          reference_number: form.get("reference_number")!,
          email: form.get("email"),
          name: form.get("name"),
          redirect_url: form.get("redirect_url"),
          webhook: form.get("webhook"),
        })
      }),
    read(request) {
      const form = formOf(request)
      return {
        amount: form.get("amount"),
        currency: form.get("currency"),
        reference: form.get("reference_number"),
        returnUrls: [form.get("redirect_url")],
      }
    },
    expectRequest(request, { session }) {
      expect(request.headers["x-business-api-key"]).toBe(API_KEY)
      expect(request.headers["x-requested-with"]).toBe("XMLHttpRequest")
      expect(Object.fromEntries(formOf(request))).toEqual({
        amount: "25.00",
        currency: "SGD",
        reference_number: session.id,
        redirect_url: "https://shop.example.com/checkout/return?cart=1",
        webhook: "https://shop-backend.example.com/hooks/hitpay/hitpay",
        purpose: "Order payment",
        email: "buyer@example.com",
        name: "Ada Lovelace",
        phone: "+6581234567",
        send_email: "false",
      })
    },
    checkoutUrl: `https://securecheckout.sandbox.hit-pay.com/payment-request/@medusa-store/${REQUEST_ID}/checkout`,
    sessionData: { gateway_reference: REQUEST_ID },
  },
  standInForStatus(checkout, payment) {
    nock(HITPAY_SANDBOX)
      .persist()
      .get(`/payment-requests/${REQUEST_ID}`)
      .reply(200, () => paymentRequestAs(checkout.session.id, payment()))
  },
  paidPaymentData: { gateway_reference: REQUEST_ID, gateway_payment_reference: CHARGE_ID, gateway_status: "completed" },
  webhooks: {
    route: hppWebhookRoute("hitpay", "hitpay"),
    paid: ({ session }, amount) => ({
      body: hitpayV1Webhook(v1Fields(session.id, amount), SALT),
      headers: formHeaders,
    }),
    forgery: "a v1 webhook signed with another salt",
    forged: ({ session }) => [
      { body: hitpayV1Webhook(v1Fields(session.id, CART_AMOUNT), "not-the-salt"), headers: formHeaders },
    ],
  },
  refund: {
    standIn: () =>
      standInForPost(HITPAY_SANDBOX, "/refund", 200, (body) => {
        const form = new URLSearchParams(body)
        return hitpayRefund({
          payment_id: form.get("payment_id")!,
          amount: Number(form.get("amount")),
          total: CART_TOTAL,
        })
      }),
    endpoint: { baseUrl: HITPAY_SANDBOX, path: "/refund" },
    read: (request) => ({ reference: formOf(request).get("payment_id"), amount: formOf(request).get("amount") }),
    paidReference: CHARGE_ID,
    expectRequest(request) {
      expect(Object.fromEntries(formOf(request))).toEqual({ payment_id: CHARGE_ID, amount: "10.50" })
    },
  },
}

providerSuite(hitpay, (t) => {
  it("accepts a signed v2 webhook for the payment request", async () => {
    const checkout = await t.checkout()
    t.gatewayReports(checkout, PAID)
    const { body, headers } = hitpayV2Webhook(paymentRequestAs(checkout.session.id, PAID), SALT)

    await t.deliver({ body, headers: { ...headers, ...FROM_HITPAY } })
    expect(await t.orders(checkout)).toHaveLength(1)
  })

  it("reads the sender from X-Forwarded-For as the one trusted proxy wrote it: a webhook whose proxy saw an address outside webhookAllowedIps is refused 403 and changes nothing, whatever the sender put first", async () => {
    const checkout = await t.checkout()
    t.gatewayReports(checkout, PAID)
    const { body } = hitpay.webhooks.paid(checkout, CART_AMOUNT)
    const { "x-forwarded-for": _proxied, ...direct } = formHeaders

    const answers = [
      // The sender wrote HitPay's address first; the proxy appended the address it saw.
      await t.deliver({ body, headers: { ...direct, "x-forwarded-for": "54.179.156.147, 203.0.113.7" } }),
      await t.deliver({ body, headers: { ...direct, "x-forwarded-for": "203.0.113.7" } }),
      // Straight to Medusa, past the proxy: the connection's own address (loopback here) is the sender.
      await t.deliver({ body, headers: direct }),
    ]
    expect(await t.orders(checkout)).toHaveLength(0)
    const refused = { status: 403, data: { message: "this sender may not post webhooks here" } }
    expect(answers).toEqual([refused, refused, refused])

    expect((await t.deliver({ body, headers: formHeaders })).status).toBe(200)
    expect(await t.orders(checkout)).toHaveLength(1)
  })
})
