import { defineMiddlewares } from "@medusajs/framework/http"
import { fillBuyerFromCart } from "./fill-buyer-from-cart"

export default defineMiddlewares({
  routes: [
    {
      matcher: "/store/payment-collections/:id/payment-sessions",
      methods: ["POST"],
      middlewares: [fillBuyerFromCart],
    },
  ],
})
