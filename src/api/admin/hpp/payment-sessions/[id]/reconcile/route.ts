import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { checkPaymentSessionNow } from "../../../../../../reconciliation"

/**
 * `POST /admin/hpp/payment-sessions/:id/reconcile` (admin only, as every /admin route): asks the gateway about
 * one payment session now, as the reconciliation job would, and says what it did.
 */
export const POST = async (req: MedusaRequest, res: MedusaResponse) => {
  const result = await checkPaymentSessionNow(req.scope, req.params.id)
  res.status(result.decision === "not a hosted-payment session" ? 404 : 200).json({ reconciliation: result })
}
