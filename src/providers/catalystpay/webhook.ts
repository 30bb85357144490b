import { hmacSha256Hex, pythonCanonicalJson, signaturesEqual } from "../../lib/signing"
import { lowerCaseHeaders, rawBody, RawWebhook } from "../../lib/webhook"
import { catalystpayWebhookPayloadSchema } from "./schemas"

/** The one event that says a payment session was paid. */
export const SESSION_COMPLETED_EVENT = "payment_session.completed"

/** A `payment_session.completed` webhook CatalystPay signed, reduced to what the provider acts on. */
export type VerifiedCatalystPayWebhook = {
  event: typeof SESSION_COMPLETED_EVENT
  sessionToken: string
  /** As the webhook profile maps them; hints only, CatalystPay's API is asked before acting. */
  status?: string
  amount?: string | number
  currency?: string
}

export type CatalystPayWebhookResult =
  | { verified: true; webhook: VerifiedCatalystPayWebhook }
  | { verified: true; ignored: string }
  | { verified: false; reason: string }

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
export function verifyCatalystPayWebhook(payload: RawWebhook, secret: string): CatalystPayWebhookResult {
  const headers = lowerCaseHeaders(payload.headers)
  const signature = headers["x-catalystpay-signature"]
  if (!signature) {
    return { verified: false, reason: "no X-CatalystPay-Signature header" }
  }
  const body = jsonBody(payload)
  if (body === undefined) {
    return { verified: false, reason: "the body is not JSON; cannot check the signature" }
  }
  if (!signaturesEqual(signCatalystPayPayload(body, secret), signature)) {
    return { verified: false, reason: "X-CatalystPay-Signature does not match (wrong secret, or the payload was altered)" }
  }
  const event = headers["x-catalystpay-event"] ?? ""
  if (event !== SESSION_COMPLETED_EVENT) {
    return { verified: true, ignored: `event ${event || "(no X-CatalystPay-Event)"} does not complete a payment session` }
  }
  const parsed = catalystpayWebhookPayloadSchema.safeParse(body)
  if (!parsed.success) {
    return { verified: true, ignored: `signed ${event} lacks a session token (map session_token in the webhook profile)` }
  }
  const { session_token, status, amount, currency } = parsed.data
  return { verified: true, webhook: { event: SESSION_COMPLETED_EVENT, sessionToken: session_token, status, amount, currency } }
}

/** The payload: parsed from the raw body when Medusa kept it, else the body Medusa parsed. */
function jsonBody(payload: RawWebhook): unknown {
  const raw = rawBody(payload)
  if (raw !== undefined) {
    try {
      return JSON.parse(raw.toString("utf8"))
    } catch {
      return undefined
    }
  }
  return payload.data !== null && typeof payload.data === "object" ? payload.data : undefined
}
