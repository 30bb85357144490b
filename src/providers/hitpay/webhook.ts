import { hmacSha256Hex, signaturesEqual } from "../../lib/signing"
import { lowerCaseHeaders, rawBody, RawWebhook } from "../../lib/webhook"
import { hitpayPaymentRequestSchema, hitpayV1WebhookSchema } from "./schemas"

/** A webhook HitPay signed, reduced to what decides the payment. */
export type VerifiedHitPayWebhook = {
  version: "v1" | "v2"
  paymentRequestId: string
  referenceNumber: string | undefined
  /** The payment request's status (v1 `status`, v2 object `status`). */
  status: string
  amount: string | number
  currency: string
}

export type HitPayWebhookResult =
  | { verified: true; webhook: VerifiedHitPayWebhook }
  | { verified: true; ignored: string }
  | { verified: false; reason: string }

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
export function verifyHitPayWebhook(
  payload: RawWebhook,
  salts: { v1: string; v2: string }
): HitPayWebhookResult {
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
    return { verified: false, reason: "not a HitPay webhook: neither a Hitpay-Signature header nor form fields" }
  }
  if (!fields.hmac) {
    return { verified: false, reason: "v1 webhook without an hmac field" }
  }
  if (!signaturesEqual(signHitPayV1(fields, salt), fields.hmac)) {
    return { verified: false, reason: "v1 webhook hmac does not match (wrong salt, or the payload was altered)" }
  }
  const parsed = hitpayV1WebhookSchema.safeParse(fields)
  if (!parsed.success) {
    return { verified: true, ignored: `signed v1 webhook lacks ${parsed.error.issues[0].path.join(".")}` }
  }
  const body = parsed.data
  return {
    verified: true,
    webhook: {
      version: "v1",
      paymentRequestId: body.payment_request_id,
      referenceNumber: body.reference_number,
      status: body.status,
      amount: body.amount,
      currency: body.currency,
    },
  }
}

function verifyV2(
  payload: RawWebhook,
  signature: string,
  headers: Record<string, unknown>,
  salt: string
): HitPayWebhookResult {
  const raw = rawBody(payload)
  if (raw === undefined) {
    return { verified: false, reason: "v2 webhook without its raw body; cannot check the signature" }
  }
  if (!signaturesEqual(signHitPayV2(raw, salt), signature)) {
    return { verified: false, reason: "v2 webhook Hitpay-Signature does not match (wrong salt, or the body was altered)" }
  }
  const object = String(headers["hitpay-event-object"] ?? "")
  const event = String(headers["hitpay-event-type"] ?? "")
  if (object !== "payment_request") {
    return { verified: true, ignored: `v2 event ${object || "(no object)"}.${event || "(no type)"} is not a payment request` }
  }
  let body: unknown
  try {
    body = JSON.parse(raw.toString("utf8"))
  } catch {
    return { verified: true, ignored: "signed v2 webhook body is not JSON" }
  }
  const parsed = hitpayPaymentRequestSchema.safeParse(body)
  if (!parsed.success) {
    return { verified: true, ignored: `signed v2 payment_request lacks ${parsed.error.issues[0].path.join(".")}` }
  }
  return {
    verified: true,
    webhook: {
      version: "v2",
      paymentRequestId: parsed.data.id,
      referenceNumber: parsed.data.reference_number ?? undefined,
      status: parsed.data.status,
      amount: parsed.data.amount,
      currency: parsed.data.currency,
    },
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
