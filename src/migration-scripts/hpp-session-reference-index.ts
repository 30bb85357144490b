import type { ExecArgs } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { ensureSessionReferenceIndexes } from "../lib/session-indexes"
import { CATALYSTPAY_LEGACY_KEYS } from "../providers/catalystpay/schemas"

/** The keys a webhook finds its session by: the shared reference, and the name CatalystPay's had before it. */
const LOOKUP_KEYS = ["gateway_reference", CATALYSTPAY_LEGACY_KEYS.gateway_reference] as const

/**
 * Run once by `medusa db:migrate`: the index a CatalystPay webhook needs to find its payment session by
 * CatalystPay's session token (src/lib/session-indexes.ts). Safe on a live store (built concurrently).
 */
export default async function hppSessionReferenceIndex({ container }: ExecArgs) {
  const pg = container.resolve(ContainerRegistrationKeys.PG_CONNECTION)
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const made = await ensureSessionReferenceIndexes(pg, LOOKUP_KEYS)
  logger.info(
    made.length
      ? `medusa-payment-hpp: made ${made.join(", ")} on payment_session (webhooks find sessions by gateway reference)`
      : "medusa-payment-hpp: payment_session reference indexes already in place"
  )
}
