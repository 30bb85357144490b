import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { HPP_PROVIDER_OWNED_KEYS, hppProviderOf } from "../env"
import { BUYER_KEYS, BuyerData, handOverBuyer } from "../lib/buyer"

const ADDRESS_FIELDS = [
  "first_name",
  "last_name",
  "phone",
  "company",
  "address_1",
  "address_2",
  "city",
  "province",
  "postal_code",
  "country_code",
] as const

type Address = Partial<Record<(typeof ADDRESS_FIELDS)[number], string | null>> | null | undefined
type CartBuyer = { email?: string | null; billing_address?: Address; shipping_address?: Address }
type Knex = { raw(sql: string, bindings: Record<string, unknown>): Promise<{ rows: CartBuyer[] }> }

/** The address row `id` of `table` as one JSON object, or null (none, or deleted). */
const addressJson = (table: string, id: string) =>
  `(select json_build_object(${ADDRESS_FIELDS.map((f) => `'${f}', a.${f}`).join(", ")})
    from ${table} a where a.id = ${id} and a.deleted_at is null)`

/**
 * The buyer's e-mail and addresses through the payment collection's link, in one round trip to the database: the
 * cart's for a checkout, the order's for the collection of an order edit, claim or exchange (it has no cart).
 * Medusa's Query reads the same in two (the link, then the cart with its addresses) and spends 3–5 ms of CPU
 * planning and hydrating them, for every session. Written as lookups by key (the link, then the row, then each
 * address), which PostgreSQL plans in about 0.2 ms, where the same as joins took 0.35–0.5 ms on every session:
 * about 0.75 ms in all on a warm server. It reads Medusa's own tables, so where they are not reachable this way
 * (modules in databases of their own), `readBuyerByQuery` does the work.
 */
const BUYER_BY_PAYMENT_COLLECTION = `
  select c.email, ${addressJson("cart_address", "c.billing_address_id")} as billing_address,
    ${addressJson("cart_address", "c.shipping_address_id")} as shipping_address
  from cart c
  where c.id = (select l.cart_id from cart_payment_collection l
      where l.payment_collection_id = :collection and l.deleted_at is null limit 1)
    and c.deleted_at is null
  union all
  select o.email, ${addressJson("order_address", "o.billing_address_id")},
    ${addressJson("order_address", "o.shipping_address_id")}
  from "order" o
  where o.id = (select l.order_id from order_payment_collection l
      where l.payment_collection_id = :collection and l.deleted_at is null limit 1)
    and o.deleted_at is null`

async function readBuyer(req: MedusaRequest): Promise<CartBuyer | undefined> {
  try {
    const pg = req.scope.resolve<Knex>(ContainerRegistrationKeys.PG_CONNECTION)
    const { rows } = await pg.raw(BUYER_BY_PAYMENT_COLLECTION, { collection: req.params.id })
    return rows[0]
  } catch {
    return readBuyerByQuery(req)
  }
}

const buyerFields = (owner: string) => [
  `${owner}.email`,
  ...ADDRESS_FIELDS.map((f) => `${owner}.billing_address.${f}`),
  ...ADDRESS_FIELDS.map((f) => `${owner}.shipping_address.${f}`),
]

/** The same through Medusa's Query: the link with the cart (or the order) and its addresses. */
async function readBuyerByQuery(req: MedusaRequest): Promise<CartBuyer | undefined> {
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const filters = { payment_collection_id: req.params.id }
  const { data: carts } = await query.graph({ entity: "cart_payment_collection", fields: buyerFields("cart"), filters })
  const cart = (carts[0] as { cart?: CartBuyer | null } | undefined)?.cart
  if (cart) return cart
  const { data: orders } = await query.graph({
    entity: "order_payment_collection",
    fields: buyerFields("order"),
    filters,
  })
  return (orders[0] as { order?: CartBuyer | null } | undefined)?.order ?? undefined
}

/**
 * The storefront contract: a storefront creating a session for one of our providers sends only
 * `data.return_url`. The buyer details the hosted pages want (e-mail, name, phone, address) come from the
 * cart, on the server, under Medusa's own field names; where the cart has none, what the storefront sent
 * stays. The cart is read while Medusa goes on with the request, and the details are handed to the provider
 * of this request (`handOverBuyer`) until the response ends. They are taken out of `data`, which Medusa stores
 * and returns to the storefront, also when the storefront sent them itself. A failed read never blocks
 * checkout: the page is then prefilled with what the storefront sent, if anything.
 *
 * The keys the provider owns in session data (its references, status, amount, and the names earlier releases
 * used) are taken out too: Medusa stores the storefront's data under the provider's answer, so a key the answer
 * does not write would otherwise stay as the browser chose it.
 */
export function fillBuyerFromCart(req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction) {
  const body = req.body as { provider_id?: unknown; data?: Record<string, unknown> } | undefined
  const providerId = typeof body?.provider_id === "string" ? body.provider_id : ""
  const provider = hppProviderOf(providerId)
  if (!body || !provider) {
    return next()
  }
  const sent = body.data ?? {}
  if (body.data) body.data = storefrontChoices(body.data, HPP_PROVIDER_OWNED_KEYS[provider.gateway])
  const read = readBuyer(req).then(
    (cart) => buyerData(cart ?? {}, sent, req.ip),
    (error: Error) => {
      warn(req, `medusa-payment-hpp: could not read buyer details from the cart or order: ${error.message}`)
      return buyerData({}, sent, req.ip)
    }
  )
  return handOverBuyer(providerId, read, res, next)
}

function warn(req: MedusaRequest, message: string) {
  try {
    req.scope.resolve(ContainerRegistrationKeys.LOGGER).warn(message)
  } catch {
    console.warn(message)
  }
}

/** What the storefront sent, less the buyer's details and the keys the provider owns. */
function storefrontChoices(data: Record<string, unknown>, owned: readonly string[]): Record<string, unknown> {
  const rest = { ...data }
  for (const key of [...BUYER_KEYS, ...owned]) delete rest[key]
  return rest
}

/** The cart's buyer details over what the storefront sent, under the names the providers read. */
export function buyerData(cart: CartBuyer, sent: Record<string, unknown>, ip: string | undefined): BuyerData {
  const merged: BuyerData = {
    email: cart.email ?? sent.email,
    billing_address: pickAddress(cart.billing_address) ?? sent.billing_address,
    shipping_address: pickAddress(cart.shipping_address) ?? sent.shipping_address,
    customer_ip: ip ?? sent.customer_ip,
  }
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined && value !== null))
}

function pickAddress(address: Address): Record<string, string> | undefined {
  if (!address) return undefined
  const picked = Object.fromEntries(
    ADDRESS_FIELDS.filter((f) => typeof address[f] === "string" && address[f] !== "").map((f) => [
      f,
      address[f] as string,
    ])
  )
  return Object.keys(picked).length ? picked : undefined
}
