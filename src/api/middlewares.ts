import { defineMiddlewares } from "@medusajs/framework/http"
import { HPP_GATEWAY_NAMES } from "../env"
import { fillBuyerFromCart } from "./fill-buyer-from-cart"
import { recordBuyerReturn } from "./record-buyer-return"
import { coreRouteProvider, markCoreRoute, pluginRouteProvider, refuseUnlistedSenders } from "./webhook-senders"

export default defineMiddlewares({
  routes: [
    {
      matcher: "/store/payment-collections/:id/payment-sessions",
      methods: ["POST"],
      middlewares: [fillBuyerFromCart],
    },
    {
      matcher: "/store/carts/:id/complete",
      methods: ["POST"],
      middlewares: [recordBuyerReturn],
    },
    // The plugin's webhook routes keep the raw body: signatures cover the exact bytes, and 64-bit
    // references sent as JSON numbers lose no digit. A provider's allow-list refuses other senders first.
    ...HPP_GATEWAY_NAMES.map((gateway) => ({
      matcher: `/hooks/${gateway}/:id`,
      methods: ["POST" as const],
      bodyParser: { preserveRawBody: true },
      middlewares: [refuseUnlistedSenders(pluginRouteProvider(gateway))],
    })),
    // Medusa's own webhook route reaches the same providers: the same allow-list guards it (its body parsing is
    // Medusa's, left as it is), and the provider is told the webhook came this way, to record its verdict.
    {
      matcher: "/hooks/payment/:provider",
      methods: ["POST"],
      middlewares: [refuseUnlistedSenders(coreRouteProvider), markCoreRoute],
    },
  ],
})
