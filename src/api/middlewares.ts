import { defineMiddlewares } from "@medusajs/framework/http"
import { fillBuyerFromCart } from "./fill-buyer-from-cart"

export default defineMiddlewares({
  routes: [
    {
      matcher: "/store/payment-collections/:id/payment-sessions",
      methods: ["POST"],
      middlewares: [fillBuyerFromCart],
    },
    {
      // Cashflows' notification route keeps the raw body, so 64-bit references sent as JSON numbers lose no digit.
      matcher: "/hooks/cashflows/:id",
      methods: ["POST"],
      bodyParser: { preserveRawBody: true },
    },
  ],
})
