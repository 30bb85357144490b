import type { IPaymentModuleService, MedusaContainer, PaymentSessionDTO } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, PaymentSessionStatus } from "@medusajs/framework/utils"

/**
 * Records on a payment session that it ended unpaid at the gateway (the page expired or was closed, or it was
 * paid and the money went back before an order): its status becomes `canceled`, which takes it out of the
 * reconciliation's open set, so nobody asks the gateway about it again. Its data stays as it is. Medusa's update
 * passes the session's own amount and data to the provider, which keeps them (nothing is sent to the gateway).
 */
export async function endPaymentSession(container: MedusaContainer, sessionId: string): Promise<void> {
  // Only a session still open, and never one whose payment Medusa took meanwhile (a cart completion that won
  // the race with this decision): Medusa's own records then say what happened.
  await updateSession(container, sessionId, (session) =>
    OPEN.includes(session.status) && !session.authorized_at ? { status: PaymentSessionStatus.CANCELED } : undefined
  )
}

const OPEN: string[] = [PaymentSessionStatus.PENDING, PaymentSessionStatus.REQUIRES_MORE, PaymentSessionStatus.ERROR]

/**
 * Adds keys to a session's stored data, which Medusa's authorization reads (and hands the provider): what an
 * authenticated webhook added (src/lib/hosted-provider.ts `withWebhookWord`: the keys it added or changed), or that
 * a deferred payment's order exists (src/lib/deferred-payment.ts `markOrderAwaiting`). The rest of the data stays as
 * stored. One statement merging those keys into the stored data where it is: Medusa's update would read the session,
 * hand it to the provider and write the whole data back, some 10 ms on the webhook's way to its order, and a key
 * another writer changed in between would be written back as it was.
 */
export async function addSessionData(
  container: MedusaContainer,
  sessionId: string,
  added: Record<string, unknown>
): Promise<void> {
  await container.resolve(ContainerRegistrationKeys.PG_CONNECTION).raw(
    `update payment_session set data = coalesce(data, '{}'::jsonb) || cast(? as jsonb), updated_at = now()
       where id = ? and deleted_at is null`,
    [JSON.stringify(added), sessionId]
  )
}

/**
 * Medusa's update of a session, with its own amount and currency (the provider then keeps the page as it is).
 * `change` sees the session as stored and says what to change, or undefined for nothing; true when it changed.
 */
export async function updateSession(
  container: MedusaContainer,
  sessionId: string,
  change: (
    session: PaymentSessionDTO
  ) => { status?: PaymentSessionStatus; data?: Record<string, unknown>; metadata?: Record<string, unknown> } | undefined
): Promise<boolean> {
  const payment = container.resolve<IPaymentModuleService>(Modules.PAYMENT)
  const [session] = await payment.listPaymentSessions(
    { id: sessionId },
    { select: ["id", "amount", "currency_code", "data", "status", "authorized_at", "metadata"] }
  )
  const update = session && change(session)
  if (!update) return false
  await payment.updatePaymentSession({
    id: session.id,
    amount: session.amount,
    currency_code: session.currency_code,
    data: update.data ?? session.data ?? {},
    ...(update.status ? { status: update.status } : {}),
    // Medusa's update takes metadata, though its input type leaves it out.
    ...(update.metadata ? { metadata: update.metadata } : {}),
  } as Parameters<IPaymentModuleService["updatePaymentSession"]>[0])
  return true
}
