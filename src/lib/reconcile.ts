import type {
  FilterablePaymentSessionProps,
  IPaymentModuleService,
  Logger,
  MedusaContainer,
} from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import { hppProviderOf } from "../env"
import { paidWithAnotherSession, payerOf, paymentRecorded, processHostedPayment } from "./orders"
import { forgetPageToClose, GIVE_UP_AFTER_DAYS, isPageToClose, pagesDue, RETRYING_CLOSE } from "./pages-to-close"
import { endPaymentSession } from "./session-end"
import { deferredPaymentFailed, deferredPaymentSucceeded, endedAsFailedDeferred } from "./deferred-payment"
import { registeredOptions } from "./provider-options"
import { ProviderService, providerService } from "./provider-access"
import { gatewayOfProvider, hourOf, recordIn } from "./record"

/** The decisions of the scheduled job that the plugin's record keeps (an admin's check keeps every one). */
const RECORDED_DECISIONS: ReconcileDecision[] = [
  "order made",
  "payment recorded",
  "not paid at the gateway",
  "already an order",
  "failed",
]

/** What the reconciliation did with one session, as its log line and the admin route say. */
export type ReconcileDecision =
  | "order made"
  | "payment recorded"
  | "awaiting payment"
  | "still pending at the gateway"
  | "not paid at the gateway"
  | "already an order"
  | "already settled"
  | "busy"
  | "not a hosted-payment session"
  | "failed"

export type ReconcileResult = { sessionId: string; provider: string; decision: ReconcileDecision; detail?: string }

type Window = { enabled: boolean; afterMinutes: number; forHours: number }

const BATCH = 20
/** At most this many batches per provider and run, so that one run stays short. */
const MAX_BATCHES = 10
/** The statuses Medusa leaves a session in until it is paid: a completion tried too early saves them. */
const OPEN: string[] = [
  PaymentSessionStatus.PENDING,
  PaymentSessionStatus.PENDING_AUTHORIZATION,
  PaymentSessionStatus.REQUIRES_MORE,
  PaymentSessionStatus.ERROR,
]

/**
 * Reconciliation: a paid order even when every webhook is lost. Every session of this plugin's providers
 * still pending (or pending authorization) after the provider's grace period, and younger than its maximum
 * age, is put through Medusa's own payment processing as if its webhook had come: Medusa locks the cart,
 * the provider asks the gateway (with the amount check), and a paid session completes its cart into an
 * order. A session the gateway still calls pending stays as it is. Small batches, one line per decision,
 * and never two runs on one session at once (the locking module's lock, shared across instances when the
 * store configures one).
 */
export async function reconcileHostedPayments(
  container: MedusaContainer,
  { now = new Date(), batch = BATCH }: { now?: Date; batch?: number } = {}
): Promise<ReconcileResult[]> {
  const payment = container.resolve<IPaymentModuleService>(Modules.PAYMENT)
  const providers = (await payment.listPaymentProviders({})).map((p) => p.id).filter((id) => hppProviderOf(id))
  const results: ReconcileResult[] = []
  for (const provider of providers) {
    const window = windowOf(container, provider)
    if (!window.enabled) continue
    await closeLeftOpenPages(container, provider, now)
    // Medusa's filter type leaves out `status`, which the session table has and its service filters by.
    const filters: FilterablePaymentSessionProps & { status: PaymentSessionStatus[] } = {
      provider_id: provider,
      status: OPEN as PaymentSessionStatus[],
      created_at: {
        $lte: new Date(now.getTime() - window.afterMinutes * 60_000).toISOString(),
        $gte: new Date(now.getTime() - window.forHours * 3_600_000).toISOString(),
      },
    }
    // Page through the window: sessions the gateway still calls unpaid stay in it, and must not hide later ones.
    for (let page = 0; page < MAX_BATCHES; page++) {
      const sessions = await payment.listPaymentSessions(filters, {
        take: batch,
        skip: page * batch,
        order: { created_at: "ASC" },
      })
      for (const session of sessions) {
        results.push(await reconcilePaymentSession(container, session.id))
      }
      if (sessions.length < batch) break
    }
  }
  return results
}

/**
 * Closes the hosted pages that deleted sessions of this provider left open (src/lib/pages-to-close.ts): each due
 * page goes to the provider's `deletePayment` again, which closes it (and forgets it) or records another try.
 * Keyed by gateway: a store with two providers of one gateway (two accounts) has each try the other's pages too.
 */
async function closeLeftOpenPages(container: MedusaContainer, provider: string, now: Date): Promise<void> {
  const logger = container.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
  const pg = container.resolve(ContainerRegistrationKeys.PG_CONNECTION)
  const service = providerService(container)
  const known = hppProviderOf(provider)?.gateway
  if (!service || !known) return
  const [providers, gateway]: [ProviderService, string] = [service, known]
  let due: Awaited<ReturnType<typeof pagesDue>>
  try {
    due = await pagesDue(pg, gateway, now)
  } catch (error) {
    logger.error(
      `medusa-payment-hpp reconciliation: the pages left open could not be read: ${(error as Error).message}`
    )
    return
  }
  for (const page of due) {
    await closeLeftOpenPage(page).catch((error: Error) =>
      logger.error(`medusa-payment-hpp reconciliation: page ${page.gatewayReference} (${provider}): ${error.message}`)
    )
  }

  async function closeLeftOpenPage(page: Awaited<ReturnType<typeof pagesDue>>[number]) {
    const what = `medusa-payment-hpp reconciliation: page ${page.gatewayReference} of deleted session ${page.sessionId} (${provider})`
    if (now.getTime() - page.createdAt.getTime() > GIVE_UP_AFTER_DAYS * 86_400_000) {
      await forgetPageToClose(pg, gateway, page.gatewayReference)
      logger.error(
        `${what}: still not closed after ${GIVE_UP_AFTER_DAYS} days and ${page.attempts} tries; given up: check it in the dashboard`
      )
      return
    }
    await providers.deleteSession(provider, { data: { ...page.data, [RETRYING_CLOSE]: true } }).catch(() => undefined)
    const still = await isPageToClose(pg, gateway, page.gatewayReference)
    logger.info(`${what}: ${still ? "still open, tried again later" : "closed"}`)
  }
}

/** The same check for one payment session, on demand (the admin route). */
export async function reconcilePaymentSession(
  container: MedusaContainer,
  sessionId: string,
  { onDemand = false }: { onDemand?: boolean } = {}
): Promise<ReconcileResult> {
  const logger = container.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
  const payment = container.resolve<IPaymentModuleService>(Modules.PAYMENT)
  const [session] = await payment.listPaymentSessions(
    { id: sessionId },
    {
      select: ["id", "amount", "currency_code", "status", "provider_id", "payment_collection_id", "data", "metadata"],
    }
  )
  const say = (decision: ReconcileDecision, detail?: string): ReconcileResult => {
    const result = { sessionId, provider: session?.provider_id ?? "?", decision, detail }
    const line = `medusa-payment-hpp reconciliation: session ${sessionId} (${result.provider}): ${decision}${detail ? `: ${detail}` : ""}`
    if (decision === "failed") logger.error(line)
    else logger.info(line)
    // In the record: what changed something, and every check an admin asked for (a job's "still pending" for an
    // abandoned page, every five minutes, is not news).
    if (session && (onDemand || RECORDED_DECISIONS.includes(decision))) {
      recordIn(container, {
        provider_id: session.provider_id,
        gateway: gatewayOfProvider(session.provider_id),
        kind: "reconciliation",
        outcome: decision,
        message: `${onDemand ? "checked by an admin" : "reconciliation"}: ${decision}${detail ? `: ${detail}` : ""}`,
        payment_session_id: sessionId,
        gateway_reference: (session.data?.gateway_reference as string | undefined) ?? null,
        amount: String(session.amount),
        currency_code: session.currency_code,
        resolves: decision === "order made" || decision === "payment recorded" ? ["paid_no_order"] : [],
        // The job repeats a decision every run (a gateway down for hours, a page already an order): one row per
        // session, decision and hour, counted. An admin's check is always a row of its own.
        dedupe_key: onDemand ? null : `reconciliation:${sessionId}:${decision}:${hourOf()}`,
      })
    }
    return result
  }
  if (!session || !hppProviderOf(session.provider_id)) {
    return say("not a hosted-payment session")
  }
  if (!OPEN.includes(session.status)) {
    return say("already settled", `the session is ${session.status}`)
  }
  if (endedAsFailedDeferred(session)) {
    // A deferred payment that failed after its order (flagged then): final, not asked again.
    return say("already settled", "the deferred payment failed at the gateway; its order is flagged")
  }
  const pending = session.status !== PaymentSessionStatus.PENDING_AUTHORIZATION
  if (pending && (await paidWithAnotherSession(container, session))) {
    // The cart became an order (or the order's collection was paid) with another session: this page must not add
    // a second payment.
    return say(
      "already an order",
      "paid with another payment session; a payment on this page needs a refund at the gateway"
    )
  }
  const locking = container.resolve(Modules.LOCKING)
  let settling = false
  try {
    const run = () => {
      settling = true
      return settle(container, session, say)
    }
    return await locking.execute(`medusa-payment-hpp:reconcile:${sessionId}`, run, { timeout: 1 })
  } catch (error) {
    // Only the lock's own refusal means another run has this session; anything else is a failure to report.
    return settling ? say("failed", (error as Error).message) : say("busy", (error as Error).message)
  }
}

/**
 * The provider's word on a session, asked directly where Medusa's payment module lets us (src/lib/provider-access.ts).
 * Without it, the payment processing below asks the provider itself.
 */
async function providerStatus(
  container: MedusaContainer,
  session: { provider_id: string; data: Record<string, unknown> }
): Promise<string | undefined> {
  const providers = providerService(container)
  if (!providers) return undefined
  return (await providers.getStatus(session.provider_id, { data: session.data })).status
}

async function settle(
  container: MedusaContainer,
  session: {
    id: string
    amount: unknown
    payment_collection_id: string
    provider_id: string
    status: string
    data: Record<string, unknown>
  },
  say: (decision: ReconcileDecision, detail?: string) => ReconcileResult
): Promise<ReconcileResult> {
  // A session the gateway still calls pending is left as it is, without a failing authorization each run.
  const asked = await providerStatus(container, session).catch((error: Error) => `unknown (${error.message})`)
  if (asked === PaymentSessionStatus.PENDING || asked === PaymentSessionStatus.REQUIRES_MORE) {
    return say("still pending at the gateway", asked)
  }
  if (asked?.startsWith("unknown")) {
    return say("failed", `the gateway could not be asked: ${asked}; the next run asks again`)
  }
  const payable: string[] = [
    PaymentSessionStatus.AUTHORIZED,
    PaymentSessionStatus.CAPTURED,
    PaymentSessionStatus.PENDING_AUTHORIZATION,
  ]
  const deferred = session.status === PaymentSessionStatus.PENDING_AUTHORIZATION
  if (deferred && (asked === PaymentSessionStatus.ERROR || asked === PaymentSessionStatus.CANCELED)) {
    // A deferred payment (a SEPA debit) that failed or expired, whose order may already exist awaiting payment:
    // Medusa has no payment to cancel, so the plugin ends the session, flags the order and says so (an event).
    const failed = await deferredPaymentFailed(container, session, asked)
    return say(
      "not paid at the gateway",
      failed ? `${asked}: the deferred payment failed; the order is flagged` : asked
    )
  }
  if (asked === PaymentSessionStatus.CANCELED) {
    // Ended at the gateway (expired, closed, or paid and the money gone back: the provider's log says which):
    // recorded on the session, which leaves the open set, so no later run asks again.
    await endPaymentSession(container, session.id)
    return say("not paid at the gateway", "canceled at the gateway; the session is closed and not asked again")
  }
  if (asked && !payable.includes(asked)) {
    return say("not paid at the gateway", asked)
  }
  const input = { action: PaymentActions.AUTHORIZED, data: { session_id: session.id, amount: Number(session.amount) } }
  const { errors } = await processHostedPayment(container, session, input)
  const payment = container.resolve<IPaymentModuleService>(Modules.PAYMENT)
  const [after] = await payment.listPaymentSessions({ id: session.id })
  const ordered = await paymentRecorded(container, session)
  if (ordered && after?.status === PaymentSessionStatus.PENDING_AUTHORIZATION) return say("awaiting payment")
  if (
    ordered &&
    (after?.status === PaymentSessionStatus.AUTHORIZED || after?.status === PaymentSessionStatus.CAPTURED)
  ) {
    // A deferred payment that has now settled: Medusa emits nothing for it, the plugin does.
    if (deferred) await deferredPaymentSucceeded(container, session)
    const { cartId, orderId } = await payerOf(container, session.payment_collection_id)
    return cartId ? say("order made") : say("payment recorded", orderId ? `on order ${orderId}` : undefined)
  }
  if (after?.status === PaymentSessionStatus.CANCELED) {
    // The provider's authorization found the page ended at the gateway, and Medusa kept that on the session.
    return say("not paid at the gateway", "canceled at the gateway; the session is closed and not asked again")
  }
  const message = (errors?.[0]?.error as Error | undefined)?.message ?? ""
  if (/was not authorized with the provider/.test(message) || after?.status === PaymentSessionStatus.PENDING) {
    return say("still pending at the gateway", after?.status)
  }
  return say("failed", message || `the session is ${after?.status ?? "gone"}`)
}

/** The provider's reconciliation options, from medusa-config (defaults where it sets none). */
function windowOf(container: MedusaContainer, provider: string): Window {
  const options = registeredOptions(container, provider)
  return options
    ? { enabled: options.reconcile, afterMinutes: options.reconcileAfterMinutes, forHours: options.reconcileForHours }
    : { enabled: false, afterMinutes: 0, forHours: 0 }
}
