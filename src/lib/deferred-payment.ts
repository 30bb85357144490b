import type {
  IEventBusModuleService,
  ILockingModule,
  IPaymentModuleService,
  Logger,
  MedusaContainer,
} from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, PaymentSessionStatus } from "@medusajs/framework/utils"
import { updateSession } from "./session-end"
import { payerOf, paymentRecorded } from "./orders"
import { ORDER_AWAITS_KEY, providerIdPatterns, RECEIVED_MARK } from "./session-indexes"
import { gatewayOfProvider, recordIn } from "./record"

/**
 * A deferred payment (Medusa's `pending_authorization`: a CatalystPay SEPA debit under way) whose order exists,
 * awaiting payment. Medusa has no payment to cancel for such a session and emits nothing when it settles, so the
 * plugin says it: one of these events when the gateway's answer becomes final.
 *
 * - `DEFERRED_PAYMENT_SUCCEEDED`: the money is received (the order is now paid; Medusa recorded the capture).
 * - `DEFERRED_PAYMENT_FAILED`: the debit failed or the session expired: no money will come. The session is set to
 *   `error` and the order is flagged (metadata `FAILED_PAYMENT_FLAG`), not cancelled: see `deferredPaymentFailed`.
 */
export const DEFERRED_PAYMENT_SUCCEEDED = "medusa-payment-hpp.deferred_payment.succeeded"
export const DEFERRED_PAYMENT_FAILED = "medusa-payment-hpp.deferred_payment.failed"
/** Why a deferred payment paid at the gateway is no payment of its order: the gateway shows another amount paid. */
export const ANOTHER_AMOUNT_PAID = "another amount than the order's was paid at the gateway"
/** What the record says of a repeat about a deferred payment that already ended unpaid (either webhook route). */
export const FAILED_BEFORE_WORDS = "a repeat: the deferred payment already ended unpaid; its order is flagged"
/** The order metadata key a failed deferred payment sets. */
export const FAILED_PAYMENT_FLAG = "hpp_payment_failed"

export type DeferredPaymentEvent = {
  order_id: string | null
  payment_session_id: string
  provider_id: string
  amount: number
  currency_code: string
  /** Failed only: why, in words (`the debit failed at the gateway`, `the session expired at the gateway`). */
  reason?: string
}

type SessionFacts = { id: string; provider_id: string; payment_collection_id: string }

/**
 * What `deferredPaymentSucceeded` did: said it now, found it said before, found no order that awaited it, or found
 * that order canceled (an item for the admin: refund it).
 */
export type ReceiptSaid = "said" | "said before" | "not awaited" | "order canceled"

/**
 * Emits `DEFERRED_PAYMENT_SUCCEEDED` for a deferred session that the gateway now calls paid and Medusa recorded,
 * once, and only where an order awaited it:
 * - Once: deliveries of the webhook and the reconciliation can find the debit completed at the same moment, and each
 *   sees the session awaiting before Medusa's authorization (which they run one after another under the cart's
 *   lock). The first to mark the session (`RECEIVED_MARK` in its metadata, one conditional statement, so
 *   between instances too) says it; the others say nothing. A mark whose event could not be sent is taken back, so
 *   the reconciliation's next run says it (src/reconciliation/asks.ts `settledUnsaid`).
 * - An order that awaited it (`awaitingOrder`): not a cart that became an order only with the payment (its first
 *   completion had failed while the debit was under way), whose `order.placed` says it paid. A canceled order's
 *   payment is listed for the admin to refund, not "received".
 */
export async function deferredPaymentSucceeded(
  container: MedusaContainer,
  session: SessionFacts
): Promise<ReceiptSaid> {
  const { facts, cartId, orderAwaited } = await factsOf(container, session)
  const awaited = await awaitingOrder(container, facts.order_id, !cartId || orderAwaited)
  const mark = awaited === "awaited" ? new Date().toISOString() : `not said: ${awaited}`
  const pg = container.resolve(ContainerRegistrationKeys.PG_CONNECTION)
  const { rows } = await pg.raw(
    `update payment_session
        set metadata = (case when jsonb_typeof(metadata) = 'object' then metadata else '{}'::jsonb end)
                       || jsonb_build_object(cast(? as text), cast(? as text))
      where id = ? and deleted_at is null and (metadata ->> ?) is null
      returning id`,
    [RECEIVED_MARK, mark, session.id, RECEIVED_MARK]
  )
  if (!rows?.length) return "said before"
  const logger = container.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
  if (awaited === "canceled") {
    logger.error(
      `medusa-payment-hpp: deferred payment of session ${session.id} (${session.provider_id}) received after order ` +
        `${facts.order_id} was canceled: refund it`
    )
    recordIn(container, {
      provider_id: session.provider_id,
      gateway: gatewayOfProvider(session.provider_id),
      kind: "paid_order_canceled",
      outcome: "order canceled",
      message: `the deferred payment was received after order ${facts.order_id} was canceled: refund it (Medusa holds it on the order)`,
      payment_session_id: session.id,
      amount: String(facts.amount),
      currency_code: facts.currency_code,
      attention_kind: "paid_order_canceled",
      dedupe_key: `paid_canceled_order:${session.id}`,
    })
    return "order canceled"
  }
  if (awaited !== "awaited") return "not awaited"
  try {
    logger.info(
      `medusa-payment-hpp: deferred payment of session ${session.id} (${session.provider_id}) received; order ${facts.order_id} is paid`
    )
    await emit(container, DEFERRED_PAYMENT_SUCCEEDED, facts)
  } catch (error) {
    // Not said: the mark goes, so that the reconciliation's next run says it.
    await pg.raw(`update payment_session set metadata = metadata - cast(? as text) where id = ?`, [
      RECEIVED_MARK,
      session.id,
    ])
    throw error
  }
  return "said"
}

/**
 * Whether an order awaited the session's payment: the order exists and is not canceled, and it was there while the
 * payment was deferred. For an order's own collection (an edit, a claim, an exchange) it always was; for a checkout,
 * the session says so (`order_awaits_payment`, set when the order was placed, or by the plugin's route or the
 * reconciliation when they saw the order before settling it). A cart that became an order only with the payment
 * (its first completion had failed while the debit was under way) has no such word: its `order.placed` says it paid.
 */
async function awaitingOrder(
  container: MedusaContainer,
  orderId: string | null,
  orderBefore: boolean
): Promise<"awaited" | "canceled" | "no order before the payment"> {
  if (!orderId || !orderBefore) return "no order before the payment"
  const [order] = await container.resolve(Modules.ORDER).listOrders({ id: orderId }, { select: ["id", "status"] })
  if (!order) return "no order before the payment"
  return order.status === "canceled" ? "canceled" : "awaited"
}

/**
 * A deferred payment that ended unpaid at the gateway (`status` the provider's word: `error` for a failed debit,
 * `canceled` for an expired session; `why` overrides the reason that word gives, e.g. another amount paid). The session becomes `error` (marked in its metadata, so the reconciliation
 * stops asking), the order is flagged in its metadata, an error is logged and `DEFERRED_PAYMENT_FAILED` is emitted.
 *
 * Flagged, not cancelled: a SEPA debit fails days after the order (CatalystPay is asked for 14 days), when the goods
 * may have shipped; Medusa's `cancelOrderWorkflow` refuses an order with fulfillments, and cancelling one that has
 * none tells the buyer "cancelled" and releases its stock where the store may rather ask for another payment. The
 * store decides, on the event or the flag. Returns false when the session was no longer awaiting (nothing done).
 * The webhook and the reconciliation may both find the failure at once: the session's change runs under a lock (the
 * store's locking module, shared between instances where the store configures one), so only one of them says it.
 */
export async function deferredPaymentFailed(
  container: MedusaContainer,
  session: SessionFacts,
  status: string,
  why?: string
): Promise<boolean> {
  const reason =
    why ??
    (status === PaymentSessionStatus.CANCELED
      ? "the session expired at the gateway"
      : "the debit failed at the gateway")
  const end = () =>
    updateSession(container, session.id, (current) =>
      current.status === PaymentSessionStatus.PENDING_AUTHORIZATION && !current.authorized_at
        ? {
            status: PaymentSessionStatus.ERROR,
            metadata: { ...(current.metadata ?? {}), [FAILED_PAYMENT_FLAG]: reason },
          }
        : undefined
    )
  const ended = await container
    .resolve<ILockingModule>(Modules.LOCKING)
    .execute(`medusa-payment-hpp:deferred-failed:${session.id}`, end, { timeout: 10 })
  if (!ended) return false
  const facts = { ...(await factsOf(container, session)).facts, reason }
  if (facts.order_id) {
    const orders = container.resolve(Modules.ORDER)
    const [order] = await orders.listOrders({ id: facts.order_id }, { select: ["id", "metadata"] })
    await orders.updateOrders(facts.order_id, {
      metadata: {
        ...(order?.metadata ?? {}),
        [FAILED_PAYMENT_FLAG]: { payment_session_id: session.id, provider_id: session.provider_id, reason },
      },
    })
  }
  container
    .resolve<Logger>(ContainerRegistrationKeys.LOGGER)
    .error(
      `medusa-payment-hpp: deferred payment of session ${session.id} (${session.provider_id}) failed: ${reason}; ` +
        `order ${facts.order_id ?? "none"} stays awaiting payment and is flagged (metadata ${FAILED_PAYMENT_FLAG}): ` +
        (why
          ? `the order's amount will not come; refund what was paid at the gateway, then ask the buyer for another payment or cancel the order`
          : `no money will come; ask the buyer for another payment or cancel the order`)
    )
  await emit(container, DEFERRED_PAYMENT_FAILED, facts)
  recordIn(container, {
    provider_id: session.provider_id,
    gateway: gatewayOfProvider(session.provider_id),
    kind: "debit_failed",
    outcome: why ? "not the order's amount" : "no money will come",
    message: `${reason} after order ${facts.order_id ?? "(none)"} was made; the order is flagged`,
    payment_session_id: session.id,
    amount: String(facts.amount),
    currency_code: facts.currency_code,
    attention_kind: "debit_failed",
    dedupe_key: `debit_failed:${session.id}`,
    // The order's payment is settled for good: no longer an order awaiting a payment of unknown amount.
    resolves: ["amount_unshown"],
  })
  return true
}

/**
 * Before Medusa's authorization asks the gateway again about a deferred payment whose order exists: tells the
 * provider so (`order_awaits_payment` in the session's data, which Medusa hands it). The gateway's answer to that
 * ask may differ from the one just heard (another amount paid, none shown, the debit failed). Without this, the
 * provider would answer `error`, which Medusa writes on the session without the order's flag or the event, and
 * would list "paid, no order" for an order that exists; with it, the provider keeps the session awaiting
 * (`pending_authorization`), and the next ask (a redelivery, the reconciliation) ends it through
 * `deferredPaymentFailed`, or lists the order as awaiting a payment whose amount is not shown. Marked only once the
 * order is there, and only while the session awaits: a session awaiting whose cart did not become an order is judged
 * as any other. (`order.placed` marks it first, src/subscribers/deferred-order-placed.ts; this covers a session that
 * event missed.)
 */
export async function markOrderAwaiting(
  container: MedusaContainer,
  session: SessionFacts & { data?: Record<string, unknown> | null }
): Promise<void> {
  if (session.data?.[ORDER_AWAITS_KEY] === true) return
  if (!(await paymentRecorded(container, session))) return
  // Only while the session still awaits: read a moment ago, it may have been settled since with an order made only
  // with the payment (Medusa's own route completing the cart), which no order awaited.
  await container.resolve(ContainerRegistrationKeys.PG_CONNECTION).raw(
    `update payment_session set data = data || jsonb_build_object(cast(? as text), true), updated_at = now()
      where id = ? and status = 'pending_authorization' and authorized_at is null and deleted_at is null
        and jsonb_typeof(data) = 'object'`,
    [ORDER_AWAITS_KEY, session.id]
  )
}

/**
 * `markOrderAwaiting` for every deferred payment of an order just placed (on `order.placed`, src/subscribers) whose
 * provider is one of `gateways`' (`pp_<gateway>_<id>`): one statement over its collections' sessions still awaiting.
 */
export async function markOrdersAwaiting(
  container: MedusaContainer,
  orderId: string,
  gateways: readonly string[]
): Promise<void> {
  await container.resolve(ContainerRegistrationKeys.PG_CONNECTION).raw(
    `update payment_session ps set data = ps.data || jsonb_build_object(cast(? as text), true), updated_at = now()
       from order_payment_collection opc
      where opc.order_id = ? and opc.deleted_at is null and ps.payment_collection_id = opc.payment_collection_id
        and ps.status = 'pending_authorization' and ps.deleted_at is null and jsonb_typeof(ps.data) = 'object'
        and (ps.data ->> ?) is null and ps.provider_id like any(?)`,
    [ORDER_AWAITS_KEY, orderId, ORDER_AWAITS_KEY, providerIdPatterns(gateways)]
  )
}

/** Whether the session is one `deferredPaymentFailed` ended (its metadata says so). */
export function endedAsFailedDeferred(session: { metadata?: Record<string, unknown> | null }): boolean {
  return Boolean(session.metadata?.[FAILED_PAYMENT_FLAG])
}

/**
 * The event's facts, and what says whether its order was there while the payment was deferred: the collection's cart
 * (none for an order's own collection, whose order always was) and the session's `order_awaits_payment`.
 */
async function factsOf(
  container: MedusaContainer,
  session: SessionFacts
): Promise<{ facts: DeferredPaymentEvent; cartId: string | null; orderAwaited: boolean }> {
  const payment = container.resolve<IPaymentModuleService>(Modules.PAYMENT)
  const [[current], payer] = await Promise.all([
    payment.listPaymentSessions({ id: session.id }, { select: ["id", "amount", "currency_code", "data"] }),
    payerOf(container, session.payment_collection_id),
  ])
  return {
    facts: {
      order_id: payer.orderId,
      payment_session_id: session.id,
      provider_id: session.provider_id,
      amount: Number(current?.amount),
      currency_code: current?.currency_code ?? "",
    },
    cartId: payer.cartId,
    orderAwaited: current?.data?.[ORDER_AWAITS_KEY] === true,
  }
}

async function emit(container: MedusaContainer, name: string, data: DeferredPaymentEvent): Promise<void> {
  await container.resolve<IEventBusModuleService>(Modules.EVENT_BUS).emit({ name, data })
}
