import nock from "nock"
import {
  CATALYSTPAY_STAGING,
  catalystpayCompletedPayload,
  catalystpayCreatedSession,
  catalystpaySession,
  catalystpayWebhookHeaders,
  COMPLETED_1_EUR_SIGNATURE,
  COMPLETED_25_EUR_SIGNATURE,
  SESSION_TOKEN,
  TEST_WEBHOOK_SECRET,
} from "../fixtures/catalystpay"
import { jsonOf, hppWebhookRoute, medusaWebhookRoute, standInForPost } from "../helpers/gateway"
import { CART_AMOUNT, CART_TOTAL, GatewayAdapter, providerSuite, WRONG_AMOUNT } from "../helpers/provider-suite"
import { answerOf, createCart, createPaymentCollection, requestPaymentSession } from "../helpers/store"
import hppSessionReferenceIndex from "../../src/migration-scripts/hpp-session-reference-index"
import hppDeferredPayments from "../../src/migration-scripts/hpp-deferred-payments"
import { SETTLED_UNSAID_INDEX } from "../../src/lib/session-indexes"
import { settledUnsaid } from "../../src/reconciliation/asks"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { reconcileHostedPayments } from "../../src/reconciliation"
import { HPP_RECORD_EVENT } from "../../src/lib/record"

// Provider options come from the environment, read when medusa-config loads: set them first.
const API_KEY = "rk_test_integration_7c1d"
const GATEWAY_ID = "f7e8d9c0-b1a2-3456-cdef-890123456789"
Object.assign(process.env, {
  CATALYSTPAY_API_KEY: API_KEY,
  CATALYSTPAY_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
  CATALYSTPAY_GATEWAY_ID: GATEWAY_ID,
  CATALYSTPAY_RETURN_URL: "https://shop.example.com/checkout/return",
  CATALYSTPAY_ALLOWED_RETURN_ORIGINS: "https://www.shop.example.com",
})

const PROVIDER_ID = "pp_catalystpay_catalystpay"

/** The signatures computed (in Python, as CatalystPay does) for the completed webhook, by amount. */
const SIGNATURES: Record<string, string> = { "25.00": COMPLETED_25_EUR_SIGNATURE, "1.00": COMPLETED_1_EUR_SIGNATURE }

/**
 * The guide's typical payment_session.completed. The signature covers the payload re-serialized, not
 * the bytes, so the body is sent pretty-printed, as a JSON encoder might write it.
 */
function completedWebhook(amount: string, signature = SIGNATURES[amount]) {
  if (!signature) throw new Error(`no CatalystPay signature was computed for a webhook of ${amount}`)
  return {
    body: JSON.stringify(catalystpayCompletedPayload({ amount }), null, 2),
    headers: catalystpayWebhookHeaders(signature),
  }
}

const catalystpay: GatewayAdapter = {
  name: "CatalystPay",
  providerId: PROVIDER_ID,
  region: { currency: "eur", country: "de" },
  secrets: [API_KEY, TEST_WEBHOOK_SECRET],
  session: { extraKeys: ["mode"], legacyKeys: ["session_token", "catalystpay_status"] },
  create: {
    standIn: () => standInForPost(CATALYSTPAY_STAGING, "/payment-sessions/", 201, () => catalystpayCreatedSession()),
    read(request) {
      const { amount, currency } = jsonOf<{ amount: string; currency: string }>(request)
      return {
        amount,
        currency,
        reference: {
          notSent: "CatalystPay's create takes no merchant reference; its webhook is matched by the session token",
        },
        returnUrls: {
          notSent:
            "CatalystPay takes no return URL per session; the hosted page's redirect URLs are set in CatalystPay",
        },
      }
    },
    expectRequest(request) {
      expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`)
      expect(jsonOf(request)).toEqual({
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
    },
    checkoutUrl: `https://pay.catalystpay.com/s/${SESSION_TOKEN}`,
    sessionData: { gateway_reference: SESSION_TOKEN },
  },
  standInForStatus(_checkout, payment) {
    // Not paid yet: the session waits for the buyer. (A debit under way is the gateway case below.)
    nock(CATALYSTPAY_STAGING)
      .persist()
      .get(`/payment-sessions/${SESSION_TOKEN}/`)
      .reply(200, () => {
        const { status, amount } = payment()
        return catalystpaySession({ status: status === "paid" ? "COMPLETED" : "PENDING", amount })
      })
  },
  paidPaymentData: { gateway_reference: SESSION_TOKEN, gateway_status: "COMPLETED" },
  webhooks: {
    route: hppWebhookRoute("catalystpay", "catalystpay"),
    paid: (_checkout, amount) => completedWebhook(amount),
    claimsPaid: true,
    forgery: "a signature made without the webhook secret",
    forged: () => [completedWebhook(CART_AMOUNT, "9".repeat(64))],
  },
  refund: {
    refused: "CatalystPay has no refund API",
    messages: (amount) => [
      "refunds cannot be made through CatalystPay's API",
      `Refund ${amount} EUR of payment session ${SESSION_TOKEN} in the CatalystPay dashboard`,
    ],
  },
}

providerSuite(catalystpay, (t) => {
  it.each(["PAYMENT_IN_PROGRESS", "AWAITING_VERIFICATION"])(
    "gives a buyer who returns mid-debit (%s) an order awaiting payment, which CatalystPay's webhook then shows paid",
    async (underWay) => {
      const checkout = await t.checkout()
      let status = underWay
      nock(CATALYSTPAY_STAGING)
        .persist()
        .get(`/payment-sessions/${SESSION_TOKEN}/`)
        .reply(200, () => catalystpaySession({ status, amount: CART_AMOUNT }))

      const { data } = await t.completeCart(checkout)
      expect(data.type).toBe("order")
      const admin = await t.admin()
      type OrderBody = { order: { payment_status: string; total: number } }
      const orderOf = async (id: string) =>
        (await t.api.get<OrderBody>(`/admin/orders/${id}?fields=payment_status,total`, admin)).data.order
      const [order] = await t.orders(checkout)
      expect(order.payment_collections[0].payments).toHaveLength(0)
      expect((await orderOf(order.id)).payment_status).not.toBe("captured")

      status = "COMPLETED"
      const answer = await t.deliver(catalystpay.webhooks.paid(checkout, CART_AMOUNT))
      expect(answer.status).toBe(200)
      const orders = await t.orders(checkout)
      expect(orders).toHaveLength(1)
      expect(orders[0].payment_collections[0].payments).toHaveLength(1)
      expect(await orderOf(order.id)).toMatchObject({ payment_status: "captured", total: CART_TOTAL })
    }
  )

  /**
   * The plugin's own events for a store's subscribers emitted while `run` runs (the event bus spied on, as for
   * payment.captured); not the record's, which the plugin's own subscriber writes.
   */
  async function pluginEventsDuring(run: () => Promise<void>) {
    const eventBus = t.container().resolve(Modules.EVENT_BUS)
    const emit = eventBus.emit.bind(eventBus)
    const seen: { name: string; data: unknown }[] = []
    const spy = jest.spyOn(eventBus, "emit").mockImplementation(async (events, options) => {
      const list = Array.isArray(events) ? events : [events]
      seen.push(
        ...list
          .filter((e) => e.name.startsWith("medusa-payment-hpp.") && e.name !== HPP_RECORD_EVENT)
          .map(({ name, data }) => ({ name, data }))
      )
      return emit(events, options)
    })
    try {
      await run()
    } finally {
      spy.mockRestore()
    }
    return seen
  }

  /**
   * The reconciliation job's run, as if `minutes` (20 unless said) had passed since the checkout's session was made.
   * A session asked at 20 minutes is due again 5 minutes later (src/reconciliation/schedule.ts).
   */
  async function reconcile(checkout: { session: { id: string } }, minutes = 20) {
    const [session] = await t
      .container()
      .resolve(Modules.PAYMENT)
      .listPaymentSessions({ id: checkout.session.id }, { select: ["id", "created_at"] })
    const now = new Date(new Date(session.created_at as unknown as string).getTime() + minutes * 60_000)
    return reconcileHostedPayments(t.container(), { now })
  }

  /** CatalystPay's session answering COMPLETED, with its amount left out until `answer.amount` is set; counts asks. */
  function completedWithoutAmount() {
    const answer: { amount?: string; asked: number } = { asked: 0 }
    nock(CATALYSTPAY_STAGING)
      .persist()
      .get(`/payment-sessions/${SESSION_TOKEN}/`)
      .reply(200, () => {
        answer.asked++
        return catalystpaySession({ status: "COMPLETED", amount: answer.amount as string })
      })
    return answer
  }
  const NO_AMOUNT_WORDS =
    "paid at CatalystPay, but its answer shows no amount (or currency) to check against the session's: no order"

  it("makes no order on the buyer's return while CatalystPay says COMPLETED but shows no amount, and tells the admin so", async () => {
    const checkout = await t.checkout()
    completedWithoutAmount()

    const back = await t.completeCart(checkout)
    expect(back.status >= 400 || back.data.type === "cart").toBe(true)
    expect(await t.orders(checkout)).toHaveLength(0)
    const items = await t.attention(checkout.session.id, (list) => list.some((i) => i.kind === "paid_no_order"))
    expect(items.find((i) => i.kind === "paid_no_order")!.message).toContain(NO_AMOUNT_WORDS)
  })

  it("reconciles a session CatalystPay calls COMPLETED without an amount as 'paid, amount not shown' (not 'not paid'), asks again, and makes the order once the amount shows", async () => {
    const checkout = await t.checkout()
    const answer = completedWithoutAmount() // and every webhook lost

    expect(await reconcile(checkout, 20)).toEqual([
      expect.objectContaining({ sessionId: checkout.session.id, decision: "paid, amount not shown" }),
    ])
    expect(await t.orders(checkout)).toHaveLength(0)
    const items = await t.attention(checkout.session.id, (list) => list.some((i) => i.kind === "paid_no_order"))
    expect(items.find((i) => i.kind === "paid_no_order")!.message).toContain(NO_AMOUNT_WORDS)

    // Asked again on the schedule: the answer now shows the amount, and the order is made; the item is settled.
    const before = answer.asked
    answer.amount = CART_AMOUNT
    expect(await reconcile(checkout, 60)).toEqual([
      expect.objectContaining({ sessionId: checkout.session.id, decision: "order made" }),
    ])
    expect(answer.asked).toBeGreaterThan(before)
    const orders = await t.orders(checkout)
    expect(orders).toHaveLength(1)
    expect(Number(orders[0].total)).toBe(CART_TOTAL)
    expect(await t.attention(checkout.session.id, (list) => !list.some((i) => i.kind === "paid_no_order"))).toEqual([])
  })

  it("lists a page CatalystPay calls COMPLETED without the amount, through Medusa's own route, as paid with no order; that route makes the order once the amount shows", async () => {
    const checkout = await t.checkout()
    const answer = completedWithoutAmount()
    const deliver = () =>
      medusaWebhookRoute("catalystpay_catalystpay").deliver(
        { api: t.api, container: t.container() },
        catalystpay.webhooks.paid(checkout, CART_AMOUNT)
      )
    await deliver()
    expect(await t.orders(checkout)).toHaveLength(0)
    const items = await t.attention(checkout.session.id, (list) => list.some((i) => i.kind === "paid_no_order"))
    expect(items.map((i) => i.kind)).toEqual(["paid_no_order"])

    answer.amount = CART_AMOUNT
    await deliver()
    const orders = await t.orders(checkout)
    expect(orders).toHaveLength(1)
    expect(Number(orders[0].total)).toBe(CART_TOTAL)
    // Medusa's route records nothing that settles the item, and a live payment alone is no proof of an order: it stays
    // listed until an admin marks it handled (the plugin's route, the buyer's return and the reconciliation settle it).
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect((await t.attention(checkout.session.id, () => true)).map((i) => i.kind)).toEqual(["paid_no_order"])
  })

  /** A buyer back mid-debit: an order awaiting payment. Returns the checkout, the order and a switch for the debit. */
  /** The plugin's event for this checkout's deferred payment, as a store's subscriber receives it. */
  function deferredEvent(
    outcome: "succeeded" | "failed",
    checkout: { session: { id: string } },
    order: { id: string },
    extra: Record<string, unknown> = {}
  ) {
    return {
      name: `medusa-payment-hpp.deferred_payment.${outcome}`,
      data: {
        order_id: order.id,
        payment_session_id: checkout.session.id,
        provider_id: PROVIDER_ID,
        amount: CART_TOTAL,
        currency_code: "eur",
        ...extra,
      },
    }
  }

  async function orderMidDebit() {
    const checkout = await t.checkout()
    const debit = { status: "PAYMENT_IN_PROGRESS", amount: CART_AMOUNT }
    nock(CATALYSTPAY_STAGING)
      .persist()
      .get(`/payment-sessions/${SESSION_TOKEN}/`)
      .reply(200, () => catalystpaySession({ status: debit.status, amount: debit.amount }))
    const { data } = await t.completeCart(checkout)
    expect(data.type).toBe("order")
    const [order] = await t.orders(checkout)
    return { checkout, order, debit }
  }

  type AdminOrder = { order: { status: string; payment_status: string; metadata: Record<string, unknown> | null } }
  const adminOrder = async (id: string) =>
    (await t.api.get<AdminOrder>(`/admin/orders/${id}?fields=status,payment_status,metadata`, await t.admin())).data
      .order
  const sessionOf = async (id: string) =>
    (
      await t
        .container()
        .resolve(Modules.PAYMENT)
        .listPaymentSessions({ id }, { select: ["id", "status"] })
    )[0]

  it.each([
    ["FAILED", "FAILED", CART_AMOUNT, "the debit failed at the gateway"],
    ["EXPIRED", "EXPIRED", CART_AMOUNT, "the session expired at the gateway"],
    // Paid, but not the order's amount: no payment of this order either (and not "paid, no order": it has one).
    [
      "COMPLETED for another amount",
      "COMPLETED",
      WRONG_AMOUNT,
      "another amount than the order's was paid at the gateway",
    ],
  ])(
    "flags the order of a SEPA debit that ends %s after the order was made, sets its session to error and emits the failure once",
    async (_label, ending, amount, reason) => {
      const { checkout, order, debit } = await orderMidDebit()

      // Still under way: awaiting payment, asked again, and no event.
      const underWay = await pluginEventsDuring(async () => {
        expect(await reconcile(checkout)).toEqual([
          expect.objectContaining({ sessionId: checkout.session.id, decision: "awaiting payment" }),
        ])
      })
      expect(underWay).toEqual([])

      debit.status = ending
      debit.amount = amount
      const ended = await pluginEventsDuring(async () => {
        expect(await reconcile(checkout, 25)).toEqual([
          expect.objectContaining({ sessionId: checkout.session.id, decision: "not paid at the gateway" }),
        ])
        // Final: the next run finds it settled, and no later run asks again or says it twice.
        expect(await reconcile(checkout, 30)).toEqual([
          expect.objectContaining({ sessionId: checkout.session.id, decision: "already settled" }),
        ])
        expect(await reconcile(checkout, 36)).toEqual([])
      })
      expect(ended).toEqual([deferredEvent("failed", checkout, order, { reason })])
      expect((await sessionOf(checkout.session.id)).status).toBe("error")
      const after = await adminOrder(order.id)
      expect(after.status).toBe("pending") // flagged, not cancelled: the store decides
      expect(after.payment_status).not.toBe("captured")
      expect(after.metadata).toMatchObject({
        hpp_payment_failed: { payment_session_id: checkout.session.id, provider_id: PROVIDER_ID, reason },
      })
      // And one item for the admin: the order's debit failed.
      const items = await t.attention(checkout.session.id, (list) => list.some((i) => i.kind === "debit_failed"))
      expect(items.map((i) => i.kind)).toEqual(["debit_failed"])
    }
  )

  it.each(["webhook", "reconciliation"])(
    "emits the plugin's money-received event once when a SEPA debit the order awaited completes (by %s)",
    async (by) => {
      const { checkout, order, debit } = await orderMidDebit()
      const underWay = await pluginEventsDuring(async () => {
        await reconcile(checkout)
      })
      expect(underWay).toEqual([])

      debit.status = "COMPLETED"
      const settled = await pluginEventsDuring(async () => {
        if (by === "webhook") {
          for (let i = 0; i < 2; i++) {
            expect((await t.deliver(catalystpay.webhooks.paid(checkout, CART_AMOUNT))).status).toBe(200)
          }
        } else {
          // The job's next question, on the schedule: 5 minutes after the one that found the debit under way.
          expect(await reconcile(checkout, 25)).toEqual([
            expect.objectContaining({ sessionId: checkout.session.id, decision: "order made" }),
          ])
        }
        expect(await reconcile(checkout, 30)).toEqual([]) // settled: not asked again
      })
      expect(settled).toEqual([deferredEvent("succeeded", checkout, order)])
      expect((await adminOrder(order.id)).payment_status).toBe("captured")
    }
  )

  it("says a SEPA debit's money received once when five deliveries of its webhook and the reconciliation find it completed at the same moment", async () => {
    const { checkout, order, debit } = await orderMidDebit()
    debit.status = "COMPLETED"
    const answers: number[] = []
    const settled = await pluginEventsDuring(async () => {
      await Promise.all([
        ...Array.from({ length: 5 }, async () => {
          answers.push((await t.deliver(catalystpay.webhooks.paid(checkout, CART_AMOUNT))).status)
        }),
        reconcile(checkout, 25),
      ])
    })
    // Every delivery is answered (a 503 only where the cart's lock was held by another: Medusa's, 2 s), and the
    // event a store's subscriber acts on (ship the goods, say) comes once.
    expect(answers.every((status) => status === 200 || status === 503)).toBe(true)
    expect(answers).toContain(200)
    expect(settled).toEqual([deferredEvent("succeeded", checkout, order)])
    const paid = await adminOrder(order.id)
    expect(paid.payment_status).toBe("captured")
    const { data } = await t.api.get<{ order: { payment_collections: { payments: unknown[] }[] } }>(
      `/admin/orders/${order.id}?fields=payment_collections.payments.id`,
      await t.admin()
    )
    expect(data.order.payment_collections.flatMap((c) => c.payments)).toHaveLength(1)
    // A delivery afterwards is a repeat, and says nothing again.
    const later = await pluginEventsDuring(async () => {
      expect((await t.deliver(catalystpay.webhooks.paid(checkout, CART_AMOUNT))).status).toBe(200)
    })
    expect(later).toEqual([])
  })

  const AWAITING_WORDS =
    "CatalystPay says paid, but its answer shows no amount (or currency) to check against the order's: the order still awaits payment"
  /** The kinds of the session's open items, once `until` holds of them. */
  const itemKinds = async (checkout: { session: { id: string } }, until: (kinds: string[]) => boolean) =>
    (await t.attention(checkout.session.id, (list) => until(list.map((i) => i.kind)))).map((i) => [i.kind, i.message])

  it.each(["webhook", "reconciliation"])(
    "keeps a SEPA order awaiting payment while CatalystPay calls its debit COMPLETED without the amount (by %s): one 'amount not shown' item, not 'paid, no order'; the payment once the amount shows",
    async (by) => {
      const { checkout, order, debit } = await orderMidDebit()
      expect(await reconcile(checkout)).toEqual([expect.objectContaining({ decision: "awaiting payment" })])

      debit.status = "COMPLETED"
      debit.amount = undefined as unknown as string
      const unshown = await pluginEventsDuring(async () => {
        if (by === "webhook") {
          expect((await t.deliver(catalystpay.webhooks.paid(checkout, CART_AMOUNT))).status).toBe(503)
        } else {
          expect(await reconcile(checkout, 25)).toEqual([
            expect.objectContaining({ decision: "paid, amount not shown", detail: expect.stringContaining("awaits") }),
          ])
        }
      })
      expect(unshown).toEqual([]) // neither received nor failed
      const items = await itemKinds(checkout, (kinds) => kinds.includes("amount_unshown"))
      expect(items).toEqual([["amount_unshown", expect.stringContaining(AWAITING_WORDS)]])
      const waiting = await adminOrder(order.id)
      expect(waiting.payment_status).not.toBe("captured")
      expect(waiting.metadata?.hpp_payment_failed).toBeUndefined()
      expect((await sessionOf(checkout.session.id)).status).toBe("pending_authorization")
      if (by === "webhook") {
        // A debit that takes days: past a day from the page, the webhook is answered 200 (the reconciliation goes on
        // asking), still not "refused", and the order still awaits payment, listed once.
        await t
          .container()
          .resolve(ContainerRegistrationKeys.PG_CONNECTION)
          .raw(`update payment_session set created_at = now() - interval '3 days' where id = ?`, [checkout.session.id])
        const later = await t.deliver(catalystpay.webhooks.paid(checkout, CART_AMOUNT))
        expect(later.status).toBe(200)
        expect(JSON.stringify(later.data)).toContain("order awaits payment: amount not shown")
        expect(await itemKinds(checkout, (kinds) => kinds.length > 0)).toEqual([
          ["amount_unshown", expect.stringContaining(AWAITING_WORDS)],
        ])
      }

      // The amount shows: the payment is recorded, once, and the item leaves the list.
      debit.amount = CART_AMOUNT
      const settled = await pluginEventsDuring(async () => {
        if (by === "webhook") {
          expect((await t.deliver(catalystpay.webhooks.paid(checkout, CART_AMOUNT))).status).toBe(200)
        } else {
          expect(await reconcile(checkout, 60)).toEqual([expect.objectContaining({ decision: "order made" })])
        }
      })
      expect(settled).toEqual([deferredEvent("succeeded", checkout, order)])
      expect((await adminOrder(order.id)).payment_status).toBe("captured")
      expect(await itemKinds(checkout, (kinds) => kinds.length === 0)).toEqual([])
    }
  )

  it("lists a SEPA order awaiting a payment CatalystPay shows without its amount through Medusa's own route too, as awaiting (not 'paid, no order'), until Medusa records the payment", async () => {
    const { checkout, order, debit } = await orderMidDebit()
    const core = medusaWebhookRoute("catalystpay_catalystpay")
    const deliver = () =>
      core.deliver({ api: t.api, container: t.container() }, catalystpay.webhooks.paid(checkout, CART_AMOUNT))
    debit.status = "COMPLETED"
    debit.amount = undefined as unknown as string
    await deliver()
    expect(await itemKinds(checkout, (kinds) => kinds.length > 0)).toEqual([
      ["amount_unshown", expect.stringContaining(AWAITING_WORDS)],
    ])
    expect((await adminOrder(order.id)).payment_status).not.toBe("captured")

    debit.amount = CART_AMOUNT
    await deliver()
    expect((await adminOrder(order.id)).payment_status).toBe("captured")
    // Medusa's route records nothing that settles the item: it leaves the list with the wait it named.
    expect(await itemKinds(checkout, (kinds) => kinds.length === 0)).toEqual([])
  })

  it.each(["made now", "under way when the plugin was upgraded"])(
    "says a SEPA debit's money received when Medusa's own webhook route settled it, which says nothing: at the reconciliation's next run, once (a debit %s)",
    async (when) => {
      const { checkout, order, debit } = await orderMidDebit()
      const pg = t.container().resolve(ContainerRegistrationKeys.PG_CONNECTION)
      if (when !== "made now") {
        // A release before this one kept no mark of a deferred payment; the migration script marks those under way.
        await pg.raw(
          `update payment_session set data = data - 'payment_deferred' - 'order_awaits_payment' where id = ?`,
          [checkout.session.id]
        )
        await hppDeferredPayments({ container: t.container(), args: [] })
      }
      const { rows } = await pg.raw(
        `select data ->> 'payment_deferred' as deferred, data ->> 'order_awaits_payment' as awaited
           from payment_session where id = ?`,
        [checkout.session.id]
      )
      // Deferred (the provider's word) and its order's (order.placed's, or the migration's).
      expect(rows).toEqual([{ deferred: "true", awaited: "true" }])
      debit.status = "COMPLETED"
      const core = medusaWebhookRoute("catalystpay_catalystpay")
      const byMedusa = await pluginEventsDuring(async () => {
        await core.deliver({ api: t.api, container: t.container() }, catalystpay.webhooks.paid(checkout, CART_AMOUNT))
      })
      expect((await adminOrder(order.id)).payment_status).toBe("captured")
      expect(byMedusa).toEqual([])

      // The job's next run: the session is no longer open, so it is not asked; its receipt is said, once.
      const said = await pluginEventsDuring(async () => {
        expect(await reconcile(checkout, 25)).toEqual([
          expect.objectContaining({ sessionId: checkout.session.id, decision: "already settled" }),
        ])
        expect(await reconcile(checkout, 30)).toEqual([])
        // A late delivery to the plugin's route is a repeat.
        expect((await t.deliver(catalystpay.webhooks.paid(checkout, CART_AMOUNT))).status).toBe(200)
      })
      expect(said).toEqual([deferredEvent("succeeded", checkout, order)])
    }
  )

  it("says a SEPA debit's money received at the reconciliation's next run when the event could not be sent the first time", async () => {
    const { checkout, order, debit } = await orderMidDebit()
    debit.status = "COMPLETED"
    const eventBus = t.container().resolve(Modules.EVENT_BUS)
    const emit = eventBus.emit.bind(eventBus)
    const down = jest.spyOn(eventBus, "emit").mockImplementation(async (events, options) => {
      const list = Array.isArray(events) ? events : [events]
      if (list.some((e) => e.name === "medusa-payment-hpp.deferred_payment.succeeded")) {
        throw new Error("the event bus is down")
      }
      return emit(events, options)
    })
    try {
      // The payment is recorded; the event is not sent, so the webhook is asked for again.
      expect((await t.deliver(catalystpay.webhooks.paid(checkout, CART_AMOUNT))).status).toBe(503)
    } finally {
      down.mockRestore()
    }
    expect((await adminOrder(order.id)).payment_status).toBe("captured")
    const said = await pluginEventsDuring(async () => {
      expect(await reconcile(checkout, 25)).toEqual([
        expect.objectContaining({ sessionId: checkout.session.id, decision: "already settled" }),
      ])
      expect((await t.deliver(catalystpay.webhooks.paid(checkout, CART_AMOUNT))).status).toBe(200)
      expect(await reconcile(checkout, 30)).toEqual([])
    })
    expect(said).toEqual([deferredEvent("succeeded", checkout, order)])
  })

  it("does not call a deferred payment received when its order was made with the payment (the cart's first completion had failed while the debit was under way): order.placed says it, paid", async () => {
    const { checkout, order, debit } = await orderMidDebit()
    const pg = t.container().resolve(ContainerRegistrationKeys.PG_CONNECTION)
    const awaited = async () =>
      (
        await pg.raw(`select data ->> 'order_awaits_payment' as awaited from payment_session where id = ?`, [
          checkout.session.id,
        ])
      ).rows[0]?.awaited
    // order.placed marked the session as its order's awaited payment.
    expect(await awaited()).toBe("true")
    // As for a cart whose order came only with the payment: no order was placed while the debit was under way, so no
    // such word. (Medusa's own route, which settles it without the plugin's look at the order first.)
    await pg.raw(`update payment_session set data = data - 'order_awaits_payment' where id = ?`, [checkout.session.id])
    debit.status = "COMPLETED"
    const events = await pluginEventsDuring(async () => {
      await medusaWebhookRoute("catalystpay_catalystpay").deliver(
        { api: t.api, container: t.container() },
        catalystpay.webhooks.paid(checkout, CART_AMOUNT)
      )
      expect(await reconcile(checkout, 25)).toEqual([])
      expect(await reconcile(checkout, 30)).toEqual([])
    })
    expect(events).toEqual([])
    expect((await adminOrder(order.id)).payment_status).toBe("captured")
  })

  it("does not call a SEPA debit received for an order canceled while it was under way: the admin is told to refund it", async () => {
    const { checkout, order, debit } = await orderMidDebit()
    await t.api.post(`/admin/orders/${order.id}/cancel`, {}, await t.admin())
    expect((await adminOrder(order.id)).status).toBe("canceled")
    debit.status = "COMPLETED"
    const events = await pluginEventsDuring(async () => {
      const answer = await t.deliver(catalystpay.webhooks.paid(checkout, CART_AMOUNT))
      expect(answer.status).toBe(200)
      await reconcile(checkout, 25)
      // A repeat is a repeat; it settles nothing of this.
      expect((await t.deliver(catalystpay.webhooks.paid(checkout, CART_AMOUNT))).status).toBe(200)
    })
    expect(events).toEqual([])
    await new Promise((resolve) => setTimeout(resolve, 500))
    const items = await itemKinds(checkout, (kinds) => kinds.length > 0)
    expect(items).toEqual([["paid_order_canceled", expect.stringContaining(`after order ${order.id} was canceled`)]])
  })

  it("reads the deferred payments settled and not said through the migration script's index of exactly those", async () => {
    const container = t.container()
    const pg = container.resolve(ContainerRegistrationKeys.PG_CONNECTION)
    // What `medusa db:migrate` runs once; a second run finds the index in place.
    await hppDeferredPayments({ container, args: [] })
    await hppDeferredPayments({ container, args: [] })
    const { rows } = await pg.raw("select indisvalid from pg_index where indexrelid = to_regclass(?)", [
      `"${SETTLED_UNSAID_INDEX}"`,
    ])
    expect(rows).toEqual([{ indisvalid: true }])
    // The read implies the index's predicate (else PostgreSQL could not use it, whatever the table's size).
    const sql: string[] = []
    await settledUnsaid(
      {
        raw: async (text: string, bindings?: unknown[]) => {
          sql.push(pg.raw(text, bindings as never).toQuery())
          return { rows: [] }
        },
      },
      { provider: PROVIDER_ID, from: new Date(Date.now() - 3_600_000) },
      100
    )
    const plan = await pg.transaction(async (trx: { raw: typeof pg.raw }) => {
      await trx.raw("set local enable_seqscan = off")
      return (await trx.raw(`explain ${sql[0]}`)).rows.map((r: { "QUERY PLAN": string }) => r["QUERY PLAN"]).join("\n")
    })
    expect(plan).toContain(SETTLED_UNSAID_INDEX)
  })

  /** An order mid-debit whose webhook found CatalystPay calling the debit COMPLETED without its amount: listed, 503. */
  async function awaitingUnshownAmount() {
    const mid = await orderMidDebit()
    mid.debit.status = "COMPLETED"
    mid.debit.amount = undefined as unknown as string
    expect((await t.deliver(catalystpay.webhooks.paid(mid.checkout, CART_AMOUNT))).status).toBe(503)
    await itemKinds(mid.checkout, (kinds) => kinds.includes("amount_unshown"))
    return mid
  }

  it("keeps a SEPA order awaiting payment when CatalystPay's first answer says COMPLETED and its answer to Medusa's authorization does not: asked again (503), no event, its item kept", async () => {
    const { checkout, order, debit } = await awaitingUnshownAmount()

    // The amount shows, but only in the first answer: Medusa's authorization asks again and hears the debit under way.
    debit.amount = CART_AMOUNT
    let asked = 0
    Object.defineProperty(debit, "status", { get: () => (asked++ === 0 ? "COMPLETED" : "PAYMENT_IN_PROGRESS") })
    const events = await pluginEventsDuring(async () => {
      expect((await t.deliver(catalystpay.webhooks.paid(checkout, CART_AMOUNT))).status).toBe(503)
    })
    expect(asked).toBeGreaterThan(1)
    expect(events).toEqual([])
    expect((await adminOrder(order.id)).payment_status).not.toBe("captured")
    expect((await sessionOf(checkout.session.id)).status).toBe("pending_authorization")
    // Give the record's writer its moment: the item is still there, not settled by an "applied".
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await itemKinds(checkout, (kinds) => kinds.length > 0)).toEqual([
      ["amount_unshown", expect.stringContaining(AWAITING_WORDS)],
    ])
  })

  /**
   * The order still awaits its payment after an answer that did not settle it: the session awaiting, the order
   * neither paid nor flagged, and nothing listed (after the record's writer had its moment: no "paid, no order" for
   * an order that exists).
   */
  async function expectStillAwaiting(checkout: { session: { id: string } }, order: { id: string }) {
    expect((await sessionOf(checkout.session.id)).status).toBe("pending_authorization")
    const waiting = await adminOrder(order.id)
    expect(waiting.payment_status).not.toBe("captured")
    expect(waiting.metadata?.hpp_payment_failed).toBeUndefined()
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await itemKinds(checkout, () => true)).toEqual([])
  }

  it.each([
    [
      "webhook",
      "another amount paid",
      "COMPLETED",
      WRONG_AMOUNT,
      "another amount than the order's was paid at the gateway",
    ],
    ["webhook", "the debit failed", "FAILED", CART_AMOUNT, "the debit failed at the gateway"],
    [
      "reconciliation",
      "another amount paid",
      "COMPLETED",
      WRONG_AMOUNT,
      "another amount than the order's was paid at the gateway",
    ],
    ["reconciliation", "the debit failed", "FAILED", CART_AMOUNT, "the debit failed at the gateway"],
  ])(
    "keeps a SEPA order awaiting when CatalystPay's first answer (by %s) shows it paid and its answer to Medusa's authorization shows %s, then flags the order on the next ask: no 'paid, no order', the failure said once",
    async (by, _label, status, amount, reason) => {
      const { checkout, order, debit } = await orderMidDebit()
      // The first answer (the webhook's check, or the reconciliation's question) says paid, the order's amount;
      // every later one, Medusa's authorization's first, says otherwise.
      let asked = 0
      Object.defineProperty(debit, "status", { get: () => (asked++ === 0 ? "COMPLETED" : status) })
      Object.defineProperty(debit, "amount", { get: () => (asked <= 1 ? CART_AMOUNT : amount) })
      const ask = async () => {
        if (by === "webhook") return (await t.deliver(catalystpay.webhooks.paid(checkout, CART_AMOUNT))).status
        return (await reconcile(checkout, 25 + 5 * asked))[0]?.decision
      }

      const first = await pluginEventsDuring(async () => {
        expect(await ask()).toBe(by === "webhook" ? 503 : "awaiting payment")
      })
      expect(asked).toBeGreaterThan(1)
      expect(first).toEqual([])
      await expectStillAwaiting(checkout, order)

      // The next ask hears the same: the order is flagged, and the failure said, once.
      const ended = await pluginEventsDuring(async () => {
        expect(await ask()).toBe(by === "webhook" ? 200 : "not paid at the gateway")
      })
      expect(ended).toEqual([deferredEvent("failed", checkout, order, { reason })])
      expect((await sessionOf(checkout.session.id)).status).toBe("error")
      expect((await adminOrder(order.id)).metadata).toMatchObject({
        hpp_payment_failed: { payment_session_id: checkout.session.id, provider_id: PROVIDER_ID, reason },
      })
      expect(await itemKinds(checkout, (kinds) => kinds.length > 0)).toEqual([
        ["debit_failed", expect.stringContaining(reason)],
      ])
    }
  )

  it("keeps a SEPA order awaiting when CatalystPay's answer to Medusa's authorization puts the session back to PENDING: not reopened as an unpaid checkout", async () => {
    const { checkout, order, debit } = await orderMidDebit()
    let asked = 0
    Object.defineProperty(debit, "status", { get: () => (asked++ === 0 ? "COMPLETED" : "PENDING") })
    const events = await pluginEventsDuring(async () => {
      expect((await t.deliver(catalystpay.webhooks.paid(checkout, CART_AMOUNT))).status).toBe(503)
      expect((await sessionOf(checkout.session.id)).status).toBe("pending_authorization")
      // The webhook says paid and the API pending: asked for again, as for any page.
      expect((await t.deliver(catalystpay.webhooks.paid(checkout, CART_AMOUNT))).status).toBe(503)
      expect(await reconcile(checkout, 25)).toEqual([
        expect.objectContaining({ sessionId: checkout.session.id, decision: "still pending at the gateway" }),
      ])
    })
    expect(events).toEqual([])
    await expectStillAwaiting(checkout, order)
  })

  it("flags a SEPA order whose webhook shows another amount paid, as the reconciliation does: one 'debit failed' item, not 'paid, no order', and the 'amount not shown' item settled", async () => {
    const { checkout, order, debit } = await awaitingUnshownAmount()

    debit.amount = WRONG_AMOUNT
    const reason = "another amount than the order's was paid at the gateway"
    const ended = await pluginEventsDuring(async () => {
      expect((await t.deliver(catalystpay.webhooks.paid(checkout, CART_AMOUNT))).status).toBe(200)
      // A repeat changes nothing.
      expect((await t.deliver(catalystpay.webhooks.paid(checkout, CART_AMOUNT))).status).toBe(200)
    })
    expect(ended).toEqual([deferredEvent("failed", checkout, order, { reason })])
    expect((await sessionOf(checkout.session.id)).status).toBe("error")
    expect((await adminOrder(order.id)).metadata).toMatchObject({
      hpp_payment_failed: { payment_session_id: checkout.session.id, provider_id: PROVIDER_ID, reason },
    })
    const items = await itemKinds(checkout, (kinds) => kinds.length === 1 && kinds[0] === "debit_failed")
    expect(items).toEqual([["debit_failed", expect.stringContaining(reason)]])

    // A repeat through Medusa's own route lists nothing more: its lookup knows the order's debit ended unpaid.
    await medusaWebhookRoute("catalystpay_catalystpay").deliver(
      { api: t.api, container: t.container() },
      catalystpay.webhooks.paid(checkout, CART_AMOUNT)
    )
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await itemKinds(checkout, (kinds) => kinds.length === 1)).toEqual(items)
  })

  it("records an order edit's extra SEPA debit on its order once the debit completes, awaiting it until then", async () => {
    const { orderId, checkout } = await t.orderEdit()
    const debit = { status: "PAYMENT_IN_PROGRESS", amount: CART_AMOUNT }
    nock(CATALYSTPAY_STAGING)
      .persist()
      .get(`/payment-sessions/${SESSION_TOKEN}/`)
      .reply(200, () => catalystpaySession({ status: debit.status, amount: debit.amount }))

    // Under way: Medusa holds the session awaiting the debit, and the order still owes the difference.
    expect(await reconcile(checkout)).toEqual([
      expect.objectContaining({ sessionId: checkout.session.id, decision: "awaiting payment" }),
    ])
    expect((await sessionOf(checkout.session.id)).status).toBe("pending_authorization")
    expect(Number((await t.books(orderId)).summary.pending_difference)).toBe(CART_TOTAL)

    debit.status = "COMPLETED"
    const settled = await pluginEventsDuring(async () => {
      for (let i = 0; i < 2; i++) {
        expect((await t.deliver(catalystpay.webhooks.paid(checkout, CART_AMOUNT))).status).toBe(200)
      }
    })
    expect(settled).toEqual([deferredEvent("succeeded", checkout, { id: orderId })])
    const books = await t.books(orderId)
    const edit = books.payment_collections.find((c) => c.id === checkout.paymentCollectionId)!
    expect(edit.payments.map((p) => Number(p.amount))).toEqual([CART_TOTAL])
    expect(Number(books.summary.paid_total)).toBe(2 * CART_TOTAL)
    expect(Number(books.summary.pending_difference)).toBe(0)
    expect(books.payment_status).toBe("captured")
  })

  it("finds the session of a CatalystPay webhook through the migration script's index, not by reading every session", async () => {
    type Knex = {
      raw(sql: string, bindings?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>
    }
    const container = t.container()
    const pg = container.resolve("__pg_connection__") as Knex
    // What `medusa db:migrate` runs once; a second run finds the indexes in place.
    await hppSessionReferenceIndex({ container, args: [] })
    await hppSessionReferenceIndex({ container, args: [] })
    const { rows: indexes } = await pg.raw(
      "select indexname from pg_indexes where tablename = 'payment_session' and indexname like 'IDX_payment_session_hpp_%'"
    )
    expect(indexes.map((r) => r.indexname).sort()).toEqual([
      "IDX_payment_session_hpp_gateway_reference",
      "IDX_payment_session_hpp_session_token",
    ])

    const checkout = await t.checkout()
    nock(CATALYSTPAY_STAGING)
      .persist()
      .get(`/payment-sessions/${SESSION_TOKEN}/`)
      .reply(200, () => catalystpaySession({ status: "COMPLETED", amount: CART_AMOUNT }))
    // A store that has taken payments for a while: 30,000 other sessions (of another payment collection), so that
    // reading them all is what the planner avoids when an index lets it.
    await pg.raw(
      `insert into payment_collection
       select (jsonb_populate_record(null::payment_collection, to_jsonb(pc) || '{"id": "pay_col_old"}')).*
       from payment_collection pc where id = (select payment_collection_id from payment_session where id = ?)`,
      [checkout.session.id]
    )
    await pg.raw(
      `insert into payment_session (id, currency_code, amount, raw_amount, provider_id, data, status, payment_collection_id)
       select 'payses_old' || n, currency_code, amount, raw_amount, provider_id,
              jsonb_build_object('gateway_reference', 'ps_old' || n, 'session_id', 'payses_old' || n), 'canceled', 'pay_col_old'
       from payment_session, generate_series(1, 30000) as n where id = ?`,
      [checkout.session.id]
    )
    await pg.raw("analyze payment_session")
    const scans = async () => {
      const { rows } = await pg.raw(
        "select coalesce(sum(idx_scan), 0)::int as scans from pg_stat_user_indexes where indexrelname = 'IDX_payment_session_hpp_gateway_reference'"
      )
      return Number(rows[0].scans)
    }
    const before = await scans()

    expect((await t.deliver(catalystpay.webhooks.paid(checkout, CART_AMOUNT))).status).toBe(200)
    expect(await t.orders(checkout)).toHaveLength(1)
    // PostgreSQL publishes another connection's counters when it has been idle for a while (up to about 10 s).
    let after = before
    for (let waited = 0; waited < 15_000 && after === before; waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      after = await scans()
    }
    expect(after).toBeGreaterThan(before)
  })

  it("refuses a session for a cart without the buyer's first name, saying what the storefront must send", async () => {
    const cartId = await createCart(t.api, t.store(), { email: "buyer@example.com" })
    const paymentCollectionId = await createPaymentCollection(t.api, t.store(), cartId)

    const error = await answerOf(
      requestPaymentSession(t.api, t.store(), paymentCollectionId, { provider_id: PROVIDER_ID, data: {} })
    )
    expect(error.status).toBe(400)
    expect(error.data.message).toContain(
      "CatalystPay requires the buyer's first name; the storefront must set the cart's billing address (first_name)"
    )
  })
})
