import type { HppEventKind, HppProviderView } from "../../api/admin/hpp/types"

/** The colours `Badge` and `StatusBadge` of @medusajs/ui take. */
export type Tone = "green" | "red" | "blue" | "orange" | "grey" | "purple"

/** "42.00" + "sgd" → "SGD 42.00" in the admin's locale; null when there is no amount. */
export function money(amount: string | number | null | undefined, currency: string | null | undefined): string | null {
  if (amount === null || amount === undefined || amount === "") return null
  const value = Number(amount)
  if (!Number.isFinite(value)) return `${amount} ${currency?.toUpperCase() ?? ""}`.trim()
  if (!currency) return value.toFixed(2)
  try {
    return new Intl.NumberFormat(undefined, {
      style: "currency",
      currency: currency.toUpperCase(),
      currencyDisplay: "code",
    }).format(value)
  } catch {
    return `${value.toFixed(2)} ${currency.toUpperCase()}`
  }
}

/** A moment as the admin reads it: "7 Dec 2025, 14:03:21". */
export function when(iso: string | null | undefined): string {
  if (!iso) return ""
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" })
}

const KINDS: Record<HppEventKind, string> = {
  page_created: "Payment page created",
  webhook: "Webhook from the gateway",
  buyer_return: "Buyer came back to the shop",
  status_asked: "Status asked at the gateway",
  reconciliation: "Checked with the gateway",
  refund: "Refund",
  capture: "Capture",
  cancel: "Cancellation",
  money_returned: "Money returned before an order",
  paid_no_order: "Paid at the gateway, no order",
  amount_unshown: "Order awaits payment: amount not shown",
  debit_failed: "Debit failed after the order",
  paid_order_canceled: "Paid after its order was canceled",
  page_left_open: "Payment page left open",
  handled: "Marked handled",
}

/** An event's kind in words; an unknown kind (a newer backend) as its own words. */
export function kindInWords(kind: string): string {
  return KINDS[kind as HppEventKind] ?? sentence(kind.replace(/_/g, " "))
}

/** How an outcome reads at a glance: green when it went through, red when refused or failed, orange when unsure. */
export function outcomeTone(outcome: string): Tone {
  const o = outcome.toLowerCase()
  if (/^(refused|failed|error|declined|rejected|not )/.test(o) || o.includes("failed") || o.includes("order canceled"))
    return "red"
  if (o.includes("unknown") || o.includes("attention") || o.includes("pending") || o.includes("left open"))
    return "orange"
  if (/^(applied|passed|done|ok|paid|captured|recorded|created|order|succeeded|completed|handled)/.test(o))
    return "green"
  return "grey"
}

/**
 * What the gateway's status (as the plugin reads it for Medusa) means to a store owner, and its colour. The
 * label of a paid payment always contains "Paid".
 */
export function gatewayStatusLabel(status: string): { label: string; tone: Tone } {
  switch (status.toLowerCase()) {
    case "captured":
      return { label: "Paid", tone: "green" }
    case "authorized":
      return { label: "Paid, not yet captured", tone: "blue" }
    case "pending":
    case "requires_more":
      return { label: "Waiting for the buyer or the bank", tone: "orange" }
    case "canceled":
    case "cancelled":
      return { label: "Cancelled", tone: "grey" }
    case "refunded":
      return { label: "Refunded", tone: "purple" }
    case "partially_refunded":
      return { label: "Paid, partly refunded", tone: "purple" }
    case "error":
    case "failed":
      return { label: "Failed", tone: "red" }
    default:
      return { label: sentence(status.replace(/_/g, " ")), tone: "grey" }
  }
}

/**
 * The payment session's status in Medusa, in words. An accepted session stays "authorized" in Medusa after its
 * capture (captures and refunds are on the payment, in the order's Payments section): "Payment accepted" says so.
 */
export function medusaStatusLabel(status: string): string {
  switch (status.toLowerCase()) {
    case "authorized":
      return "Payment accepted"
    case "captured":
      return "Captured"
    case "pending":
      return "Waiting for payment"
    case "requires_more":
      return "Waiting for the buyer"
    case "canceled":
      return "Cancelled"
    case "error":
      return "Error"
    default:
      return sentence(status.replace(/_/g, " "))
  }
}

export function environmentInWords(provider: Pick<HppProviderView, "environment" | "base_url">): {
  label: string
  detail: string
  tone: Tone
} {
  switch (provider.environment) {
    case "sandbox":
      return { label: "Sandbox", detail: "test payments: no real money moves", tone: "orange" }
    case "production":
      return { label: "Production", detail: "real payments", tone: "green" }
    default:
      return { label: "Custom URL", detail: provider.base_url, tone: "blue" }
  }
}

export function sentence(text: string): string {
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : text
}
