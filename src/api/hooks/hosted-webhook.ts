import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import type { IPaymentModuleService, Logger } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import { refundPaymentWorkflow, RefundPaymentWorkflowInput } from "@medusajs/core-flows"
import type { HostedWebhookResult } from "../../lib/hosted-provider"
import { isGatewayUnavailable } from "../../lib/errors"
import { MADE_AT_GATEWAY } from "../../lib/ledger"
import { paymentRecorded, processHostedPayment } from "../../lib/orders"
import { endPaymentSession, addSessionData } from "../../lib/session-end"
import {
  deferredPaymentFailed,
  deferredPaymentSucceeded,
  markOrderAwaiting,
  ANOTHER_AMOUNT_PAID,
  endedAsFailedDeferred,
  FAILED_BEFORE_WORDS,
} from "../../lib/deferred-payment"
import type { RawWebhook } from "../../lib/webhook"
import {
  amountUnshownRecord,
  amountUnshownWords,
  digestOf,
  minuteOf,
  paidNoOrderRecord,
  RecordInput,
  recordIn,
} from "../../lib/record"
import { deliveryKey, InFlight, Shared } from "../../lib/in-flight"
import { CORE_ROUTE_HEADER } from "../../lib/core-route-record"

/**
 * The plugin's webhook route of one gateway, `POST /hooks/<gateway>/<id>` for the provider registered with
 * `id`. Medusa's core route answers 200 before it checks anything and processes 5 s later, so a failure
 * there is lost for good: the gateway has its 200. This route verifies, runs Medusa's own payment
 * processing (cart lock, authorization through the provider, cart completion), and only then answers:
 *
 * - 200 (with `acknowledge`'s body where the gateway wants one) when the order exists (for an order edit, claim or
 *   exchange, whose collection has no cart: when the payment exists) or there is nothing to do;
 * - 401 for a webhook not proven to come from the gateway; 400 for a body that is not the gateway's;
 *   404 for an unknown provider id; 422 for a verified webhook that names no live session of this provider,
 *   or a payment that cannot become an order (logged as an error: "paid at the gateway, no order");
 * - 503 when it could not be done now (the gateway could not be asked, or was asked about the same page a
 *   moment ago; the database or the cart lock timed out; it says paid but shows no amount to check, for up to
 *   `PAID_CLAIM_PATIENCE_HOURS` after the page was made), so that the gateway delivers it again.
 *
 * A sender outside the provider's `webhookAllowedIps` never gets here: `refuseUnlistedSenders` answers 403 first.
 *
 * Copies of one delivery that arrive while it is being processed (a gateway sending the same webhook many times at
 * once) share that processing: they wait for its answer and are given the same status and body, without asking the
 * gateway or waiting for the cart lock, so that the last of them is answered when the first is, not one cart lock
 * after another (NetValve waits 5 s for a reply). What they share is in `deliveriesInFlight`:
 *
 * - A copy is the same provider, the same raw body and the same headers but those a hop or a connection changes
 *   (`deliveryKey`): what authenticates a delivery (HitPay's `Hitpay-Signature` or v1 `hmac` field, CatalystPay's
 *   `X-CatalystPay-Signature`, NetValve's agreed header) is in its key. A forgery of the body with a bad signature
 *   that arrives first is not a copy of the genuine delivery, which is processed on its own and not answered the
 *   forgery's 401. Cashflows signs nothing: its body is all there is, and a forged copy of a genuine notification
 *   is the notification (the provider asks Cashflows either way). A delivery that shares a genuine one's key
 *   carries its body and signature: a replay, which would pass the check on its own too; sharing only gives it
 *   sooner the answer it would get, and changes nothing in the store. So a header named like a per-hop one
 *   (`x-forwarded-…`, left out of the key) must never be what authenticates (NetValve's is the merchant's choice).
 * - Only while the first copy runs: one that arrives after its answer is processed anew, as before (Medusa and the
 *   plugin make one order however often it comes). Nothing is kept once answered; at most 1,000 deliveries are
 *   shared at once (past that, a delivery runs on its own), and one whose processing throws answers 503, to its
 *   copies too, and is forgotten.
 * - The record has the first copy's verdict, and the others as one "duplicate" row with their count (or, for a
 *   refusal counted per minute, in that count); they settle nothing of their own.
 * - Each process shares its own deliveries: copies that reach two instances of the server are processed once in
 *   each (Medusa's cart lock and the plugin's checks still make one order).
 *
 * The body never tells the caller a detail of the store: the log says why.
 */
export function hostedWebhookRoute(gateway: {
  id: string
  name: string
  acknowledge?: (payload: RawWebhook) => unknown
}) {
  return async (req: MedusaRequest, res: MedusaResponse) => {
    const logger = req.scope.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
    const paymentModule = req.scope.resolve<IPaymentModuleService>(Modules.PAYMENT)
    const payload = {
      data: (req.body ?? {}) as Record<string, unknown>,
      rawData: (req as MedusaRequest & { rawBody?: Buffer }).rawBody ?? "",
      // Without the mark of Medusa's route: this route records its own verdicts.
      headers: withoutCoreRouteMark(req.headers),
    }
    const providerId = `pp_${gateway.id}_${req.params.id}`
    /** The payment the webhook turned out to be about, once known: for the record. */
    let about: { sessionId: string; gatewayReference: string; amount: string; currency: string } | undefined
    let registered = false
    /** The record of this delivery's verdict, once written: the followers' are counted beside it. */
    let recorded: RecordInput | undefined
    const answer = (status: number, message: string, note?: Note): Reply => {
      if (registered) recordVerdict(status, message, note)
      if (status === 200 && gateway.acknowledge) return { status: 200, body: gateway.acknowledge(payload) }
      return { status, body: { message } }
    }

    /**
     * The webhook and its verdict in the plugin's record. One about no known payment (a forgery, a stranger, a
     * gateway that could not be asked) is counted per reason and minute, not written once per request. A paid
     * payment that cannot become an order is also an item for "needs attention".
     */
    function recordVerdict(status: number, message: string, note: Note | undefined) {
      const outcome = note?.outcome ?? (status === 200 ? "applied" : status === 503 ? "asked again" : `refused`)
      const words = note?.words ?? message
      const common = {
        provider_id: providerId,
        gateway: gateway.id,
        payment_session_id: about?.sessionId ?? null,
        gateway_reference: about?.gatewayReference ?? note?.gatewayReference ?? null,
        amount: about?.amount ?? null,
        currency_code: about?.currency ?? null,
      }
      recorded = {
        ...common,
        kind: "webhook",
        outcome,
        message: words,
        digest: digestOf(payload.rawData),
        fields: { answered: status },
        // Keyed without the reason's text, which a sender can vary (a reference it made up): one row per kind of refusal.
        dedupe_key: about ? null : `webhook:${providerId}:${outcome}:${minuteOf()}`,
        resolves:
          status === 200 && (outcome === "applied" || outcome === "duplicate") && about
            ? ["paid_no_order", "amount_unshown"]
            : [],
      }
      recordIn(req.scope, recorded)
      if (note?.unrecordedRefund) {
        recordIn(req.scope, {
          ...common,
          kind: "refund",
          outcome: "not recorded",
          message: words,
          amount: note.unrecordedRefund,
          attention_kind: "refund_unrecorded",
          dedupe_key: `refund_unrecorded:${providerId}:${about?.sessionId}:${note.unrecordedRefund}`,
        })
      }
      if (note?.amountUnshown) recordIn(req.scope, amountUnshownRecord(common, gateway.name))
      if (note?.paidNoOrder) {
        const page =
          about?.gatewayReference ?? note?.gatewayReference ?? `${providerId}:${digestOf(payload.rawData) ?? words}`
        recordIn(req.scope, paidNoOrderRecord(common, words, page))
      }
    }

    /**
     * The copies of this delivery that came while it was processed, in the record: folded into its verdict's count
     * where that is a counted refusal (a flood of copies of a forgery stays one row a minute), else one row for them
     * all, "duplicate", beside the verdict's own (which alone settles attention items).
     */
    function recordFollowers(followers: number, reply: Reply) {
      if (!recorded || followers === 0) return
      if (recorded.dedupe_key) {
        for (let i = 0; i < followers; i++) recordIn(req.scope, recorded)
        return
      }
      recordIn(req.scope, {
        ...recorded,
        outcome: "duplicate",
        message:
          `${followers} more ${followers === 1 ? "copy" : "copies"} of this webhook came while it was being ` +
          `processed, and ${followers === 1 ? "was" : "were"} given its answer (${reply.status})`,
        fields: { answered: reply.status, shared: followers },
        occurrences: followers,
        resolves: [],
      })
    }

    const rawBody = payload.rawData.length > 0 ? payload.rawData : JSON.stringify(payload.data)
    let shared: Shared<Reply>
    try {
      shared = await deliveriesInFlight.share(deliveryKey(providerId, rawBody, payload.headers), async () => {
        try {
          return await handle()
        } catch (error) {
          // The database or Medusa's processing failed around the work: worth a redelivery, never a bare 500.
          logger.warn(`${gateway.name} webhook answered 503: ${(error as Error).message}`)
          return answer(503, "not done yet; deliver it again")
        }
      })
    } catch (error) {
      // Even the 503's record failed: this delivery and its copies are still asked for again.
      logger.warn(`${gateway.name} webhook answered 503: ${(error as Error).message}`)
      return res.status(503).json({ message: "not done yet; deliver it again" })
    }
    if (shared.leader) recordFollowers(shared.followers, shared.value)
    return res.status(shared.value.status).json(shared.value.body)

    async function handle() {
      const [provider] = await paymentModule.listPaymentProviders({ id: providerId })
      if (!provider) {
        return answer(404, `no ${gateway.name} payment provider with this id`)
      }
      registered = true

      let result: HostedWebhookResult
      try {
        result = (await paymentModule.getWebhookActionAndData({ provider: providerId, payload })) as HostedWebhookResult
      } catch (error) {
        logger.warn(`${gateway.name} webhook answered 503: could not be checked now: ${(error as Error).message}`)
        return answer(503, "could not be checked now; deliver it again", {
          outcome: "asked again",
          words: `could not be checked now: ${(error as Error).message}`,
        })
      }
      const { verdict } = result
      if (verdict.kind === "unauthenticated") {
        return answer(401, "not authenticated", { outcome: "refused: not authenticated", words: verdict.reason })
      }
      if (verdict.kind === "malformed") {
        return answer(400, `not a ${gateway.name} webhook`, { outcome: "refused: malformed", words: verdict.reason })
      }
      if (verdict.kind === "ignored") return answer(200, "nothing to do", { outcome: "ignored", words: verdict.reason })
      if (verdict.kind === "no_live_session") {
        return answer(422, "not a payment of this store", {
          outcome: "refused: no live session",
          words: verdict.paid
            ? `${gateway.name} says this page was paid, but its checkout changed before (or it is not this store's page): no order was made`
            : verdict.reason,
          paidNoOrder: verdict.paid,
          gatewayReference: verdict.gatewayReference,
        })
      }

      const { sessionId } = verdict
      const what = `${gateway.name} webhook for session ${sessionId} (${verdict.gatewayReference})`
      const [session] = await paymentModule.listPaymentSessions({ id: verdict.sessionId })
      if (session?.provider_id === providerId) {
        about = {
          sessionId,
          gatewayReference: verdict.gatewayReference,
          amount: String(session.amount),
          currency: session.currency_code,
        }
      }
      if (!session || session.provider_id !== providerId) {
        logger.warn(`${what}: the session belongs to ${session?.provider_id ?? "no provider"}, not ${providerId}`)
        return answer(422, "not a payment of this store")
      }
      // A deferred payment (a SEPA debit) whose order exists, awaiting payment: its order is there, so a paid page
      // that is not the order's is no "paid, no order", whatever the gateway's amount says.
      const deferred = session.status === PaymentSessionStatus.PENDING_AUTHORIZATION
      if (deferred && verdict.wrongAmount) {
        // Another amount than the order's paid: no payment of this order, as the reconciliation decides. The order
        // is flagged and said (an event, and one "debit failed" item); final, so the gateway stops delivering.
        const why = ANOTHER_AMOUNT_PAID
        if (!(await deferredPaymentFailed(req.scope, session, PaymentSessionStatus.ERROR, why)))
          return settledMeanwhile()
        return answer(200, "nothing to do", { outcome: "applied: debit failed", words: why })
      }
      if (endedAsFailedDeferred(session) && (verdict.wrongAmount || verdict.amountUnshown)) return failedBefore()
      if (verdict.wrongAmount) {
        logger.error(
          `${what}: paid at the gateway, no order: the gateway's amount is not the session's (the log above says both)`
        )
        return answer(422, "the payment does not match the order", {
          outcome: "refused: wrong amount",
          words: "paid at the gateway, no order: the gateway's amount is not the session's",
          paidNoOrder: true,
        })
      }
      if (verdict.amountUnshown) {
        // Paid, says the gateway, with no amount to check: no order on its word, and it is to deliver again (its
        // next answer may show the amount; the reconciliation asks too), for as long as a paid claim is waited for.
        // A deferred payment's order awaits it past that (a SEPA debit takes days): answered 200 then, and the
        // reconciliation goes on asking for as long as it asks about the session (`reconcileForHours`).
        const patient = (await pageAgeHours()) < PAID_CLAIM_PATIENCE_HOURS
        logger.error(
          `${what}: paid at the gateway, but its answer shows no amount (or currency): ` +
            (deferred ? "its order still awaits payment" : "no order") +
            (patient
              ? " yet; answered 503 to be delivered again"
              : deferred
                ? "; answered 200, the reconciliation asks again"
                : "; refused for good")
        )
        const final = deferred ? "order awaits payment: amount not shown" : "refused: amount not shown"
        return answer(patient ? 503 : 200, patient ? "not done yet; deliver it again" : final, {
          outcome: patient ? "asked again" : final,
          // A deferred payment's order exists: not "paid, no order", an order awaiting a payment not shown.
          words: amountUnshownWords(gateway.name, deferred ? "awaiting" : "none"),
          paidNoOrder: !deferred,
          amountUnshown: deferred,
        })
      }
      if (verdict.moneyReturned) {
        // Paid, then (part of) the money went back before an order (logged above with both amounts): never an
        // order. Recorded on the session, so that the reconciliation stops asking; the gateway stops delivering.
        await endPaymentSession(req.scope, verdict.sessionId)
        logger.error(`${what}: paid at the gateway, then the money went back: no order (the log above says how much)`)
        return answer(200, "nothing to do", {
          outcome: "applied: no order",
          words: "paid, then the money went back: no order",
        })
      }
      if (verdict.unknownStatus) {
        logger.warn(`${what} answered 503: the gateway reports a status its tables do not know (logged above)`)
        return answer(503, "not done yet; deliver it again", {
          outcome: "asked again",
          words: "the gateway reports a status the plugin does not know",
        })
      }
      if (result.action !== PaymentActions.AUTHORIZED && result.action !== PaymentActions.SUCCESSFUL) {
        if (
          deferred &&
          (verdict.status === PaymentSessionStatus.ERROR || verdict.status === PaymentSessionStatus.CANCELED)
        ) {
          // A deferred payment (a SEPA debit) that failed or expired after its order: flagged, and said (an event).
          if (!(await deferredPaymentFailed(req.scope, session, verdict.status))) return settledMeanwhile()
          return answer(200, "nothing to do", {
            outcome: "applied: debit failed",
            words: `the gateway says ${verdict.status}`,
          })
        }
        if (verdict.claimsPaid) return paidClaimUnconfirmed(verdict.status)
        logger.info(`${what} is ${verdict.status}; nothing for Medusa to do`)
        return answer(200, "nothing to do", { outcome: "ignored", words: `the gateway says ${verdict.status}` })
      }

      // What the authenticated webhook said, where the API alone does not decide (NetValve): Medusa's authorization
      // reads only the stored session data.
      if (verdict.sessionData) await addSessionData(req.scope, sessionId, verdict.sessionData)
      // A deferred payment's order: Medusa's authorization must not end it on an answer unlike the one just heard.
      if (deferred) await markOrderAwaiting(req.scope, session)

      // Medusa's own processing: lock the cart, authorize (asking the gateway again), complete the cart; for an
      // order's own collection (an order edit, claim or exchange), the payment and the order's transactions.
      let held = session.status === PaymentSessionStatus.AUTHORIZED || session.status === PaymentSessionStatus.CAPTURED
      const { errors } = await processHostedPayment(req.scope, session, result)
      if (await paymentRecorded(req.scope, session)) {
        if (verdict.unrecordedRefund) return recordRefundMadeAtGateway(verdict.unrecordedRefund)
        if (deferred) {
          // The order existed before: it holds the payment only once Medusa's authorization (which asked the gateway
          // again) authorized the session. Then the deferred payment has settled: Medusa emits nothing for it, the
          // plugin does. Else the order still awaits payment: not "applied" (which would settle the items that say
          // so), and delivered again.
          const [settled] = await paymentModule.listPaymentSessions({ id: sessionId }, { select: ["id", "status"] })
          if (
            settled?.status !== PaymentSessionStatus.CAPTURED &&
            settled?.status !== PaymentSessionStatus.AUTHORIZED
          ) {
            logger.warn(
              `${what} answered 503: its order still awaits payment: Medusa's authorization, asking the gateway again, ` +
                `left the session ${settled?.status ?? "gone"}${errors?.[0] ? ` (${(errors[0].error as Error).message})` : ""}`
            )
            return answer(503, "not done yet; deliver it again", {
              outcome: "asked again",
              words: `the order still awaits payment: the gateway's answer to Medusa's authorization did not confirm it (the session is ${settled?.status ?? "gone"})`,
            })
          }
          // Said once: another delivery (or the reconciliation) that saw it settle at the same moment said it.
          const receipt = await deferredPaymentSucceeded(req.scope, session)
          if (receipt === "said before") held = true
          if (receipt === "order canceled") {
            // Not "applied": that settles the items of the session, and this is one (src/lib/deferred-payment.ts).
            return answer(200, "done", {
              outcome: "applied: order canceled",
              words: "the payment was received after its order was canceled: refund it",
            })
          }
        }
        return answer(
          200,
          "done",
          held
            ? { outcome: "duplicate", words: "a repeat: Medusa already held this payment" }
            : { outcome: "applied", words: "the gateway confirmed the payment; Medusa holds it" }
        )
      }
      const [after] = await paymentModule.listPaymentSessions({ id: verdict.sessionId }, { select: ["id", "status"] })
      if (after?.status === "canceled") {
        // Medusa's authorization asked the provider, which found the page ended at the gateway (paid and the
        // money gone back, or expired) and said so (logged above): final, not worth a redelivery.
        logger.error(`${what}: no order: the gateway shows the payment ended (the log above says why)`)
        return answer(200, "nothing to do", {
          outcome: "applied: no order",
          words: "the gateway shows the payment ended",
        })
      }
      const error = errors?.[0]?.error as { message?: string; code?: string } | undefined
      if (verdict.claimsPaid && /was not authorized with the provider/.test(error?.message ?? "")) {
        // Medusa's authorization asked the gateway's API, which does not say paid (yet).
        return paidClaimUnconfirmed(after?.status ?? "unknown")
      }
      if (!error || isTransient(error)) {
        logger.warn(
          `${what} answered 503: no order yet${error ? `: ${error.message}` : ""}; the gateway will deliver it again`
        )
        return answer(503, "not done yet; deliver it again")
      }
      logger.error(`${what}: paid at the gateway, no order: ${error.message ?? String(error)}`)
      return answer(422, "the payment could not become an order", {
        outcome: "refused: no order",
        words: `paid at the gateway, no order: ${error.message ?? String(error)}`,
        paidNoOrder: true,
      })

      /** Hours since the session's page was made: how long a paid claim has been waited for. */
      async function pageAgeHours() {
        const [page] = await paymentModule.listPaymentSessions({ id: sessionId }, { select: ["id", "created_at"] })
        return (Date.now() - new Date(page?.created_at ?? Date.now()).getTime()) / 3_600_000
      }

      /** A repeat for a deferred payment already ended unpaid: its order flagged, its item listed, once. */
      function failedBefore() {
        return answer(200, "nothing to do", {
          outcome: "repeat: debit already failed",
          words: FAILED_BEFORE_WORDS,
        })
      }

      /**
       * A deferred payment's failure that found the session no longer awaiting: another delivery or the reconciliation
       * ended it first (a repeat), or it changed meanwhile (delivered again, to be judged on what it is now).
       */
      async function settledMeanwhile() {
        const [now] = await paymentModule.listPaymentSessions(
          { id: sessionId },
          { select: ["id", "status", "metadata"] }
        )
        if (now && endedAsFailedDeferred(now)) return failedBefore()
        logger.warn(`${what} answered 503: the session changed while it was processed (now ${now?.status ?? "gone"})`)
        return answer(503, "not done yet; deliver it again")
      }

      /**
       * A webhook that says paid while the gateway's API does not. The API may lag behind its own webhook for a
       * moment, so the webhook is asked for again (503); but not for ever: once the API calls the page failed or
       * ended, or the page is older than `PAID_CLAIM_PATIENCE_HOURS`, it is refused for good (200, so that the
       * gateway stops, and an error line for the admin). The reconciliation still asks the gateway meanwhile.
       */
      async function paidClaimUnconfirmed(status: string) {
        const terminal = status === "error" || status === "canceled"
        const ageHours = await pageAgeHours()
        if (!terminal && ageHours < PAID_CLAIM_PATIENCE_HOURS) {
          logger.warn(
            `${what} says paid, but ${gateway.name}'s API says ${status} so far; answered 503 to be delivered again`
          )
          return answer(503, "not done yet; deliver it again")
        }
        logger.error(
          `${what} says paid, but ${gateway.name}'s API says ${status}` +
            (terminal ? "" : ` ${Math.floor(ageHours)} hours after the page was made`) +
            `: no order; refused for good. Check the payment in the ${gateway.name} dashboard`
        )
        return answer(200, "refused: not paid at the gateway", {
          outcome: "refused: not paid at the gateway",
          words: `says paid, but ${gateway.name}'s API says ${status}`,
        })
      }

      /**
       * A refund made in the gateway's dashboard after the order: recorded through Medusa's refund workflow (the
       * order's transactions follow), marked so that the provider records it and never sends it.
       */
      async function recordRefundMadeAtGateway(refund: { paymentId: string; amount: string }) {
        const { errors: failed } = await refundPaymentWorkflow(req.scope).run({
          input: {
            payment_id: refund.paymentId,
            amount: refund.amount,
            note: `Refunded in the ${gateway.name} dashboard; recorded from its notification`,
            metadata: MADE_AT_GATEWAY,
            // Not in the workflow's input type, but its step hands the whole input to the payment module, which
            // keeps it on the refund record (the integration tests guard this against an upgrade).
          } as RefundPaymentWorkflowInput,
          throwOnError: false,
        })
        const refundError = failed?.[0]?.error as { message?: string; code?: string } | undefined
        if (!refundError) {
          return answer(200, "done", {
            outcome: "applied",
            words: `recorded the refund of ${refund.amount} made in the ${gateway.name} dashboard`,
          })
        }
        // The provider refused because the gateway no longer shows exactly this much unrecorded: another delivery
        // recorded it meanwhile (or some of it). A redelivery compares again and finds what is left, if anything.
        if (isTransient(refundError) || /not recorded: /.test(refundError.message ?? "")) {
          logger.warn(
            `${what} answered 503: the refund made at ${gateway.name} is not recorded yet: ${refundError.message}`
          )
          return answer(503, "not done yet; deliver it again")
        }
        const words =
          `${gateway.name} shows ${refund.amount} refunded that Medusa cannot record (${refundError.message}). ` +
          `The money is already back with the buyer: do not refund it again in Medusa`
        logger.error(`${what}: ${words}`)
        return answer(200, "done", { outcome: "refund not recorded", words, unrecordedRefund: refund.amount })
      }
    }
  }
}

/** The answer to a delivery, for it and for the copies that came while it was processed. */
type Reply = { status: number; body: unknown }

/** This process's deliveries being processed now (see `hostedWebhookRoute`). */
const deliveriesInFlight = new InFlight<Reply>()

/** What the record says of a webhook's verdict, where the answer's status alone does not say it. */
type Note = {
  outcome: string
  words: string
  paidNoOrder?: boolean
  /** A deferred payment's order awaits a payment the gateway calls paid without showing its amount. */
  amountUnshown?: boolean
  unrecordedRefund?: string
  /** The page the webhook names, where no session of the store holds it. */
  gatewayReference?: string | null
}

/**
 * How long a webhook that says paid is asked for again while the gateway's API does not confirm it: from the
 * page's creation. A lag of the API behind its own webhook is seconds; a page paid this late is found by the
 * reconciliation job if its API ever says paid.
 */
export const PAID_CLAIM_PATIENCE_HOURS = 24

/**
 * Errors that a later delivery may not meet: the cart lock, the database, a timeout, and a gateway that
 * could not be asked (our gateway errors say "no answer within", "could not reach", "lost the connection to" or
 * "failed (HTTP 5xx").
 */
export function isTransient(error: { message?: string; code?: string }): boolean {
  const text = `${error.code ?? ""} ${error.message ?? ""}`
  if (isGatewayUnavailable(text)) return true
  // We asked the gateway a moment ago and it said paid; Medusa's own ask found it not yet: ask again later.
  if (/was not authorized with the provider/.test(text)) return true
  // The workflow engine's checkpoint lost a race with another process (Redis): the work was not done.
  if (/version conflicts?|Max retries \(\d+\) exceeded/i.test(text)) return true
  // The database's connection lost mid-way, in PostgreSQL's and node-postgres's words (a connection already broken
  // answers "… is not queryable", a dropped socket "Connection ended unexpectedly").
  return /acquir(e|ing) lock|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection terminated|Connection ended unexpectedly|is not queryable|connection timeout|Timeout acquiring a connection|terminating connection|57P01|08006|08003|could not connect|timed out/i.test(
    text
  )
}

function withoutCoreRouteMark(headers: MedusaRequest["headers"]): Record<string, unknown> {
  const { [CORE_ROUTE_HEADER]: _mark, ...rest } = headers
  return rest
}
