import type { BigNumberInput } from "@medusajs/framework/types"
import { MathBN } from "@medusajs/framework/utils"
import { toGatewayAmount } from "./money"

/**
 * Medusa's own records of a session's money, for the checks that keep a retried refund or capture from
 * happening twice. Medusa deletes its refund (or capture) record when the provider throws, and an admin's
 * retry carries a new id, so the provider cannot recognise an earlier attempt by its key: it compares what
 * the gateway shows with what Medusa has recorded instead.
 */

export type MoneyKind = "refund" | "capture"

type AmountRow = { id: string; amount?: BigNumberInput | null; raw_amount?: BigNumberInput | null }

export type PaymentRow = {
  id: string
  canceled_at?: Date | string | null
  captured_at?: Date | string | null
  refunds?: Iterable<AmountRow> | null
  captures?: Iterable<AmountRow> | null
}

/** The part of the payment module's payment service a provider uses: a session's payments with their records. */
export type PaymentStore = {
  list(filters: Record<string, unknown>, config?: Record<string, unknown>): Promise<PaymentRow[]>
}

/** A session's payments as Medusa keeps them, with their refunds and captures. */
export async function paymentsOfSession(store: PaymentStore, sessionId: string): Promise<PaymentRow[]> {
  return store.list(
    { payment_session_id: sessionId },
    {
      // The records' own fields must be selected too: with a select, a bare relation comes back empty.
      select: [
        "id",
        "canceled_at",
        "captured_at",
        "refunds.id",
        "refunds.amount",
        "refunds.raw_amount",
        "captures.id",
        "captures.amount",
        "captures.raw_amount",
      ],
      relations: ["refunds", "captures"],
    }
  )
}

/**
 * The total Medusa has recorded of one kind on a session's payments, in the gateway's major units, leaving
 * out `exceptId`: the record Medusa made for the very call being answered (it exists before the provider is asked).
 */
export function recordedTotal(payments: PaymentRow[], kind: MoneyKind, currency: string, exceptId?: string): string {
  const rows = recordsOf(payments, kind)
  // Each record rounded as the gateway was sent it, then added: three refunds of 3.3333 are 9.99, not 10.00.
  const total = rows
    .filter((row) => row.id !== exceptId)
    .reduce(
      (sum, row) => MathBN.add(sum, MathBN.convert(toGatewayAmount(row.raw_amount ?? row.amount ?? 0, currency))),
      MathBN.convert(0)
    )
  return toGatewayAmount(total, currency)
}

/** Every refund or capture of the session's payments. The service hands back ORM entities: relations are collections (iterable), not arrays. */
function recordsOf(payments: PaymentRow[], kind: MoneyKind): AmountRow[] {
  return payments.flatMap((payment) => [...((kind === "refund" ? payment.refunds : payment.captures) ?? [])])
}

export const capturesOf = (payments: PaymentRow[]): AmountRow[] => recordsOf(payments, "capture")

/** a - b, at the currency's precision ("25.00" - "10.00" = "15.00"). */
export function difference(a: string, b: string, currency: string): string {
  return toGatewayAmount(MathBN.sub(MathBN.convert(a), MathBN.convert(b)), currency)
}

export function sameMoney(a: string, b: string): boolean {
  return MathBN.convert(a).isEqualTo(MathBN.convert(b))
}

export function isNegative(a: string): boolean {
  return MathBN.convert(a).isNegative()
}

export function isZero(a: string): boolean {
  return MathBN.convert(a).isZero()
}

/** A sum of gateway amounts (strings or numbers as the gateway writes them), at the currency's precision. */
export function sumOf(amounts: (string | number | null | undefined)[], currency: string): string {
  const total = amounts.reduce<ReturnType<typeof MathBN.convert>>(
    (sum, amount) => MathBN.add(sum, MathBN.convert(String(amount ?? 0))),
    MathBN.convert(0)
  )
  return toGatewayAmount(total, currency)
}
