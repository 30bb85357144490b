import { isMedusaSessionId } from "../../lib/session"
import { rawBody, RawWebhook } from "../../lib/webhook"
import { parseJsonKeepingBigIntegers } from "./json"
import { CashflowsNotification, cashflowsNotificationSchema, CashflowsPayment, CashflowsPaymentJob } from "./schemas"

export type NotificationReading = { ok: true; notification: CashflowsNotification } | { ok: false; reason: string }

/**
 * Reads Cashflows' notification `{ notifyType, paymentJobReference, paymentReference }`. It is unsigned:
 * what it says is only which payment to ask Cashflows about. The raw body is preferred, since a reference
 * sent as a JSON number has more digits than a JS number holds.
 */
export function readCashflowsNotification(payload: RawWebhook): NotificationReading {
  let body: unknown = payload.data
  const raw = rawBody(payload)
  if (raw !== undefined && raw.length > 0) {
    try {
      body = parseJsonKeepingBigIntegers(raw.toString("utf8"))
    } catch {
      return { ok: false, reason: "the notification body is not JSON" }
    }
  }
  const parsed = cashflowsNotificationSchema.safeParse(body)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return { ok: false, reason: `not a Cashflows notification (${issue.path.join(".") || "body"}: ${issue.message})` }
  }
  return { ok: true, notification: parsed.data }
}

export type NotificationMatch =
  | { matched: true; sessionId: string; payment: CashflowsPayment }
  | { matched: false; reason: string }

/**
 * Whether the job Cashflows returned over the signed API is the one the notification names, holds the
 * notified payment, and was created for a Medusa payment session (its order number).
 */
export function matchNotification(notification: CashflowsNotification, job: CashflowsPaymentJob): NotificationMatch {
  const { paymentJobReference, paymentReference } = notification
  if (job.reference !== paymentJobReference) {
    return { matched: false, reason: `Cashflows answered with job ${job.reference}, not ${paymentJobReference}` }
  }
  const payment = (job.payments ?? []).find((p) => p.reference === paymentReference)
  if (!payment) {
    return { matched: false, reason: `payment job ${paymentJobReference} has no payment ${paymentReference}` }
  }
  const orderNumber = job.order?.orderNumber
  if (!isMedusaSessionId(orderNumber)) {
    return { matched: false, reason: `payment job ${paymentJobReference} was not created for a Medusa payment session` }
  }
  return { matched: true, sessionId: orderNumber, payment }
}

/** The reply that ends Cashflows' redelivery: 200 with both references echoed. */
export function cashflowsAcknowledgement(notification: CashflowsNotification) {
  return { paymentJobReference: notification.paymentJobReference, paymentReference: notification.paymentReference }
}
