/**
 * Abandoned checkouts written straight into Medusa's tables, not through the API, as a store that has been open a
 * while holds them: `count` copies of a template payment session, each with a payment collection of its own, their
 * own ids and pages, pending, created evenly from `oldestHoursAgo` to `newestHoursAgo` before `now` (n = 1 the
 * newest). Shared by the reconciliation's test at 10,000 sessions (integration-tests/http/hitpay.spec.ts) and
 * `npm run bench -- --reconcile` (scripts/bench/reconcile.js).
 */

/** Runs SQL with `?` placeholders (knex's `raw`; the benchmark numbers them for `pg`). */
export type Query = (sql: string, bindings: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>

export type Abandoned = {
  /** The payment session copied (with its payment collection). */
  template: string
  now: Date
  count: number
  oldestHoursAgo: number
  newestHoursAgo: number
  /** The gateway's page of each, in order (n = 1 first); without them, `abandoned-<n>`. */
  pageIds?: string[]
}

/** The id of the n-th abandoned session (n = 1 the newest). */
export const abandonedSessionId = (n: number) => `payses_abandoned${String(n).padStart(6, "0")}`

export async function abandonSessions(
  query: Query,
  { template, now, count, oldestHoursAgo, newestHoursAgo, pageIds }: Abandoned
): Promise<void> {
  const columnsOf = async (table: string): Promise<string[]> =>
    (
      await query(
        `select column_name from information_schema.columns where table_name = ? and table_schema = current_schema()`,
        [table]
      )
    ).rows.map((r) => String(r.column_name))
  const copy = async (table: string, alias: string, set: Record<string, string>, from: string, bindings: unknown[]) => {
    const columns = await columnsOf(table)
    await query(
      `insert into ${table} (${columns.map((c) => `"${c}"`).join(", ")})
       select ${columns.map((c) => set[c] ?? `${alias}."${c}"`).join(", ")} ${from}`,
      bindings
    )
  }
  const sessionId = `'payses_abandoned' || lpad(g::text, 6, '0')`
  const collectionId = `'pay_col_abandoned' || lpad(g::text, 6, '0')`
  const createdAt = `p.now_at - make_interval(secs => (p.newest + (g - 1) * p.spacing))`
  // Every value is bound once, in the FROM clause, whatever the order of the table's columns.
  const series = `generate_series(1, ?::int) g,
    (select ?::timestamptz as now_at, ?::float8 as newest, ?::float8 as spacing, ?::text[] as pages) p`
  const bindings = [
    count,
    now.toISOString(),
    newestHoursAgo * 3600,
    ((oldestHoursAgo - newestHoursAgo) * 3600) / Math.max(1, count - 1),
    pageIds ?? null,
  ]
  await copy(
    "payment_collection",
    "c",
    { id: collectionId, created_at: createdAt, updated_at: "now()" },
    `from payment_collection c join payment_session s on s.payment_collection_id = c.id, ${series} where s.id = ?`,
    [...bindings, template]
  )
  const page = pageIds ? `p.pages[g]` : `'abandoned-' || g`
  await copy(
    "payment_session",
    "s",
    {
      id: sessionId,
      payment_collection_id: collectionId,
      status: `'pending'`,
      created_at: createdAt,
      updated_at: "now()",
      data: `s.data || jsonb_build_object('session_id', ${sessionId}, 'gateway_reference', ${page})`,
    },
    `from payment_session s, ${series} where s.id = ?`,
    [...bindings, template]
  )
}
