import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, generateJwtToken } from "@medusajs/framework/utils"
import {
  createApiKeysWorkflow,
  createRegionsWorkflow,
  createSalesChannelsWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
} from "@medusajs/core-flows"
import { type AxiosInstance, type AxiosResponse, isAxiosError } from "axios"
import nock from "nock"

/** The test's HTTP client to the Medusa app (medusaIntegrationTestRunner's `api`, an axios instance). */
export type Api = Pick<AxiosInstance, "get" | "post" | "delete" | "defaults">

/** Only the gateways are stood in for: every other host is refused, the app itself is reachable. */
export function isolateNetwork() {
  if (!nock.isActive()) nock.activate()
  nock.disableNetConnect()
  nock.enableNetConnect(/(localhost|127\.0\.0\.1)/)
}

/** Medusa 2.21 ignores the payment module's `webhook_delay` option; without this every webhook waits 5 s. */
export function speedUpWebhooks(container: MedusaContainer) {
  const payment = container.resolve(Modules.PAYMENT) as unknown as { options?: Record<string, unknown> }
  payment.options = { ...(payment.options ?? {}), webhook_delay: 1, webhook_retries: 1 }
}

/** What Medusa answers with an error status: `{ type, message }`. */
export type MedusaErrorBody = { type?: string; message?: string }

/**
 * An answer of the app, whether it accepted the request or refused it with an error status. `T` is the
 * body the caller expects either way (an error status has a body of its own).
 */
export async function answerOf<T = MedusaErrorBody>(
  request: Promise<AxiosResponse<unknown>>
): Promise<{ status: number; data: T }> {
  try {
    const { status, data } = await request
    return { status, data: data as T }
  } catch (error) {
    if (isAxiosError<T>(error) && error.response) {
      return { status: error.response.status, data: error.response.data }
    }
    throw error
  }
}

export type Store = { regionId: string; salesChannelId: string; publishableKey: string; currency: string }

/** Medusa's own provider, which authorizes at once: a cart paying with it completes whenever asked. */
export const SYSTEM_PROVIDER = "pp_system_default"

/** How many orders the whole store has. */
export async function orderCount(container: MedusaContainer): Promise<number> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "order", fields: ["id"] })
  return data.length
}

/**
 * A region paying through `providerId` (and Medusa's system provider, as most stores have it), a sales
 * channel and a publishable key linked to it.
 */
export async function seedStore(
  container: MedusaContainer,
  { currency, providerId, country }: { currency: string; providerId: string; country: string }
): Promise<Store> {
  const { result: regions } = await createRegionsWorkflow(container).run({
    input: {
      regions: [
        {
          name: `Region ${currency}`,
          currency_code: currency,
          countries: [country],
          payment_providers: [providerId, SYSTEM_PROVIDER],
        },
      ],
    },
  })
  const { result: channels } = await createSalesChannelsWorkflow(container).run({
    input: { salesChannelsData: [{ name: "Webshop" }] },
  })
  const { result: keys } = await createApiKeysWorkflow(container).run({
    input: { api_keys: [{ title: "Storefront", type: "publishable", created_by: "test" }] },
  })
  await linkSalesChannelsToApiKeyWorkflow(container).run({ input: { id: keys[0].id, add: [channels[0].id] } })
  return { regionId: regions[0].id, salesChannelId: channels[0].id, publishableKey: keys[0].token, currency }
}

export const storeHeaders = (store: Store) => ({ headers: { "x-publishable-api-key": store.publishableKey } })

/** What a storefront puts on the cart before paying: the buyer's e-mail and billing address. */
export const BUYER = {
  email: "buyer@example.com",
  billing_address: {
    first_name: "Ada",
    last_name: "Lovelace",
    phone: "+6581234567",
    address_1: "1 Raffles Place",
    city: "Singapore",
    postal_code: "048616",
    country_code: "sg",
  },
}

export type PaymentSession = { id: string; data: Record<string, unknown>; amount: number; status: string }
type PaymentCollectionBody = { payment_collection: { id: string; payment_sessions: PaymentSession[] } }

/** A cart in the store's region and sales channel, with what the storefront knows of the buyer. */
export async function createCart(api: Api, store: Store, buyer: Partial<typeof BUYER> = BUYER): Promise<string> {
  const { data } = await api.post<{ cart: { id: string } }>(
    "/store/carts",
    { region_id: store.regionId, sales_channel_id: store.salesChannelId, ...buyer },
    storeHeaders(store)
  )
  return data.cart.id
}

/** The cart's payment collection, which payment sessions are created on. */
export async function createPaymentCollection(api: Api, store: Store, cartId: string): Promise<string> {
  const { data } = await api.post<PaymentCollectionBody>(
    "/store/payment-collections",
    { cart_id: cartId },
    storeHeaders(store)
  )
  return data.payment_collection.id
}

/** The storefront's request for a payment session: the provider and `data` (e.g. `return_url`). */
export function requestPaymentSession(
  api: Api,
  store: Store,
  paymentCollectionId: string,
  body: { provider_id: string; data: Record<string, unknown> }
) {
  return api.post<PaymentCollectionBody>(
    `/store/payment-collections/${paymentCollectionId}/payment-sessions`,
    body,
    storeHeaders(store)
  )
}

export type Checkout = { cartId: string; paymentCollectionId: string; session: PaymentSession }

/**
 * What a storefront does: a cart with the buyer's e-mail and billing address, one line item, a payment
 * collection, and a payment session for the provider with `data.return_url`.
 */
export async function startCheckout(
  api: Api,
  container: MedusaContainer,
  store: Store,
  {
    providerId,
    unitPrice,
    sessionData = {},
  }: { providerId: string; unitPrice: number; sessionData?: Record<string, unknown> }
): Promise<Checkout> {
  const cartId = await createCart(api, store)
  await container
    .resolve(Modules.CART)
    .addLineItems(cartId, [
      { title: "Analytical Engine", quantity: 1, unit_price: unitPrice, requires_shipping: false },
    ])
  const paymentCollectionId = await createPaymentCollection(api, store, cartId)
  const { data } = await requestPaymentSession(api, store, paymentCollectionId, {
    provider_id: providerId,
    data: sessionData,
  })
  return { cartId, paymentCollectionId, session: data.payment_collection.payment_sessions[0] }
}

/** What POST /store/carts/:id/complete answers: the order, or the cart with the error, or an error status. */
export type CartCompletionBody = MedusaErrorBody & {
  type?: "order" | "cart"
  order?: { id: string; total: number }
  error?: { message?: string }
}

/** The buyer's return: the storefront completes the cart. */
export function completeCart(api: Api, store: Store, cartId: string) {
  return answerOf<CartCompletionBody>(api.post(`/store/carts/${cartId}/complete`, {}, storeHeaders(store)))
}

/** Medusa's amounts come back as numbers or decimal strings, depending on the field. */
type Amount = number | string

export type RecordedPayment = {
  id: string
  amount: Amount
  captured_at: string | null
  canceled_at: string | null
  data: Record<string, unknown>
  captures: { id: string; amount: Amount }[]
}

export type RecordedOrder = {
  id: string
  total: Amount
  currency_code: string
  payment_collections: { payments: RecordedPayment[] }[]
}

/** The orders Medusa made from a cart. */
export async function ordersOfCart(container: MedusaContainer, cartId: string): Promise<RecordedOrder[]> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data: links } = await query.graph({
    entity: "order_cart",
    fields: ["order_id"],
    filters: { cart_id: cartId },
  })
  const ids = (links as { order_id: string }[]).map((l) => l.order_id)
  if (!ids.length) return []
  const { data: orders } = await query.graph({
    entity: "order",
    fields: [
      "id",
      "total",
      "currency_code",
      "payment_collections.payments.*",
      "payment_collections.payments.captures.*",
    ],
    filters: { id: ids },
  })
  return orders as unknown as RecordedOrder[]
}

/** A Bearer token for an admin user, as the Admin API expects. */
export async function adminHeaders(container: MedusaContainer) {
  const user = await container.resolve(Modules.USER).createUsers({ email: "admin@example.com" })
  const authIdentity = await container.resolve(Modules.AUTH).createAuthIdentities({
    provider_identities: [
      { provider: "emailpass", entity_id: "admin@example.com", provider_metadata: { password: "x" } },
    ],
    app_metadata: { user_id: user.id },
  })
  const config = container.resolve(ContainerRegistrationKeys.CONFIG_MODULE)
  const { jwtSecret, jwtOptions } = config.projectConfig.http
  const token = generateJwtToken(
    { actor_id: user.id, actor_type: "user", auth_identity_id: authIdentity.id, app_metadata: { user_id: user.id } },
    { secret: jwtSecret, expiresIn: "1d", jwtOptions }
  )
  return { headers: { authorization: `Bearer ${token}` } }
}
