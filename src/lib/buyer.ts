import { AsyncLocalStorage } from "node:async_hooks"
import type { PaymentProviderContext } from "@medusajs/framework/types"

/**
 * The buyer details a hosted page wants (to prefill it, and for 3-D Secure), under Medusa's own field
 * names. The storefront contract: the plugin's middleware reads them from the cart on the server and hands
 * them to the provider (`handOverBuyer`); a storefront may also send them itself in `data`.
 */
export type Buyer = {
  email?: string
  first_name?: string
  last_name?: string
  phone?: string
  company?: string
  address_1?: string
  address_2?: string
  city?: string
  province?: string
  postal_code?: string
  /** ISO 3166-1 alpha-2, lowercase as Medusa keeps it. */
  country_code?: string
  customer_ip?: string
}

type AddressLike = Partial<Record<keyof Buyer, unknown>>

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value.trim() : undefined

/** The buyer from session data (filled from the cart) and, for a logged-in customer, the context. */
export function readBuyer(data: Record<string, unknown> | undefined, context?: PaymentProviderContext): Buyer {
  const billing = (data?.billing_address ?? {}) as AddressLike
  const shipping = (data?.shipping_address ?? {}) as AddressLike
  const customer = (context?.customer ?? {}) as AddressLike & { billing_address?: AddressLike | null }
  const customerAddress = (customer.billing_address ?? {}) as AddressLike
  const pick = (key: keyof Buyer) =>
    text(billing[key]) ?? text(shipping[key]) ?? text(customer[key]) ?? text(customerAddress[key])
  return {
    email: text(data?.email) ?? text(customer.email),
    first_name: pick("first_name"),
    last_name: pick("last_name"),
    phone: pick("phone"),
    company: pick("company"),
    address_1: pick("address_1"),
    address_2: pick("address_2"),
    city: pick("city"),
    province: pick("province"),
    postal_code: pick("postal_code"),
    country_code: pick("country_code")?.toLowerCase(),
    customer_ip: text(data?.customer_ip),
  }
}

/** "First Last", or undefined when neither is known. */
export function fullName(buyer: Buyer): string | undefined {
  const name = [buyer.first_name, buyer.last_name].filter(Boolean).join(" ")
  return name || undefined
}

/** Buyer details under the names `readBuyer` reads (`email`, `billing_address`, `shipping_address`, `customer_ip`). */
export type BuyerData = Record<string, unknown>

/** The keys of `BuyerData`: what the middleware takes out of the data Medusa stores. */
export const BUYER_KEYS = ["email", "billing_address", "shipping_address", "customer_ip"] as const

/** The buyer details on the way to the provider, until it takes them or the request ends. */
type Handover = { providerId: string; read?: Promise<BuyerData | undefined> }

/** A request's response, as far as the hand-over needs it: it says when the request is over. */
export type RequestEnd = { once(event: "finish" | "close", listener: () => void): unknown }

/**
 * The hand-over from the plugin's middleware to the provider of the same request. The middleware starts reading
 * the cart and lets the request go on at once; the provider awaits the read only when it builds the page, by
 * then long done (Medusa spends several milliseconds on its own steps first). The details live for that request
 * only, for the provider it names, and are taken once: they are not written into the session's data, which
 * Medusa stores and returns to the storefront. Work the request starts keeps its async context after the
 * response (a timer, a retry, a subscriber), so the hand-over is emptied when the response ends: nothing that
 * runs later gets this buyer's details. One instance per process, even if the package were loaded twice
 * (the middleware and the providers must meet).
 */
const HANDOVER = Symbol.for("medusa-payment-hpp.buyer-from-cart")
const handover: AsyncLocalStorage<Handover> = ((globalThis as Record<symbol, unknown>)[HANDOVER] ??=
  new AsyncLocalStorage()) as AsyncLocalStorage<Handover>

/** Runs `next` (the rest of the request) with the buyer details for `providerId` on the way, until `response` ends. */
export function handOverBuyer<T>(
  providerId: string,
  read: Promise<BuyerData | undefined>,
  response: RequestEnd,
  next: () => T
): T {
  // Never an unhandled rejection, even when the request fails before the provider asks.
  const given: Handover = { providerId, read: read.catch(() => undefined) }
  const end = () => delete given.read
  response.once("finish", end)
  response.once("close", end)
  return handover.run(given, next)
}

/**
 * The session data with this request's buyer details over it, for provider ids starting with `providerPrefix`
 * (`pp_hitpay_`); taken once. Without a hand-over (a page made outside the session route, or after its response)
 * the data is as given.
 */
export async function withBuyerFromCart(
  providerPrefix: string,
  data: Record<string, unknown> | undefined
): Promise<Record<string, unknown>> {
  const given = handover.getStore()
  const read = given?.providerId.startsWith(providerPrefix) ? given.read : undefined
  if (!given || !read) return { ...data }
  delete given.read
  return { ...data, ...(await read) }
}
