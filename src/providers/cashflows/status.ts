import { PaymentSessionStatus } from "@medusajs/framework/utils"
import { lookupStatus, StatusLookup } from "../../lib/status"

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

function findRow<K extends string>(table: Record<K, unknown>, value: string): K | undefined {
  const wanted = value.trim().toLowerCase()
  return (Object.keys(table) as K[]).find((key) => key.toLowerCase() === wanted)
}

export const paymentStatus = (value: string): StatusLookup => lookupStatus(CASHFLOWS_PAYMENT_STATUS, value)

/** An unknown refund status does not count: a refused refund is only "already done" on Cashflows' explicit word. */
export function refundCounts(value: string): boolean {
  const row = findRow(CASHFLOWS_REFUND_COUNTS, value)
  return row ? CASHFLOWS_REFUND_COUNTS[row] : false
}
