/** What Medusa's webhook route hands a provider: the parsed body, the raw bytes and the headers. */
export type RawWebhook = {
  data?: unknown
  rawData?: unknown
  headers?: Record<string, unknown>
}

/** The exact bytes the gateway sent, however Medusa's event bus carried them. */
export function rawBody(payload: RawWebhook): Buffer | undefined {
  const raw = payload.rawData
  if (Buffer.isBuffer(raw)) return raw
  if (typeof raw === "string") return Buffer.from(raw, "utf8")
  // A body that went through a queue as JSON arrives as { type: "Buffer", data: [...] }.
  if (raw && typeof raw === "object" && (raw as { type?: unknown }).type === "Buffer") {
    return Buffer.from((raw as { data: number[] }).data)
  }
  return undefined
}

/** Headers with lowercase names and single values. */
export function lowerCaseHeaders(headers: Record<string, unknown> | undefined): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([k, v]) => [
      k.toLowerCase(),
      v === undefined ? undefined : String(Array.isArray(v) ? v[0] : v),
    ])
  )
}

/**
 * The JSON body: parsed from the exact bytes when Medusa kept them (with `parseJson`, e.g. one that keeps
 * 64-bit integers), else the body Medusa parsed. `undefined` when there is no JSON object to read.
 */
export function jsonBody(payload: RawWebhook, parseJson: (text: string) => unknown = JSON.parse): unknown {
  const raw = rawBody(payload)
  if (raw !== undefined && raw.length > 0) {
    try {
      return parseJson(raw.toString("utf8"))
    } catch {
      return undefined
    }
  }
  const data = payload.data
  return data !== null && typeof data === "object" && !Buffer.isBuffer(data) ? data : undefined
}

/**
 * What a provider's webhook check concluded, the same for all four gateways:
 * - `rejected`: not proven to come from the gateway (`unauthenticated`: a bad or missing signature or
 *   agreed header) or not the gateway's kind of body at all (`malformed`). Changes nothing.
 * - `ignored`: genuine, but about nothing Medusa acts on (another event, an object made outside Medusa).
 * - `session`: genuine and about one hosted page: the Medusa session it names (`sessionId`, when the
 *   gateway carries our reference) and the gateway's own reference for the page (`gatewayReference`).
 *   `status` is set when the webhook itself already holds the gateway's authenticated word on the page
 *   (a signed body, or an API answer fetched while checking it); otherwise the provider asks the gateway.
 *   An unsigned webhook goes on unchecked where asking the gateway could change nothing: no live session
 *   holds the page (refused), or Medusa already holds its payment (only its order is made sure of).
 */
export type WebhookVerification<Status = unknown> =
  | { outcome: "rejected"; why: "unauthenticated" | "malformed"; reason: string }
  | { outcome: "ignored"; reason: string }
  | { outcome: "session"; sessionId?: string; gatewayReference?: string; status?: Status; event?: string }
