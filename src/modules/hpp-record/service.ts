import { generateEntityId, MedusaService } from "@medusajs/framework/utils"
import type { AttentionKind, RecordInput } from "../../lib/record"
import { HppPaymentEvent } from "./models/payment-event"
import { HppReconcileAsk, HppReconcilePause, HppReconcileRun } from "./models/reconcile-ask"

type Knex = {
  raw(sql: string, bindings?: unknown[] | Record<string, unknown>): Promise<{ rows: Record<string, unknown>[] }>
}

/** The row as the table holds it (what the admin routes read). */
export type HppPaymentEventRow = {
  id: string
  created_at: Date | string
  provider_id: string
  gateway: string
  payment_session_id: string | null
  gateway_reference: string | null
  kind: string
  outcome: string
  message: string
  amount: string | null
  currency_code: string | null
  occurrences: number
  attention: boolean
  handled_at: Date | string | null
  handled_by: string | null
  resolved_at: Date | string | null
  fields: Record<string, unknown> | null
}

/**
 * Writes and reads the record. Writes are single statements on the module's connection: a repeat of a counted key
 * adds to its row in the same statement (two processes counting at once lose nothing), and an event that settles
 * attention items of its session marks them resolved.
 */
export class HppRecordService extends MedusaService({
  HppPaymentEvent,
  HppReconcileAsk,
  HppReconcilePause,
  HppReconcileRun,
}) {
  private readonly pg: Knex

  constructor(container: Record<string, unknown>) {
    // eslint-disable-next-line prefer-rest-params
    super(...(arguments as unknown as [Record<string, unknown>]))
    this.pg = container.__pg_connection__ as Knex
  }

  async write(input: RecordInput): Promise<void> {
    const row = {
      id: generateEntityId(undefined, "hppev"),
      provider_id: input.provider_id,
      gateway: input.gateway,
      payment_session_id: input.payment_session_id ?? null,
      gateway_reference: input.gateway_reference ?? null,
      kind: input.kind,
      outcome: input.outcome,
      message: input.message,
      amount: input.amount ?? null,
      currency_code: input.currency_code ?? null,
      occurrences: input.occurrences ?? 1,
      attention: !!input.attention_kind,
      digest: input.digest ?? null,
      fields: JSON.stringify({
        ...(input.fields ?? {}),
        ...(input.attention_kind ? { attention_kind: input.attention_kind } : {}),
      }),
      dedupe_key: input.dedupe_key ?? null,
    }
    await this.pg.raw(
      `insert into hpp_payment_event (id, provider_id, gateway, payment_session_id, gateway_reference, kind, outcome,
         message, amount, currency_code, occurrences, attention, digest, fields, dedupe_key)
       values (:id, :provider_id, :gateway, :payment_session_id, :gateway_reference, :kind, :outcome, :message,
         :amount, :currency_code, :occurrences, :attention, :digest, cast(:fields as jsonb), :dedupe_key)
       on conflict (dedupe_key) where dedupe_key is not null and deleted_at is null
       do update set occurrences = hpp_payment_event.occurrences + excluded.occurrences, updated_at = now(),
         -- The same trouble again after it was handled or settled: it needs a person again.
         handled_at = case when excluded.attention then null else hpp_payment_event.handled_at end,
         handled_by = case when excluded.attention then null else hpp_payment_event.handled_by end,
         resolved_at = case when excluded.attention then null else hpp_payment_event.resolved_at end`,
      row
    )
    if (input.resolves?.length && input.payment_session_id) {
      await this.resolve(input.payment_session_id, input.resolves, input.amount ?? null)
    }
  }

  /**
   * Marks the session's open attention items of these kinds resolved (a later event settled them). A refund of
   * unknown outcome is settled only by a refund of the same amount.
   */
  async resolve(paymentSessionId: string, kinds: AttentionKind[], amount: string | null = null): Promise<void> {
    await this.pg.raw(
      `update hpp_payment_event set resolved_at = now(), updated_at = now()
       where payment_session_id = ? and attention = true and handled_at is null and resolved_at is null
         and deleted_at is null and fields->>'attention_kind' = any(?)
         and (fields->>'attention_kind' <> 'refund_unknown' or amount = ?)`,
      [paymentSessionId, kinds, amount]
    )
  }

  /** An admin marked the item handled; false when there is no such open item. */
  async markHandled(id: string, by: string | null): Promise<boolean> {
    const { rows } = await this.pg.raw(
      `update hpp_payment_event set handled_at = now(), handled_by = ?, updated_at = now()
       where id = ? and attention = true and handled_at is null and deleted_at is null returning id`,
      [by, id]
    )
    return rows.length > 0
  }

  /** Deletes rows older than `before`; the number deleted. */
  async prune(before: Date): Promise<number> {
    const { rows } = await this.pg.raw(
      `with gone as (delete from hpp_payment_event where created_at < ? returning 1) select count(*)::int as n from gone`,
      [before]
    )
    return Number(rows[0]?.n ?? 0)
  }
}
