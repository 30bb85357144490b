import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, generateJwtToken } from "@medusajs/framework/utils"
import {
  createApiKeysWorkflow,
  createRegionsWorkflow,
  createSalesChannelsWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
} from "@medusajs/core-flows"
import { TestEventUtils } from "@medusajs/test-utils"
import nock from "nock"

/** The test's HTTP client to the Medusa app (medusaIntegrationTestRunner's `api`). */
export type Api = {
  get: (url: string, config?: any) => Promise<any>
  post: (url: string, body?: any, config?: any) => Promise<any>
  delete: (url: string, config?: any) => Promise<any>
}

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

export type Store = { regionId: string; salesChannelId: string; publishableKey: string; currency: string }

/** A region paying through `providerId`, a sales channel and a publishable key linked to it. */
export async function seedStore(
  container: MedusaContainer,
  { currency, providerId, country }: { currency: string; providerId: string; country: string }
): Promise<Store> {
  const { result: regions } = await createRegionsWorkflow(container).run({
    input: {
      regions: [
        { name: `Region ${currency}`, currency_code: currency, countries: [country], payment_providers: [providerId] },
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

export type Checkout = {
  cartId: string
  paymentCollectionId: string
  session: { id: string; data: Record<string, any>; amount: number; status: string }
}

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
  const headers = storeHeaders(store)
  const { data: cartBody } = await api.post(
    "/store/carts",
    {
      region_id: store.regionId,
      sales_channel_id: store.salesChannelId,
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
    },
    headers
  )
  const cartId = cartBody.cart.id
  await container
    .resolve(Modules.CART)
    .addLineItems(cartId, [
      { title: "Analytical Engine", quantity: 1, unit_price: unitPrice, requires_shipping: false },
    ])
  const { data: pcBody } = await api.post("/store/payment-collections", { cart_id: cartId }, headers)
  const paymentCollectionId = pcBody.payment_collection.id
  const { data: sessionBody } = await api.post(
    `/store/payment-collections/${paymentCollectionId}/payment-sessions`,
    { provider_id: providerId, data: sessionData },
    headers
  )
  const session = sessionBody.payment_collection.payment_sessions[0]
  return { cartId, paymentCollectionId, session }
}

/** Posts a webhook to Medusa's route and waits until the payment webhook subscriber has finished with it. */
export async function deliverWebhook(
  api: Api,
  container: MedusaContainer,
  path: string,
  body: string,
  headers: Record<string, string>
): Promise<{ status: number }> {
  const eventBus = container.resolve(Modules.EVENT_BUS)
  const handled = TestEventUtils.waitSubscribersExecution("payment.webhook_received", eventBus, {
    timeout: 30_000,
  }).catch((e: unknown) => e)
  const response = await api.post(path, body, { headers, transformRequest: [(data: unknown) => data] })
  await handled
  return { status: response.status }
}

/** The orders Medusa made from a cart. */
export async function ordersOfCart(container: MedusaContainer, cartId: string) {
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
  return orders as any[]
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
  const { jwtSecret, jwtOptions } = config.projectConfig.http as any
  const token = generateJwtToken(
    { actor_id: user.id, actor_type: "user", auth_identity_id: authIdentity.id, app_metadata: { user_id: user.id } },
    { secret: jwtSecret, expiresIn: "1d", jwtOptions }
  )
  return { headers: { authorization: `Bearer ${token}` } }
}
