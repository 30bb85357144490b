import { PaymentSessionStatus } from "@medusajs/framework/utils"
import type { GatewayStatus } from "../../lib/hosted-provider"
import { lookupStatus, StatusLookup } from "../../lib/status"
import type { CatalystPaySession } from "./schemas"

/** Every status CatalystPay documents for a payment session. COMPLETED, FAILED and EXPIRED are terminal. */
export const CATALYSTPAY_SESSION_STATUSES = [
  "PENDING",
  "PAYMENT_IN_PROGRESS",
  "AWAITING_VERIFICATION",
  "COMPLETED",
  "FAILED",
  "EXPIRED",
] as const
export type CatalystPaySessionStatus = (typeof CATALYSTPAY_SESSION_STATUSES)[number]

/**
 * A payment session's status as Medusa sees it. A completed SEPA debit is captured (there is no separate
 * capture). A debit under way (PAYMENT_IN_PROGRESS, AWAITING_VERIFICATION) is pending_authorization: the
 * buyer who returns mid-debit gets an order awaiting payment, which the webhook or the reconciliation
 * authorizes when the debit completes. A decline with attempts left puts the session back to PENDING.
 */
export const CATALYSTPAY_SESSION_STATUS: Record<CatalystPaySessionStatus, PaymentSessionStatus> = {
  PENDING: PaymentSessionStatus.PENDING,
  PAYMENT_IN_PROGRESS: PaymentSessionStatus.PENDING_AUTHORIZATION,
  AWAITING_VERIFICATION: PaymentSessionStatus.PENDING_AUTHORIZATION,
  COMPLETED: PaymentSessionStatus.CAPTURED,
  FAILED: PaymentSessionStatus.ERROR,
  EXPIRED: PaymentSessionStatus.CANCELED,
}

export const sessionStatus = (value: string): StatusLookup => lookupStatus(CATALYSTPAY_SESSION_STATUS, value)

/** CatalystPay's session as the provider judges it: its status, and what it charges (from the offer or the session). */
export function catalystpaySessionStatus(remote: CatalystPaySession): GatewayStatus {
  const mapped = sessionStatus(remote.status)
  return {
    status: mapped.status,
    paid: { amount: remote.amount, currency: remote.currency },
    gatewayStatus: remote.status,
    describe: `payment session ${remote.session_token}`,
    unknown: mapped.known ? [] : [`session status "${remote.status}"`],
  }
}
