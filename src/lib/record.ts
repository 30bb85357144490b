import type { IEventBusModuleService, Logger, MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { createHash } from "node:crypto"

/**
 * The record of what happened to each hosted payment (the plugin's `hppRecord` module writes it). The providers
 * run in the payment module's container, which lends them the event bus but not the plugin's own module, so every
 * part of the plugin (providers, webhook routes, reconciliation) says what happened as an event on the bus, and the
 * plugin's subscriber hands it to the record's writer: one way in, and the payment never waits for the record (the
 * writer writes what it is handed a moment later, in one statement) nor fails with it (an emit or a write that fails
 * is logged and dropped).
 */
export const HPP_RECORD_EVENT = "medusa-payment-hpp.recorded"

export type RecordKind =
  | "page_created"
  | "webhook"
  | "buyer_return"
  | "status_asked"
  | "reconciliation"
  | "refund"
  | "capture"
  | "cancel"
  | "money_returned"
  | "paid_no_order"
  | "amount_unshown"
  | "debit_failed"
  | "paid_order_canceled"
  | "page_left_open"
  | "handled"

/** The attention kinds a later event of the same session can resolve (the item leaves "needs attention"). */
export type AttentionKind =
  | "paid_no_order"
  | "amount_unshown"
  | "refund_unknown"
  | "refund_unrecorded"
  | "money_returned"
  | "debit_failed"
  | "paid_order_canceled"
  | "page_left_open"

export type RecordInput = {
  /** Null from a provider, which does not know the id it was registered under: the writer reads the session's. */
  provider_id: string | null
  gateway: string
  kind: RecordKind
  outcome: string
  message: string
  payment_session_id?: string | null
  gateway_reference?: string | null
  amount?: string | null
  currency_code?: string | null
  /** A person must act on it: it is listed under "needs attention" as `attention_kind`. */
  attention_kind?: AttentionKind
  /** A body's SHA-256 (never the body) and the few fields the plugin used from it. */
  digest?: string | null
  fields?: Record<string, string | number | boolean | null> | null
  /** One row per key: a repeat adds to its count (`occurrences`) instead of writing another row. */
  dedupe_key?: string | null
  occurrences?: number
  /** Attention items of this session that this event settles. */
  resolves?: AttentionKind[]
  /** When it happened (ISO 8601): stamped when it is said, so that a row written later keeps its moment. */
  at?: string
}

/** Whether the store switched the record off (`HPP_RECORD=off`; the benchmark compares both). */
export function recordingOff(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(off|false|0|no)$/i.test(env.HPP_RECORD?.trim() ?? "")
}

/** A body's digest for the record: what arrived can be matched later without keeping it. */
export function digestOf(body: string | Buffer | undefined): string | null {
  if (body === undefined || body.length === 0) return null
  return createHash("sha256").update(body).digest("hex")
}

type Bus = Pick<IEventBusModuleService, "emit">

/** The one line a record that could not be said or written leaves in Medusa's log. */
export function notWrittenLine(kind: string, reason: string): string {
  return `medusa-payment-hpp: a ${kind} record was not written: ${reason}`
}

/** How long repeats of one refused reason are counted in memory before their count is written. */
const COUNT_WINDOW_MS = 60_000

type Counted = { input: RecordInput; extra: number; emit: (input: RecordInput) => void }

/**
 * Emits records on a bus. Records with a `dedupe_key` that recur within a minute (a flood of unverifiable
 * webhooks) are emitted once at once and then as one count at the minute's end: one row per key, one write per
 * minute, whatever the number of requests.
 */
export class Recorder {
  private readonly counting = new Map<string, Counted>()

  record(input: RecordInput, bus: () => Bus | undefined, logger?: Logger): void {
    if (recordingOff()) return
    const emit = (record: RecordInput) => emitRecord(record, bus, logger)
    const key = input.kind === "webhook" ? input.dedupe_key : undefined
    if (key) {
      const seen = this.counting.get(key)
      if (seen) {
        seen.extra += 1
        return
      }
      this.counting.set(key, { input, extra: 0, emit })
      setTimeout(() => this.flush(key), COUNT_WINDOW_MS).unref()
    }
    emit(input)
  }

  private flush(key: string): void {
    const seen = this.counting.get(key)
    this.counting.delete(key)
    if (seen && seen.extra > 0) seen.emit({ ...seen.input, occurrences: seen.extra })
  }
}

function emitRecord(input: RecordInput, bus: () => Bus | undefined, logger?: Logger): void {
  const at = momentNow()
  Promise.resolve()
    // Internal: Medusa's bus would otherwise log a line for every record.
    .then(() => bus()?.emit({ name: HPP_RECORD_EVENT, data: { ...input, at: input.at ?? at } }, { internal: true }))
    .catch((error: Error) => logger?.warn(notWrittenLine(input.kind, error.message)))
}

let lastMoment = 0

/**
 * Now, in microseconds (ISO 8601, as PostgreSQL's timestamps keep it), and later than any moment this process gave
 * before: records said within one millisecond keep their order when they are written together.
 */
export function momentNow(): string {
  const micros = Math.max(Date.now() * 1000, lastMoment + 1)
  lastMoment = micros
  return `${new Date(Math.floor(micros / 1000)).toISOString().slice(0, -1)}${String(micros % 1000).padStart(3, "0")}Z`
}

/** The one recorder of this process: its counts span requests. */
export const recorder = new Recorder()

/** Records from the application's container (routes, reconciliation, subscribers). */
export function recordIn(container: MedusaContainer, input: RecordInput): void {
  recorder.record(
    input,
    () => container.resolve<IEventBusModuleService>(Modules.EVENT_BUS),
    container.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
  )
}

/** The minute a time falls in, for counting keys ("2026-12-07T10:41"). */
export function minuteOf(at: Date = new Date()): string {
  return at.toISOString().slice(0, 16)
}

/** The hour a time falls in, for counting keys ("2026-12-07T10"). */
export function hourOf(at: Date = new Date()): string {
  return at.toISOString().slice(0, 13)
}

/**
 * The one "paid, no order" item of a page, whichever part finds it first (the close of a dropped session, either
 * webhook route, the provider's status check finding another amount paid, or paid with no amount shown): keyed by
 * the gateway and the page's reference. Its first words stay; a later finding counts on it.
 */
export function paidNoOrderKey(gateway: string, reference: string): string {
  return `paid_no_order:${gateway}:${reference}`
}

/** The "paid at the gateway, no order" item of a page for "needs attention": one per page (`paidNoOrderKey`). */
export function paidNoOrderRecord(
  about: Omit<RecordInput, "kind" | "outcome" | "message" | "attention_kind" | "dedupe_key">,
  message: string,
  page: string
): RecordInput {
  return {
    ...about,
    kind: "paid_no_order",
    outcome: "no order",
    message,
    attention_kind: "paid_no_order",
    dedupe_key: paidNoOrderKey(about.gateway, page),
  }
}

/**
 * What the admin is told of a page the gateway calls paid without showing the amount (or currency) paid: no order,
 * or (a deferred payment, `"awaiting"`) an order that still awaits payment.
 */
export function amountUnshownWords(gateway: string, order: "none" | "awaiting" = "none"): string {
  return order === "none"
    ? `paid at ${gateway}, but its answer shows no amount (or currency) to check against the session's: no order; ` +
        `asked again later. Check the payment in the ${gateway} dashboard`
    : `${gateway} says paid, but its answer shows no amount (or currency) to check against the order's: the order ` +
        `still awaits payment; asked again later`
}

/**
 * A deferred payment (a SEPA debit) whose order exists, awaiting payment, that the gateway calls paid without showing
 * the amount (or currency) paid: not "paid, no order" (the order is there), not paid either (nothing to check the
 * amount against). One item per session for the admin, settled when the payment is recorded or the debit fails.
 */
export function amountUnshownRecord(
  about: Omit<RecordInput, "kind" | "outcome" | "message" | "attention_kind" | "dedupe_key">,
  gatewayName: string
): RecordInput {
  return {
    ...about,
    kind: "amount_unshown",
    outcome: "order awaits payment",
    message: amountUnshownWords(gatewayName, "awaiting"),
    attention_kind: "amount_unshown",
    dedupe_key: `amount_unshown:${about.payment_session_id}`,
  }
}

/** The gateway of a provider id (`pp_hitpay_hitpay` → `hitpay`). */
export function gatewayOfProvider(providerId: string): string {
  return providerId.replace(/^pp_/, "").split("_")[0] ?? providerId
}
