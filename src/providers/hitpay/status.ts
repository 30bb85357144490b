import { PaymentSessionStatus } from "@medusajs/framework/utils"
import type { GatewayStatus, ReturnedMoney } from "../../lib/hosted-provider"
import { lookupStatus } from "../../lib/status"
import { isZero } from "../../lib/ledger"

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

/** What decides a payment request's status: HitPay's answer, or a signed webhook that carries the same fields. */
export type HitPayRequestView = {
  id: string
  status: string
  /** Our session id, as the request was made with it. */
  reference_number?: string | null
  amount: string | number
  currency: string
  payments?:
    | {
        id: string
        status: string
        amount?: string | number
        currency?: string
        refunded_amount?: string | number | null
      }[]
    | null
}

/**
 * The request's status decides; a succeeded charge on a request HitPay has not yet closed counts as paid; a
 * request made for another session than `sessionId` (its `reference_number`) is foreign, never paid.
 * The paying charge's amount is what the amount check compares, and its refunds what went back.
 */
export function paymentRequestStatus(request: HitPayRequestView, sessionId?: string): GatewayStatus {
  const mapped = requestStatus(request.status)
  const unknown = mapped.known ? [] : [`payment request status "${request.status}"`]
  const charges = request.payments ?? []
  for (const charge of charges) {
    if (!chargeStatus(charge.status).known) unknown.push(`charge status "${charge.status}" (charge ${charge.id})`)
  }
  const paid = charges.find((c) => chargeStatus(c.status).status === PaymentSessionStatus.CAPTURED)
  return {
    status: mapped.status === PaymentSessionStatus.PENDING && paid ? PaymentSessionStatus.CAPTURED : mapped.status,
    paid: { amount: paid?.amount ?? request.amount, currency: paid?.currency ?? request.currency },
    gatewayPaymentReference: paid?.id,
    gatewayStatus: request.status,
    describe: `payment request ${request.id}`,
    unknown,
    returned: paid ? refundedOf(paid) : undefined,
    // Asked about a session's own request, HitPay answers with that session's reference: anything else is never paid.
    foreign:
      sessionId && request.reference_number && request.reference_number !== sessionId
        ? `was made for ${request.reference_number}`
        : undefined,
  }
}

/** What HitPay shows refunded of a charge: `refunded_amount`, else the whole charge for a `refunded` one. */
function refundedOf(charge: NonNullable<HitPayRequestView["payments"]>[number]): ReturnedMoney | undefined {
  const status = charge.status.toLowerCase()
  const said =
    charge.refunded_amount === null || charge.refunded_amount === undefined ? null : String(charge.refunded_amount)
  if (said !== null && !isZero(said)) return { amount: said, how: "refunded" }
  if (status === "refunded")
    return { amount: charge.amount === undefined ? null : String(charge.amount), how: "refunded" }
  if (status === "partially_refunded") return { amount: null, how: "partly refunded" }
  return undefined
}
