import { PaymentSessionStatus } from "@medusajs/framework/utils"

/** A gateway status as Medusa sees the session, and whether the gateway's table knew it. */
export type StatusLookup = { status: PaymentSessionStatus; known: boolean }

/**
 * Looks a gateway status up in a provider's table, whatever case the gateway writes it in. Only an explicit
 * success or failure is terminal: a status the table does not know (one the gateway added later) waits as
 * pending, and `known: false` lets the provider log it.
 */
export function lookupStatus<K extends string>(table: Record<K, PaymentSessionStatus>, value: string): StatusLookup {
  const wanted = value.trim().toLowerCase()
  const row = (Object.keys(table) as K[]).find((key) => key.toLowerCase() === wanted)
  return row ? { status: table[row], known: true } : { status: PaymentSessionStatus.PENDING, known: false }
}
