import { MathBN, PaymentSessionStatus } from "@medusajs/framework/utils"
import type { GatewayStatus } from "../../lib/hosted-provider"
import { findRow, lookupStatus, StatusLookup } from "../../lib/status"
import type { CashflowsPayment, CashflowsPaymentJob } from "./schemas"

/** Every status Cashflows documents for a payment job (`paymentStatus`) and a payment (`payments[].status`). */
export const CASHFLOWS_PAYMENT_STATUSES = [
  "Pending",
  "Reserved",
  "Commissioned",
  "Paid",
  "Verified",
  "Cancelled",
  "Failed",
  "Rejected",
  "Expired",
  "Blocked",
  "Declined",
] as const
export type CashflowsPaymentStatus = (typeof CASHFLOWS_PAYMENT_STATUSES)[number]

/**
 * A Cashflows status as Medusa sees the session. Paid and Verified mean the money is captured; Reserved
 * means it is only authorized (the Portal's autoCapture is off). Commissioned is handed on for
 * processing and not yet final, so it waits as pending.
 */
export const CASHFLOWS_PAYMENT_STATUS: Record<CashflowsPaymentStatus, PaymentSessionStatus> = {
  Pending: PaymentSessionStatus.PENDING,
  Reserved: PaymentSessionStatus.AUTHORIZED,
  Commissioned: PaymentSessionStatus.PENDING,
  Paid: PaymentSessionStatus.CAPTURED,
  Verified: PaymentSessionStatus.CAPTURED,
  Cancelled: PaymentSessionStatus.CANCELED,
  Failed: PaymentSessionStatus.ERROR,
  Rejected: PaymentSessionStatus.ERROR,
  Expired: PaymentSessionStatus.CANCELED,
  Blocked: PaymentSessionStatus.ERROR,
  Declined: PaymentSessionStatus.ERROR,
}

/** Every status Cashflows documents for a refund (`payments[].refunds[].status`). */
export const CASHFLOWS_REFUND_STATUSES = ["Pending", "Completed", "Failed"] as const
export type CashflowsRefundStatus = (typeof CASHFLOWS_REFUND_STATUSES)[number]

/** Whether a refund in this status takes money back from the payment (a pending one is on its way). */
export const CASHFLOWS_REFUND_COUNTS: Record<CashflowsRefundStatus, boolean> = {
  Pending: true,
  Completed: true,
  Failed: false,
}

export const paymentStatus = (value: string): StatusLookup => lookupStatus(CASHFLOWS_PAYMENT_STATUS, value)

/** An unknown refund status does not count: a refused refund is only "already done" on Cashflows' explicit word. */
export function refundCounts(value: string): boolean {
  const row = findRow(CASHFLOWS_REFUND_COUNTS, value)
  return row ? CASHFLOWS_REFUND_COUNTS[row] : false
}

/**
 * A payment job's status as the provider judges it. A paid payment decides (a buyer may have retried after
 * a decline, adding payments to the job), then a reserved one, then the job's own status. The job's order
 * number must be the session's: a job made for another session is never this session's payment.
 */
export function paymentJobStatus(
  job: CashflowsPaymentJob,
  sessionId: string
): GatewayStatus & { payment?: CashflowsPayment } {
  const payments = job.payments ?? []
  const unknown = payments
    .filter((p) => !paymentStatus(p.status).known)
    .map((p) => `payment status "${p.status}" (payment ${p.reference})`)
  const wanted = [PaymentSessionStatus.CAPTURED, PaymentSessionStatus.AUTHORIZED]
  const decisive = wanted.map((w) => payments.find((p) => paymentStatus(p.status).status === w)).find(Boolean)
  const job_ = paymentStatus(job.paymentStatus)
  if (!decisive && !job_.known) unknown.push(`payment job status "${job.paymentStatus}"`)
  const payment = decisive ?? payments[payments.length - 1]
  const orderNumber = job.order?.orderNumber
  return {
    status: decisive ? paymentStatus(decisive.status).status : job_.status,
    paid: { amount: payment?.amountToCollect ?? job.amountToCollect, currency: job.currency },
    gatewayPaymentReference: payment?.reference,
    gatewayStatus: payment?.status ?? job.paymentStatus,
    describe: `payment job ${job.reference}`,
    unknown,
    foreign: orderNumber && orderNumber !== sessionId ? `belongs to order ${orderNumber}` : undefined,
    returned:
      decisive && !refundedAmount(decisive).isZero()
        ? { amount: refundedAmount(decisive).toString(), how: "refunded" }
        : undefined,
    payment,
  }
}

/** How much of a payment Cashflows shows refunded (pending refunds count: they are on their way). */
export function refundedAmount(payment: CashflowsPayment): ReturnType<typeof MathBN.convert> {
  return (payment.refunds ?? [])
    .filter((r) => refundCounts(r.status))
    .reduce((sum, r) => MathBN.add(sum, MathBN.convert(String(r.amountToRefund))), MathBN.convert(0))
}

/**
 * How much of a payment Cashflows shows captured: its captures (a failed one does not count), or, for a
 * payment captured when paid, the whole amount. null where the answer does not say.
 */
export function capturedAmount(payment: CashflowsPayment): ReturnType<typeof MathBN.convert> | null {
  if (payment.captures && payment.captures.length > 0) {
    return payment.captures
      .filter((c) => !/fail/i.test(c.status ?? ""))
      .reduce((sum, c) => MathBN.add(sum, MathBN.convert(String(c.amountToCapture))), MathBN.convert(0))
  }
  if (!payment.captures) {
    return null // the answer does not list captures: it cannot say what a reservation's captures took
  }
  if (paymentStatus(payment.status).status === PaymentSessionStatus.CAPTURED && payment.amountToCollect != null) {
    return MathBN.convert(String(payment.amountToCollect)) // captured whole when paid
  }
  return MathBN.convert(0)
}
