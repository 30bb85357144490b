import type { IncomingHttpHeaders } from "node:http"

/** A request as the gateway handlers see it: the body already read, the path without the query. */
export type SandboxRequest = {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  raw: Buffer
  text: string
}

export type Reply = {
  status: number
  headers?: Record<string, string>
  body?: string
}

/**
 * A route below a gateway's prefix. `api` routes are what a provider calls (authenticated, subject to
 * the latency and failNext faults); `page` routes are what the buyer's browser sees.
 */
export type Route = {
  method: string
  pattern: RegExp
  kind: "api" | "page"
  handle(req: SandboxRequest, params: string[]): Reply | Promise<Reply>
}

export const json = (status: number, value: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(value),
})

export const html = (status: number, body: string): Reply => ({
  status,
  headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  body,
})

/** 303 See Other: after a form POST, the browser follows it with a GET. */
export const seeOther = (location: string): Reply => ({ status: 303, headers: { location }, body: "" })

/** A header's value (first one if repeated), by case-insensitive name. */
export function header(req: SandboxRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()]
  return Array.isArray(value) ? value[0] : value
}

export type BodyFields = Record<string, unknown>

/**
 * A JSON or form-encoded body as fields. Form arrays come as repeated `name[]` keys and are returned
 * under `name`, as HitPay's `payment_methods[]`. Undefined when the body cannot be parsed.
 */
export function bodyFields(req: SandboxRequest): BodyFields | undefined {
  const type = header(req, "content-type") ?? ""
  const text = req.text.trim()
  if (type.includes("application/json") || (!type.includes("form") && text.startsWith("{"))) {
    try {
      const value: unknown = text ? JSON.parse(text) : {}
      return value && typeof value === "object" && !Array.isArray(value) ? (value as BodyFields) : undefined
    } catch {
      return undefined
    }
  }
  const fields: BodyFields = {}
  const form = new URLSearchParams(req.text)
  for (const key of new Set(form.keys())) {
    if (key.endsWith("[]")) fields[key.slice(0, -2)] = form.getAll(key)
    else fields[key] = form.get(key)
  }
  return fields
}

/** `url` with `params` set in its query string (existing ones kept). */
export function withQuery(url: string, params: Record<string, string>): string {
  const target = new URL(url)
  for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value)
  return target.toString()
}

export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== "string") return false
  try {
    const url = new URL(value)
    return url.protocol === "http:" || url.protocol === "https:"
  } catch {
    return false
  }
}
