import type { BigNumberInput, Logger } from "@medusajs/framework/types"
import { MathBN } from "@medusajs/framework/utils"
import { invalidData, isGatewayUnavailable, retold } from "./errors"
import { DecimalsRule, gatewayAmountFor, toGatewayAmount } from "./money"
import type { HppSessionData } from "./session"

/**
 * Medusa's own records of a session's money, for the checks that keep a retried refund or capture from
 * happening twice. Medusa deletes its refund (or capture) record when the provider throws, and an admin's
 * retry carries a new id, so the provider cannot recognise an earlier attempt by its key: it compares what
 * the gateway shows with what Medusa has recorded instead.
 */

export type MoneyKind = "refund" | "capture"

type AmountRow = {
  id: string
  amount?: BigNumberInput | null
  raw_amount?: BigNumberInput | null
  metadata?: Record<string, unknown> | null
}

/**
 * The metadata of a refund record the plugin makes for a refund the gateway already made (in its dashboard):
 * the provider records it and never sends it.
 */
export const MADE_AT_GATEWAY = { medusa_payment_hpp: "refund made at the gateway; recorded, not sent" }

const madeAtGateway = (row: AmountRow | undefined) =>
  row?.metadata?.medusa_payment_hpp === MADE_AT_GATEWAY.medusa_payment_hpp

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
        "refunds.metadata",
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

/**
 * What the gateway shows taken and given back on a session's payment, in major units: the totals a retried
 * refund or capture is checked against. null or unset where the gateway's answers do not say.
 */
export type GatewayMoney = {
  captured?: string | null
  refunded?: string | null
  /** How messages name the gateway's object ("charge 9f2a… of payment request 77b1…"). */
  describe: string
}

/** What the ledger knows of a provider: its gateway's names, its log, and how to read the gateway's totals. */
export type LedgerSpec<S extends HppSessionData> = {
  name: string
  pageName: string
  logger: Logger
  decimals?: DecimalsRule
  moneyAtGateway: (session: S) => Promise<GatewayMoney>
}

/**
 * A provider's refunds and captures held against Medusa's records and the gateway's totals, so that each
 * happens once. `store` reads the payment module's payment service on use; undefined where it is not lent.
 */
export class Ledger<S extends HppSessionData> {
  constructor(
    private readonly spec: LedgerSpec<S>,
    private readonly store: () => PaymentStore | undefined
  ) {}

  /**
   * A refund or capture that happens once, whatever became of earlier attempts. What the gateway shows done
   * beyond Medusa's records (leaving out `recordId`, the record Medusa made for this call) decides:
   * - nothing: the operation is sent; if it fails, the gateway is asked again, and shows it done or not;
   * - exactly `amount`: an earlier attempt whose answer was lost (a timeout, a 5xx) did it; nothing is sent;
   * - anything else: refused, for an admin to look at the gateway's dashboard.
   * Where the gateway or Medusa cannot say, the operation is sent as it is.
   */
  async onceOnly(
    kind: MoneyKind,
    session: S,
    amount: string,
    recordId: string | undefined,
    payments: PaymentRow[] | undefined,
    attempt: () => Promise<S>
  ): Promise<S> {
    const { name } = this.spec
    const currency = session.currency_code
    const recorded = payments && recordedTotal(payments, kind, currency, recordId)
    const done = kind === "refund" ? "refunded" : "captured"
    const atGateway = async () => {
      const money = await this.spec.moneyAtGateway(session)
      const total = kind === "refund" ? money.refunded : money.captured
      return total === null || total === undefined ? undefined : { total: toGatewayAmount(total, currency), money }
    }
    // A failed first read is the refund's (or capture's) failure, and says so: nothing was sent yet.
    const before =
      recorded === undefined
        ? undefined
        : await atGateway().catch((error: Error) => {
            const advice = isGatewayUnavailable(error.message)
              ? "Try again shortly."
              : `Check the provider's credentials and ${name}'s dashboard, then try again.`
            throw retold(
              error,
              `${name}: ${kind} of ${amount} ${currency.toUpperCase()} not sent. ${name} could not be asked what ` +
                `${this.spec.pageName} ${session.gateway_reference} already shows ${done} (${error.message}). ${advice}`
            )
          })
    if (kind === "refund" && payments && madeAtGateway(recordsOf(payments, "refund").find((r) => r.id === recordId))) {
      // A record of a refund the gateway made: kept only while the gateway shows exactly that much unrecorded.
      const unrecorded = before && recorded !== undefined ? difference(before.total, recorded, currency) : undefined
      if (unrecorded === undefined || !sameMoney(unrecorded, amount)) {
        throw invalidData(
          name,
          `not recorded: ${this.spec.pageName} ${session.gateway_reference} shows ${unrecorded ?? "no"} ` +
            `${currency.toUpperCase()} refunded beyond Medusa's records, not ${amount}; nothing was sent`
        )
      }
      this.spec.logger.info(
        `${name}: recorded the refund of ${amount} ${currency.toUpperCase()} made at ${name} on ${before?.money.describe}; nothing sent`
      )
      return session
    }
    if (before && recorded !== undefined) {
      const unrecorded = difference(before.total, recorded, currency)
      if (sameMoney(unrecorded, amount)) {
        this.spec.logger.warn(
          `${name}: ${before.money.describe} already shows ${amount} ${currency.toUpperCase()} ${done} that Medusa has ` +
            `no record of: an earlier attempt whose answer was lost; recorded now, nothing sent again`
        )
        return session
      }
      if (isNegative(unrecorded)) {
        throw invalidData(
          name,
          `Medusa has recorded ${recorded} ${currency.toUpperCase()} ${done} on ${before.money.describe}, more than the ` +
            `${before.total} the gateway shows: a ${kind} still under way, or one that failed at the gateway. Nothing was ` +
            `sent; try again in a few minutes, and if it persists check ${name}'s dashboard`
        )
      }
      if (!isZero(unrecorded)) {
        throw invalidData(
          name,
          `the gateway shows ${kind}s Medusa does not: ${before.money.describe} has ${before.total} ${currency.toUpperCase()} ` +
            `${done}, Medusa has recorded ${recorded}. Nothing was sent; check ${name}'s dashboard and record what it shows in Medusa first`
        )
      }
    }
    try {
      return await attempt()
    } catch (error) {
      if (!before || recorded === undefined) throw error
      const after = await atGateway().catch(() => undefined)
      if (after && sameMoney(difference(after.total, recorded, currency), amount)) {
        this.spec.logger.warn(
          `${name}: ${kind} of ${amount} ${currency.toUpperCase()} answered "${(error as Error).message}", ` +
            `but ${after.money.describe} shows it ${done}; recorded as done`
        )
        return session
      }
      throw this.outcomeUnknown(error, kind)
    }
  }

  /**
   * What the gateway shows refunded on a paid session beyond Medusa's records (a refund made in the gateway's
   * dashboard), with the payment to record it on. Undefined where nothing is unrecorded, where Medusa holds
   * no live payment, or where the gateway's answers give no refund total.
   */
  async unrecordedRefund(
    session: S,
    payments: PaymentRow[]
  ): Promise<{ paymentId: string; amount: string; describe: string } | undefined> {
    const live = payments.find((p) => !p.canceled_at)
    if (!live) return undefined
    const money = await this.spec.moneyAtGateway(session)
    if (money.refunded === null || money.refunded === undefined) return undefined
    const currency = session.currency_code
    const unrecorded = difference(
      toGatewayAmount(money.refunded, currency),
      recordedTotal(payments, "refund", currency),
      currency
    )
    if (isZero(unrecorded) || isNegative(unrecorded)) return undefined
    return { paymentId: live.id, amount: unrecorded, describe: money.describe }
  }

  /** A timeout, a lost connection or a 5xx may hide a refund or capture the gateway made: say that a retry is safe. */
  private outcomeUnknown(error: unknown, kind: MoneyKind): unknown {
    const message = (error as Error)?.message ?? ""
    if (!isGatewayUnavailable(message)) return error
    return retold(
      error,
      `${message}. The gateway may still make this ${kind}; nothing is recorded in Medusa. Trying again is safe: ` +
        `the provider first checks what ${this.spec.name} shows, and records a ${kind} made meanwhile instead of sending it again` +
        (kind === "refund"
          ? ` (unless Medusa shows a refund "Refunded in the ${this.spec.name} dashboard" of this amount by then: that is this one, made)`
          : "")
    )
  }

  /** The session's payments as Medusa records them; undefined where the module does not lend its service. */
  async payments(session: HppSessionData): Promise<PaymentRow[] | undefined> {
    const store = this.store()
    return store ? paymentsOfSession(store, session.session_id) : undefined
  }

  /**
   * The amount of the capture Medusa recorded for this call, from the session's payments (Medusa commits it
   * before it asks the provider). Undefined where Medusa names no capture or lends no records.
   */
  recordedCaptureAmount(
    payments: PaymentRow[] | undefined,
    captureId: string | undefined,
    currency: string
  ): string | undefined {
    if (!captureId || !payments) return undefined
    const capture = capturesOf(payments).find((row) => row.id === captureId)
    const amount = capture?.raw_amount ?? capture?.amount
    if (amount === undefined || amount === null) {
      throw invalidData(
        this.spec.name,
        `Medusa has no capture ${captureId} to take the amount from; nothing was captured`
      )
    }
    return gatewayAmountFor(this.spec.name, amount, currency, this.spec.decimals)
  }
}
