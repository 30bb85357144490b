import { secretsEqual } from "../../lib/signing"
import { lowerCaseHeaders, rawBody, RawWebhook } from "../../lib/webhook"
import { netvalveWebhookSchema } from "./schemas"

/** A webhook that carried the agreed header, reduced to what the provider acts on. */
export type VerifiedNetValveWebhook = {
  eventName: string
  /** Our reference: the Medusa payment session id the order was created with. */
  clientOrderId: string
  orderId: number | string | undefined
  transactionId: number | string | undefined
}

export type NetValveWebhookResult =
  | { verified: true; webhook: VerifiedNetValveWebhook }
  | { verified: true; ignored: string }
  | { verified: false; reason: string }

/** The custom header agreed with NetValve at setup: NetValve signs nothing, so this is the only proof. */
export type AgreedHeader = { name: string; value: string }

/**
 * Checks the agreed header (constant time), then parses the body. Nothing is read before the header
 * holds, and even then the webhook is only a hint: the provider asks NetValve before acting on it.
 */
export function verifyNetValveWebhook(payload: RawWebhook, header: AgreedHeader): NetValveWebhookResult {
  const received = lowerCaseHeaders(payload.headers)[header.name.toLowerCase()]
  if (received === undefined) {
    return { verified: false, reason: `no ${header.name} header` }
  }
  if (!secretsEqual(header.value, received)) {
    return { verified: false, reason: `the ${header.name} header does not have the value agreed with NetValve` }
  }
  const body = jsonBody(payload)
  if (body === undefined) {
    return { verified: true, ignored: "body is not JSON" }
  }
  const parsed = netvalveWebhookSchema.safeParse(body)
  if (!parsed.success) {
    return { verified: true, ignored: `body lacks ${parsed.error.issues[0].path.join(".") || "its fields"}` }
  }
  const { eventName, data } = parsed.data
  return {
    verified: true,
    webhook: {
      eventName,
      clientOrderId: data.clientOrderId,
      orderId: data.orderId ?? undefined,
      transactionId: data.transactionId ?? undefined,
    },
  }
}

/** The parsed JSON body, however Medusa's route handed it over. */
function jsonBody(payload: RawWebhook): unknown {
  if (payload.data && typeof payload.data === "object" && !Buffer.isBuffer(payload.data)) {
    return payload.data
  }
  const raw = rawBody(payload)
  if (raw === undefined) {
    return undefined
  }
  try {
    return JSON.parse(raw.toString("utf8"))
  } catch {
    return undefined
  }
}
