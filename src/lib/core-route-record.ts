import { PaymentActions } from "@medusajs/framework/utils"
import { amountUnshownRecord, amountUnshownWords, digestOf, minuteOf, paidNoOrderRecord, RecordInput } from "./record"
import { ANOTHER_AMOUNT_PAID, FAILED_BEFORE_WORDS } from "./deferred-payment"
import { lowerCaseHeaders, rawBody, RawWebhook } from "./webhook"
import type { HostedWebhookResult } from "./hosted-provider"

/**
 * The header by which a webhook that came in through Medusa's own route, `/hooks/payment/<gateway>_<id>`, carries
 * the provider it was posted to. The plugin's middleware on that route sets it, over anything the sender sent;
 * the plugin's own routes strip it. Medusa's route answers 200 before any check and hands the webhook to the
 * provider about 5 s later, so the provider is the only part that learns the verdict: it records it when this
 * header is there (the plugin's routes record their own verdicts, with the answer they gave).
 */
export const CORE_ROUTE_HEADER = "x-medusa-payment-hpp-core-route"

/** The provider id of a webhook that came in through Medusa's route, or `undefined` for the plugin's routes. */
export function coreRouteOf(payload: RawWebhook): string | undefined {
  const value = lowerCaseHeaders(payload.headers)[CORE_ROUTE_HEADER]
  return value && /^pp_[\w-]+$/.test(value) ? value : undefined
}

const VIA =
  "through Medusa's route /hooks/payment (answered 200 before any check; the plugin's route answers with the verdict)"

/**
 * The record of a webhook the provider judged for Medusa's route: the verdict, with the same outcomes as the
 * plugin's routes, and counted per reason and minute when it is about no known payment.
 */
export function coreRouteRecords(
  providerId: string,
  gateway: string,
  payload: RawWebhook,
  result: HostedWebhookResult | { error: Error },
  /** The gateway's name in words (`HitPay`), for the admin's item. */
  gatewayName: string = gateway
): RecordInput[] {
  const about =
    "verdict" in result && result.verdict.kind === "session"
      ? { payment_session_id: result.verdict.sessionId, gateway_reference: result.verdict.gatewayReference }
      : undefined
  const [outcome, words, item, reference] = verdictOf(result, gatewayName)
  const common = {
    provider_id: providerId,
    gateway,
    payment_session_id: about?.payment_session_id ?? null,
    gateway_reference: about?.gateway_reference ?? reference ?? null,
  }
  const records: RecordInput[] = [
    {
      ...common,
      kind: "webhook",
      outcome,
      message: `${words}; ${VIA}`,
      digest: digestOf(rawBody(payload)),
      fields: { route: "medusa" },
      // Counted apart from the plugin route's refusals: the admin sees which way they came.
      dedupe_key: about ? null : `webhook:${providerId}:medusa-route:${outcome}:${minuteOf()}`,
    },
  ]
  if (item === "paid_no_order") {
    const page = about?.gateway_reference ?? reference ?? `${providerId}:${digestOf(rawBody(payload))}`
    records.push(paidNoOrderRecord(common, words, page))
  }
  if (item === "amount_unshown") records.push(amountUnshownRecord(common, gatewayName))
  return records
}

/** The item a verdict lists for the admin, if any. */
type Item = "paid_no_order" | "amount_unshown" | undefined

function verdictOf(
  result: HostedWebhookResult | { error: Error },
  gatewayName: string
): [outcome: string, words: string, item: Item, reference?: string | null] {
  if ("error" in result) {
    return [
      "asked again",
      `could not be checked now: ${result.error.message}; Medusa's route hands it over again only where its event bus retries`,
      undefined,
    ]
  }
  const { verdict, action } = result
  switch (verdict.kind) {
    case "unauthenticated":
      return ["refused: not authenticated", verdict.reason, undefined]
    case "malformed":
      return ["refused: malformed", verdict.reason, undefined]
    case "ignored":
      return ["ignored", verdict.reason, undefined]
    case "no_live_session":
      return verdict.paid
        ? [
            "refused: no live session",
            "the gateway says this page was paid, but its checkout changed before (or it is not this store's page): no order was made",
            "paid_no_order",
            verdict.gatewayReference,
          ]
        : ["refused: no live session", verdict.reason, undefined, verdict.gatewayReference]
    case "session":
      // A deferred payment's (a SEPA debit's) order exists, awaiting payment or flagged: never "paid, no order".
      if (verdict.failedDeferred && (verdict.wrongAmount || verdict.amountUnshown)) {
        return ["repeat: debit already failed", FAILED_BEFORE_WORDS, undefined]
      }
      if (verdict.wrongAmount && verdict.deferred) {
        return [
          "refused: wrong amount",
          `${ANOTHER_AMOUNT_PAID}: the order's deferred payment will not come; the plugin's webhook route or its reconciliation flags the order (Medusa's route cannot)`,
          undefined,
        ]
      }
      if (verdict.wrongAmount) {
        return [
          "refused: wrong amount",
          "paid at the gateway, no order: the gateway's amount is not the session's",
          "paid_no_order",
        ]
      }
      if (verdict.amountUnshown && verdict.deferred) {
        return ["refused: amount not shown", amountUnshownWords(gatewayName, "awaiting"), "amount_unshown"]
      }
      if (verdict.amountUnshown) {
        return [
          "refused: amount not shown",
          "paid at the gateway, no order: its answer shows no amount (or currency) to check against the session's",
          "paid_no_order",
        ]
      }
      if (verdict.moneyReturned) {
        return ["no order: money went back", "paid, then the money went back: no order", undefined]
      }
      if (action === PaymentActions.AUTHORIZED || action === PaymentActions.SUCCESSFUL) {
        return ["passed to Medusa", "the gateway confirmed the payment; Medusa's processing makes the order", undefined]
      }
      return ["ignored", `the gateway says ${verdict.status}; Medusa's route does nothing with it`, undefined]
  }
}
