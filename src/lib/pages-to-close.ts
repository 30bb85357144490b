/**
 * Hosted pages a deleted payment session left open: the gateway could not be asked to close them in the time a
 * cart change may wait (Medusa holds the cart lock for it). Medusa deletes the session row right after, so they are
 * kept here, in a table of the plugin's own (`hpp_page_to_close`, made on first use), and the reconciliation job
 * closes them later through the provider. A payment on such a page makes no order either way: its session is gone,
 * and the webhook's live-session guard refuses it.
 */
type Pg = { raw(sql: string, bindings?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> }

export const PAGES_TO_CLOSE_TABLE = "hpp_page_to_close"

/** Set by the reconciliation job on the data it hands a provider's `deletePayment` to close a recorded page again. */
export const RETRYING_CLOSE = "hpp_retrying_close"

/** A page to close: the gateway (provider identifier), its reference, and the session data the provider closes it by. */
export type PageToClose = {
  gateway: string
  gatewayReference: string
  sessionId: string
  data: Record<string, unknown>
  attempts: number
  createdAt: Date
}

/** After this many days a page still not closed is given up (logged): gateways expire their pages well before. */
export const GIVE_UP_AFTER_DAYS = 7

const made = new WeakMap<Pg, Promise<unknown>>()

function ensureTable(pg: Pg): Promise<unknown> {
  let ready = made.get(pg)
  if (!ready) {
    ready = pg
      .raw(
        `create table if not exists "${PAGES_TO_CLOSE_TABLE}" (
          gateway text not null,
          gateway_reference text not null,
          session_id text not null,
          data jsonb not null,
          reason text,
          attempts integer not null default 1,
          created_at timestamptz not null default now(),
          next_attempt_at timestamptz not null default now(),
          primary key (gateway, gateway_reference)
        )`
      )
      .catch((error) => {
        // Two processes making it at once: the other one's CREATE won (a unique violation on its type), and it exists.
        if ((error as { code?: string }).code === "23505") return
        made.delete(pg)
        throw error
      })
    made.set(pg, ready)
  }
  return ready
}

/** Runs `work` once the table exists; a table dropped since (a restored database) is made again. */
async function withTable<T>(pg: Pg, work: () => Promise<T>): Promise<T> {
  await ensureTable(pg)
  try {
    return await work()
  } catch (error) {
    if ((error as { code?: string }).code !== "42P01") throw error // undefined_table
    made.delete(pg)
    await ensureTable(pg)
    return work()
  }
}

/** Minutes to wait before the next try, after `attempts` tries: 5, 10, 20, … up to 6 hours. */
export const retryAfterMinutes = (attempts: number) => Math.min(5 * 2 ** Math.max(0, attempts - 1), 360)

/** Records (or, on a repeat, counts another try of) a page left open. */
export async function recordPageToClose(
  pg: Pg,
  page: { gateway: string; gatewayReference: string; sessionId: string; data: Record<string, unknown>; reason: string }
): Promise<void> {
  await withTable(pg, () =>
    pg.raw(
      `insert into "${PAGES_TO_CLOSE_TABLE}" (gateway, gateway_reference, session_id, data, reason, next_attempt_at)
     values (?, ?, ?, ?::jsonb, ?, now() + make_interval(mins => ?))
     on conflict (gateway, gateway_reference) do update set
       attempts = "${PAGES_TO_CLOSE_TABLE}".attempts + 1,
       reason = excluded.reason,
       next_attempt_at = now() + make_interval(mins => least(360, 5 * power(2, "${PAGES_TO_CLOSE_TABLE}".attempts)::int))`,
      [
        page.gateway,
        page.gatewayReference,
        page.sessionId,
        JSON.stringify(page.data),
        page.reason,
        retryAfterMinutes(1),
      ]
    )
  )
}

/** The page is closed (or needs no closing): forget it. */
export async function forgetPageToClose(pg: Pg, gateway: string, gatewayReference: string): Promise<void> {
  await withTable(pg, () =>
    pg.raw(`delete from "${PAGES_TO_CLOSE_TABLE}" where gateway = ? and gateway_reference = ?`, [
      gateway,
      gatewayReference,
    ])
  )
}

/** Pages of `gateway` due for another try at `now`, oldest first. */
export async function pagesDue(pg: Pg, gateway: string, now: Date, limit = 50): Promise<PageToClose[]> {
  const { rows } = await withTable(pg, () =>
    pg.raw(
      `select gateway, gateway_reference, session_id, data, attempts, created_at from "${PAGES_TO_CLOSE_TABLE}"
     where gateway = ? and next_attempt_at <= ? order by created_at limit ?`,
      [gateway, now.toISOString(), limit]
    )
  )
  return rows.map((row) => ({
    gateway: String(row.gateway),
    gatewayReference: String(row.gateway_reference),
    sessionId: String(row.session_id),
    data: row.data as Record<string, unknown>,
    attempts: Number(row.attempts),
    createdAt: new Date(row.created_at as string),
  }))
}

/** Whether the page is still recorded as open. */
export async function isPageToClose(pg: Pg, gateway: string, gatewayReference: string): Promise<boolean> {
  const { rows } = await withTable(pg, () =>
    pg.raw(`select 1 from "${PAGES_TO_CLOSE_TABLE}" where gateway = ? and gateway_reference = ?`, [
      gateway,
      gatewayReference,
    ])
  )
  return rows.length > 0
}
