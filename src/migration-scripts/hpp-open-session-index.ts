import type { ExecArgs } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { ensureOpenSessionIndex } from "../lib/session-indexes"

/**
 * Run once by `medusa db:migrate`: the index of open sessions by provider and time (src/lib/session-indexes.ts),
 * which the reconciliation's listing and "needs attention" read instead of every payment session. A script of its
 * own, so that a store which already ran the reference indexes' script gets it too. Safe on a live store (built
 * concurrently).
 */
export default async function hppOpenSessionIndex({ container }: ExecArgs) {
  const pg = container.resolve(ContainerRegistrationKeys.PG_CONNECTION)
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const made = await ensureOpenSessionIndex(pg)
  logger.info(
    made.length
      ? `medusa-payment-hpp: made ${made.join(", ")} on payment_session (reconciliation finds open sessions by provider and time)`
      : "medusa-payment-hpp: payment_session open-session index already in place"
  )
}
