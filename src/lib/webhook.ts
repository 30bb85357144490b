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
    Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v === undefined ? undefined : String(Array.isArray(v) ? v[0] : v)])
  )
}
