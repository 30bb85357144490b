import { createHash } from "node:crypto"

/** What `InFlight.share` hands back: the work's value, and whether this call ran it (and how many waited for it). */
export type Shared<T> = { value: T; leader: true; followers: number } | { value: T; leader: false }

/**
 * Work shared by the callers that ask for the same key while it runs: the first runs it, the others wait for its
 * value (or its error) instead of running it again. Only while it runs: once it settles the key is forgotten, and a
 * later caller runs the work anew; nothing is kept after completion.
 *
 * Memory holds one entry per key running now (a short key and a promise), at most `maxKeys`: past that, a new key's
 * work runs unshared, as if there were no sharing. An entry leaves when its work settles, whether it resolved or
 * threw (the followers then get the same error).
 */
export class InFlight<T> {
  private readonly running = new Map<string, { promise: Promise<T>; followers: number }>()

  constructor(private readonly maxKeys = 1_000) {}

  /** How many keys run now. */
  get size(): number {
    return this.running.size
  }

  async share(key: string, work: () => Promise<T>): Promise<Shared<T>> {
    const running = this.running.get(key)
    if (running) {
      running.followers += 1
      return { value: await running.promise, leader: false }
    }
    if (this.running.size >= this.maxKeys) return { value: await work(), leader: true, followers: 0 }
    // Started a microtask later, so that work throwing before its first await rejects the promise instead.
    const entry = { promise: Promise.resolve().then(work), followers: 0 }
    this.running.set(key, entry)
    try {
      const value = await entry.promise
      return { value, leader: true, followers: entry.followers }
    } finally {
      this.running.delete(key)
    }
  }
}

/**
 * Headers that differ between copies of one delivery without saying anything about who sent it: the connection's
 * own (hop-by-hop), what proxies and load balancers add on the way, and tracing ids. `content-length` too: the
 * body's digest already covers it, and a proxy may re-frame the body. Every other header is part of a delivery's key.
 */
const PER_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "content-length",
  "forwarded",
  "via",
  "x-real-ip",
  "true-client-ip",
  "x-client-ip",
  "cdn-loop",
  "x-request-id",
  "x-correlation-id",
  "traceparent",
  "tracestate",
  "baggage",
  "sentry-trace",
  "x-amzn-trace-id",
  "x-cloud-trace-context",
])
const PER_HOP_PREFIXES = ["x-forwarded-", "cf-", "x-b3-"]

const perHop = (name: string) => PER_HOP.has(name) || PER_HOP_PREFIXES.some((prefix) => name.startsWith(prefix))

/**
 * The key of a webhook delivery for `InFlight`: a digest of the provider it was posted to, the exact body, and every
 * header but the per-hop ones (`PER_HOP`), by lowercase name. Copies of one delivery share it; a copy with another
 * signature or agreed header (which the gateways send as headers: `Hitpay-Signature`, `X-CatalystPay-Signature`,
 * NetValve's agreed header) or another body (HitPay v1's `hmac` field; Cashflows, unsigned, is only its body) has a
 * key of its own.
 */
export function deliveryKey(
  providerId: string,
  body: string | Buffer,
  headers: Record<string, string | string[] | undefined | unknown>
): string {
  const kept = Object.entries(headers)
    .map(([name, value]) => [name.toLowerCase(), value] as const)
    .filter(([name, value]) => value !== undefined && !perHop(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const hash = createHash("sha256")
  hash.update(JSON.stringify([providerId, kept]))
  hash.update("\n")
  hash.update(body)
  return hash.digest("hex")
}
