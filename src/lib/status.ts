import { PaymentSessionStatus } from "@medusajs/framework/utils"

/**
 * A gateway's status as Medusa sees the session, whether the gateway's table knew it, and, where the
 * status came from more than one field, why.
 */
export type StatusLookup = { status: PaymentSessionStatus; known: boolean; why?: string }

/** The row of `table` for a gateway's word, whatever case the gateway writes it in. */
export function findRow<K extends string>(table: Record<K, unknown>, value: string | null | undefined): K | undefined {
  const wanted = (value ?? "").trim().toLowerCase()
  return (Object.keys(table) as K[]).find((key) => key.toLowerCase() === wanted)
}

/**
 * Looks a gateway status up in a provider's table. Only an explicit success or failure is terminal: a
 * status the table does not know (one the gateway added later) waits as pending, and `known: false`
 * lets the provider log it.
 */
export function lookupStatus<K extends string>(table: Record<K, PaymentSessionStatus>, value: string): StatusLookup {
  const row = findRow(table, value)
  return row ? { status: table[row], known: true } : { status: PaymentSessionStatus.PENDING, known: false }
}

/** Paid or reserved: the statuses a capture, cancel or refund can act on. */
export const isPaid = (status: PaymentSessionStatus) =>
  status === PaymentSessionStatus.CAPTURED || status === PaymentSessionStatus.AUTHORIZED
