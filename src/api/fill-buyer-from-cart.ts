import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { hppProviderOf } from "../env"

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

/**
 * The storefront contract: a storefront creating a session for one of our providers sends only
 * `data.return_url`. The buyer details the hosted pages want (e-mail, name, phone, address) are filled
 * here from the cart, on the server, under Medusa's own field names; where the cart has none, what the
 * storefront sent stays. A failure here never blocks checkout: the page is then simply not prefilled.
 */
export async function fillBuyerFromCart(req: MedusaRequest, _res: MedusaResponse, next: MedusaNextFunction) {
  const body = req.body as { provider_id?: unknown; data?: Record<string, unknown> } | undefined
  if (!body || typeof body.provider_id !== "string" || !hppProviderOf(body.provider_id)) {
    return next()
  }
  try {
    const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
    const { data: links } = await query.graph({
      entity: "cart_payment_collection",
      fields: ["cart_id"],
      filters: { payment_collection_id: req.params.id },
    })
    const cartId = (links[0] as { cart_id?: string } | undefined)?.cart_id
    if (cartId) {
      const { data: carts } = await query.graph({
        entity: "cart",
        fields: ["email", "billing_address.*", "shipping_address.*"],
        filters: { id: cartId },
      })
      const cart = carts[0] as
        { email?: string | null; billing_address?: Address; shipping_address?: Address } | undefined
      const sent = body.data ?? {}
      body.data = {
        ...sent,
        email: cart?.email ?? sent.email,
        billing_address: pickAddress(cart?.billing_address) ?? sent.billing_address,
        shipping_address: pickAddress(cart?.shipping_address) ?? sent.shipping_address,
        customer_ip: req.ip ?? sent.customer_ip,
      }
    }
  } catch (error) {
    req.scope
      .resolve(ContainerRegistrationKeys.LOGGER)
      .warn(`medusa-payment-hpp: could not read buyer details from the cart: ${(error as Error).message}`)
  }
  next()
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
