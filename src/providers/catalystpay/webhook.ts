import { parse as parseLossless } from "lossless-json"
import type { GatewayStatus } from "../../lib/hosted-provider"
import { parseJsonKeepingBigIntegers } from "../../lib/json"
import { hmacSha256Hex, pythonCanonicalJson, signaturesEqual } from "../../lib/signing"
import { jsonBody, lowerCaseHeaders, RawWebhook, WebhookVerification } from "../../lib/webhook"
import { catalystpayWebhookPayloadSchema } from "./schemas"

/** The one event that says a payment session was paid. */
export const SESSION_COMPLETED_EVENT = "payment_session.completed"

/**
 * The signature CatalystPay sends in `X-CatalystPay-Signature`: HMAC-SHA256 with the webhook profile's
 * secret over the payload as Python's `json.dumps(payload, sort_keys=True, separators=(",", ":"))` writes
 * it (keys sorted at every depth, no spaces, non-ASCII as `\uXXXX`), lowercase hex.
 */
export function signCatalystPayPayload(payload: unknown, secret: string): string {
  return hmacSha256Hex(secret, pythonCanonicalJson(payload))
}

/**
 * Verifies, then reads, a CatalystPay webhook. The signature covers the payload, not its bytes, so the
 * body is parsed and re-serialized first; no field is read before the signature holds.
 */
export function verifyCatalystPayWebhook(payload: RawWebhook, secret: string): WebhookVerification<GatewayStatus> {
  const headers = lowerCaseHeaders(payload.headers)
  const signature = headers["x-catalystpay-signature"]
  if (!signature) {
    return { outcome: "rejected", why: "unauthenticated", reason: "no X-CatalystPay-Signature header" }
  }
  // Number tokens are kept as written: Python re-serialises the value it parsed, so an integer keeps every
  // digit and a float is written as Python's repr writes it, which JSON.parse alone cannot reproduce.
  const exact = jsonBody(payload, (text) => parseLossless(text))
  const body = jsonBody(payload, parseJsonKeepingBigIntegers)
  if (exact === undefined || body === undefined) {
    return { outcome: "rejected", why: "malformed", reason: "the body is not JSON; cannot check the signature" }
  }
  if (!signaturesEqual(signCatalystPayPayload(exact, secret), signature)) {
    return {
      outcome: "rejected",
      why: "unauthenticated",
      reason: "X-CatalystPay-Signature does not match (wrong secret, or the payload was altered)",
    }
  }
  const event = headers["x-catalystpay-event"] ?? ""
  if (event !== SESSION_COMPLETED_EVENT) {
    return {
      outcome: "ignored",
      reason: `event ${event || "(no X-CatalystPay-Event)"} does not complete a payment session`,
    }
  }
  const parsed = catalystpayWebhookPayloadSchema.safeParse(body)
  if (!parsed.success) {
    return {
      outcome: "ignored",
      reason: `signed ${event} lacks a session token (map session_token in the webhook profile)`,
    }
  }
  // CatalystPay takes no merchant reference: the token is how the provider finds the Medusa session.
  return { outcome: "session", gatewayReference: parsed.data.session_token, event }
}
