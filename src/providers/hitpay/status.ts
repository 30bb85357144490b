import { PaymentSessionStatus } from "@medusajs/framework/utils"
import { lookupStatus } from "../../lib/status"

/** Every status HitPay documents for a payment request. */
export const HITPAY_REQUEST_STATUSES = ["pending", "completed", "failed", "expired", "canceled", "inactive"] as const
export type HitPayRequestStatus = (typeof HITPAY_REQUEST_STATUSES)[number]

/** Every status HitPay documents for a charge (an entry of `payments[]`). */
export const HITPAY_CHARGE_STATUSES = [
  "pending",
  "requires_payment_method",
  "requires_customer_action",
  "succeeded",
  "succeeded_manually",
  "failed",
  "canceled",
  "void",
  "refunded",
  "partially_refunded",
] as const
export type HitPayChargeStatus = (typeof HITPAY_CHARGE_STATUSES)[number]

/** A payment request's status as Medusa sees the session. HitPay captures at payment. */
export const HITPAY_REQUEST_STATUS: Record<HitPayRequestStatus, PaymentSessionStatus> = {
  pending: PaymentSessionStatus.PENDING,
  completed: PaymentSessionStatus.CAPTURED,
  failed: PaymentSessionStatus.ERROR,
  expired: PaymentSessionStatus.CANCELED,
  canceled: PaymentSessionStatus.CANCELED,
  inactive: PaymentSessionStatus.CANCELED,
}

/**
 * A charge's status as Medusa sees the session. A refunded charge was paid: the refund is Medusa's own
 * record, not a reason to call the session unpaid.
 */
export const HITPAY_CHARGE_STATUS: Record<HitPayChargeStatus, PaymentSessionStatus> = {
  pending: PaymentSessionStatus.PENDING,
  requires_payment_method: PaymentSessionStatus.PENDING,
  requires_customer_action: PaymentSessionStatus.REQUIRES_MORE,
  succeeded: PaymentSessionStatus.CAPTURED,
  succeeded_manually: PaymentSessionStatus.CAPTURED,
  failed: PaymentSessionStatus.ERROR,
  canceled: PaymentSessionStatus.CANCELED,
  void: PaymentSessionStatus.CANCELED,
  refunded: PaymentSessionStatus.CAPTURED,
  partially_refunded: PaymentSessionStatus.CAPTURED,
}

export const requestStatus = (value: string) => lookupStatus(HITPAY_REQUEST_STATUS, value)
export const chargeStatus = (value: string) => lookupStatus(HITPAY_CHARGE_STATUS, value)
