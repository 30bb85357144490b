import type { ExecArgs } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { ensureSettledUnsaidIndex } from "../lib/session-indexes"

/**
 * Run once by `medusa db:migrate`: the index of deferred payments (SEPA debits) that Medusa holds as paid and whose
 * receipt the plugin has not said yet (src/lib/session-indexes.ts), which the reconciliation reads every run. A script
 * of its own, so that a store which already ran the earlier index scripts gets it too. Safe on a live store (built
 * concurrently).
 */
export default async function hppDeferredSettledIndex({ container }: ExecArgs) {
  const pg = container.resolve(ContainerRegistrationKeys.PG_CONNECTION)
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const made = await ensureSettledUnsaidIndex(pg)
  logger.info(
    made.length
      ? `medusa-payment-hpp: made ${made.join(", ")} on payment_session (the reconciliation finds deferred payments settled through Medusa's own route)`
      : "medusa-payment-hpp: payment_session deferred-settled index already in place"
  )
}
