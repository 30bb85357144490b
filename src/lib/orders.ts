import type {
  CreateOrderTransactionDTO,
  IPaymentModuleService,
  MedusaContainer,
  WebhookActionResult,
} from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, PaymentSessionStatus } from "@medusajs/framework/utils"
import { createWorkflow, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { addOrderTransactionStep, processPaymentWorkflow } from "@medusajs/core-flows"
import { gatewayOfProvider, recordIn } from "./record"

/**
 * What a payment collection pays for. A checkout's collection belongs to a cart, which becomes an order when the
 * cart completes. An order edit, claim or exchange that asks the buyer for more money makes a collection of the
 * order itself, with no cart: Medusa authorizes its sessions only through the payment processing, and makes no
 * order from them (the order exists).
 */
export type Payer = { cartId: string | null; orderId: string | null }

type SessionRef = { id: string; payment_collection_id: string; provider_id?: string }

export async function payerOf(container: MedusaContainer, paymentCollectionId: string): Promise<Payer> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const [{ data: carts }, { data: orders }] = await Promise.all([
    query.graph({
      entity: "cart_payment_collection",
      fields: ["cart_id"],
      filters: { payment_collection_id: paymentCollectionId },
    }),
    query.graph({
      entity: "order_payment_collection",
      fields: ["order_id"],
      filters: { payment_collection_id: paymentCollectionId },
    }),
  ])
  return {
    cartId: (carts[0] as { cart_id?: string } | undefined)?.cart_id ?? null,
    orderId: (orders[0] as { order_id?: string } | undefined)?.order_id ?? null,
  }
}

/** Whether the cart has become an order. */
async function cartOrdered(container: MedusaContainer, cartId: string): Promise<boolean> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "order_cart", fields: ["order_id"], filters: { cart_id: cartId } })
  return data.length > 0
}

type RecordedPayment = { id: string; payment_session_id: string; canceled_at: string | null }

/** The payments Medusa recorded on the collection, with the session each came from. */
async function paymentsOf(container: MedusaContainer, paymentCollectionId: string): Promise<RecordedPayment[]> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "payment",
    fields: ["id", "payment_session_id", "canceled_at"],
    filters: { payment_collection_id: paymentCollectionId },
  })
  return data as unknown as RecordedPayment[]
}

/**
 * Whether Medusa's books hold what this session's processing was for. A checkout: the cart's order exists (paid,
 * or awaiting a deferred payment). An order's own collection: the session's payment exists, or the session awaits
 * a deferred payment (`pending_authorization`, which its gateway's next word settles).
 */
export async function paymentRecorded(container: MedusaContainer, session: SessionRef): Promise<boolean> {
  const payer = await payerOf(container, session.payment_collection_id)
  if (payer.cartId) return cartOrdered(container, payer.cartId)
  const payments = await paymentsOf(container, session.payment_collection_id)
  if (payments.some((p) => p.payment_session_id === session.id && !p.canceled_at)) return true
  const payment = container.resolve<IPaymentModuleService>(Modules.PAYMENT)
  const [current] = await payment.listPaymentSessions({ id: session.id }, { select: ["id", "status"] })
  return current?.status === PaymentSessionStatus.PENDING_AUTHORIZATION
}

/**
 * Whether what this session pays for was paid with another session: the cart's order exists (made with another
 * payment), or the order's collection holds another session's payment. A payment on this page is then one too
 * many, and needs a refund at the gateway.
 */
export async function paidWithAnotherSession(container: MedusaContainer, session: SessionRef): Promise<boolean> {
  const payer = await payerOf(container, session.payment_collection_id)
  if (payer.cartId) return cartOrdered(container, payer.cartId)
  const payments = await paymentsOf(container, session.payment_collection_id)
  return payments.some((p) => p.payment_session_id !== session.id && !p.canceled_at)
}

/** How long a delivery waits for another one processing the same collection with no cart (Medusa locks carts). */
const COLLECTION_LOCK_SECONDS = 30

/**
 * Medusa's payment processing for one of our sessions, as a webhook would have it run (`processPaymentWorkflow`:
 * for a cart, its lock, the authorization and the cart's completion). For a collection with no cart, Medusa takes
 * no lock (two deliveries at once both ask the gateway; the loser fails on Medusa's one payment per session and
 * cancels with the winner's data, which the providers refuse to act on), and records the payment without the order's transactions
 * where the provider captured at once (the order would still show the money owed): so this holds a lock on the
 * collection, and then adds the captures' order transactions as Medusa's `authorizePaymentSessionForOrderWorkflow`
 * does (a transaction already there is not added twice).
 */
export async function processHostedPayment(
  container: MedusaContainer,
  session: SessionRef,
  input: WebhookActionResult
): Promise<{ errors: { error: unknown }[] }> {
  const run = async () => {
    const { errors } = await processPaymentWorkflow(container).run({ input, throwOnError: false })
    return { errors: (errors ?? []) as { error: unknown }[] }
  }
  const payer = await payerOf(container, session.payment_collection_id)
  if (payer.cartId) return run()
  const locking = container.resolve(Modules.LOCKING)
  return locking.execute(
    `medusa-payment-hpp:collection:${session.payment_collection_id}`,
    async () => {
      const result = await run()
      if (payer.orderId) await onTheOrdersBooks(container, payer.orderId, session)
      return result
    },
    { timeout: COLLECTION_LOCK_SECONDS }
  )
}

/** Medusa's own step (it skips a transaction whose capture is already on the order), as a workflow of the plugin. */
const recordOrderCapturesWorkflow = createWorkflow(
  "medusa-payment-hpp-record-order-captures",
  (transactions: CreateOrderTransactionDTO[]) => new WorkflowResponse(addOrderTransactionStep(transactions))
)

/**
 * The captures on the order's books. A failure is thrown (a webhook is then delivered again, which tries again) and
 * is an item for "needs attention": the reconciliation does not come back to a session Medusa holds as paid.
 */
async function onTheOrdersBooks(container: MedusaContainer, orderId: string, session: SessionRef): Promise<void> {
  try {
    await recordOrderCaptures(container, orderId, session.id)
  } catch (error) {
    const providerId = session.provider_id ?? null
    recordIn(container, {
      provider_id: providerId,
      gateway: providerId ? gatewayOfProvider(providerId) : "?",
      kind: "paid_no_order",
      outcome: "not on the order's books",
      message:
        `the payment is captured, but its capture could not be added to order ${orderId}'s transactions ` +
        `(${(error as Error).message}): the order still shows it owed. A redelivered webhook tries again`,
      payment_session_id: session.id,
      attention_kind: "paid_no_order",
      dedupe_key: `not_on_books:${session.id}`,
    })
    throw error
  }
}

/** The order transactions of the session's captures (the payment's money on the order's books). */
async function recordOrderCaptures(container: MedusaContainer, orderId: string, sessionId: string): Promise<void> {
  const payment = container.resolve<IPaymentModuleService>(Modules.PAYMENT)
  const payments = await payment.listPayments(
    { payment_session_id: sessionId },
    { select: ["id", "currency_code", "canceled_at"], relations: ["captures"] }
  )
  const transactions = payments
    .filter((p) => !p.canceled_at)
    .flatMap((p) =>
      (p.captures ?? []).map<CreateOrderTransactionDTO>((capture) => ({
        order_id: orderId,
        amount: capture.raw_amount ?? capture.amount,
        currency_code: p.currency_code,
        reference: "capture",
        reference_id: capture.id,
      }))
    )
  if (transactions.length) await recordOrderCapturesWorkflow(container).run({ input: transactions })
}
