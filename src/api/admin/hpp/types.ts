/**
 * What the plugin's admin routes (`/admin/hpp/…`) answer: shared by the routes and the Medusa Admin screens
 * (`src/admin`), which import these types only (erased at build: nothing of the server reaches the admin bundle).
 * Amounts are decimal strings in major units ("25.00"); times are ISO 8601 strings.
 */
import type { AttentionKind, RecordKind } from "../../../lib/record"

/** What happened, in the record of a hosted payment (the record's own list of kinds). */
export type HppEventKind = RecordKind

/** One row of the record: one thing that happened to one payment (or one refused sender, counted per minute). */
export type HppEventView = {
  id: string
  created_at: string
  kind: HppEventKind
  /** The outcome in a word or two: "applied", "refused: not authenticated", "duplicate", "done", "outcome unknown"… */
  outcome: string
  /** One sentence an admin understands, without secrets or buyer details. */
  message: string
  provider_id: string
  gateway: string
  payment_session_id: string | null
  gateway_reference: string | null
  amount: string | null
  currency_code: string | null
  /** How many times this happened within its minute (refused webhooks are counted, not written one by one). */
  count: number
  /** Whether a person must act on it ("needs attention"). */
  attention: boolean
  /** When an admin marked it handled (and who), or when a later event resolved it. */
  handled_at: string | null
  handled_by: string | null
  resolved_at: string | null
}

export type HppPage<T, K extends string> = { [key in K]: T[] } & { count: number; limit: number; offset: number }

/** `GET /admin/hpp/events?provider_id=&payment_session_id=&limit=&offset=`: newest first. */
export type HppEventsResponse = HppPage<HppEventView, "events">

/** One provider option as the settings page shows it: whether it is set, never its value. */
export type HppOptionView = {
  name: string
  /** The environment variable `hppProvidersFromEnv` reads it from. */
  env: string
  set: boolean
  required: boolean
}

/** `GET /admin/hpp/providers`: every provider of the plugin the store registered. */
export type HppProviderView = {
  id: string
  gateway: "hitpay" | "cashflows" | "netvalve" | "catalystpay"
  gateway_name: string
  /** "sandbox" or "production" from the base URL; "custom" for another host (the demo's sandbox, a proxy). */
  environment: "sandbox" | "production" | "custom"
  base_url: string
  options: HppOptionView[]
  /** The URL to register at the gateway (the plugin's route), or null where the gateway takes it per payment. */
  webhook_url: string | null
  /** Where and how to register it, in words. */
  webhook_note: string
  /** Whether "Test connection" can ask the gateway, and with which call (or why not). */
  connection_test: { available: boolean; note: string }
  /** The provider's latest webhooks, newest first (at most 5). */
  last_webhooks: HppEventView[]
}
export type HppProvidersResponse = { providers: HppProviderView[] }

/** `POST /admin/hpp/providers/:id/test-connection`: 200 whatever the gateway answered; `ok` says. */
export type HppConnectionTestResponse = {
  result: { ok: boolean; message: string; checked_at: string }
}

/** One hosted payment of an order, for the order page's widget. */
export type HppOrderPaymentView = {
  payment_session_id: string
  provider_id: string
  gateway: string
  gateway_name: string
  gateway_reference: string | null
  /** The payment at the gateway's dashboard, where the gateway's docs give such a URL; else null. */
  dashboard_url: string | null
  /** The session's status in Medusa. */
  medusa_status: string
  amount: string
  currency_code: string
  /** The payment's record, oldest first. */
  events: HppEventView[]
}
/** `GET /admin/hpp/orders/:id/payments`: empty for an order paid by another provider. */
export type HppOrderPaymentsResponse = { payments: HppOrderPaymentView[] }

/** `GET /admin/hpp/payment-sessions/:id/gateway-status`: asked now, through the provider's own code. */
export type HppGatewayStatusResponse = {
  gateway_status: {
    /** What the gateway's answer means for Medusa: "captured", "authorized", "pending", "canceled", "error"… */
    status: string
    /** The gateway's own word for it, as it wrote it ("completed", "PURCHASED"…). */
    gateway_word: string | null
    /** What the gateway shows paid, captured and refunded, where its answer says (else null). */
    paid: string | null
    captured: string | null
    refunded: string | null
    currency_code: string
    asked_at: string
  }
}

/** The record's attention kinds, and live sessions past their grace period. */
export type HppAttentionKind = AttentionKind | "pending_beyond_grace"

/** One item of "Needs attention": a recorded event, or (pending_beyond_grace) a live session past its grace period. */
export type HppAttentionItem = {
  /** The event's id; for pending_beyond_grace, the payment session's id. */
  id: string
  kind: HppAttentionKind
  /** The kind in words: "Paid at the gateway, no order". */
  title: string
  message: string
  /** What the admin should do, in one sentence. */
  what_to_do: string
  provider_id: string
  gateway_name: string
  payment_session_id: string | null
  gateway_reference: string | null
  amount: string | null
  currency_code: string | null
  created_at: string
  /** pending_beyond_grace: "Check with the gateway now" (POST /admin/hpp/payment-sessions/:id/reconcile). */
  can_check_now: boolean
  /** Recorded items can be marked handled (POST /admin/hpp/attention/:id/handled); live ones leave when settled. */
  can_mark_handled: boolean
}
/** `GET /admin/hpp/attention?limit=&offset=`: newest first. */
export type HppAttentionResponse = HppPage<HppAttentionItem, "items">
/** `POST /admin/hpp/attention/:id/handled`. */
export type HppHandledResponse = { item: HppAttentionItem }

/** `POST /admin/hpp/payment-sessions/:id/reconcile` (exists): what the reconciliation did. */
export type HppReconcileResponse = {
  reconciliation: { sessionId: string; provider: string; decision: string; detail?: string }
}
