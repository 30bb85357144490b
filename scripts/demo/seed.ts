/**
 * Seeds the demo store (run by `npm run demo` through `medusa exec`): one region per gateway currency with that
 * gateway's provider, a sales channel, a publishable key and a product priced in every demo currency, and, given
 * DEMO_ADMIN_EMAIL and DEMO_ADMIN_PASSWORD, a Medusa Admin user. Writes what the storefront needs to
 * `.tmp/demo/seed.json` (never the password).
 */
import fs from "node:fs"
import path from "node:path"
import type { ExecArgs } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, ProductStatus } from "@medusajs/framework/utils"
import {
  createApiKeysWorkflow,
  createProductsWorkflow,
  createRegionsWorkflow,
  createSalesChannelsWorkflow,
  createUserAccountWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
} from "@medusajs/core-flows"

/** Which gateway takes which currency in the demo; each becomes a region. */
export const DEMO_GATEWAYS = [
  { gateway: "hitpay", name: "HitPay", providerId: "pp_hitpay_hitpay", currency: "sgd", country: "sg", price: 42 },
  {
    gateway: "cashflows",
    name: "Cashflows",
    providerId: "pp_cashflows_cashflows",
    currency: "gbp",
    country: "gb",
    price: 24.99,
  },
  {
    gateway: "netvalve",
    name: "NetValve",
    providerId: "pp_netvalve_netvalve",
    currency: "usd",
    country: "us",
    price: 31.5,
  },
  {
    gateway: "catalystpay",
    name: "CatalystPay",
    providerId: "pp_catalystpay_catalystpay",
    currency: "eur",
    country: "de",
    price: 29.99,
  },
] as const

export default async function seedDemo({ container }: ExecArgs) {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  // Only the gateways medusa-config registered (the demo registers all four; a partial setup still seeds).
  const registered = await container.resolve(Modules.PAYMENT).listPaymentProviders({ is_enabled: true })
  const ids = new Set(registered.map((p) => p.id))
  const gateways = DEMO_GATEWAYS.filter((g) => ids.has(g.providerId))

  const { result: regions } = await createRegionsWorkflow(container).run({
    input: {
      regions: gateways.map((g) => ({
        name: `${g.name} (${g.currency.toUpperCase()})`,
        currency_code: g.currency,
        countries: [g.country],
        payment_providers: [g.providerId],
      })),
    },
  })
  const { result: channels } = await createSalesChannelsWorkflow(container).run({
    input: { salesChannelsData: [{ name: "Demo storefront" }] },
  })
  const { result: keys } = await createApiKeysWorkflow(container).run({
    input: { api_keys: [{ title: "Demo storefront", type: "publishable", created_by: "demo" }] },
  })
  await linkSalesChannelsToApiKeyWorkflow(container).run({ input: { id: keys[0].id, add: [channels[0].id] } })
  const { result: products } = await createProductsWorkflow(container).run({
    input: {
      products: [
        {
          title: "Analytical Engine Manual",
          description: "Ada Lovelace's notes, as a PDF. Digital: nothing to ship.",
          status: ProductStatus.PUBLISHED,
          options: [{ title: "Format", values: ["PDF"] }],
          sales_channels: [{ id: channels[0].id }],
          variants: [
            {
              title: "PDF",
              sku: "ENGINE-MANUAL-PDF",
              manage_inventory: false,
              options: { Format: "PDF" },
              prices: gateways.map((g) => ({ currency_code: g.currency, amount: g.price })),
            },
          ],
        },
      ],
    },
  })

  const seed = {
    publishableKey: keys[0].token,
    salesChannelId: channels[0].id,
    variantId: products[0].variants[0].id,
    productTitle: products[0].title,
    gateways: gateways.map((g, i) => ({ ...g, regionId: regions[i].id })),
  }
  if (process.env.DEMO_ADMIN_EMAIL && process.env.DEMO_ADMIN_PASSWORD) {
    await createAdminUser(container, process.env.DEMO_ADMIN_EMAIL, process.env.DEMO_ADMIN_PASSWORD)
  }

  const file = path.join(process.cwd(), ".tmp", "demo", "seed.json")
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, JSON.stringify(seed, null, 2))
  logger.info(`Demo store seeded: ${gateways.map((g) => g.name).join(", ")}`)
}

/**
 * A Medusa Admin user signing in with e-mail and password, as `medusa user -e … -p …` makes one (without a second
 * Medusa boot): an emailpass identity, and the user attached to it.
 */
async function createAdminUser(container: ExecArgs["container"], email: string, password: string) {
  const { authIdentity, error } = await container.resolve(Modules.AUTH).register("emailpass", {
    body: { email, password },
  })
  if (error || !authIdentity) throw new Error(`could not register the demo's admin: ${error ?? "no identity"}`)
  await createUserAccountWorkflow(container).run({
    input: { authIdentityId: authIdentity.id, userData: { email, first_name: "Demo", last_name: "Admin" } },
  })
}
