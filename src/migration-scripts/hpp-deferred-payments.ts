import type { ExecArgs } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { HPP_GATEWAY_NAMES } from "../env"
import {
  DEFERRED_DATA_KEY,
  ensureSettledUnsaidIndex,
  ORDER_AWAITS_KEY,
  providerIdPatterns,
} from "../lib/session-indexes"

/**
 * Run once by `medusa db:migrate`, for the receipt of deferred payments (SEPA debits) that Medusa's own webhook route
 * settles, which the reconciliation says (src/reconciliation/asks.ts `settledUnsaid`):
 * - the index of deferred payments Medusa holds as paid and whose receipt the plugin has not said yet
 *   (src/lib/session-indexes.ts), which the reconciliation reads every run. Built concurrently: safe on a live store.
 * - the debits already under way when this release is installed: marked deferred (`data.payment_deferred`), as the
 *   provider marks every new one, and awaited by their order where it exists (`data.order_awaits_payment`, as
 *   `order.placed` marks every new one), so that theirs is said too however they settle.
 * A script of its own, so that a store which already ran the earlier index scripts gets it too.
 */
export default async function hppDeferredPayments({ container }: ExecArgs) {
  const pg = container.resolve(ContainerRegistrationKeys.PG_CONNECTION)
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const made = await ensureSettledUnsaidIndex(pg)
  logger.info(
    made.length
      ? `medusa-payment-hpp: made ${made.join(", ")} on payment_session (the reconciliation finds deferred payments settled through Medusa's own route)`
      : "medusa-payment-hpp: payment_session deferred-settled index already in place"
  )
  const ours = providerIdPatterns(HPP_GATEWAY_NAMES)
  const awaiting = `ps.status = 'pending_authorization' and ps.deleted_at is null and jsonb_typeof(ps.data) = 'object'
    and ps.provider_id like any(?)`
  const marked = async (key: string, condition = "true") => {
    const { rows } = await pg.raw(
      `with marked as (
         update payment_session ps set data = ps.data || jsonb_build_object(cast(? as text), true)
          where ${awaiting} and (ps.data ->> ?) is null and ${condition}
          returning 1)
       select count(*)::int as n from marked`,
      [key, ours, key]
    )
    return Number(rows[0]?.n ?? 0)
  }
  const deferred = await marked(DEFERRED_DATA_KEY)
  const awaited = await marked(
    ORDER_AWAITS_KEY,
    `exists (select 1 from order_payment_collection opc
             where opc.payment_collection_id = ps.payment_collection_id and opc.deleted_at is null)`
  )
  if (deferred || awaited) {
    logger.info(
      `medusa-payment-hpp: deferred payments under way marked for their receipt: ${deferred} as deferred, ${awaited} as their order's`
    )
  }
}
