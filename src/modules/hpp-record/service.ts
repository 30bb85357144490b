import { randomFillSync } from "node:crypto"
import { MedusaService } from "@medusajs/framework/utils"
import { factory } from "ulid"
import { momentNow, notWrittenLine, RecordInput } from "../../lib/record"
import { HppPaymentEvent } from "./models/payment-event"
import { HppReconcileAsk, HppReconcilePause, HppReconcileRun } from "./models/reconcile-ask"

type Knex = {
  raw(sql: string, bindings?: unknown[] | Record<string, unknown>): Promise<{ rows: Record<string, unknown>[] }>
  transaction<T>(work: (trx: Knex) => Promise<T>): Promise<T>
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

/** How long the subscriber's records wait to be written together (ms), unless `HPP_RECORD_WRITE_AFTER_MS` says otherwise. */
export const DEFAULT_WRITE_AFTER_MS = 100
/** The longest wait a store may set: records wait in memory meanwhile, and a process killed outright loses them. */
export const MAX_WRITE_AFTER_MS = 60_000

/**
 * The wait from `HPP_RECORD_WRITE_AFTER_MS` (the benchmark writes sooner, so that the write falls in the checkout's
 * measured window). A value that is not a whole number of ms from 0 to `MAX_WRITE_AFTER_MS` is not used: the
 * default is, and `problem` says why, for one warning when the writer starts (refusing it would lose records).
 */
export function writeAfterMs(env: NodeJS.ProcessEnv = process.env): { ms: number; problem?: string } {
  const raw = env.HPP_RECORD_WRITE_AFTER_MS?.trim()
  if (!raw) return { ms: DEFAULT_WRITE_AFTER_MS }
  if (/^\d+$/.test(raw) && Number(raw) <= MAX_WRITE_AFTER_MS) return { ms: Number(raw) }
  return {
    ms: DEFAULT_WRITE_AFTER_MS,
    problem:
      `medusa-payment-hpp: HPP_RECORD_WRITE_AFTER_MS must be a whole number of milliseconds from 0 to ` +
      `${MAX_WRITE_AFTER_MS}, not "${raw}": the record is written ${DEFAULT_WRITE_AFTER_MS} ms after it is said`,
  }
}

const WRITE_AFTER = writeAfterMs()
/** A batch this long is written at once. */
const MAX_BATCH = 200

/** A row as the record's writer sends it: the provider may be unknown (read from the session), `at` is when it was said. */
type EventRow = Omit<
  HppPaymentEventRow,
  "created_at" | "provider_id" | "handled_at" | "handled_by" | "resolved_at" | "fields"
> & {
  provider_id: string | null
  fields: Record<string, unknown>
  digest: string | null
  dedupe_key: string | null
  at: string
}

/**
 * Rows in one statement, and the attention items they settle. A row whose provider is not known (a provider's own
 * record: it does not know the id it was registered under) takes its session's, or `pp_<gateway>`. A repeat of a
 * counted key adds to its row (two processes counting at once lose nothing), and a trouble that comes back after it
 * was handled or settled needs a person again. The settling (`settled`) sees the record as it was before the
 * statement: a refund of unknown outcome is settled only by a refund of the same amount.
 */
const WRITE_ROWS = `
  with settled as (
    update hpp_payment_event e set resolved_at = now(), updated_at = now()
    from jsonb_to_recordset(cast(? as jsonb)) as x(session text, kinds text, amount text)
    where e.payment_session_id = x.session and e.attention = true and e.handled_at is null
      and e.resolved_at is null and e.deleted_at is null
      and e.fields->>'attention_kind' = any(string_to_array(x.kinds, ','))
      and (e.fields->>'attention_kind' <> 'refund_unknown' or e.amount = x.amount)
  )
  insert into hpp_payment_event (id, provider_id, gateway, payment_session_id, gateway_reference, kind, outcome,
    message, amount, currency_code, occurrences, attention, digest, fields, dedupe_key, created_at, updated_at)
  select r.id,
    coalesce(r.provider_id, (select s.provider_id from payment_session s where s.id = r.payment_session_id),
      'pp_' || r.gateway),
    r.gateway, r.payment_session_id, r.gateway_reference, r.kind, r.outcome, r.message, r.amount, r.currency_code,
    r.occurrences, r.attention, r.digest, r.fields, r.dedupe_key, r.at, r.at
  from jsonb_to_recordset(cast(? as jsonb)) as r(id text, provider_id text, gateway text,
    payment_session_id text, gateway_reference text, kind text, outcome text, message text, amount text,
    currency_code text, occurrences integer, attention boolean, digest text, fields jsonb, dedupe_key text,
    at timestamptz)
  on conflict (dedupe_key) where dedupe_key is not null and deleted_at is null
  do update set occurrences = hpp_payment_event.occurrences + excluded.occurrences, updated_at = excluded.updated_at,
    handled_at = case when excluded.attention then null else hpp_payment_event.handled_at end,
    handled_by = case when excluded.attention then null else hpp_payment_event.handled_by end,
    resolved_at = case when excluded.attention then null else hpp_payment_event.resolved_at end`

/** The statement's last line: knex puts the statement before PostgreSQL's reason in an error's message. */
const WRITE_ROWS_END = (WRITE_ROWS.trimEnd().split("\n").at(-1) as string).trim()

/** Attention items of a session that a record settles: kinds comma-separated. */
type Settle = { session: string; kinds: string; amount: string | null }

/**
 * Writes and reads the record. What the plugin's parts say happened (`src/lib/record.ts`, through the subscriber)
 * is queued and written `WRITE_AFTER.ms` later, all of it in one statement: never on the path of the request that
 * said it (a checkout used to spend a read of the session's provider and a write per record), and one round trip
 * for a burst. Batches are written one after another, in the order said; the queue is written out when Medusa
 * shuts down. An event that settles attention items of its session marks them after the rows said before it.
 */
export class HppRecordService extends MedusaService({
  HppPaymentEvent,
  HppReconcileAsk,
  HppReconcilePause,
  HppReconcileRun,
}) {
  private readonly pg: Knex
  private readonly logger?: { warn(message: string): void }
  private queue: RecordInput[] = []
  private timer: NodeJS.Timeout | undefined
  private writing: Promise<void> = Promise.resolve()
  /** Medusa is shutting down: what is said from now on is written at once. */
  private closing = false

  /** Medusa shutting down, in either phase: what is queued is written, and what is said from now on at once. */
  private readonly close = async () => {
    this.closing = true
    await this.flush()
  }

  __hooks = { onApplicationPrepareShutdown: this.close, onApplicationShutdown: this.close }

  constructor(container: Record<string, unknown>) {
    // eslint-disable-next-line prefer-rest-params
    super(...(arguments as unknown as [Record<string, unknown>]))
    this.pg = container.__pg_connection__ as Knex
    this.logger = loggerOf(container)
    if (WRITE_AFTER.problem) this.logger?.warn(WRITE_AFTER.problem)
  }

  /** Queues a record; it is written within `WRITE_AFTER.ms` (at once when the queue is long). */
  enqueue(input: RecordInput): void {
    this.queue.push({ ...input, at: input.at ?? momentNow() })
    if (this.closing || this.queue.length >= MAX_BATCH) {
      void this.flush()
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), WRITE_AFTER.ms)
      this.timer.unref?.()
    }
  }

  /** Writes what is queued; resolves once it (and every batch before it) is written or has failed. */
  flush(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    const batch = this.queue
    this.queue = []
    if (batch.length) this.writing = this.writing.then(() => this.writeBatch(batch))
    return this.writing
  }

  /**
   * A batch is written whole or not at all; when it cannot be (a row PostgreSQL refuses), each record is written on
   * its own, so that one bad record loses only itself. Never throws: what is not written is one warning each.
   */
  private async writeBatch(batch: RecordInput[]): Promise<void> {
    try {
      await this.writeAll(batch)
      return
    } catch (error) {
      if (batch.length === 1) return this.warnNotWritten(batch[0], error as Error)
    }
    for (const input of batch) {
      await this.writeAll([input]).catch((error: Error) => this.warnNotWritten(input, error))
    }
  }

  /** One line: PostgreSQL's reason, without the statement (and its data) that knex puts before it. */
  private warnNotWritten(input: RecordInput, error: Error): void {
    const end = error.message.lastIndexOf(WRITE_ROWS_END)
    const reason = end < 0 ? error.message : error.message.slice(end + WRITE_ROWS_END.length).replace(/^ - /, "")
    this.logger?.warn(notWrittenLine(input.kind, reason))
  }

  /** Writes one record now. */
  async write(input: RecordInput): Promise<void> {
    await this.writeAll([input])
  }

  /**
   * Writes records in the order given, in as few statements as keep that order, all or none: a statement sees the
   * record as it was before it, so attention rows and settlings never share one (a settling would miss an item said
   * before it, or undo one said after it, or meet the same row twice); those are written one statement after the
   * other, in one transaction. Repeats of one counted key within a statement are one row with their occurrences
   * added (a statement may not update a row twice).
   */
  async writeAll(inputs: RecordInput[]): Promise<void> {
    const statements: { rows: Map<string, EventRow>; settles: Settle[] }[] = []
    let current = { rows: new Map<string, EventRow>(), settles: [] as Settle[] }
    for (const input of inputs) {
      const row = toRow(input)
      const settle: Settle | undefined =
        input.resolves?.length && input.payment_session_id
          ? { session: input.payment_session_id, kinds: input.resolves.join(","), amount: input.amount ?? null }
          : undefined
      const apart =
        (settle && [...current.rows.values()].some((r) => r.attention)) || (row.attention && current.settles.length > 0)
      if (apart) {
        statements.push(current)
        current = { rows: new Map(), settles: [] }
      }
      const same = row.dedupe_key ? current.rows.get(`k:${row.dedupe_key}`) : undefined
      if (same) same.occurrences += row.occurrences
      else current.rows.set(row.dedupe_key ? `k:${row.dedupe_key}` : row.id, row)
      if (settle) current.settles.push(settle)
    }
    statements.push(current)
    const run = async (pg: Knex) => {
      for (const { rows, settles } of statements) {
        if (rows.size || settles.length) await pg.raw(WRITE_ROWS, [withoutNul(settles), withoutNul([...rows.values()])])
      }
    }
    if (statements.length === 1) await run(this.pg)
    else await this.pg.transaction((trx) => run(trx))
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

function toRow(input: RecordInput): EventRow {
  return {
    id: `hppev_${newUlid()}`,
    provider_id: input.provider_id ?? null,
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
    fields: {
      ...(input.fields ?? {}),
      ...(input.attention_kind ? { attention_kind: input.attention_kind } : {}),
    },
    dedupe_key: input.dedupe_key ?? null,
    at: input.at ?? momentNow(),
  }
}

function loggerOf(container: Record<string, unknown>): { warn(message: string): void } | undefined {
  try {
    return container.logger as { warn(message: string): void } | undefined
  } catch {
    return undefined // a container without a logger
  }
}

/**
 * JSON for PostgreSQL's jsonb, which refuses the NUL character: NULs (a sender's text) are left out. JSON writes a
 * NUL as `\u0000`; an escaped backslash before it (`\\u0000`, the text `\u0000`) is left as it is. (Not a
 * replacer function: that is called for every key of every row, and cost a record's write a fifth of its time.)
 */
function withoutNul(value: unknown): string {
  const json = JSON.stringify(value)
  // Escapes read in pairs from the left, so that `\\` is never taken for the start of `\u0000` (linear: a
  // lookbehind over a long run of backslashes went back over it at every one).
  return json.includes("\\u0000")
    ? json.replace(/\\(?:\\|u0000)/g, (escape) => (escape === "\\\\" ? escape : ""))
    : json
}

/**
 * A record's id: Medusa's form (a prefix and a ULID, as `generateEntityId` makes), with the ULID's randomness drawn
 * from a pool. ulid's own source asks the operating system for one byte per character, 16 calls per id, which was
 * a third of the record's write.
 */
const pool = new Uint32Array(512)
let drawn = pool.length
const newUlid = factory(() => {
  if (drawn === pool.length) {
    randomFillSync(pool)
    drawn = 0
  }
  return pool[drawn++] / 0x1_0000_0000
})
