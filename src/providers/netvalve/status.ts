import { PaymentSessionStatus } from "@medusajs/framework/utils"
import { gatewayError, invalidData } from "../../lib/errors"
import type { GatewayStatus, ReturnedMoney } from "../../lib/hosted-provider"
import type { MappableStatus } from "../../lib/options"
import { isZero } from "../../lib/ledger"
import { findRow, StatusLookup } from "../../lib/status"
import type { NetValveOperationAnswer, NetValveOrder } from "./schemas"

/** NetValve's response code types: every answer's `responseCodeType`. */
export const NETVALVE_RESPONSE_TYPES = ["APPROVED", "PENDING", "SOFT DECLINE", "HARD DECLINE", "RISK"] as const
export type NetValveResponseType = (typeof NETVALVE_RESPONSE_TYPES)[number]

/**
 * What a response type says about the payment. APPROVED only says the request went through (an order
 * just created is APPROVED too): the order state then decides.
 */
export const NETVALVE_RESPONSE_TYPE: Record<NetValveResponseType, PaymentSessionStatus | "see order state"> = {
  APPROVED: "see order state",
  PENDING: PaymentSessionStatus.PENDING,
  "SOFT DECLINE": PaymentSessionStatus.ERROR,
  "HARD DECLINE": PaymentSessionStatus.ERROR,
  RISK: PaymentSessionStatus.ERROR,
}

/** An answer without `responseCodeType` is typed by its code: GTW_1002 is pending, the rest by range. */
const PENDING_CODES = new Set(["GTW_1002"])
const CODE_RANGES: [min: number, max: number, type: NetValveResponseType][] = [
  [1000, 1999, "APPROVED"],
  [2000, 2999, "SOFT DECLINE"],
  [3000, 3999, "HARD DECLINE"],
  [4000, 4999, "RISK"],
]

/**
 * An HPP order's `orderState`. Only CREATED is in NetValve's guide; the others are the states its
 * webhook events imply, and the common words a paid order may carry (COMPLETED, SUCCESS, SETTLED,
 * APPROVED). None of them decides alone: see `orderStatus`. An unlisted one waits as pending (and is
 * logged) unless the transaction's type decides, or the store maps it with the `orderStates` option.
 * A refunded or charged-back order was paid: the refund or dispute is Medusa's own record to keep.
 */
export const NETVALVE_ORDER_STATES = [
  "CREATED",
  "COMPLETED",
  "SUCCESS",
  "SUCCESSFUL",
  "SETTLED",
  "APPROVED",
  "PENDING",
  "AUTHORISED",
  "PAID",
  "CAPTURED",
  "PARTIALLY_REFUNDED",
  "REFUNDED",
  "CHARGEBACK",
  "FAILED",
  "DECLINED",
  "CANCELLED",
  "EXPIRED",
] as const
export type NetValveOrderState = (typeof NETVALVE_ORDER_STATES)[number]

export const NETVALVE_ORDER_STATE: Record<NetValveOrderState, PaymentSessionStatus> = {
  CREATED: PaymentSessionStatus.PENDING,
  COMPLETED: PaymentSessionStatus.CAPTURED,
  SUCCESS: PaymentSessionStatus.CAPTURED,
  SUCCESSFUL: PaymentSessionStatus.CAPTURED,
  SETTLED: PaymentSessionStatus.CAPTURED,
  APPROVED: PaymentSessionStatus.CAPTURED,
  PENDING: PaymentSessionStatus.PENDING,
  AUTHORISED: PaymentSessionStatus.AUTHORIZED,
  PAID: PaymentSessionStatus.CAPTURED,
  CAPTURED: PaymentSessionStatus.CAPTURED,
  PARTIALLY_REFUNDED: PaymentSessionStatus.CAPTURED,
  REFUNDED: PaymentSessionStatus.CAPTURED,
  CHARGEBACK: PaymentSessionStatus.CAPTURED,
  FAILED: PaymentSessionStatus.ERROR,
  DECLINED: PaymentSessionStatus.ERROR,
  CANCELLED: PaymentSessionStatus.CANCELED,
  EXPIRED: PaymentSessionStatus.CANCELED,
}

/**
 * What an approved transaction of each type leaves the payment as: the type NetValve names in every
 * inquiry and webhook (`transactionType`). A sale takes the money, an authorisation reserves it, a
 * refund or chargeback comes after a payment, a void releases a reservation.
 */
export const NETVALVE_TRANSACTION_TYPES = [
  "SALE",
  "PURCHASE",
  "CAPTURE",
  "DEBIT",
  "AUTH",
  "AUTHORISE",
  "AUTHORIZE",
  "AUTHORISATION",
  "AUTHORIZATION",
  "PREAUTH",
  "REFUND",
  "PARTIAL_REFUND",
  "CHARGEBACK",
  "VOID",
  "CANCEL",
  "REVERSAL",
] as const
export type NetValveTransactionType = (typeof NETVALVE_TRANSACTION_TYPES)[number]

export const NETVALVE_TRANSACTION_TYPE: Record<NetValveTransactionType, PaymentSessionStatus> = {
  SALE: PaymentSessionStatus.CAPTURED,
  PURCHASE: PaymentSessionStatus.CAPTURED,
  CAPTURE: PaymentSessionStatus.CAPTURED,
  DEBIT: PaymentSessionStatus.CAPTURED,
  AUTH: PaymentSessionStatus.AUTHORIZED,
  AUTHORISE: PaymentSessionStatus.AUTHORIZED,
  AUTHORIZE: PaymentSessionStatus.AUTHORIZED,
  AUTHORISATION: PaymentSessionStatus.AUTHORIZED,
  AUTHORIZATION: PaymentSessionStatus.AUTHORIZED,
  PREAUTH: PaymentSessionStatus.AUTHORIZED,
  REFUND: PaymentSessionStatus.CAPTURED,
  PARTIAL_REFUND: PaymentSessionStatus.CAPTURED,
  CHARGEBACK: PaymentSessionStatus.CAPTURED,
  VOID: PaymentSessionStatus.CANCELED,
  CANCEL: PaymentSessionStatus.CANCELED,
  REVERSAL: PaymentSessionStatus.CANCELED,
}

/** The store's own words for NetValve order states (the `orderStates` option), by upper-cased state. */
export type NetValveStoreStates = Record<string, MappableStatus>

/** Every webhook `eventName` NetValve documents. */
export const NETVALVE_EVENTS = [
  "AUTHORISED",
  "AUTHORISATION_FAILED",
  "AUTHORISATION_PENDING",
  "PURCHASED",
  "PURCHASE_FAILED",
  "PURCHASE_PENDING",
  "CAPTURED",
  "CAPTURE_FAILED",
  "CANCELLED",
  "REFUNDED",
  "REFUND_FAILED",
  "CHARGEBACK",
] as const
export type NetValveEvent = (typeof NETVALVE_EVENTS)[number]

/**
 * What an event makes the provider do. Never the event's own word: events about the payment make it
 * ask NetValve (so a late PURCHASE_FAILED cannot undo a PURCHASED). A refund or chargeback is asked about
 * too: before an order it means no order; after it, a refund NetValve shows is recorded in Medusa and a
 * chargeback is left to the admin (logged). A failed refund changes nothing and is only logged.
 */
export type NetValveEventHandling = "inquire" | "log only"

export const NETVALVE_EVENT: Record<NetValveEvent, NetValveEventHandling> = {
  AUTHORISED: "inquire",
  AUTHORISATION_FAILED: "inquire",
  AUTHORISATION_PENDING: "inquire",
  PURCHASED: "inquire",
  PURCHASE_FAILED: "inquire",
  PURCHASE_PENDING: "inquire",
  CAPTURED: "inquire",
  CAPTURE_FAILED: "inquire",
  CANCELLED: "inquire",
  REFUNDED: "inquire",
  REFUND_FAILED: "log only",
  CHARGEBACK: "inquire",
}

function row<K extends string, V>(table: Record<K, V>, value: string): V | undefined {
  const key = findRow(table, value)
  return key === undefined ? undefined : table[key]
}

/** The type of an answer: its `responseCodeType`, or failing that its code. */
export function responseTypeOf(
  code: string | null | undefined,
  type: string | null | undefined
): NetValveResponseType | undefined {
  if (type) {
    const normalised = type.trim().toUpperCase().replace(/[_-]+/g, " ")
    return row(NETVALVE_RESPONSE_TYPE, normalised) !== undefined ? (normalised as NetValveResponseType) : undefined
  }
  const match = /^(GTW|BNK|3DS|FRD|SMR)_(\d{4})$/.exec(code?.trim().toUpperCase() ?? "")
  if (!match) {
    return undefined
  }
  if (PENDING_CODES.has(match[0])) {
    return "PENDING"
  }
  const number = Number(match[2])
  return CODE_RANGES.find(([min, max]) => number >= min && number <= max)?.[2]
}

/**
 * The payment's status from an inquiry answer, decided by what NetValve documents: the response code and
 * its type first (a decline, a risk refusal or a pending answer decides on its own: NetValve answers an
 * inquiry about a payment not made yet with GTW_1002 PENDING), then, for an approved answer:
 * 1. the store's own word for the order state (the `orderStates` option), if it has one;
 * 2. an order state that says more than CREATED (PAID, COMPLETED, CANCELLED, ...), with a paid word read
 *    as a reservation when the transaction is an authorisation;
 * 3. on CREATED (the only state NetValve documents, and what the create call answers) or no state, the
 *    approved transaction's type, on the safe side: a sale is paid where the same answer shows money captured,
 *    or where a webhook with the agreed header said PURCHASED/CAPTURED (`heard`) and the answer shows no
 *    captured amount against it; an authorisation is reserved where an AUTHORISED (or PURCHASED) webhook said so.
 *    Otherwise pending. A state nobody listed waits as pending (logged) until mapped.
 * Anything else is pending, and `known: false` so the caller logs it: only explicit success or failure is terminal.
 */
export function orderStatus(
  answer: {
    responseCode: string
    responseCodeType?: string | null
    orderState?: string | null
    transactionType?: string | null
    capturedAmount?: string | number | null
  },
  storeStates: NetValveStoreStates = {},
  heard: string | null = null
): StatusLookup {
  const type = responseTypeOf(answer.responseCode, answer.responseCodeType)
  if (!type) {
    const why = `unknown response ${answer.responseCode} (${answer.responseCodeType ?? "no type"})`
    return { status: PaymentSessionStatus.PENDING, known: false, why }
  }
  const byType = NETVALVE_RESPONSE_TYPE[type]
  if (byType !== "see order state") {
    return { status: byType, known: true, why: `${answer.responseCode} ${type}` }
  }
  const state = answer.orderState?.trim().toUpperCase() ?? ""
  const stored = storeStates[state]
  if (stored) {
    return { status: stored as PaymentSessionStatus, known: true, why: `order ${state} (the store's orderStates)` }
  }
  const transaction = transactionTypeStatus(answer.transactionType)
  const byState = orderStateStatus(answer.orderState)
  if (state !== "CREATED" && state !== "") {
    // A state beyond the documented one: known, or pending (logged) until the store maps it.
    const reserved = byState.status === PaymentSessionStatus.CAPTURED && transaction === PaymentSessionStatus.AUTHORIZED
    return reserved
      ? { status: PaymentSessionStatus.AUTHORIZED, known: true, why: `order ${state}, authorisation` }
      : byState
  }
  // CREATED is also what the create call answers: an approved sale or authorisation on it is not, alone, a payment.
  // It counts where the same answer shows money captured, or where a webhook with the agreed header said so
  // (`heard`, kept on the session) and the answer does not contradict it (nothing captured shown is a contradiction).
  const shown =
    answer.capturedAmount === undefined || answer.capturedAmount === null ? null : String(answer.capturedAmount)
  if (transaction === PaymentSessionStatus.CAPTURED || transaction === PaymentSessionStatus.AUTHORIZED) {
    const paidWord = transaction === PaymentSessionStatus.CAPTURED ? ["PURCHASED", "CAPTURED"] : ["AUTHORISED"]
    const captured = shown !== null && !isZero(shown)
    const confirmed =
      transaction === PaymentSessionStatus.CAPTURED
        ? captured || (shown === null && paidWord.includes(heard ?? ""))
        : paidWord.includes(heard ?? "") || heard === "PURCHASED"
    const on = `approved ${answer.transactionType} on order ${state || "(no state)"}`
    if (!confirmed) {
      const why = shown !== null && !captured ? `${on}, nothing captured` : `${on}, no paid webhook yet`
      return { status: PaymentSessionStatus.PENDING, known: true, why }
    }
    return { status: transaction, known: true, why: captured ? `${on}, ${shown} captured` : `${on}, ${heard} webhook` }
  }
  if (transaction !== undefined) {
    return {
      status: transaction,
      known: true,
      why: `approved ${answer.transactionType} on order ${state || "(no state)"}`,
    }
  }
  return byState.known
    ? byState
    : { ...byState, why: `${byState.why} with transaction type "${answer.transactionType ?? "(none)"}"` }
}

/** An approved transaction's type as a status; undefined for a type not in the table. */
export function transactionTypeStatus(transactionType: string | null | undefined): PaymentSessionStatus | undefined {
  const type =
    transactionType
      ?.trim()
      .toUpperCase()
      .replace(/[\s-]+/g, "_") ?? ""
  return type ? row(NETVALVE_TRANSACTION_TYPE, type) : undefined
}

/** An order state's row; a missing or unlisted state is pending and `known: false`. */
export function orderStateStatus(orderState: string | null | undefined): StatusLookup {
  const state = orderState?.trim().toUpperCase() ?? ""
  const byState = row(NETVALVE_ORDER_STATE, state)
  if (byState === undefined) {
    return {
      status: PaymentSessionStatus.PENDING,
      known: false,
      why: `unknown order state "${orderState ?? "(none)"}"`,
    }
  }
  return { status: byState, known: true, why: `order ${state}` }
}

/** What to do with a webhook event; an event NetValve adds later is inquired about, and logged. */
export function eventHandling(eventName: string): { handling: NetValveEventHandling; known: boolean } {
  const handling = row(NETVALVE_EVENT, eventName.trim().toUpperCase())
  return handling === undefined ? { handling: "inquire", known: false } : { handling, known: true }
}

/** An order inquiry as the provider judges it; an answer about another order than the session's is never its payment. */
export function netvalveOrderStatus(
  order: NetValveOrder,
  session: { gateway_reference: string; webhook_paid_event?: string | null },
  storeStates: NetValveStoreStates = {}
): GatewayStatus {
  const mapped = orderStatus(order, storeStates, session.webhook_paid_event ?? null)
  const orderId = order.orderId ?? undefined
  return {
    status: mapped.status,
    paid: { amount: order.amount, currency: order.currency },
    gatewayPaymentReference: order.transactionID ?? undefined,
    gatewayStatus: order.orderState ?? "",
    describe: `order ${orderId ?? session.gateway_reference}`,
    unknown: mapped.known ? [] : [mapped.why ?? "status"],
    foreign:
      orderId !== undefined && orderId !== session.gateway_reference
        ? `is not the session's order ${session.gateway_reference}`
        : undefined,
    returned: returnedOf(order),
  }
}

/**
 * What an inquiry shows gone back: `refundedAmount` when it says, else what the order's state or transaction
 * type says (a whole refund is the order's amount; a partial refund or a chargeback, an amount it does not show).
 */
function returnedOf(order: NetValveOrder): ReturnedMoney | undefined {
  const said = order.refundedAmount === null || order.refundedAmount === undefined ? null : String(order.refundedAmount)
  if (said !== null && !isZero(said)) return { amount: said, how: "refunded" }
  const words = [order.orderState, order.transactionType].map((w) =>
    (w ?? "")
      .trim()
      .toUpperCase()
      .replace(/[\s-]+/g, "_")
  )
  if (words.includes("CHARGEBACK")) return { amount: null, how: "charged back" }
  if (words.includes("REFUNDED") || words.includes("REFUND")) {
    return {
      amount: order.amount === null || order.amount === undefined ? null : String(order.amount),
      how: "refunded",
    }
  }
  if (words.includes("PARTIALLY_REFUNDED") || words.includes("PARTIAL_REFUND"))
    return { amount: null, how: "partly refunded" }
  return undefined
}

/** NetValve's only success code, and its "already done" codes: a repeated capture, cancel or refund is a success. */
const APPROVED = "GTW_1000"
const ALREADY = { refund: "GTW_2045", capture: "GTW_2046", cancel: "GTW_2047" } as const

/** NetValve's refund refusals that the admin must act on, in words an admin understands. */
const REFUND_REFUSALS: Record<string, string> = {
  GTW_2107: "NetValve does not allow a partial refund of this transaction; refund the full amount instead",
  GTW_2108: "the refund exceeds what remains refundable on this transaction",
}

type Answer = Pick<NetValveOperationAnswer, "responseCode" | "responseMessage">

/** An answer that must be NetValve's approval, or the operation failed with NetValve's code and message. */
export function expectApproved(operation: string, answer: Answer): void {
  if (answer.responseCode !== APPROVED) {
    throw gatewayError("NetValve", operation, {
      code: answer.responseCode,
      message: answer.responseMessage ?? undefined,
    })
  }
}

/**
 * A capture, cancel or refund: done, already done, or an error an admin can read. Only a cancel's "already
 * cancelled" is taken on its word (what a cancel leaves is checked after it): NetValve answers "already
 * captured" or "already refunded" to a second partial capture or refund too, so those are errors here, and
 * the caller compares NetValve's amounts with Medusa's records to tell a repeat from a refusal.
 */
export function operationOutcome(operation: keyof typeof ALREADY, answer: Answer): "done" | "already done" {
  if (answer.responseCode === ALREADY[operation]) {
    if (operation === "cancel") return "already done"
    throw gatewayError("NetValve", operation, {
      code: answer.responseCode,
      message: answer.responseMessage ?? undefined,
    })
  }
  const refusal = operation === "refund" ? REFUND_REFUSALS[answer.responseCode] : undefined
  if (refusal) {
    throw invalidData("NetValve", `${refusal} (code ${answer.responseCode}: ${answer.responseMessage ?? "no message"})`)
  }
  expectApproved(operation, answer)
  return "done"
}
