/**
 * Indexes on Medusa's `payment_session` table for the lookups Medusa's own keys cannot serve.
 *
 * - A CatalystPay webhook names only CatalystPay's session token, so its session is found by
 *   `data.gateway_reference` (or the key it had before the shared names, `data.session_token`). Without an index
 *   that is a scan of every payment session the store ever made, on every webhook; with one it is a lookup.
 *   The expressions are the ones Medusa's ORM writes for a filter on a JSON field (`"data"->>'gateway_reference'`).
 *   These indexes are whole, not partial: PostgreSQL keeps statistics for a whole expression index, and without them
 *   it guesses that a token matches many sessions and, for Medusa's `order by id limit`, walks the primary key
 *   instead (a read of every session again).
 * - The reconciliation job lists the open sessions of one provider made within a window of time, and "needs
 *   attention" the pending ones past their grace: Medusa indexes neither the provider nor the time of a session, so
 *   both were a scan of every session. The open-session index holds only the sessions still open and not deleted
 *   (a small part of a store's sessions: most are paid, canceled or deleted), by provider and time.
 *
 * - A deferred payment (a SEPA debit) that Medusa's own webhook route settles is captured with nothing said; the
 *   reconciliation finds those (`SETTLED_UNSAID`) and says them. That index holds only such sessions, a handful.
 *
 * The table is analysed after a build. Built `concurrently`, so a live store keeps taking payments while they are
 * made; an index left invalid by an interrupted build is dropped and made again.
 */
type Pg = { raw(sql: string, bindings?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> }

/** The index on `data ->> key` (`IDX_payment_session_hpp_gateway_reference`). */
export const sessionReferenceIndexName = (key: string) => `IDX_payment_session_hpp_${key}`

/** The statuses Medusa leaves a session in until it is paid (the reconciliation's and "needs attention"'s). */
export const OPEN_SESSION_STATUSES = ["pending", "requires_more", "error", "pending_authorization"] as const

/** The index of open, live sessions by provider and time. */
export const OPEN_SESSION_INDEX = "IDX_payment_session_hpp_open_provider_created_at"

/** The session data key the provider sets when it answers that a session's payment is deferred (a SEPA debit). */
export const DEFERRED_DATA_KEY = "payment_deferred"
/** The session data key the plugin sets once a deferred payment's order exists (src/lib/deferred-payment.ts). */
export const ORDER_AWAITS_KEY = "order_awaits_payment"
/** The session metadata key the plugin sets once it said a deferred payment's receipt (src/lib/deferred-payment.ts). */
export const RECEIVED_MARK = "hpp_payment_received"

/** `like` patterns for the provider ids of these gateways (`pp_<gateway>_<id>`, the underscores literal). */
export function providerIdPatterns(gateways: readonly string[]): string[] {
  return gateways.map((name) => `pp\\_${name}\\_%`)
}
/**
 * Deferred payments Medusa holds as paid whose receipt the plugin has not said: settled through Medusa's own webhook
 * route, which says nothing. A handful at any time; the index of exactly these has this predicate, and the
 * reconciliation's read repeats it (PostgreSQL uses a partial index only for a query that implies its predicate).
 */
export const SETTLED_UNSAID = `"status" in ('authorized', 'captured') and ("data" ->> '${DEFERRED_DATA_KEY}') = 'true' and ("metadata" ->> '${RECEIVED_MARK}') is null and "deleted_at" is null`
/** The index of deferred payments settled and not said, by provider and time. */
export const SETTLED_UNSAID_INDEX = "IDX_payment_session_hpp_deferred_settled_unsaid"

/** Makes the index `name` on payment_session as `definition` (what follows `on "payment_session"`) unless it is there and valid. */
async function ensureIndex(pg: Pg, name: string, definition: string): Promise<boolean> {
  // The index of this name on the payment_session table the search path finds (Medusa's own).
  const { rows } = await pg.raw(
    `select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid
     where i.indrelid = to_regclass('payment_session') and c.relname = ?`,
    [name]
  )
  if (rows[0]?.valid === true) return false
  if (rows[0]) await pg.raw(`drop index concurrently if exists "${name}"`)
  await pg.raw(`create index concurrently if not exists "${name}" on "payment_session" ${definition}`)
  return true
}

/** Makes the indexes on these keys of the session data that are missing (or invalid); returns the names it made. */
export async function ensureSessionReferenceIndexes(pg: Pg, keys: readonly string[]): Promise<string[]> {
  const made: string[] = []
  for (const key of keys) {
    const name = sessionReferenceIndexName(key)
    if (await ensureIndex(pg, name, `(("data" ->> '${key}'))`)) made.push(name)
  }
  if (made.length) await pg.raw(`analyze "payment_session"`)
  return made
}

/** Makes the open-session index if it is missing (or invalid); returns the names it made. */
export async function ensureOpenSessionIndex(pg: Pg): Promise<string[]> {
  const statuses = OPEN_SESSION_STATUSES.map((s) => `'${s}'`).join(", ")
  const made = await ensureIndex(
    pg,
    OPEN_SESSION_INDEX,
    `("provider_id", "created_at") where "status" in (${statuses}) and "deleted_at" is null`
  )
  if (!made) return []
  await pg.raw(`analyze "payment_session"`)
  return [OPEN_SESSION_INDEX]
}

/** Makes the index of deferred payments settled and not said if it is missing (or invalid); returns the names it made. */
export async function ensureSettledUnsaidIndex(pg: Pg): Promise<string[]> {
  if (!(await ensureIndex(pg, SETTLED_UNSAID_INDEX, `("provider_id", "created_at") where ${SETTLED_UNSAID}`))) return []
  return [SETTLED_UNSAID_INDEX]
}
