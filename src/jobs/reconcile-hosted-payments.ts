import type { MedusaContainer } from "@medusajs/framework/types"
import { reconcileHostedPayments } from "../reconciliation"

/**
 * Every 5 minutes: sessions of this plugin's providers whose webhook never came are settled with the
 * gateway's word (see `reconcileHostedPayments`: newest first, then on a back-off schedule, at each provider's
 * rate, one run at a time where locking is shared). Medusa runs jobs in `shared` and `worker` processes only.
 * A provider's `reconcile: false` (e.g. `HITPAY_RECONCILE=false`) leaves its sessions out;
 * `HPP_RECONCILIATION=off` switches the job off for every provider.
 */
export default async function reconcileHostedPaymentsJob(container: MedusaContainer) {
  if (process.env.HPP_RECONCILIATION === "off") return
  await reconcileHostedPayments(container)
}

export const config = {
  name: "medusa-payment-hpp-reconcile",
  schedule: "*/5 * * * *",
}
