import nock from "nock"
import type { PaymentSessionDTO } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { refreshPaymentCollectionForCartWorkflow } from "@medusajs/core-flows"
import { reconcileHostedPayments, ReconcileResult } from "../../src/reconciliation"
import { abandonedSessionId, abandonSessions } from "../../scripts/bench/abandoned-sessions"
import pruneHppRecordJob from "../../src/jobs/prune-hpp-record"
import { HPP_RECORD_MODULE } from "../../src/modules/hpp-record"
import type { HppRecordService } from "../../src/modules/hpp-record/service"
import type { HppAttentionResponse, HppEventsResponse } from "../../src/api/admin/hpp/types"
import {
  HITPAY_SANDBOX,
  hitpayCharge,
  hitpayPaymentRequest,
  hitpayRefund,
  hitpayV1Webhook,
  hitpayV2Webhook,
} from "../fixtures/hitpay"
import { GatewayRequest, hppWebhookRoute, standInForPost } from "../helpers/gateway"
import { finishHostedPayment, HostedPaymentError, startHostedPayment, waitForHostedPayment } from "../../src/storefront"
import {
  CART_AMOUNT,
  CART_TOTAL,
  GatewayAdapter,
  GatewayPayment,
  PAID,
  PENDING,
  providerSuite,
  REFUND_AMOUNT,
  RETURN_URL,
  SuiteContext,
} from "../helpers/provider-suite"
import {
  answerOf,
  Checkout,
  createCart,
  createPaymentCollection,
  PaymentSession,
  requestPaymentSession,
} from "../helpers/store"

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
/** A PayNow code's payload, as a banking app reads it (EMVCo; the stand-in only passes it on). */
const PAYNOW_QR =
  "00020101021226490009SG.PAYNOW010120210201234567X030110408202612075204000053037025405025.005802SG5909Demo Shop6009Singapore63049A1B"
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
      ? [
          {
            ...hitpayCharge({ id: CHARGE_ID, amount: payment.amount, status: chargeStatusAfter(payment) }),
            refunded_amount: payment.refunded ?? "0.00",
          },
        ]
      : [],
  })
}

/** A charge's status once refunds are made: HitPay's `refunded` for the whole amount, `partially_refunded` for less. */
function chargeStatusAfter(payment: GatewayPayment): string {
  const refunded = Number(payment.refunded ?? 0)
  if (refunded === 0) return "succeeded"
  return refunded === Number(payment.amount) ? "refunded" : "partially_refunded"
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
  session: { extraKeys: [], legacyKeys: ["payment_request_id", "payment_id", "hitpay_status"] },
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
          // HitPay's guide: with paynow_online and generate_qr, the answer carries qr_code_data.
          qr_code:
            form.get("generate_qr") === "true" && form.getAll("payment_methods[]").includes("paynow_online")
              ? PAYNOW_QR
              : undefined,
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
    claimsPaid: true,
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

/** A cart of one line at the suite's price, and its payment collection, as a storefront makes them. */
async function cartToPay(t: SuiteContext): Promise<Omit<Checkout, "session">> {
  const cartId = await createCart(t.api, t.store())
  await t
    .container()
    .resolve(Modules.CART)
    .addLineItems(cartId, [
      { title: "Analytical Engine", quantity: 1, unit_price: CART_TOTAL, requires_shipping: false },
    ])
  return { cartId, paymentCollectionId: await createPaymentCollection(t.api, t.store(), cartId) }
}

/** A HitPay session made the way a store's own code makes one, without the plugin's middleware. */
async function sessionByModule(t: SuiteContext, paymentCollectionId: string, data: Record<string, unknown>) {
  const session: PaymentSessionDTO = await t
    .container()
    .resolve(Modules.PAYMENT)
    .createPaymentSession(paymentCollectionId, {
      provider_id: hitpay.providerId,
      amount: CART_TOTAL,
      currency_code: "sgd",
      data,
    })
  return session as unknown as PaymentSession
}

const FORGED_CHARGE = "9f2a6c1f-0000-4000-8000-f0f0f0f0f0f0"

/** Two ways a session is made: the storefront's request, and a store's own code (no middleware in between). */
const makeSession: Record<
  string,
  (t: SuiteContext, paymentCollectionId: string, data: Record<string, unknown>) => Promise<PaymentSession>
> = {
  "the store API": async (t, paymentCollectionId, data) => {
    const { data: body } = await requestPaymentSession(t.api, t.store(), paymentCollectionId, {
      provider_id: hitpay.providerId,
      data,
    })
    return body.payment_collection.payment_sessions[0]
  },
  "the payment module, as a store without the plugin's middleware": sessionByModule,
}

providerSuite(hitpay, (t) => {
  describe("the storefront module, medusa-payment-hpp/storefront, with a real JS SDK", () => {
    const RETURN = "https://shop.example.com/api/hpp/return"
    /** The storefront module's start of a HitPay page for the cart, as a storefront calls it. */
    const startPage = (cartId: string, presentation?: "qr" | "dropin" | "frame") =>
      startHostedPayment(t.sdk(), {
        cart: { id: cartId },
        providerId: "pp_hitpay_hitpay",
        returnUrl: RETURN,
        presentation,
      })
    /** A cart the storefront module started a HitPay page for, and HitPay answering `status` about it. */
    async function started(status: string) {
      nock.cleanAll() // HitPay answers about this cart's request only (one request id serves every test)
      const cartId = await t.cart()
      const created = hitpay.create.standIn()
      const start = await startPage(cartId)
      expect(created).toHaveLength(1)
      const answer = { status }
      nock(HITPAY_SANDBOX)
        .persist()
        .get(`/payment-requests/${REQUEST_ID}`)
        .reply(200, () =>
          answer.status === "completed"
            ? paymentRequestAs(start.paymentSessionId, PAID)
            : hitpayPaymentRequest({
                id: REQUEST_ID,
                amount: CART_AMOUNT,
                reference_number: start.paymentSessionId,
                status: answer.status,
              })
        )
      return { cartId, start, answer }
    }
    const failWith = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e
      )
      expect(error).toBeInstanceOf(HostedPaymentError)
      return error as HostedPaymentError
    }

    it("gives errors a buyer can read: a return URL the store refuses, HitPay unreachable, another plugin's provider; and makes no page", async () => {
      const sdk = t.sdk()
      const cartId = await t.cart()
      const refused = await failWith(
        startHostedPayment(sdk, {
          cart: { id: cartId },
          providerId: "pp_hitpay_hitpay",
          returnUrl: "https://evil.example/return",
        })
      )
      expect(refused).toMatchObject({ code: "return_url_refused", status: 400 })
      expect(refused.message).toMatch(/^This shop cannot take payments with this provider right now/)
      expect(refused.detail).toContain("https://evil.example") // for the storefront's log: which origin to allow

      // No stand-in: HitPay cannot be reached.
      const down = await failWith(
        startHostedPayment(sdk, { cart: { id: cartId }, providerId: "pp_hitpay_hitpay", returnUrl: RETURN })
      )
      expect(down).toMatchObject({
        code: "gateway_unavailable",
        message: "The payment provider is not answering right now. Please try again in a moment.",
      })

      const stranger = await failWith(
        startHostedPayment(sdk, { cart: { id: cartId }, providerId: "pp_stripe_stripe", returnUrl: RETURN })
      )
      expect(stranger.code).toBe("not_a_hosted_provider")
    })

    it("waits while HitPay says pending and returns the order once it turns paid; says pending, in words, when it stays so", async () => {
      const paidLater = await started("pending")
      const waits: number[] = []
      const finished = await finishHostedPayment(t.sdk(), {
        cartId: paidLater.cartId,
        sleep: async (ms) => {
          waits.push(ms)
          if (waits.length === 2) paidLater.answer.status = "completed" // paid while the buyer waits
        },
      })
      expect(finished).toMatchObject({ status: "completed", paymentStatus: "captured" })
      expect(waits).toEqual([1000, 2000]) // backing off
      expect(await t.orders({ cartId: paidLater.cartId } as Checkout)).toHaveLength(1)

      const stillPending = await started("pending")
      const slept: number[] = []
      const pending = await finishHostedPayment(t.sdk(), {
        cartId: stillPending.cartId,
        maxWaitMs: 10_000,
        sleep: async (ms) => void slept.push(ms),
      })
      expect(pending).toMatchObject({ status: "pending", message: expect.stringContaining("not confirmed yet") })
      expect(slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(10_000)
      expect(await t.orders({ cartId: stillPending.cartId } as Checkout)).toHaveLength(0)
    })

    it("tells a declined payment and a cancelled one by the payment session's status, whatever the return URL says", async () => {
      const declined = await started("failed")
      expect(await finishHostedPayment(t.sdk(), { cartId: declined.cartId, sleep: async () => {} })).toMatchObject({
        status: "failed",
        message: expect.stringContaining("did not go through"),
      })
      const cancelled = await started("canceled")
      expect(await finishHostedPayment(t.sdk(), { cartId: cancelled.cartId, sleep: async () => {} })).toMatchObject({
        status: "canceled",
        message: expect.stringContaining("The payment was cancelled"),
      })
      for (const cartId of [declined.cartId, cancelled.cartId]) {
        expect(await t.orders({ cartId } as Checkout)).toHaveLength(0)
      }
    })

    it("makes a PayNow QR session as HitPay's guide describes, and waits while the buyer scans until the webhook's order", async () => {
      nock.cleanAll()
      const cartId = await t.cart()
      const created = hitpay.create.standIn()
      const start = await startPage(cartId, "qr")
      const form = new URLSearchParams(created[0].body)
      expect(form.getAll("payment_methods[]")).toEqual(["paynow_online"])
      expect(form.get("generate_qr")).toBe("true")
      expect(start.presentation).toEqual({ kind: "qr", qrCode: PAYNOW_QR, checkoutUrl: hitpay.create.checkoutUrl })
      const checkout = await t.checkoutOf(cartId, start.paymentSessionId)
      expect(checkout.session.data).toMatchObject({ presentation: "qr", qr_code: PAYNOW_QR })
      const gateway = t.gatewayReports(checkout, { status: "pending", amount: CART_AMOUNT })

      // The buyer scans; while they pay, the storefront waits, reading the cart, and asks HitPay only now and then.
      const states: number[] = []
      let askedWhileWaiting = -1
      const finished = await waitForHostedPayment(t.sdk(), {
        cartId,
        intervalMs: 1000,
        askGatewayEveryMs: 30_000,
        onWaiting: (ms) => states.push(ms),
        sleep: async () => {
          if (states.length === 3) {
            askedWhileWaiting = gateway.asked()
            gateway.changeTo(PAID)
            await t.deliver(hitpay.webhooks.paid(checkout, CART_AMOUNT)) // HitPay's webhook: the order is made
          }
        },
      })
      expect(finished).toMatchObject({ status: "completed", paymentStatus: "captured" })
      expect(states.length).toBeGreaterThanOrEqual(3) // "still waiting", said while it waited
      expect(askedWhileWaiting).toBe(0) // reading the cart asks HitPay nothing
      expect(await t.orders(checkout)).toHaveLength(1)
    })

    it("says in words that the Drop-In UI is not set up when its options are missing, and makes no page", async () => {
      nock.cleanAll()
      const cartId = await t.cart()
      const created = hitpay.create.standIn()
      const error = await failWith(startPage(cartId, "dropin"))
      expect(error).toMatchObject({ code: "refused", status: 400 })
      expect(error.detail).toContain('option "dropInDefaultLink" is missing (set HITPAY_DROP_IN_DEFAULT_LINK)')
      expect(created).toHaveLength(0)
      const odd = await failWith(startPage(cartId, "frame"))
      expect(odd.detail).toContain("data.presentation must be one of redirect, dropin, qr")
    })

    it("makes a new page, not the old one, once the cart changed", async () => {
      const { cartId, start } = await started("pending")
      nock(HITPAY_SANDBOX).delete(`/payment-requests/${REQUEST_ID}`).reply(200, {})
      await t
        .container()
        .resolve(Modules.CART)
        .addLineItems(cartId, [{ title: "Gift wrap", quantity: 1, unit_price: 2, requires_shipping: false }])
      await refreshPaymentCollectionForCartWorkflow(t.container()).run({ input: { cart_id: cartId } })
      const created = hitpay.create.standIn()
      const again = await startPage(cartId)
      expect(again.reused).toBe(false)
      expect(again.paymentSessionId).not.toBe(start.paymentSessionId)
      expect(created).toHaveLength(1)
      expect(hitpay.create.read(created[0]).amount).toBe("27.00")
    })
  })

  it("lists an item again when its trouble comes back after it was handled, and settles a refund of unknown outcome only by a refund of that amount", async () => {
    const record = t.container().resolve<HppRecordService>(HPP_RECORD_MODULE)
    const admin = await t.admin()
    const attention = async () =>
      (await t.api.get<HppAttentionResponse>("/admin/hpp/attention?limit=100", admin)).data.items.filter(
        (i) => i.payment_session_id === "payses_record_test"
      )
    const trouble = (kind: "paid_no_order" | "refund_unknown", amount: string, key: string) => ({
      provider_id: "pp_hitpay_hitpay",
      gateway: "hitpay",
      kind: kind === "refund_unknown" ? ("refund" as const) : kind,
      outcome: "trouble",
      message: `${kind} ${amount}`,
      payment_session_id: "payses_record_test",
      amount,
      attention_kind: kind,
      dedupe_key: key,
    })
    await record.write(trouble("paid_no_order", "25.00", "k-paid"))
    const [paid] = await attention()
    expect((await t.api.post(`/admin/hpp/attention/${paid.id}/handled`, {}, admin)).status).toBe(200)
    expect(await attention()).toEqual([])
    await record.write(trouble("paid_no_order", "25.00", "k-paid")) // the same trouble again
    expect((await attention()).map((i) => i.id)).toEqual([paid.id])
    await t.api.post(`/admin/hpp/attention/${paid.id}/handled`, {}, admin)

    await record.write(trouble("refund_unknown", "10.00", "k-r10"))
    await record.write(trouble("refund_unknown", "5.00", "k-r5"))
    await record.write({
      provider_id: "pp_hitpay_hitpay",
      gateway: "hitpay",
      kind: "refund",
      outcome: "done",
      message: "refund of 5.00 done",
      payment_session_id: "payses_record_test",
      amount: "5.00",
      resolves: ["refund_unknown"],
    })
    expect((await attention()).map((i) => i.message)).toEqual(["refund_unknown 10.00"])

    // An id that is not an item: 404, not a made-up item.
    const { rows } = await (
      t.container().resolve("__pg_connection__") as { raw(sql: string): Promise<{ rows: { id: string }[] }> }
    ).raw(`select id from hpp_payment_event where attention = false limit 1`)
    const notAnItem = await answerOf(t.api.post(`/admin/hpp/attention/${rows[0].id}/handled`, {}, admin))
    expect(notAnItem.status).toBe(404)
  })

  it("writes what the plugin says a moment later, together: in the order said, a counted repeat added to its row, a settled item settled, the provider read from the session", async () => {
    hitpay.create.standIn()
    const cart = await cartToPay(t)
    const session = await makeSession["the store API"](t, cart.paymentCollectionId, { return_url: RETURN_URL })
    const record = t.container().resolve<HppRecordService>(HPP_RECORD_MODULE)
    const pg = t.container().resolve("__pg_connection__") as {
      raw(sql: string, b?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>
    }
    const rowsOf = async () =>
      (
        await pg.raw(
          `select provider_id, kind, outcome, occurrences, attention, resolved_at is not null as resolved
           from hpp_payment_event where payment_session_id = ? and kind <> 'page_created' order by created_at, id`,
          [session.id]
        )
      ).rows
    const about = { provider_id: null, gateway: "hitpay", payment_session_id: session.id, amount: "25.00" }
    const key = `paid_no_order:hitpay:batch-${session.id}`
    /** What a webhook route says of a paid page with no order (a per-page key), and what settles it (the buyer's return). */
    const paid = (message = "paid") =>
      record.enqueue({
        ...about,
        kind: "paid_no_order",
        outcome: "no order",
        message,
        attention_kind: "paid_no_order",
        dedupe_key: key,
      })
    const settled = () =>
      record.enqueue({
        ...about,
        kind: "buyer_return",
        outcome: "order",
        message: "order",
        resolves: ["paid_no_order"],
      })
    // What a provider says (it does not know the id it was registered under), all within one moment.
    record.enqueue({ ...about, kind: "status_asked", outcome: "pending", message: "first" })
    paid()
    paid("paid again")
    expect(await rowsOf()).toEqual([]) // not yet: nothing is written while the request that said it runs
    settled()
    record.enqueue({ ...about, kind: "status_asked", outcome: "paid", message: "last" })
    await record.flush()

    expect(await rowsOf()).toEqual([
      {
        provider_id: hitpay.providerId,
        kind: "status_asked",
        outcome: "pending",
        occurrences: 1,
        attention: false,
        resolved: false,
      },
      {
        provider_id: hitpay.providerId,
        kind: "paid_no_order",
        outcome: "no order",
        occurrences: 2,
        attention: true,
        resolved: true,
      },
      {
        provider_id: hitpay.providerId,
        kind: "buyer_return",
        outcome: "order",
        occurrences: 1,
        attention: false,
        resolved: false,
      },
      {
        provider_id: hitpay.providerId,
        kind: "status_asked",
        outcome: "paid",
        occurrences: 1,
        attention: false,
        resolved: false,
      },
    ])
    // Written on its own, a moment later, without a flush.
    record.enqueue({ ...about, kind: "status_asked", outcome: "pending", message: "alone" })
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(await rowsOf()).toHaveLength(5)

    // The same trouble again; then settled with another record in one moment; then settled and back again in one
    // moment (open: the last word).
    const paidRows = async () =>
      (await rowsOf()).filter((r) => r.kind === "paid_no_order").map((r) => [r.occurrences, r.resolved])
    paid()
    await record.flush()
    expect(await paidRows()).toEqual([[3, false]])
    record.enqueue({ ...about, kind: "status_asked", outcome: "paid", message: "asked" })
    settled()
    await record.flush()
    expect(await paidRows()).toEqual([[3, true]])
    settled()
    paid()
    await record.flush()
    expect(await paidRows()).toEqual([[4, false]])
    // Back again, then settled, in one moment: settled, the repeat counted.
    paid()
    settled()
    await record.flush()
    expect(await paidRows()).toEqual([[5, true]])

    // One record PostgreSQL refuses loses only itself; a NUL in a sender's text loses nothing but the NUL: the
    // text "\u0000" and a backslash before a NUL are kept.
    record.enqueue({ ...about, kind: "status_asked", outcome: "pending", message: "before the bad one" })
    record.enqueue({ ...about, kind: "status_asked", outcome: "pending", message: "bad", at: "not a moment" })
    record.enqueue({
      ...about,
      kind: "webhook",
      outcome: "refused: not authenticated",
      message: "ref\u0000erence \\u0000 \\\u0000\u0000.",
      fields: { sender: "\u0000x" },
    })
    const warn = jest.spyOn(t.container().resolve(ContainerRegistrationKeys.LOGGER), "warn")
    await record.flush()
    // The admin's log gets PostgreSQL's reason in one line, not the statement and the batch's data before it.
    expect(warn.mock.calls.map(([line]) => line)).toEqual([
      'medusa-payment-hpp: a status_asked record was not written: invalid input syntax for type timestamp with time zone: "not a moment"',
    ])
    warn.mockRestore()
    const { rows: last } = await pg.raw(
      `select id, message, fields from hpp_payment_event
       where payment_session_id = ? and kind in ('status_asked', 'webhook') order by created_at desc limit 2`,
      [session.id]
    )
    expect(last.map((r) => r.message)).toEqual(["reference \\u0000 \\.", "before the bad one"])
    expect(last[0].fields.sender).toBe("x")
    // Ids in Medusa's form: a prefix and a ULID.
    for (const { id } of last) expect(id).toMatch(/^hppev_[0-9A-HJKMNP-TV-Z]{26}$/)
  })

  it("pages through a provider's record newest first, its count exact up to 1,000 rows past the page", async () => {
    const pg = t.container().resolve(ContainerRegistrationKeys.PG_CONNECTION)
    const provider = "pp_hitpay_counted"
    // 1,500 webhooks of one provider, one a minute, the newest last.
    await pg.raw(
      `insert into hpp_payment_event (id, provider_id, gateway, kind, outcome, message, created_at, updated_at)
       select 'hppev_counted_' || i, ?, 'hitpay', 'webhook', 'accepted', 'webhook ' || i,
         now() - (1500 - i) * interval '1 minute', now()
       from generate_series(1, 1500) i`,
      [provider]
    )
    const admin = await t.admin()
    const page = async (query: string) =>
      (await t.api.get<HppEventsResponse>(`/admin/hpp/events?provider_id=${provider}&${query}`, admin)).data
    try {
      const first = await page("limit=20")
      expect(first.events.map((e) => e.message).slice(0, 2)).toEqual(["webhook 1500", "webhook 1499"])
      expect(first.count).toBe(1020)
      const later = await page("limit=20&offset=600")
      expect(later.events[0].message).toBe("webhook 900")
      expect(later.count).toBe(1500)
    } finally {
      await pg.raw(`delete from hpp_payment_event where provider_id = ?`, [provider])
    }
  })

  it("prunes only the record's rows older than HPP_RECORD_KEEP_DAYS, once a day", async () => {
    const record = t.container().resolve<HppRecordService>(HPP_RECORD_MODULE)
    const row = (message: string) => ({
      provider_id: "pp_hitpay_hitpay",
      gateway: "hitpay",
      kind: "status_asked" as const,
      outcome: "pending",
      message,
    })
    await record.write(row("a year ago"))
    await record.write(row("a month ago"))
    await record.write(row("today"))
    const pg = t.container().resolve("__pg_connection__") as {
      raw(sql: string, b?: unknown[]): Promise<{ rows: { message: string }[] }>
    }
    await pg.raw(`update hpp_payment_event set created_at = now() - interval '365 days' where message = 'a year ago'`)
    await pg.raw(`update hpp_payment_event set created_at = now() - interval '30 days' where message = 'a month ago'`)

    process.env.HPP_RECORD_KEEP_DAYS = "90"
    try {
      await pruneHppRecordJob(t.container())
    } finally {
      delete process.env.HPP_RECORD_KEEP_DAYS
    }
    const { rows } = await pg.raw(`select message from hpp_payment_event where kind = 'status_asked' order by message`)
    expect(rows.map((r) => r.message)).toEqual(expect.arrayContaining(["a month ago", "today"]))
    expect(rows.map((r) => r.message)).not.toContain("a year ago")
  })

  it.each(Object.keys(makeSession))(
    "refunds the charge HitPay paid, never a charge id the storefront put in the session data (session made through %s)",
    async (how) => {
      hitpay.create.standIn()
      const cart = await cartToPay(t)
      const session = await makeSession[how](t, cart.paymentCollectionId, {
        return_url: RETURN_URL,
        payment_id: FORGED_CHARGE, // the key earlier releases kept the paid charge under
      })
      // The buyer pays. HitPay's answer shows the request completed; its charge is listed a moment later.
      let chargeListed = false
      nock(HITPAY_SANDBOX)
        .persist()
        .get(`/payment-requests/${REQUEST_ID}`)
        .reply(200, () =>
          hitpayPaymentRequest({
            id: REQUEST_ID,
            amount: CART_AMOUNT,
            reference_number: session.id,
            status: "completed",
            payments: chargeListed ? [hitpayCharge({ id: CHARGE_ID, amount: CART_AMOUNT })] : [],
          })
        )
      const checkout = { ...cart, session }
      expect((await t.completeCart(checkout)).data.type).toBe("order")
      chargeListed = true

      const [order] = await t.orders(checkout)
      const payment = order.payment_collections[0].payments[0]
      const refunds = standInForPost(HITPAY_SANDBOX, "/refund", 200, (body) =>
        hitpayRefund({
          payment_id: formOf({ body } as GatewayRequest).get("payment_id")!,
          amount: REFUND_AMOUNT,
          total: CART_TOTAL,
        })
      )
      await t.api.post(`/admin/payments/${payment.id}/refund`, { amount: REFUND_AMOUNT }, await t.admin())
      expect(refunds.map((request) => formOf(request).get("payment_id"))).toEqual([CHARGE_ID])
      expect(JSON.stringify(payment.data)).not.toContain(FORGED_CHARGE)
    }
  )

  it("hands a buyer's details to no page made after that buyer's session request was answered", async () => {
    // Work a request starts (a subscriber, a timer, a retry) runs in the request's async context, also later.
    const buyerA = await cartToPay(t)
    const other = await cartToPay(t)
    const created = hitpay.create.standIn()
    const payments = t.container().resolve(Modules.PAYMENT)
    let answered!: () => void
    const afterTheAnswer = new Promise<void>((resolve) => (answered = resolve))
    let later: Promise<PaymentSession> | undefined
    const original = payments.createPaymentSession.bind(payments)
    const spy = jest.spyOn(payments, "createPaymentSession").mockImplementationOnce(((
      ...args: Parameters<typeof original>
    ) => {
      // Started inside buyer A's request; runs once it is answered, making a page for another cart.
      later = afterTheAnswer.then(() => sessionByModule(t, other.paymentCollectionId, { return_url: RETURN_URL }))
      return original(...args)
    }) as typeof original)

    // Buyer A's request fails in the provider before the page is built: a return URL on a foreign origin.
    const refused = await answerOf(
      requestPaymentSession(t.api, t.store(), buyerA.paymentCollectionId, {
        provider_id: hitpay.providerId,
        data: { return_url: "https://evil.example.net/return" },
      })
    )
    spy.mockRestore()
    expect(refused.status).toBe(400)
    answered()
    await later

    expect(created).toHaveLength(1)
    const form = formOf(created[0])
    expect(form.get("reference_number")).not.toBeNull()
    expect([form.get("email"), form.get("name"), form.get("phone")]).toEqual([null, null, null])
  })

  describe("a cart change while HitPay cannot close the old page", () => {
    const pg = () =>
      t.container().resolve("__pg_connection__") as { raw(sql: string, b?: unknown[]): Promise<{ rows: unknown[] }> }
    const recorded = async () =>
      (
        await pg()
          .raw(`select gateway_reference from hpp_page_to_close where gateway = 'hitpay'`)
          .catch(() => ({ rows: [] }))
      ).rows
    /** The buyer adds an item: Medusa drops the session (the provider's deletePayment) under the cart lock. */
    async function changeTheCart(checkout: Checkout) {
      await t
        .container()
        .resolve(Modules.CART)
        .addLineItems(checkout.cartId, [{ title: "Gift wrap", quantity: 1, unit_price: 2, requires_shipping: false }])
      const started = Date.now()
      const { errors } = await refreshPaymentCollectionForCartWorkflow(t.container()).run({
        input: { cart_id: checkout.cartId },
        throwOnError: false,
      })
      return { errors, tookMs: Date.now() - started }
    }
    const sessionsOf = async (checkout: Checkout) =>
      t.container().resolve(Modules.PAYMENT).listPaymentSessions({ id: checkout.session.id })

    it("lets the buyer change the cart while HitPay answers 503, and closes the page when the reconciliation runs", async () => {
      const checkout = await t.checkout()
      const down = nock(HITPAY_SANDBOX)
        .persist()
        .delete(`/payment-requests/${REQUEST_ID}`)
        .reply(503, { message: "Service Unavailable" })
        .get(`/payment-requests/${REQUEST_ID}`)
        .reply(503, { message: "Service Unavailable" })

      const { errors, tookMs } = await changeTheCart(checkout)
      expect(errors).toEqual([])
      // Well within Medusa's 2 s wait for the cart lock, and far from the provider's 15 s timeout.
      expect(tookMs).toBeLessThan(5000)
      expect(await sessionsOf(checkout)).toEqual([])
      expect(await recorded()).toEqual([{ gateway_reference: REQUEST_ID }])
      // The admin sees the page left open, until it is closed.
      const open = await t.attention(checkout.session.id, (items) => items.some((i) => i.kind === "page_left_open"))
      expect(open.map((i) => [i.kind, i.gateway_reference])).toEqual([["page_left_open", REQUEST_ID]])

      down.persist(false)
      nock.cleanAll()
      let deletes = 0
      nock(HITPAY_SANDBOX)
        .delete(`/payment-requests/${REQUEST_ID}`)
        .reply(() => (deletes++, [200, {}]))
      await reconcileHostedPayments(t.container(), { now: new Date(Date.now() + 10 * 60_000) })
      expect(deletes).toBe(1)
      expect(await recorded()).toEqual([])
      expect(await t.attention(checkout.session.id, (items) => items.length === 0)).toEqual([])
    })

    it("lets the buyer change the cart while HitPay does not answer in time, and forgets the page once its late close succeeds", async () => {
      const checkout = await t.checkout()
      let deletes = 0
      nock(HITPAY_SANDBOX)
        .delete(`/payment-requests/${REQUEST_ID}`)
        .delay(3000)
        .reply(() => (deletes++, [200, {}]))

      const { errors, tookMs } = await changeTheCart(checkout)
      expect(errors).toEqual([])
      expect(tookMs).toBeLessThan(2900) // returned before HitPay answered
      expect(await sessionsOf(checkout)).toEqual([])
      expect(await recorded()).toEqual([{ gateway_reference: REQUEST_ID }])

      await new Promise((r) => setTimeout(r, 3500))
      expect(deletes).toBe(1)
      expect(await recorded()).toEqual([])
    })
  })

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

  describe("the reconciliation at 10,000 abandoned sessions", () => {
    const ABANDONED = 10_000

    /** `count` abandoned checkouts of the provider, copies of `template`'s (scripts/bench/abandoned-sessions.ts). */
    const abandon = (template: string, now: Date, count: number, oldestHoursAgo: number, newestHoursAgo: number) =>
      abandonSessions(
        (sql, bindings) =>
          t
            .container()
            .resolve(ContainerRegistrationKeys.PG_CONNECTION)
            .raw(sql, bindings as never),
        { template, now, count, oldestHoursAgo, newestHoursAgo }
      )

    /** HitPay's answer for every abandoned page: pending. Counts the questions, by page. */
    function hitpayAnswersAbandoned(answer: (n: number) => [number, unknown, Record<string, string>?]) {
      const asked: number[] = []
      nock(HITPAY_SANDBOX)
        .persist()
        .get(/\/payment-requests\/abandoned-\d+$/)
        .reply((uri) => {
          const n = Number(/abandoned-(\d+)$/.exec(uri)![1])
          asked.push(n)
          return answer(n)
        })
      return asked
    }

    const pendingPage = (n: number): [number, unknown] => [
      200,
      hitpayPaymentRequest({
        id: `abandoned-${n}`,
        amount: CART_AMOUNT,
        reference_number: abandonedSessionId(n),
      }),
    ]

    const createdAt = async (sessionId: string) => {
      const [session] = await t
        .container()
        .resolve(Modules.PAYMENT)
        .listPaymentSessions({ id: sessionId }, { select: ["id", "created_at"] })
      return new Date(session.created_at as unknown as string)
    }

    it("makes the order of a paid session whose webhooks were all lost in the first run after its grace period, asking the newest first within the run's budget, and the next never-asked ones in the next run", async () => {
      const checkout = await t.checkout()
      const made = await createdAt(checkout.session.id)
      await abandon(checkout.session.id, made, ABANDONED, 70, 1)
      t.gatewayReports(checkout, PAID)
      const asked = hitpayAnswersAbandoned(pendingPage)

      // The first run after the paid session's 10-minute grace period, at 50 questions a second for 6 seconds.
      const first = await reconcileHostedPayments(t.container(), {
        now: new Date(made.getTime() + 11 * 60_000),
        ratePerSecond: 50,
        runSeconds: 6,
      })
      expect(first[0]).toEqual(expect.objectContaining({ sessionId: checkout.session.id, decision: "order made" }))
      expect(await t.orders(checkout)).toHaveLength(1)
      // Within the budget (300 questions), the newest pages first, each once.
      expect(first.length).toBeLessThanOrEqual(300)
      expect(first.length).toBeGreaterThan(10)
      expect(asked).toEqual(Array.from({ length: first.length - 1 }, (_, i) => i + 1))
      expect(first.slice(1).every((r) => r.decision === "still pending at the gateway")).toBe(true)

      // Five minutes on: the pages asked (an hour old and more, so asked again after 10 minutes or later) rest, and
      // the run goes on with the next never-asked ones.
      const before = asked.length
      const second = await reconcileHostedPayments(t.container(), {
        now: new Date(made.getTime() + 16 * 60_000),
        ratePerSecond: 50,
        runSeconds: 6,
      })
      expect(second.length).toBeGreaterThan(10)
      expect(asked.slice(before)).toEqual(Array.from({ length: second.length }, (_, i) => before + i + 1))
      expect(await t.orders(checkout)).toHaveLength(1)
    })

    it("never runs twice at once: a run that finds the previous one still going is skipped, and each page is asked once", async () => {
      const checkout = await t.checkout()
      t.gatewayReports(checkout, PENDING)
      const made = await createdAt(checkout.session.id)
      await abandon(checkout.session.id, made, 20, 30, 2)
      const asked = hitpayAnswersAbandoned(pendingPage)
      const now = new Date(made.getTime() + 11 * 60_000)
      const runs = await Promise.all(
        [0, 1].map(() => reconcileHostedPayments(t.container(), { now, ratePerSecond: 100, runSeconds: 5 }))
      )
      expect(runs.map((r) => r.length).sort((a, b) => a - b)).toEqual([0, 21])
      expect([...asked].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))

      // A run on another instance holds the lease: skipped. One that died mid-run (its lease expired): not in the way.
      const pg = t.container().resolve(ContainerRegistrationKeys.PG_CONNECTION)
      const lease = (expires: string) =>
        pg.raw(
          `insert into hpp_reconcile_run (name, owner, expires_at) values ('reconcile', 'another instance', now() + ?::interval)
           on conflict (name) do update set owner = excluded.owner, expires_at = excluded.expires_at`,
          [expires]
        )
      const later = { now: new Date(made.getTime() + 3 * 60 * 60_000), ratePerSecond: 100, runSeconds: 5 }
      await lease("30 seconds")
      expect(await reconcileHostedPayments(t.container(), later)).toEqual([])
      await lease("-1 second")
      expect((await reconcileHostedPayments(t.container(), later)).length).toBeGreaterThan(0)
    })

    it("lists under 'Needs attention' the pages HitPay could not be asked about, or not yet, and not those it says are pending", async () => {
      const checkout = await t.checkout()
      t.gatewayReports(checkout, PENDING)
      const made = await createdAt(checkout.session.id)
      await abandon(checkout.session.id, made, 3, 3, 2)
      let down = true
      hitpayAnswersAbandoned((n) => (n === 2 && down ? [503, { message: "Service Unavailable" }] : pendingPage(n)))
      const items = (n: number, until: (items: HppAttentionResponse["items"]) => boolean) =>
        t.attention(abandonedSessionId(n), until)
      const kinds = (list: HppAttentionResponse["items"]) => list.map((i) => [i.kind, i.message])
      const noWord = ["pending_beyond_grace", "The gateway has not said whether this page was paid"]

      // Past their grace period and never asked: no word from HitPay.
      for (const n of [1, 2, 3]) expect(kinds(await items(n, (l) => l.length > 0))).toEqual([noWord])

      await reconcileHostedPayments(t.container(), { now: new Date(made.getTime() + 11 * 60_000), ratePerSecond: 100 })
      // HitPay says pending: an abandoned checkout, not an item. HitPay could not be asked: an item, saying so.
      expect(await items(1, (l) => l.length === 0)).toEqual([])
      expect(await items(3, (l) => l.length === 0)).toEqual([])
      const [failed] = await items(2, (l) => l[0]?.message !== noWord[1])
      expect(failed.kind).toBe("pending_beyond_grace")
      expect(failed.message).toMatch(/^The last check failed: the gateway could not be asked: .*HTTP 503/)
      expect(failed.can_check_now).toBe(true)

      // The admin's "Check with the gateway now", HitPay back: pending, and off the list.
      down = false
      const admin = await t.admin()
      const checked = await t.api.post(`/admin/hpp/payment-sessions/${abandonedSessionId(2)}/reconcile`, {}, admin)
      expect(checked.data.reconciliation.decision).toBe("still pending at the gateway")
      expect(await items(2, (l) => l.length === 0)).toEqual([])

      // A question 15 minutes late is "no word" again (the job is off or behind); 10 minutes late is not yet.
      const pg = t.container().resolve(ContainerRegistrationKeys.PG_CONNECTION)
      const dueAgo = (n: number, minutes: number) =>
        pg.raw(`update hpp_reconcile_ask set next_ask_at = now() - ?::interval where payment_session_id = ?`, [
          `${minutes} minutes`,
          abandonedSessionId(n),
        ])
      await dueAgo(1, 10)
      expect(await items(1, (l) => l.length === 0)).toEqual([])
      await dueAgo(1, 20)
      expect(kinds(await items(1, (l) => l.length > 0))).toEqual([noWord])

      // Within 15 minutes past its grace period (10 minutes): a page never asked is not an item yet, one whose check
      // failed is.
      const page3 = abandonedSessionId(3)
      await pg.raw(`update payment_session set created_at = now() - interval '20 minutes' where id = ?`, [page3])
      await pg.raw(`delete from hpp_reconcile_ask where payment_session_id = ?`, [page3])
      expect(await items(3, (l) => l.length === 0)).toEqual([])
      await pg.raw(
        `insert into hpp_reconcile_ask (payment_session_id, provider_id, asks, next_ask_at, last_answer, last_decision)
         values (?, 'pp_hitpay_hitpay', 1, now() + interval '1 hour', 'the gateway could not be asked: timeout', 'failed')`,
        [page3]
      )
      expect(kinds(await items(3, (l) => l.length > 0))).toEqual([
        ["pending_beyond_grace", "The last check failed: the gateway could not be asked: timeout"],
      ])
      // Once its question is done for good (the page closed at the gateway), it is not an item.
      await pg.raw(`update hpp_reconcile_ask set done_at = now() where payment_session_id = ?`, [page3])
      expect(await items(3, (l) => l.length === 0)).toEqual([])
    })

    it("stops asking HitPay when it answers 429, for as long as its Retry-After says, and does not ask again about a page HitPay reports expired", async () => {
      const checkout = await t.checkout()
      t.gatewayReports(checkout, PENDING)
      const made = await createdAt(checkout.session.id)
      await abandon(checkout.session.id, made, 50, 30, 2)
      let limited = true
      const asked = hitpayAnswersAbandoned((n) =>
        limited && n === 3
          ? [429, { message: "Too Many Attempts." }, { "Retry-After": "600" }]
          : n === 1
            ? [200, { ...(pendingPage(n)[1] as object), status: "expired" }]
            : pendingPage(n)
      )
      const run = (minutes: number) =>
        reconcileHostedPayments(t.container(), {
          now: new Date(made.getTime() + minutes * 60_000),
          ratePerSecond: 100,
          runSeconds: 5,
        })

      // Page 1 expired (its session closes), page 2 pending, page 3 answered 429 once (no retry: Retry-After is 600 s):
      // the run stops.
      const abandoned = (results: ReconcileResult[]) =>
        results.filter((r) => r.sessionId.startsWith("payses_abandoned"))
      const first = await run(11)
      expect(abandoned(first).map((r) => r.decision)).toEqual([
        "not paid at the gateway",
        "still pending at the gateway",
        "failed",
      ])
      expect(asked).toEqual([1, 2, 3])
      // Within the pause (10 minutes), no run asks HitPay anything.
      expect(await run(16)).toEqual([])
      expect(asked).toEqual([1, 2, 3])
      // After it, the run goes on: page 3 and the rest, never page 1 again.
      limited = false
      await run(22)
      expect(asked.slice(3)).toEqual(Array.from({ length: 48 }, (_, i) => i + 3))
      // A day later every page is due again, but the expired one.
      asked.length = 0
      await run(30 * 60)
      expect([...asked].sort((a, b) => a - b)).toEqual(Array.from({ length: 49 }, (_, i) => i + 2))
    })
  })
})
