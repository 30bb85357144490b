import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework/subscribers"
import type { Logger } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { markOrdersAwaiting } from "../lib/deferred-payment"
import { HPP_GATEWAY_NAMES } from "../env"

/**
 * An order placed while its payment is deferred (a SEPA debit under way: its session `pending_authorization`): the
 * session is marked as its order's awaited payment (`data.order_awaits_payment`), whichever webhook route later
 * settles it. By that mark the provider keeps the session awaiting on an answer that is not paid, and the plugin
 * says the payment's receipt once it settles (src/lib/deferred-payment.ts); an order made only with the payment, its
 * session already paid, is not marked, and its `order.placed` says it paid. One statement, which changes nothing for
 * an order paid at once.
 */
export default async function markDeferredOrder({ event, container }: SubscriberArgs<{ id: string }>): Promise<void> {
  try {
    await markOrdersAwaiting(container, event.data.id, HPP_GATEWAY_NAMES)
  } catch (error) {
    container
      .resolve<Logger>(ContainerRegistrationKeys.LOGGER)
      .warn(
        `medusa-payment-hpp: order ${event.data.id}'s deferred payment could not be marked as awaited: ${(error as Error).message}; ` +
          `the plugin's webhook route and the reconciliation mark it before they settle it (Medusa's own route does not)`
      )
    // An event bus that retries (Redis) tries again.
    throw error
  }
}

export const config: SubscriberConfig = {
  event: "order.placed",
  context: { subscriberId: "medusa-payment-hpp-deferred-order" },
}
