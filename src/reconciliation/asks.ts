/**
 * The reconciliation's bookkeeping in the plugin's tables (`hpp_reconcile_ask`, `hpp_reconcile_pause`, made by the
 * record module's migration): which open sessions are due, what each answer means for the next question, and the
 * pauses gateways asked for. Every read is an index lookup however many sessions the store has: the open sessions
 * of one provider in the window, newest first (Medusa's `payment_session`, with the plugin's partial index on open
 * sessions by provider and time where the migration script made it), and the asked ones by when they are due.
 */
import { nextAskAt } from "./schedule"
import { SETTLED_UNSAID } from "../lib/session-indexes"

type Pg = { raw(sql: string, bindings?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> }

/** The statuses Medusa leaves a session in until it is paid: a completion tried too early saves them. */
export const OPEN_STATUSES = ["pending", "pending_authorization", "requires_more", "error"] as const

export type Window = { provider: string; from: Date; to: Date; hours?: number }
export type DueSession = { id: string; createdAt: Date }

const open = `s.status in (${OPEN_STATUSES.map((s) => `'${s}'`).join(", ")}) and s.deleted_at is null`

/** Sessions of the window never asked about, newest first, before the keyset `after` (the last one taken). */
export async function neverAsked(
  pg: Pg,
  { provider, from, to }: Window,
  limit: number,
  after?: DueSession
): Promise<DueSession[]> {
  const { rows } = await pg.raw(
    `select s.id, s.created_at from payment_session s
     where s.provider_id = ? and ${open} and s.created_at >= ? and s.created_at <= ?
       ${after ? "and (s.created_at, s.id) < (select p.created_at, p.id from payment_session p where p.id = ?)" : ""}
       and not exists (select 1 from hpp_reconcile_ask a where a.payment_session_id = s.id)
     order by s.created_at desc, s.id desc
     limit ?`,
    // The keyset is the last row's own (created_at, id), read in the database: a JavaScript Date would drop its
    // microseconds and skip the rows made in the same millisecond.
    [provider, from, to, ...(after ? [after.id] : []), limit]
  )
  return rows.map(toDue)
}

/** Sessions of the window asked before and due again by `now`, the longest overdue first. */
export async function dueAgain(
  pg: Pg,
  { provider, from, to }: Window,
  now: Date,
  limit: number,
  skip: readonly string[]
): Promise<DueSession[]> {
  const { rows } = await pg.raw(
    `select s.id, s.created_at from hpp_reconcile_ask a join payment_session s on s.id = a.payment_session_id
     where a.provider_id = ? and a.done_at is null and a.deleted_at is null and a.next_ask_at <= ?
       and ${open} and s.created_at >= ? and s.created_at <= ?
       ${skip.length ? "and not (a.payment_session_id = any(?))" : ""}
     order by a.next_ask_at asc
     limit ?`,
    [provider, now, from, to, ...(skip.length ? [skip] : []), limit]
  )
  return rows.map(toDue)
}

/**
 * Deferred payments (SEPA debits) of the window that Medusa holds as paid and whose receipt the plugin has not said:
 * settled through Medusa's own webhook route, which says nothing. Read through the partial index of exactly these
 * (src/lib/session-indexes.ts), oldest first.
 */
export async function settledUnsaid(
  pg: Pg,
  { provider, from }: Pick<Window, "provider" | "from">,
  limit: number
): Promise<{ id: string; payment_collection_id: string }[]> {
  const { rows } = await pg.raw(
    `select id, payment_collection_id from payment_session
     where provider_id = ? and created_at >= ? and ${SETTLED_UNSAID}
     order by created_at asc
     limit ?`,
    [provider, from, limit]
  )
  return rows.map((r) => ({ id: String(r.id), payment_collection_id: String(r.payment_collection_id) }))
}

/** How many open sessions the window holds, and how many of them are not due yet (for the run's summary line). */
export async function windowCounts(pg: Pg, { provider, from, to }: Window, now: Date) {
  const { rows } = await pg.raw(
    `select count(*)::int as open,
            count(*) filter (where a.done_at is not null or a.next_ask_at > ?)::int as resting
     from payment_session s left join hpp_reconcile_ask a on a.payment_session_id = s.id
     where s.provider_id = ? and ${open} and s.created_at >= ? and s.created_at <= ?`,
    [now, provider, from, to]
  )
  return { open: Number(rows[0]?.open ?? 0), resting: Number(rows[0]?.resting ?? 0) }
}

/**
 * What one question's answer means for the next: asked again on the schedule, not again (`done`: the gateway
 * says the page ended for good, or it is settled), or at the next run (`soon`: another run had it, or the job
 * stopped before asking).
 */
export async function noteAsked(
  pg: Pg,
  { provider, hours }: { provider: string; hours?: number },
  session: DueSession,
  now: Date,
  answer: { decision: string; detail?: string },
  next: "schedule" | "done" | "soon"
): Promise<void> {
  if (next === "soon") {
    // Not answered (another run had it, or the gateway turned the question away): due at once, and a session never
    // asked stays never asked, so it keeps its place among the newest.
    await pg.raw(`update hpp_reconcile_ask set next_ask_at = ?, updated_at = now() where payment_session_id = ?`, [
      now,
      session.id,
    ])
    return
  }
  const nextAt = nextAskAt(session.createdAt, now, hours)
  await pg.raw(
    `insert into hpp_reconcile_ask
       (payment_session_id, provider_id, asks, last_asked_at, next_ask_at, last_answer, last_decision, done_at)
     values (?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (payment_session_id) do update set
       asks = hpp_reconcile_ask.asks + excluded.asks, last_asked_at = excluded.last_asked_at,
       next_ask_at = excluded.next_ask_at, last_answer = excluded.last_answer,
       last_decision = excluded.last_decision, done_at = excluded.done_at,
       updated_at = now()`,
    [
      session.id,
      provider,
      1,
      now,
      nextAt,
      (answer.detail ?? answer.decision).slice(0, 500),
      answer.decision,
      next === "done" ? now : null,
    ]
  )
}

/** Forgets the rows of sessions no longer open or past the window (settled, deleted, aged out). */
export async function forgetClosed(pg: Pg, { provider, from }: Window): Promise<number> {
  const { rows } = await pg.raw(
    `with gone as (
       delete from hpp_reconcile_ask a
       where a.provider_id = ? and not exists (
         select 1 from payment_session s where s.id = a.payment_session_id and ${open} and s.created_at >= ?)
       returning 1)
     select count(*)::int as n from gone`,
    [provider, from]
  )
  return Number(rows[0]?.n ?? 0)
}

/**
 * Until when the gateway asked the job to leave it alone (a 429), if that is still ahead of `now`. Kept by gateway,
 * not provider: a gateway's limit may be per address (CatalystPay's is), shared by a store's two accounts.
 */
export async function pausedUntil(pg: Pg, gateway: string, now: Date): Promise<Date | undefined> {
  const { rows } = await pg.raw(
    `select paused_until from hpp_reconcile_pause where gateway = ? and deleted_at is null and paused_until > ?`,
    [gateway, now]
  )
  return rows[0] ? new Date(rows[0].paused_until as string) : undefined
}

export async function pause(pg: Pg, gateway: string, until: Date, reason: string): Promise<void> {
  await pg.raw(
    `insert into hpp_reconcile_pause (gateway, paused_until, reason) values (?, ?, ?)
     on conflict (gateway) do update set paused_until = excluded.paused_until, reason = excluded.reason,
       deleted_at = null, updated_at = now()`,
    [gateway, until, reason.slice(0, 500)]
  )
}

/** How long a run holds its lease without renewing it: a process that dies mid-run frees it this soon. */
export const RUN_LEASE_SECONDS = 60

/**
 * The run's lease, in the plugin's own table (`hpp_reconcile_run`), so that runs never overlap on any instance that
 * shares the store's database, whatever its locking module: taken when free or expired, by one owner at a time.
 */
export async function takeRunLease(pg: Pg, owner: string): Promise<boolean> {
  const { rows } = await pg.raw(
    `insert into hpp_reconcile_run (name, owner, expires_at) values ('reconcile', ?, now() + make_interval(secs => ?))
     on conflict (name) do update set owner = excluded.owner, expires_at = excluded.expires_at, updated_at = now()
       where hpp_reconcile_run.expires_at < now() or hpp_reconcile_run.owner = excluded.owner
     returning owner`,
    [owner, RUN_LEASE_SECONDS]
  )
  return rows.length === 1
}

export async function releaseRunLease(pg: Pg, owner: string): Promise<void> {
  await pg.raw(`delete from hpp_reconcile_run where name = 'reconcile' and owner = ?`, [owner])
}

const toDue = (row: Record<string, unknown>): DueSession => ({
  id: String(row.id),
  createdAt: new Date(row.created_at as string),
})
