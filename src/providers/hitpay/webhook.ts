import type { GatewayStatus } from "../../lib/hosted-provider"
import { isMedusaSessionId } from "../../lib/session"
import { hmacSha256Hex, signaturesEqual } from "../../lib/signing"
import { lowerCaseHeaders, rawBody, RawWebhook, WebhookVerification } from "../../lib/webhook"
import { hitpayPaymentRequestSchema, hitpayV1WebhookSchema } from "./schemas"
import { HitPayRequestView, paymentRequestStatus } from "./status"

/** A HitPay webhook, verified, as the provider acts on it: the session, the payment request, and its signed status. */
export type HitPayWebhookResult = WebhookVerification<GatewayStatus>

/**
 * The v1 signature: drop `hmac`, write each remaining field as key + value (an empty value still
 * contributes its key), order by key, join with nothing, HMAC-SHA256 with the salt, lowercase hex.
 */
export function signHitPayV1(fields: Record<string, string>, salt: string): string {
  const message = Object.keys(fields)
    .filter((key) => key !== "hmac")
    .sort()
    .map((key) => `${key}${fields[key] ?? ""}`)
    .join("")
  return hmacSha256Hex(salt, message)
}

/** The v2 signature: HMAC-SHA256 of the exact raw body with the endpoint's salt, lowercase hex. */
export function signHitPayV2(rawBody: string | Buffer, salt: string): string {
  return hmacSha256Hex(salt, rawBody)
}

/** Verifies, then parses, a HitPay webhook of either format. Nothing is read before the signature holds. */
export function verifyHitPayWebhook(payload: RawWebhook, salts: { v1: string; v2: string }): HitPayWebhookResult {
  const headers = lowerCaseHeaders(payload.headers)
  const v2Signature = headers["hitpay-signature"]
  if (v2Signature !== undefined) {
    return verifyV2(payload, String(v2Signature), headers, salts.v2)
  }
  return verifyV1(payload, salts.v1)
}

function verifyV1(payload: RawWebhook, salt: string): HitPayWebhookResult {
  const fields = formFields(payload)
  if (!fields) {
    return {
      outcome: "rejected",
      why: "malformed",
      reason: "not a HitPay webhook: neither a Hitpay-Signature header nor form fields",
    }
  }
  if (!fields.hmac) {
    return { outcome: "rejected", why: "unauthenticated", reason: "v1 webhook without an hmac field" }
  }
  if (!signaturesEqual(signHitPayV1(fields, salt), fields.hmac)) {
    return {
      outcome: "rejected",
      why: "unauthenticated",
      reason: "v1 webhook hmac does not match (wrong salt, or the payload was altered)",
    }
  }
  const parsed = hitpayV1WebhookSchema.safeParse(fields)
  if (!parsed.success) {
    return { outcome: "ignored", reason: `signed v1 webhook lacks ${parsed.error.issues[0].path.join(".")}` }
  }
  const body = parsed.data
  const request = { id: body.payment_request_id, status: body.status, amount: body.amount, currency: body.currency }
  // v1 names the paying charge itself; its amount is the request's.
  return about(request, body.reference_number, body.payment_id)
}

function verifyV2(
  payload: RawWebhook,
  signature: string,
  headers: Record<string, unknown>,
  salt: string
): HitPayWebhookResult {
  const raw = rawBody(payload)
  if (raw === undefined) {
    return {
      outcome: "rejected",
      why: "unauthenticated",
      reason: "v2 webhook without its raw body; cannot check the signature",
    }
  }
  if (!signaturesEqual(signHitPayV2(raw, salt), signature)) {
    return {
      outcome: "rejected",
      why: "unauthenticated",
      reason: "v2 webhook Hitpay-Signature does not match (wrong salt, or the body was altered)",
    }
  }
  const object = String(headers["hitpay-event-object"] ?? "")
  const event = String(headers["hitpay-event-type"] ?? "")
  if (object !== "payment_request") {
    return {
      outcome: "ignored",
      reason: `v2 event ${object || "(no object)"}.${event || "(no type)"} is not a payment request`,
    }
  }
  let body: unknown
  try {
    body = JSON.parse(raw.toString("utf8"))
  } catch {
    return { outcome: "ignored", reason: "signed v2 webhook body is not JSON" }
  }
  const parsed = hitpayPaymentRequestSchema.safeParse(body)
  if (!parsed.success) {
    return { outcome: "ignored", reason: `signed v2 payment_request lacks ${parsed.error.issues[0].path.join(".")}` }
  }
  return about(parsed.data, parsed.data.reference_number ?? undefined)
}

/** A signed payment request: its session (our reference) and its status, as HitPay signed it. */
function about(request: HitPayRequestView, reference: string | undefined, chargeId?: string): HitPayWebhookResult {
  if (!isMedusaSessionId(reference)) {
    return {
      outcome: "ignored",
      reason: `payment request ${request.id}: its reference is not a Medusa payment session`,
    }
  }
  const status = paymentRequestStatus(request)
  return {
    outcome: "session",
    sessionId: reference,
    gatewayReference: request.id,
    status: { ...status, gatewayPaymentReference: status.gatewayPaymentReference ?? chargeId },
  }
}

/** The v1 form fields, exactly as sent: from the raw body when Medusa kept it, else the parsed body. */
function formFields(payload: RawWebhook): Record<string, string> | undefined {
  const raw = rawBody(payload)
  if (raw !== undefined) {
    const text = raw.toString("utf8").trim()
    if (text && !text.startsWith("{")) {
      return Object.fromEntries(new URLSearchParams(text))
    }
  }
  if (payload.data && typeof payload.data === "object" && !Array.isArray(payload.data)) {
    const entries = Object.entries(payload.data as Record<string, unknown>)
    if (entries.length && entries.every(([, v]) => typeof v === "string")) {
      return Object.fromEntries(entries) as Record<string, string>
    }
  }
  return undefined
}
