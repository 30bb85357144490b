/**
 * Indexes on Medusa's `payment_session` table for the one lookup Medusa's own keys cannot serve: a CatalystPay
 * webhook names only CatalystPay's session token, so its session is found by `data.gateway_reference` (or the
 * key it had before the shared names, `data.session_token`). Without an index that is a scan of every payment
 * session the store ever made, on every webhook; with one it is a lookup.
 *
 * The expressions are the ones Medusa's ORM writes for a filter on a JSON field (`"data"->>'gateway_reference'`).
 * The indexes are whole, not partial: PostgreSQL keeps statistics for a whole expression index, and without them
 * it guesses that a token matches many sessions and, for Medusa's `order by id limit`, walks the primary key
 * instead (a read of every session again). The table is analysed after a build for the same reason. Built
 * `concurrently`, so a live store keeps taking payments while they are made; an index left invalid by an
 * interrupted build is dropped and made again.
 */
type Pg = { raw(sql: string, bindings?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> }

/** The index on `data ->> key` (`IDX_payment_session_hpp_gateway_reference`). */
export const sessionReferenceIndexName = (key: string) => `IDX_payment_session_hpp_${key}`

/** Makes the indexes on these keys of the session data that are missing (or invalid); returns the names it made. */
export async function ensureSessionReferenceIndexes(pg: Pg, keys: readonly string[]): Promise<string[]> {
  const made: string[] = []
  for (const key of keys) {
    const name = sessionReferenceIndexName(key)
    // The index of this name on the payment_session table the search path finds (Medusa's own).
    const { rows } = await pg.raw(
      `select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid
       where i.indrelid = to_regclass('payment_session') and c.relname = ?`,
      [name]
    )
    if (rows[0]?.valid === true) continue
    if (rows[0]) await pg.raw(`drop index concurrently if exists "${name}"`)
    await pg.raw(`create index concurrently if not exists "${name}" on "payment_session" (("data" ->> '${key}'))`)
    made.push(name)
  }
  if (made.length) await pg.raw(`analyze "payment_session"`)
  return made
}
