import type { Logger, PaymentProviderInput } from "@medusajs/framework/types"
import { PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import { invalidData } from "./errors"
import { sameAmount, sameCurrency } from "./money"

/**
 * What every provider keeps in a payment session's `data`. Medusa shows `data` to the storefront, so
 * nothing here is secret. Medusa merges what the storefront sent under ours, so the provider always
 * writes every key it reads back: a storefront cannot plant one of them.
 */
export type HppSessionData = {
  /** The Medusa payment session id, also sent to the gateway as the merchant reference. */
  session_id: string
  /** Where the storefront sends the buyer. */
  checkout_url: string
  /** The amount asked of the gateway, a major-unit decimal string ("10.00"). */
  amount: string
  /** Lowercase ISO 4217, as Medusa keeps it. */
  currency_code: string
  /** Where the gateway sends the buyer back. */
  return_url: string
}

/** Medusa's payment session ids: what a gateway reference must look like before we act on it. */
export function isMedusaSessionId(value: unknown): value is string {
  return typeof value === "string" && /^payses_[0-9A-Za-z]+$/.test(value)
}

/** The session id Medusa passes (in `data`, and as the idempotency key). */
export function sessionIdOf(gateway: string, input: PaymentProviderInput): string {
  const id = input.data?.session_id ?? input.context?.idempotency_key
  if (!isMedusaSessionId(id)) {
    throw invalidData(gateway, "the payment session has no Medusa session id")
  }
  return id
}

/** The session data this provider wrote, or a clear error when a call comes without it. */
export function storedSession<T extends HppSessionData>(gateway: string, data: Record<string, unknown> | undefined, key: keyof T): T {
  if (!data || !data[key as string] || !isMedusaSessionId(data.session_id)) {
    throw invalidData(gateway, `the payment has no ${String(key)}: it was not created by this provider`)
  }
  return data as T
}

/** The webhook action for a session status, as Medusa's payment webhook subscriber understands it. */
export function webhookActionFor(status: PaymentSessionStatus): PaymentActions {
  const table: Record<PaymentSessionStatus, PaymentActions> = {
    [PaymentSessionStatus.CAPTURED]: PaymentActions.SUCCESSFUL,
    [PaymentSessionStatus.AUTHORIZED]: PaymentActions.AUTHORIZED,
    [PaymentSessionStatus.PENDING]: PaymentActions.PENDING,
    [PaymentSessionStatus.REQUIRES_MORE]: PaymentActions.REQUIRES_MORE,
    [PaymentSessionStatus.ERROR]: PaymentActions.FAILED,
    [PaymentSessionStatus.CANCELED]: PaymentActions.CANCELED,
    [PaymentSessionStatus.PENDING_AUTHORIZATION]: PaymentActions.PENDING_AUTHORIZATION,
  }
  return table[status]
}

/**
 * Rule 3: a gateway's "paid" counts only when its amount and currency equal the session's. A mismatch
 * becomes an error status (never success) and is logged with both amounts.
 */
export function guardPaidAmount(args: {
  gateway: string
  logger?: Logger
  status: PaymentSessionStatus
  paid: { amount: unknown; currency: unknown }
  session: Pick<HppSessionData, "amount" | "currency_code" | "session_id">
  reference: string
}): PaymentSessionStatus {
  const { status, paid, session } = args
  if (status !== PaymentSessionStatus.CAPTURED && status !== PaymentSessionStatus.AUTHORIZED) {
    return status
  }
  if (sameAmount(paid.amount, session.amount, session.currency_code) && sameCurrency(paid.currency, session.currency_code)) {
    return status
  }
  args.logger?.error(
    `${args.gateway}: ${args.reference} reports ${String(paid.amount)} ${String(paid.currency).toUpperCase()} ` +
      `but session ${session.session_id} is for ${session.amount} ${session.currency_code.toUpperCase()}; ` +
      `not treating it as paid`
  )
  return PaymentSessionStatus.ERROR
}
