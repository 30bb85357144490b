import { AsyncLocalStorage } from "node:async_hooks"
import type { PaymentProviderContext } from "@medusajs/framework/types"

/**
 * The buyer details a hosted page wants (to prefill it, and for 3-D Secure), under Medusa's own field
 * names. The storefront contract: the plugin's middleware fills `data.email`, `data.billing_address`
 * and `data.shipping_address` from the cart on the server; a storefront may also send them itself.
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

/** Buyer details read from the cart, under the names `readBuyer` reads (`email`, `billing_address`, …). */
export type BuyerData = Record<string, unknown>

/**
 * The hand-over from the plugin's middleware to the provider of the same request. The middleware starts reading
 * the cart and lets Medusa's workflow go on at once; the provider awaits the read only when it builds the page,
 * by then long done (Medusa spends several milliseconds on its own steps first). The details live for that
 * request only: they are not written into the session's data, which Medusa stores and returns to the storefront.
 * One instance per process, even if the package were loaded twice (the middleware and the providers must meet).
 */
const HANDOVER = Symbol.for("medusa-payment-hpp.buyer-from-cart")
const handover: AsyncLocalStorage<Promise<BuyerData | undefined>> = ((globalThis as Record<symbol, unknown>)[
  HANDOVER
] ??= new AsyncLocalStorage()) as AsyncLocalStorage<Promise<BuyerData | undefined>>

/** Runs `next` (the rest of the request) with the cart's buyer details on the way; `read` must never reject. */
export function handOverBuyer<T>(read: Promise<BuyerData | undefined>, next: () => T): T {
  return handover.run(read, next)
}

/** The session data with the cart's buyer details of this request over it (the cart wins where it has a value). */
export async function withBuyerFromCart(data: Record<string, unknown> | undefined): Promise<Record<string, unknown>> {
  const fromCart = await handover.getStore()
  return { ...data, ...fromCart }
}
