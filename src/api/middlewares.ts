import { defineMiddlewares } from "@medusajs/framework/http"
import { HPP_GATEWAY_NAMES } from "../env"
import { fillBuyerFromCart } from "./fill-buyer-from-cart"

export default defineMiddlewares({
  routes: [
    {
      matcher: "/store/payment-collections/:id/payment-sessions",
      methods: ["POST"],
      middlewares: [fillBuyerFromCart],
    },
    // The plugin's webhook routes keep the raw body: signatures cover the exact bytes, and 64-bit
    // references sent as JSON numbers lose no digit.
    ...HPP_GATEWAY_NAMES.map((gateway) => ({
      matcher: `/hooks/${gateway}/:id`,
      methods: ["POST" as const],
      bodyParser: { preserveRawBody: true },
    })),
  ],
})
