/**
 * Indexes on Medusa's `payment_session` table for the one lookup Medusa's own keys cannot serve: a CatalystPay
 * webhook names only CatalystPay's session token, so its session is found by `data.gateway_reference` (or the
 * key it had before the shared names, `data.session_token`). Without an index that is a scan of every payment
 * session the store ever made, on every webhook; with one it is a lookup.
 *
 * The expressions are the ones Medusa's ORM writes for a filter on a JSON field (`"data"->>'gateway_reference'`),
 * and the predicate the soft-delete filter it always adds (`deleted_at is null`), so the planner can use them.
 * Built `concurrently`, so a live store keeps taking payments while they are made; an index left invalid by an
 * interrupted build is dropped and made again.
 */
export const SESSION_REFERENCE_INDEXES = [
  { name: "IDX_payment_session_hpp_gateway_reference", key: "gateway_reference" },
  { name: "IDX_payment_session_hpp_session_token", key: "session_token" },
] as const

type Pg = { raw(sql: string, bindings?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> }

/** Makes the indexes that are missing (or invalid); returns the names it made. */
export async function ensureSessionReferenceIndexes(pg: Pg): Promise<string[]> {
  const made: string[] = []
  for (const { name, key } of SESSION_REFERENCE_INDEXES) {
    const { rows } = await pg.raw(
      `select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid
       where c.relname = ? and c.relnamespace = current_schema()::regnamespace`,
      [name]
    )
    if (rows[0]?.valid === true) continue
    if (rows[0]) await pg.raw(`drop index concurrently if exists "${name}"`)
    await pg.raw(
      `create index concurrently if not exists "${name}" on "payment_session" (("data" ->> '${key}')) ` +
        `where "deleted_at" is null`
    )
    made.push(name)
  }
  return made
}
