import type { IPaymentModuleService, MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, MedusaError, Modules } from "@medusajs/framework/utils"
import { z } from "zod"
import { HPP_GATEWAYS, HppGateway, hppProviderOf } from "../../../env"
import { gatewayOfProvider } from "../../../lib/record"
import { registeredOptions } from "../../../registered-options"
import type { HppPaymentEventRow } from "../../../modules/hpp-record/service"
import type { HppAttentionItem, HppAttentionKind, HppEventKind, HppEventView } from "./types"

type Knex = { raw(sql: string, bindings?: unknown[] | Record<string, unknown>): Promise<{ rows: any[] }> } // eslint-disable-line @typescript-eslint/no-explicit-any

export const pg = (container: MedusaContainer) => container.resolve<Knex>(ContainerRegistrationKeys.PG_CONNECTION)

/** `limit` (1–100, default 20) and `offset` of a paginated admin route, from its query string. */
export const Pagination = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
})

/** Parses with `schema` or answers 400 with what is wrong, in words. */
export function parseOr400<T extends z.ZodTypeAny>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; ")
  throw new MedusaError(MedusaError.Types.INVALID_DATA, issues)
}

/** The gateway as an admin knows it ("HitPay"): the name its options spec already gives. */
export const gatewayName = (gateway: string) => HPP_GATEWAYS[gateway as HppGateway]?.gateway ?? gateway

const iso = (value: Date | string | null | undefined) => (value ? new Date(value).toISOString() : null)

export function eventView(row: HppPaymentEventRow): HppEventView {
  return {
    id: row.id,
    created_at: iso(row.created_at)!,
    kind: row.kind as HppEventKind,
    outcome: row.outcome,
    message: row.message,
    provider_id: row.provider_id,
    gateway: row.gateway,
    payment_session_id: row.payment_session_id,
    gateway_reference: row.gateway_reference,
    amount: row.amount,
    currency_code: row.currency_code,
    count: Number(row.occurrences ?? 1),
    attention: !!row.attention,
    handled_at: iso(row.handled_at),
    handled_by: row.handled_by,
    resolved_at: iso(row.resolved_at),
  }
}

const EVENT_COLUMNS = `id, created_at, provider_id, gateway, payment_session_id, gateway_reference, kind, outcome,
  message, amount, currency_code, occurrences, attention, handled_at, handled_by, resolved_at, fields`

type EventFilters = { provider_id?: string; payment_session_ids?: string[]; kinds?: string[] }
type EventPage = { limit: number; offset: number; oldestFirst?: boolean }

function eventsWhere(filters: EventFilters): { clause: string; bindings: Record<string, unknown> } {
  const where: string[] = ["deleted_at is null"]
  const bindings: Record<string, unknown> = {}
  if (filters.provider_id) {
    where.push("provider_id = :provider_id")
    bindings.provider_id = filters.provider_id
  }
  if (filters.kinds) {
    where.push("kind = any(:kinds)")
    bindings.kinds = filters.kinds
  }
  if (filters.payment_session_ids) {
    where.push("payment_session_id = any(:sessions)")
    bindings.sessions = filters.payment_session_ids
  }
  return { clause: where.join(" and "), bindings }
}

/**
 * Record rows, newest first (or oldest first), filtered; without their count, for a view that shows none (a
 * provider's last webhooks, an order's payments): counting a provider's rows reads all of them.
 */
export async function listEventRows(
  container: MedusaContainer,
  filters: EventFilters,
  { limit, offset, oldestFirst = false }: EventPage
): Promise<HppPaymentEventRow[]> {
  const { clause, bindings } = eventsWhere(filters)
  const { rows } = await pg(container).raw(
    `select ${EVENT_COLUMNS} from hpp_payment_event where ${clause}
     order by created_at ${oldestFirst ? "asc" : "desc"}, id limit :limit offset :offset`,
    { ...bindings, limit, offset }
  )
  return rows
}

/**
 * How many rows past the page the count goes on to: a provider's record holds a row or more per payment, hundreds
 * of thousands in a large store, and an exact count reads every one of them on every page.
 */
export const EVENTS_COUNTED_PAST_PAGE = 1000

/**
 * Record rows, newest first (or oldest first), filtered; with their count, exact up to `EVENTS_COUNTED_PAST_PAGE`
 * rows past the page (more rows than that are counted as that many).
 */
export async function listEvents(
  container: MedusaContainer,
  filters: EventFilters,
  page: EventPage
): Promise<{ rows: HppPaymentEventRow[]; count: number }> {
  const { clause, bindings } = eventsWhere(filters)
  const [rows, { rows: counted }] = await Promise.all([
    listEventRows(container, filters, page),
    pg(container).raw(
      `select count(*)::int as n from (select 1 from hpp_payment_event where ${clause} limit :upTo) as matched`,
      { ...bindings, upTo: page.offset + page.limit + EVENTS_COUNTED_PAST_PAGE }
    ),
  ])
  return { rows, count: Number(counted[0]?.n ?? 0) }
}

const ATTENTION: Record<HppAttentionKind, { title: string; what_to_do: (gateway: string) => string }> = {
  paid_no_order: {
    title: "Paid at the gateway, no order",
    what_to_do: (g) => `Refund the payment in the ${g} dashboard (or make the order by hand), then mark this handled.`,
  },
  amount_unshown: {
    title: "Order awaits payment: amount not shown",
    what_to_do: (g) =>
      `Compare the payment in the ${g} dashboard with the order. The plugin asks ${g} again and records the payment once its answer shows the order's amount; if ${g} shows another amount, refund it there and ask the buyer for another payment.`,
  },
  refund_unknown: {
    title: "Refund outcome unknown",
    what_to_do: (g) =>
      `Check the ${g} dashboard: if the refund is not there, refund again in Medusa (it is safe: nothing is sent twice).`,
  },
  refund_unrecorded: {
    title: "Refund made at the gateway, not in Medusa",
    what_to_do: (g) =>
      `The money is already back with the buyer: do not refund again in Medusa. Compare the ${g} dashboard with the order, note it there, then mark this handled.`,
  },
  money_returned: {
    title: "Money returned before an order",
    what_to_do: (g) => `No order was made. Settle anything left with the buyer in the ${g} dashboard.`,
  },
  debit_failed: {
    title: "Debit failed after the order",
    what_to_do: () =>
      "The order's payment will not come: ask the buyer for another payment, or cancel the order (and refund any other amount the gateway shows paid).",
  },
  paid_order_canceled: {
    title: "Paid after its order was canceled",
    what_to_do: () =>
      "The payment arrived after the order was canceled, and Medusa holds it on that order: refund it in Medusa (or agree a new order with the buyer), then mark this handled.",
  },
  page_left_open: {
    title: "Payment page left open",
    what_to_do: (g) =>
      `The reconciliation job closes it; if this stays, close the page in the ${g} dashboard and refund any payment on it.`,
  },
  pending_beyond_grace: {
    title: "No word from the gateway",
    what_to_do: (g) => `Check with ${g} now: a paid page becomes its order; an unpaid one stays as it is.`,
  },
}

type AttentionRow = {
  id: string
  kind: HppAttentionKind
  message: string
  provider_id: string
  payment_session_id: string | null
  gateway_reference: string | null
  amount: string | null
  currency_code: string | null
  created_at: Date | string
  live: boolean
}

/**
 * A session past its grace period that the reconciliation has not asked about this long after it was due is behind
 * (the job is off, stopped, or has more than its rate allows): "no word from the gateway".
 */
const BEHIND_MS = 15 * 60_000

/**
 * "Needs attention", newest first: the record's open items (not handled, not resolved) and the live sessions of
 * the plugin's providers past their grace period (within the reconciliation's window) that have no word from the
 * gateway: the reconciliation's last check failed (the gateway could not be asked, or the order could not be
 * made), or its question is 15 minutes late (never asked, or not again when due: the job is off, stopped or
 * behind). A page the gateway says is still pending is not an item: an abandoned checkout is not trouble, and a
 * store has thousands. An order awaiting a payment whose amount was not shown leaves the list once Medusa authorized
 * its session (its authorization checked the amount), whatever settled it or not: Medusa's own route settles
 * nothing, and a record written late (another process) cannot bring it back. ("Paid at the gateway, no order" is
 * not hidden so: a live payment of its session is no proof of an order, when a completion failed after it and its
 * cancel did not go through.) One pass over the items gives the page and the count.
 */
export async function listAttention(
  container: MedusaContainer,
  { limit, offset }: { limit: number; offset: number },
  now: Date = new Date()
): Promise<{ items: HppAttentionItem[]; count: number }> {
  const windows = await pendingWindows(container, now)
  const bindings: Record<string, unknown> = {
    limit,
    offset,
    behind: new Date(now.getTime() - BEHIND_MS),
  }
  windows.forEach((w, i) => {
    bindings[`p${i}`] = w.provider
    bindings[`before${i}`] = w.before
    bindings[`behind${i}`] = new Date(w.before.getTime() - BEHIND_MS)
    bindings[`after${i}`] = w.after
  })
  /** Sessions of each provider's window, up to its grace period's end (`before`) or 15 minutes past it (`behind`). */
  const inWindow = (column: "before" | "behind", from = true) =>
    windows
      .map(
        (_, i) =>
          `(ps.provider_id = :p${i} and ps.created_at <= :${column}${i}${from ? ` and ps.created_at >= :after${i}` : ""})`
      )
      .join(" or ")
  // The live items in one pass over the window's pending sessions, each with its schedule row if it has one: never
  // asked and 15 minutes past its grace, or asked and its last check failed, or its question 15 minutes late. (Three
  // passes, one per kind, read the window twice and the schedule whole: some 40 % slower at a million sessions.)
  const live = windows.length
    ? `union all
       select ps.id, 'pending_beyond_grace' as kind,
         case when a.last_decision = 'failed' then 'The last check failed: ' || coalesce(a.last_answer, 'no answer')
           else 'The gateway has not said whether this page was paid' end as message,
         ps.provider_id, ps.id as payment_session_id, ps.data->>'gateway_reference' as gateway_reference,
         ps.amount::text as amount, ps.currency_code, ps.created_at, true as live
       from payment_session ps left join hpp_reconcile_ask a on a.payment_session_id = ps.id
       where ps.deleted_at is null and ps.status = 'pending' and (${inWindow("before")})
         and case when a.payment_session_id is null then (${inWindow("behind", false)})
           else a.done_at is null and a.deleted_at is null and (a.last_decision = 'failed' or a.next_ask_at < :behind) end`
    : ""
  const union = `
    select e.id, e.fields->>'attention_kind' as kind, e.message, e.provider_id, e.payment_session_id,
      e.gateway_reference, e.amount, e.currency_code, e.created_at, false as live
    from hpp_payment_event e
    where e.attention = true and e.handled_at is null and e.resolved_at is null and e.deleted_at is null
      and (e.fields->>'attention_kind' is distinct from 'amount_unshown' or not exists (
        select 1 from payment_session s
        where s.id = e.payment_session_id and s.status in ('authorized', 'captured')))
    ${live}`
  // The page and the count in one pass over the items (the union is the cost; its rows are few).
  const { rows } = await pg(container).raw(
    `select items.*, count(*) over ()::int as total from (${union}) as items
     order by created_at desc, id limit :limit offset :offset`,
    bindings
  )
  if (rows.length === 0 && offset > 0) {
    // Past the end: the count alone.
    const { rows: counted } = await pg(container).raw(`select count(*)::int as n from (${union}) as items`, bindings)
    return { items: [], count: Number(counted[0]?.n ?? 0) }
  }
  return { items: (rows as AttentionRow[]).map(attentionItem), count: Number(rows[0]?.total ?? 0) }
}

export function attentionItem(row: AttentionRow): HppAttentionItem {
  const name = gatewayName(gatewayOfProvider(row.provider_id))
  const kind = (ATTENTION[row.kind] ? row.kind : "paid_no_order") as HppAttentionKind
  return {
    id: row.id,
    kind,
    title: ATTENTION[kind].title,
    message: row.message,
    what_to_do: ATTENTION[kind].what_to_do(name),
    provider_id: row.provider_id,
    gateway_name: name,
    payment_session_id: row.payment_session_id,
    gateway_reference: row.gateway_reference,
    amount: row.amount,
    currency_code: row.currency_code,
    created_at: iso(row.created_at)!,
    can_check_now: row.live,
    can_mark_handled: !row.live,
  }
}

/** Each registered provider of the plugin whose reconciliation is on: the window of its sessions past their grace. */
async function pendingWindows(container: MedusaContainer, now: Date) {
  const providers = await container.resolve<IPaymentModuleService>(Modules.PAYMENT).listPaymentProviders({})
  return providers.flatMap(({ id }) => {
    const options = hppProviderOf(id) && registeredOptions(container, id)
    if (!options || !options.reconcile) return []
    return [
      {
        provider: id,
        before: new Date(now.getTime() - options.reconcileAfterMinutes * 60_000),
        after: new Date(now.getTime() - options.reconcileForHours * 3_600_000),
      },
    ]
  })
}
