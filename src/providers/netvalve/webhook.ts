import type { GatewayStatus } from "../../lib/hosted-provider"
import { parseJsonKeepingBigIntegers } from "../../lib/json"
import { isMedusaSessionId } from "../../lib/session"
import { secretsEqual } from "../../lib/signing"
import { jsonBody, lowerCaseHeaders, RawWebhook, WebhookVerification } from "../../lib/webhook"
import { netvalveWebhookSchema } from "./schemas"
import { eventHandling } from "./status"

/** The custom header agreed with NetValve at setup: NetValve signs nothing, so this is the only proof. */
export type AgreedHeader = { name: string; value: string }

/**
 * Checks the agreed header (constant time), then parses the body. Nothing is read before the header
 * holds, and even then the webhook is only a hint: it names the session, never its status, so the
 * provider asks NetValve before acting (a late or repeated event cannot undo or redo a payment).
 * A failed refund is only noted.
 */
export function verifyNetValveWebhook(payload: RawWebhook, header: AgreedHeader): WebhookVerification<GatewayStatus> {
  const received = lowerCaseHeaders(payload.headers)[header.name.toLowerCase()]
  if (received === undefined) {
    return { outcome: "rejected", why: "unauthenticated", reason: `no ${header.name} header` }
  }
  if (!secretsEqual(header.value, received)) {
    return {
      outcome: "rejected",
      why: "unauthenticated",
      reason: `the ${header.name} header does not have the value agreed with NetValve`,
    }
  }
  const body = jsonBody(payload, parseJsonKeepingBigIntegers)
  if (body === undefined) {
    return { outcome: "rejected", why: "malformed", reason: "body is not JSON" }
  }
  const parsed = netvalveWebhookSchema.safeParse(body)
  if (!parsed.success) {
    return {
      outcome: "rejected",
      why: "malformed",
      reason: `body lacks ${parsed.error.issues[0].path.join(".") || "its fields"}`,
    }
  }
  const { eventName, data } = parsed.data
  if (!isMedusaSessionId(data.clientOrderId)) {
    return {
      outcome: "ignored",
      reason: `${eventName} for order ${data.orderId ?? "?"}: its clientOrderId is not a Medusa payment session`,
    }
  }
  if (eventHandling(eventName).handling === "log only") {
    return {
      outcome: "ignored",
      reason: `${eventName} for ${data.clientOrderId} (transaction ${data.transactionId ?? "?"}) noted; nothing changes in Medusa`,
    }
  }
  return {
    outcome: "session",
    sessionId: data.clientOrderId,
    gatewayReference: data.orderId ?? undefined,
    event: eventName,
  }
}
