import type { Logger, PaymentProviderInput } from "@medusajs/framework/types"
import { PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import { z } from "zod"
import { invalidData } from "./errors"
import { sameAmount, sameCurrency } from "./money"

const SESSION_ID = /^payses_[0-9A-Za-z]+$/

/** Medusa's payment session ids: what a gateway reference must look like before we act on it. */
export function isMedusaSessionId(value: unknown): value is string {
  return typeof value === "string" && SESSION_ID.test(value)
}

/**
 * What every provider keeps in a payment session's `data`, under one naming pattern in all four:
 * `gateway_reference` is the gateway's id of the hosted page (HitPay's payment request, Cashflows' payment
 * job, NetValve's order, CatalystPay's session token), `gateway_payment_reference` the payment that paid
 * it (a charge, a payment, a transaction), `gateway_status` the gateway's own word when last asked.
 *
 * Medusa shows `data` to the storefront, so nothing here is secret. Medusa stores what the storefront sent
 * with the provider's answer over it (`{ ...storefront, ...provider }`): the provider writes every one of these
 * keys, unknown keys pass through, and of what the storefront sends only `STOREFRONT_KEYS` count.
 */
/** The ways a storefront can present a hosted page (which a gateway offers: its `presentations`). */
export const PRESENTATIONS = ["redirect", "frame", "dropin", "qr"] as const
export type Presentation = (typeof PRESENTATIONS)[number]

export const hppSessionSchema = z
  .object({
    /** The Medusa payment session id, also the merchant reference where the gateway takes one. */
    session_id: z.string().regex(SESSION_ID),
    /** Where the storefront sends the buyer. */
    checkout_url: z.string().min(1),
    /** The amount asked of the gateway, a major-unit decimal string ("10.00"). */
    amount: z.string().regex(/^\d+(\.\d+)?$/),
    /** Lowercase ISO 4217, as Medusa keeps it. */
    currency_code: z.string().length(3).toLowerCase(),
    /** Where the gateway sends the buyer back (null where the gateway takes none). */
    return_url: z
      .string()
      .nullish()
      .transform((v) => v ?? null),
    gateway_reference: z.string().min(1),
    gateway_payment_reference: z
      .string()
      .nullish()
      .transform((v) => v ?? null),
    gateway_status: z
      .string()
      .nullish()
      .transform((v) => v ?? ""),
    /**
     * How the storefront presents the page: `redirect` (to `checkout_url`), `frame` (`checkout_url` in an iframe),
     * `dropin` (the gateway's script, with `drop_in`), `qr` (a code the buyer scans: `qr_code`). Sessions written
     * before there was a choice are `redirect`.
     */
    presentation: z.enum(PRESENTATIONS).default("redirect"),
    /**
     * Set by the plugin (never the storefront: a key of the provider's) once a deferred payment's order exists,
     * awaiting it (src/lib/deferred-payment.ts `markOrderAwaiting`): the provider's authorization then keeps the session
     * awaiting where the gateway's answer is not paid, and lists no "paid, no order".
     */
    order_awaits_payment: z.boolean().optional(),
    /**
     * Set by the provider when it answers Medusa's authorization that the payment is deferred (`pending_authorization`:
     * a SEPA debit under way), and kept: once Medusa holds the payment, the reconciliation says its receipt where
     * nothing else did (src/lib/session-indexes.ts `SETTLED_UNSAID`).
     */
    payment_deferred: z.boolean().optional(),
  })
  .passthrough()

export type HppSessionData = z.output<typeof hppSessionSchema>

/**
 * The keys of session data a storefront chooses (`data.return_url`, `data.presentation`, which the provider checks);
 * every other key of the schema is the provider's.
 */
export const STOREFRONT_KEYS: readonly string[] = ["return_url", "presentation"]

/** The session keys that have a gateway-specific name in data written before the shared pattern. */
export type LegacyKeys = Partial<Record<"gateway_reference" | "gateway_payment_reference" | "gateway_status", string>>

/**
 * A gateway's session schema: the shared one, extended with its own keys, reading the keys it wrote before
 * (sessions and payments already in the database are never migrated). Old keys are dropped on reading, so
 * what the provider writes back has only the current names.
 */
export function sessionSchema<E extends z.ZodRawShape>(legacy: LegacyKeys, extra: E) {
  return z.preprocess((raw) => withCurrentKeys(raw, legacy), hppSessionSchema.extend(extra))
}

/**
 * The old keys are read only from data an earlier release wrote, which has no `gateway_reference`. Data this
 * provider wrote always has one: an old key beside it came from the storefront (Medusa keeps what the storefront
 * sent under the provider's answer), and is dropped, never read as the gateway's reference or paying charge.
 */
function withCurrentKeys(raw: unknown, legacy: LegacyKeys): unknown {
  if (!raw || typeof raw !== "object") {
    return raw
  }
  const data: Record<string, unknown> = { ...(raw as Record<string, unknown>) }
  const writtenBefore = data.gateway_reference === undefined || data.gateway_reference === null
  for (const [current, old] of Object.entries(legacy) as [string, string][]) {
    const value = data[old]
    if (writtenBefore && value !== undefined && value !== null) {
      data[current] = String(value)
    }
    delete data[old]
  }
  return data
}

/**
 * Every key of a gateway's session data the provider owns: the shared keys, the gateway's own, and the keys
 * earlier releases wrote; less what the storefront chooses (`STOREFRONT_KEYS`). Read from the schema itself,
 * so a key added there is owned at once.
 */
export function providerOwnedKeys(gateway: { session: z.ZodTypeAny; legacyKeys: LegacyKeys }): string[] {
  const schema = gateway.session instanceof z.ZodEffects ? gateway.session.innerType() : gateway.session
  if (!(schema instanceof z.ZodObject)) {
    throw new Error("a gateway's session schema must be the shared object schema, extended")
  }
  const keys = [...Object.keys(schema.shape as z.ZodRawShape), ...Object.values(gateway.legacyKeys)]
  return keys.filter((key): key is string => !!key && !STOREFRONT_KEYS.includes(key))
}

/**
 * The session data this provider wrote, parsed; a call that comes without it (another provider's data, or
 * a session whose page was never created) is a clear error naming what is missing.
 */
export function parseSession<S extends z.ZodTypeAny>(
  gateway: string,
  schema: S,
  data: Record<string, unknown> | undefined,
  referenceName: string
): z.output<S> {
  const parsed = schema.safeParse(data ?? {})
  if (!parsed.success) {
    const issues = parsed.error.issues
    const field = (issues.find((i) => i.path[0] === "gateway_reference") ?? issues[0])?.path.join(".") || "data"
    throw invalidData(
      gateway,
      `the payment has no valid ${field === "gateway_reference" ? `${referenceName} reference` : field} ` +
        `(data.${field}): it was not created by this provider`
    )
  }
  return parsed.data
}

/** The session id Medusa passes (in `data`, and as the idempotency key). */
export function sessionIdOf(gateway: string, input: PaymentProviderInput): string {
  const id = input.data?.session_id ?? input.context?.idempotency_key
  if (!isMedusaSessionId(id)) {
    throw invalidData(gateway, "the payment session has no Medusa session id")
  }
  return id
}

/**
 * The webhook action for a session status, as Medusa's payment processing understands it. Paid is reported
 * as `authorized`, never `captured`: Medusa then completes the cart, which asks the provider (the amount
 * check) and records the capture for the session's amount, once. A `captured` action would make Medusa
 * capture the webhook's amount on an existing payment, again on every repeat.
 */
export function webhookActionFor(status: PaymentSessionStatus): PaymentActions {
  const table: Record<PaymentSessionStatus, PaymentActions> = {
    [PaymentSessionStatus.CAPTURED]: PaymentActions.AUTHORIZED,
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
  if (
    sameAmount(paid.amount, session.amount, session.currency_code) &&
    sameCurrency(paid.currency, session.currency_code)
  ) {
    return status
  }
  args.logger?.error(
    `${args.gateway}: ${args.reference} reports ${String(paid.amount)} ${String(paid.currency).toUpperCase()} ` +
      `but session ${session.session_id} is for ${session.amount} ${session.currency_code.toUpperCase()}; ` +
      `not treating it as paid`
  )
  return PaymentSessionStatus.ERROR
}
