import { randomUUID } from "node:crypto"
import type { IPaymentModuleService, Logger, MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import { HPP_GATEWAYS, HppGateway, hppProviderOf } from "../env"
import { paidWithAnotherSession, payerOf, paymentRecorded, processHostedPayment } from "../lib/orders"
import { forgetPageToClose, GIVE_UP_AFTER_DAYS, isPageToClose, pagesDue, RETRYING_CLOSE } from "../lib/pages-to-close"
import { endPaymentSession } from "../lib/session-end"
import {
  ANOTHER_AMOUNT_PAID,
  deferredPaymentFailed,
  deferredPaymentSucceeded,
  markOrderAwaiting,
  endedAsFailedDeferred,
} from "../lib/deferred-payment"
import { registeredOptions } from "../registered-options"
import { hostedProvider, ProviderService, providerService } from "../lib/provider-access"
import { amountUnshownRecord, gatewayOfProvider, hourOf, recordIn } from "../lib/record"
import {
  dueAgain,
  DueSession,
  forgetClosed,
  neverAsked,
  noteAsked,
  OPEN_STATUSES,
  pause,
  pausedUntil,
  releaseRunLease,
  RUN_LEASE_SECONDS,
  takeRunLease,
  Window as AskWindow,
  settledUnsaid,
  windowCounts,
} from "./asks"
import { DUE_SLACK_MS, pauseAskedFor, RUN_SECONDS, runBudget } from "./schedule"

/** The decisions of the scheduled job that the plugin's record keeps (an admin's check keeps every one). */
const RECORDED_DECISIONS: ReconcileDecision[] = [
  "order made",
  "payment recorded",
  "not paid at the gateway",
  "paid, no order",
  "paid, amount not shown",
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
  | "paid, no order"
  | "paid, amount not shown"
  | "already an order"
  | "already settled"
  | "busy"
  | "not a hosted-payment session"
  | "failed"

export type ReconcileResult = { sessionId: string; provider: string; decision: ReconcileDecision; detail?: string }

type Settings = { enabled: boolean; afterMinutes: number; forHours: number; ratePerSecond: number }

/** The statuses Medusa leaves a session in until it is paid: a completion tried too early saves them. */
const OPEN: string[] = [...OPEN_STATUSES]
/** Sessions read from the database at a time. */
const BATCH = 50
/** A run longer than this says so. */
const LONG_RUN_MS = 60_000

export type ReconcileRunOptions = {
  /** The run's time (tests pass a later one to stand for time passing). */
  now?: Date
  /** How long the run may go on asking, in seconds (default 240: the job comes every 5 minutes). */
  runSeconds?: number
  /** A rate in place of every provider's `reconcileRatePerSecond` (the benchmark and the tests). */
  ratePerSecond?: number
}

/**
 * Reconciliation: a paid order even when every webhook is lost. The open sessions of this plugin's providers past
 * their grace period and younger than their maximum age are put through Medusa's own payment processing as if
 * their webhook had come: Medusa locks the cart, the provider asks the gateway (with the amount check), and a paid
 * session completes its cart into an order. A session the gateway still calls pending stays as it is.
 *
 * Every open session in the window is reached, however many there are (src/reconciliation/schedule.ts): sessions
 * never asked come first, newest first (a page just paid whose webhooks were lost is found in the first run after
 * its grace period), then the ones due again by the schedule, the longest overdue first. Each provider's questions
 * keep to its `reconcileRatePerSecond` within one run of at most `runSeconds`; a 429 stops the provider's run and
 * pauses it for the `Retry-After` the gateway gave (on every instance); a page the gateway reports ended for good is
 * not asked again. Providers run side by side, each at its own rate.
 *
 * A run never overlaps the previous one on any instance that shares the store's database: the run holds a lease in
 * the plugin's table (`hpp_reconcile_run`, renewed every 20 s, free 60 s after a process that died mid-run), not in
 * the locking module, whose in-memory default holds within one process and whose PostgreSQL provider never lets an
 * expired lock go. A run that finds the lease taken is skipped, with one line.
 */
export async function reconcileHostedPayments(
  container: MedusaContainer,
  { now = new Date(), runSeconds = RUN_SECONDS, ratePerSecond }: ReconcileRunOptions = {}
): Promise<ReconcileResult[]> {
  const logger = container.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
  const pg = container.resolve(ContainerRegistrationKeys.PG_CONNECTION)
  const owner = `reconcile:${randomUUID()}`
  try {
    if (!(await takeRunLease(pg, owner))) {
      logger.info(
        "medusa-payment-hpp reconciliation: the previous run is still going (on this or another instance); this run is skipped"
      )
      return []
    }
  } catch (error) {
    logger.error(`medusa-payment-hpp reconciliation: the run could not start: ${(error as Error).message}`)
    return []
  }
  // Renew the lease while the run goes on (a renewal in flight is awaited before the lease is given back).
  let renewal: Promise<unknown> = Promise.resolve()
  const renew = setInterval(
    () => {
      renewal = takeRunLease(pg, owner).then(
        (held) =>
          held || logger.warn("medusa-payment-hpp reconciliation: the run's lease was lost; it finishes what it holds"),
        (error: Error) =>
          logger.warn(`medusa-payment-hpp reconciliation: the run's lease could not be renewed: ${error.message}`)
      )
    },
    (RUN_LEASE_SECONDS * 1000) / 3
  )
  renew.unref()
  const started = Date.now()
  try {
    const payment = container.resolve<IPaymentModuleService>(Modules.PAYMENT)
    const providers = (await payment.listPaymentProviders({})).map((p) => p.id).filter((id) => hppProviderOf(id))
    const deadline = started + runSeconds * 1000
    const runs = await Promise.all(
      providers.map((provider) =>
        reconcileProvider(container, provider, { now, deadline, runSeconds, ratePerSecond }).catch((error: Error) => {
          logger.error(`medusa-payment-hpp reconciliation: ${provider}: the run stopped: ${error.message}`)
          return { results: [] as ReconcileResult[], summary: `${provider}: stopped (${error.message})` }
        })
      )
    )
    const took = Date.now() - started
    if (took > LONG_RUN_MS) {
      logger.warn(
        `medusa-payment-hpp reconciliation: this run took ${Math.round(took / 1000)} s (${runs.map((r) => r.summary).join("; ")}); ` +
          "runs do not overlap: a run due meanwhile was skipped"
      )
    }
    return runs.flatMap((r) => r.results)
  } finally {
    clearInterval(renew)
    await renewal
    await releaseRunLease(pg, owner).catch((error: Error) =>
      logger.warn(`medusa-payment-hpp reconciliation: the run's lease is left to expire: ${error.message}`)
    )
  }
}

/**
 * One provider's part of a run: the pages left open, then the due sessions at the provider's rate. Batches of the
 * sessions never asked (newest first) and of those due again (the longest overdue first) take turns, so that neither
 * waits for the other: a page paid a moment ago is in the first batch, and a backlog of new sessions (after an
 * upgrade, say) does not keep the pages already asked about from their next question.
 */
async function reconcileProvider(
  container: MedusaContainer,
  provider: string,
  {
    now,
    deadline,
    runSeconds,
    ratePerSecond,
  }: { now: Date; deadline: number; runSeconds: number; ratePerSecond?: number }
): Promise<{ results: ReconcileResult[]; summary: string }> {
  const logger = container.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
  const pg = container.resolve(ContainerRegistrationKeys.PG_CONNECTION)
  const settings = settingsOf(container, provider)
  if (!settings.enabled) return { results: [], summary: `${provider}: off` }
  const from = new Date(now.getTime() - settings.forHours * 3_600_000)
  // No gateway call: before a pause is looked at.
  const said = await sayDeferredSettledElsewhere(container, provider, from)
  const gateway = hppProviderOf(provider)?.gateway ?? provider
  const paused = await pausedUntil(pg, gateway, now)
  if (paused) {
    logger.info(
      `medusa-payment-hpp reconciliation: ${provider}: ${gateway} asked for a pause (429) until ${paused.toISOString()}; not asked this run`
    )
    return { results: said, summary: `${provider}: paused until ${paused.toISOString()}` }
  }
  await closeLeftOpenPages(container, provider, now)
  const window: AskWindow = {
    provider,
    from,
    to: new Date(now.getTime() - settings.afterMinutes * 60_000),
    hours: settings.forHours,
  }
  await forgetClosed(pg, window)
  const rate = ratePerSecond ?? settings.ratePerSecond
  const budget = runBudget(rate, runSeconds)
  const started = Date.now()
  const results: ReconcileResult[] = [...said]
  const asked: string[] = []
  const queues = { fresh: { last: undefined as DueSession | undefined, empty: false }, again: { empty: false } }
  let turn: "fresh" | "again" = "fresh"
  let stopped: string | undefined
  let nextAt = Date.now()
  while (!stopped && asked.length < budget.asks && !(queues.fresh.empty && queues.again.empty)) {
    if (queues[turn].empty) turn = turn === "fresh" ? "again" : "fresh"
    const take = Math.min(BATCH, budget.asks - asked.length)
    const batch =
      turn === "fresh"
        ? await neverAsked(pg, window, take, queues.fresh.last)
        : await dueAgain(pg, window, new Date(now.getTime() + DUE_SLACK_MS), take, asked)
    if (batch.length < take) queues[turn].empty = true
    for (const due of batch) {
      if (turn === "fresh") queues.fresh.last = due
      if (Date.now() >= deadline) {
        stopped = `the run's ${runSeconds} s were up`
        break
      }
      // The provider's rate: one question every 1/rate seconds.
      const wait = nextAt - Date.now()
      if (wait > 0) await sleep(wait)
      nextAt = Math.max(nextAt, Date.now()) + budget.spacingMs
      const result = await reconcilePaymentSession(container, due.id).catch((error: Error): ReconcileResult => ({
        sessionId: due.id,
        provider,
        decision: "failed",
        detail: error.message,
      }))
      results.push(result)
      asked.push(due.id)
      const pauseMs = result.decision === "failed" ? pauseAskedFor(result.detail ?? "") : undefined
      // A question the gateway turned away (429) was not answered: the session is asked first when the pause ends.
      const next = pauseMs !== undefined ? "soon" : nextAskOf(result)
      await noteAsked(pg, window, due, now, result, next)
      if (pauseMs !== undefined) {
        // From the 429, not from the run's start (`now` is the run's time; the 429 came later in it).
        const until = new Date(now.getTime() + (Date.now() - started) + pauseMs)
        await pause(pg, gateway, until, result.detail ?? "HTTP 429")
        stopped = `${gateway} answered 429: paused until ${until.toISOString()}`
        logger.warn(`medusa-payment-hpp reconciliation: ${provider}: ${stopped}`)
        break
      }
    }
    turn = turn === "fresh" ? "again" : "fresh"
  }
  const counts = await windowCounts(pg, window, now)
  const made = results.filter((r) => r.decision === "order made" || r.decision === "payment recorded").length
  const failed = results.filter((r) => r.decision === "failed").length
  const summary =
    `${provider}: asked ${asked.length} of ${counts.open} open sessions at ${rate}/s` +
    (made ? `, ${made} paid` : "") +
    (failed ? `, ${failed} failed` : "") +
    (stopped ? `; stopped: ${stopped}` : "") +
    `; ${counts.resting} not due yet`
  if (asked.length || stopped) logger.info(`medusa-payment-hpp reconciliation: ${summary}`)
  return { results, summary }
}

/** At most this many deferred payments settled elsewhere are said per provider and run (the rest, at the next). */
const SETTLED_ELSEWHERE_BATCH = 100

/**
 * Deferred payments (SEPA debits) that Medusa now holds as paid, and whose receipt nobody said: Medusa's own webhook
 * route settled them (it emits nothing for a deferred payment), or a process stopped between the capture and the
 * event. Each is said now, once (`deferredPaymentSucceeded` marks the session; a racing webhook says nothing again).
 */
async function sayDeferredSettledElsewhere(
  container: MedusaContainer,
  provider: string,
  from: Date
): Promise<ReconcileResult[]> {
  const pg = container.resolve(ContainerRegistrationKeys.PG_CONNECTION)
  const logger = container.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
  const results: ReconcileResult[] = []
  const settled = await settledUnsaid(pg, { provider, from }, SETTLED_ELSEWHERE_BATCH).catch((error: Error) => {
    logger.warn(
      `medusa-payment-hpp reconciliation: ${provider}: the deferred payments settled elsewhere could not be read: ${error.message}; the next run reads them`
    )
    return []
  })
  for (const session of settled) {
    const said = await deferredPaymentSucceeded(container, { ...session, provider_id: provider }).catch(
      (error: Error) => {
        logger.warn(
          `medusa-payment-hpp reconciliation: session ${session.id} (${provider}): its deferred payment's receipt could not be said now: ${error.message}; the next run tries again`
        )
        return "failed" as const
      }
    )
    if (said !== "said") continue
    logger.info(
      `medusa-payment-hpp reconciliation: session ${session.id} (${provider}): its deferred payment was settled and not said (through Medusa's own webhook route, or its event could not be sent); deferred_payment.succeeded emitted now`
    )
    results.push({
      sessionId: session.id,
      provider,
      decision: "already settled",
      detail:
        "the deferred payment was settled and not said (Medusa's own webhook route, or an event not sent); its receipt is said now",
    })
  }
  return results
}

/**
 * What a decision means for the session's next question (src/reconciliation/asks.ts). A page the gateway calls
 * failed stays on the schedule: at Cashflows and NetValve a buyer may try again on the same page after a decline,
 * and a page whose answer is an error for another reason (paid by another session) is asked again too, as is a
 * paid answer that shows no amount ("paid, amount not shown"); the schedule makes its questions rare. A page paid
 * for another amount ("paid, no order") is not asked again: an item for the admin. A page that ended (expired, closed) closes its session, which
 * leaves the open set.
 */
function nextAskOf(result: ReconcileResult): "schedule" | "done" | "soon" {
  switch (result.decision) {
    case "busy":
      return "soon"
    case "still pending at the gateway":
    case "awaiting payment":
    case "not paid at the gateway":
    case "paid, amount not shown":
    case "failed":
      return "schedule"
    default:
      // Paid (an order now), settled, paid with another session or for another amount (an item for the admin, not a
      // question for the gateway), not a session of the plugin.
      return "done"
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

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

/**
 * An admin's "check with the gateway now" (POST /admin/hpp/payment-sessions/:id/reconcile): the check below, whose
 * answer the job's schedule keeps too (a page the gateway calls pending leaves "needs attention", as after the
 * job's own question).
 */
export async function checkPaymentSessionNow(container: MedusaContainer, sessionId: string): Promise<ReconcileResult> {
  const result = await reconcilePaymentSession(container, sessionId, { onDemand: true })
  if (result.decision === "not a hosted-payment session" || result.decision === "busy") return result
  const pg = container.resolve(ContainerRegistrationKeys.PG_CONNECTION)
  const { rows } = await pg.raw(`select created_at from payment_session where id = ?`, [sessionId])
  if (rows[0]) {
    const session = { id: sessionId, createdAt: new Date(rows[0].created_at as string) }
    const window = { provider: result.provider, hours: settingsOf(container, result.provider).forHours }
    await noteAsked(pg, window, session, new Date(), result, nextAskOf(result))
  }
  return result
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
    // The job's "still pending" for an abandoned page, at every scheduled question, is not news.
    else if (decision === "still pending at the gateway" && !onDemand) logger.debug(line)
    else logger.info(line)
    // In the record: what changed something, and every check an admin asked for (a job's "still pending" for an
    // abandoned page, every five minutes, is not news).
    if (session && (onDemand || RECORDED_DECISIONS.includes(decision))) {
      const gateway = gatewayOfProvider(session.provider_id)
      const about = {
        provider_id: session.provider_id,
        gateway,
        payment_session_id: sessionId,
        gateway_reference: (session.data?.gateway_reference as string | undefined) ?? null,
        amount: String(session.amount),
        currency_code: session.currency_code,
      }
      recordIn(container, {
        ...about,
        kind: "reconciliation",
        outcome: decision,
        message: `${onDemand ? "checked by an admin" : "reconciliation"}: ${decision}${detail ? `: ${detail}` : ""}`,
        resolves:
          decision === "order made" || decision === "payment recorded" ? ["paid_no_order", "amount_unshown"] : [],
        // The job repeats a decision every run (a gateway down for hours, a page already an order): one row per
        // session, decision and hour, counted. An admin's check is always a row of its own.
        dedupe_key: onDemand ? null : `reconciliation:${sessionId}:${decision}:${hourOf()}`,
      })
      // A deferred payment's order awaits a payment the gateway calls paid without its amount: an item for the
      // admin (the provider lists a page with no order itself; this one has its order).
      if (decision === "paid, amount not shown" && session.status === PaymentSessionStatus.PENDING_AUTHORIZATION) {
        recordIn(container, amountUnshownRecord(about, HPP_GATEWAYS[gateway as HppGateway]?.gateway ?? gateway))
      }
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
 * The provider's word on a session, asked directly where Medusa's payment module lets us (src/lib/provider-access.ts),
 * with whether it is a payment for another amount (never an order). Without access, the payment processing below
 * asks the provider itself.
 */
async function providerStatus(
  container: MedusaContainer,
  session: { provider_id: string; data: Record<string, unknown> },
  { deferred }: { deferred: boolean }
): Promise<{ status: string; paidAnotherAmount: boolean; paidAmountUnshown: boolean } | undefined> {
  const provider = hostedProvider(container, session.provider_id)
  // A deferred payment's order exists already: another amount paid is not "no order", the order is flagged below.
  if (provider) return provider.statusWithReason(session.data, { listPaidNoOrder: !deferred })
  const providers = providerService(container)
  if (!providers) return undefined
  const { status } = await providers.getStatus(session.provider_id, { data: session.data })
  return { status, paidAnotherAmount: false, paidAmountUnshown: false }
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
  const deferred = session.status === PaymentSessionStatus.PENDING_AUTHORIZATION
  // A session the gateway still calls pending is left as it is, without a failing authorization each run.
  const word = await providerStatus(container, session, { deferred }).catch((error: Error) => ({
    status: `unknown (${error.message})`,
    paidAnotherAmount: false,
    paidAmountUnshown: false,
  }))
  const anotherAmount = word?.paidAnotherAmount ?? false
  if (anotherAmount && !deferred) {
    // Paid at the gateway, but not the session's amount (the provider logged both and listed it for the admin):
    // never an order, and no later answer changes that.
    return say("paid, no order", "the gateway's amount is not the session's; refund (or void) it at the gateway")
  }
  if (word?.paidAmountUnshown) {
    // Paid, says the gateway, with no amount or currency to check: not "not paid", and no payment on that word.
    // Asked again on the schedule: a later answer may show the amount. The provider lists a page with no order for
    // the admin; a deferred payment's order exists and awaits payment, listed here as such.
    return say(
      "paid, amount not shown",
      deferred
        ? "the gateway says paid but shows no amount (or currency) to check: the order still awaits payment; asked again later"
        : "the gateway says paid but shows no amount (or currency) to check: no order; asked again later"
    )
  }
  const asked = word?.status
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
  if (deferred && (asked === PaymentSessionStatus.ERROR || asked === PaymentSessionStatus.CANCELED)) {
    // A deferred payment (a SEPA debit) that failed or expired, whose order may already exist awaiting payment:
    // Medusa has no payment to cancel, so the plugin ends the session, flags the order and says so (an event).
    // Another amount paid than the order's is no payment of the order either (the provider logged both amounts).
    const why = anotherAmount ? ANOTHER_AMOUNT_PAID : undefined
    const failed = await deferredPaymentFailed(container, session, asked, why)
    return say(
      "not paid at the gateway",
      failed ? `${why ?? asked}: the deferred payment failed; the order is flagged` : asked
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
  // A deferred payment's order: Medusa's authorization must not end it on an answer unlike the one just heard.
  if (deferred) await markOrderAwaiting(container, session)
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
    const receipt = deferred ? await deferredPaymentSucceeded(container, session) : undefined
    const { cartId, orderId } = await payerOf(container, session.payment_collection_id)
    if (receipt === "order canceled") {
      return say("payment recorded", `on order ${orderId}, canceled before the payment came: listed to refund`)
    }
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
function settingsOf(container: MedusaContainer, provider: string): Settings {
  const options = registeredOptions(container, provider)
  return options
    ? {
        enabled: options.reconcile,
        afterMinutes: options.reconcileAfterMinutes,
        forHours: options.reconcileForHours,
        ratePerSecond: options.reconcileRatePerSecond,
      }
    : { enabled: false, afterMinutes: 0, forHours: 0, ratePerSecond: 1 }
}
