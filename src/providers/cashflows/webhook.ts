import type { GatewayStatus } from "../../lib/hosted-provider"
import { parseJsonKeepingBigIntegers } from "../../lib/json"
import { isMedusaSessionId } from "../../lib/session"
import { isPaid } from "../../lib/status"
import { jsonBody, RawWebhook, WebhookVerification } from "../../lib/webhook"
import { CashflowsNotification, cashflowsNotificationSchema, CashflowsPaymentJob } from "./schemas"
import { paymentJobStatus } from "./status"

export type NotificationReading = { ok: true; notification: CashflowsNotification } | { ok: false; reason: string }

/**
 * Reads Cashflows' notification `{ notifyType, paymentJobReference, paymentReference }`. It is unsigned:
 * what it says is only which payment to ask Cashflows about. The raw body is preferred, since a reference
 * sent as a JSON number has more digits than a JS number holds.
 */
export function readCashflowsNotification(payload: RawWebhook): NotificationReading {
  const body = jsonBody(payload, parseJsonKeepingBigIntegers)
  if (body === undefined) {
    return { ok: false, reason: "the notification body is not JSON" }
  }
  const parsed = cashflowsNotificationSchema.safeParse(body)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return { ok: false, reason: `not a Cashflows notification (${issue.path.join(".") || "body"}: ${issue.message})` }
  }
  return { ok: true, notification: parsed.data }
}

/**
 * The notification checked against the job Cashflows returned over the signed API (`undefined` when
 * Cashflows does not know it): the job must be the one named and have been created for a Medusa payment
 * session (its order number). Then it is about that session, with Cashflows' own status of the job.
 *
 * A notification naming a payment the job does not hold is refused, unless the job shows a payment paid or
 * reserved: that is Cashflows' own word on the job, acted on whichever notification made the store ask. So no
 * question the store asks Cashflows is wasted, and a sender who names made-up payments of a real job cannot keep
 * a payment from being acted on by spending the repeat window (see the provider's `verifyWebhook`).
 */
export function matchNotification(
  notification: CashflowsNotification,
  job: CashflowsPaymentJob | undefined
): WebhookVerification<GatewayStatus> {
  const { paymentJobReference, paymentReference } = notification
  if (!job) {
    return {
      outcome: "rejected",
      why: "unauthenticated",
      reason: `Cashflows does not know payment job ${paymentJobReference}`,
    }
  }
  if (job.reference !== paymentJobReference) {
    return {
      outcome: "rejected",
      why: "unauthenticated",
      reason: `Cashflows answered with job ${job.reference}, not ${paymentJobReference}`,
    }
  }
  const orderNumber = job.order?.orderNumber
  if (!isMedusaSessionId(orderNumber)) {
    return {
      outcome: "ignored",
      reason: `payment job ${paymentJobReference} was not created for a Medusa payment session`,
    }
  }
  const status = paymentJobStatus(job, orderNumber)
  if (!(job.payments ?? []).some((p) => p.reference === paymentReference) && !isPaid(status.status)) {
    return {
      outcome: "rejected",
      why: "unauthenticated",
      reason: `payment job ${paymentJobReference} has no payment ${paymentReference}`,
    }
  }
  return { outcome: "session", sessionId: orderNumber, gatewayReference: job.reference, status }
}

/** The reply that ends Cashflows' redelivery: 200 with both references echoed. */
export function cashflowsAcknowledgement(notification: CashflowsNotification) {
  return { paymentJobReference: notification.paymentJobReference, paymentReference: notification.paymentReference }
}
