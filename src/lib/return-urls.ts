import { invalidData } from "./errors"

export type ReturnUrlOptions = {
  /** The default return URL when the storefront sends none. Its origin is always allowed. */
  returnUrl?: string
  /** Further origins a storefront-supplied `return_url` may point to. */
  allowedReturnOrigins?: string[]
}

/**
 * The URL the buyer is sent back to: the storefront's `data.return_url` when its origin is allow-listed,
 * else the configured default. A URL on any other origin is refused, so the plugin is never an open redirect.
 */
export function resolveReturnUrl(gateway: string, requested: unknown, options: ReturnUrlOptions): string {
  if (requested === undefined || requested === null || requested === "") {
    if (options.returnUrl) {
      return options.returnUrl
    }
    throw invalidData(gateway, `the payment session needs data.return_url (or set the provider's returnUrl option)`)
  }
  if (typeof requested !== "string") {
    throw invalidData(gateway, `data.return_url must be a URL string`)
  }
  let url: URL
  try {
    url = new URL(requested)
  } catch {
    throw invalidData(gateway, `data.return_url "${requested.slice(0, 200)}" is not an absolute URL`)
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw invalidData(gateway, `data.return_url must be an http(s) URL`)
  }
  if (!allowedOrigins(options).has(url.origin)) {
    throw invalidData(
      gateway,
      `data.return_url origin ${url.origin} is not allowed; add it to the provider's allowedReturnOrigins option`
    )
  }
  return url.toString()
}

function allowedOrigins(options: ReturnUrlOptions): Set<string> {
  const origins = new Set(options.allowedReturnOrigins ?? [])
  if (options.returnUrl) {
    origins.add(new URL(options.returnUrl).origin)
  }
  return origins
}

/** `url` with `params` added to its query string (existing parameters are kept). */
export function withQuery(url: string, params: Record<string, string>): string {
  const result = new URL(url)
  for (const [key, value] of Object.entries(params)) {
    result.searchParams.set(key, value)
  }
  return result.toString()
}
