import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { listAttention, Pagination, parseOr400 } from "../record-views"
import type { HppAttentionResponse } from "../types"

/**
 * `GET /admin/hpp/attention`: what needs a person, newest first: paid with no order, orders awaiting a payment
 * whose amount is not shown, refunds whose outcome is unknown or not recorded, money returned before an order,
 * debits failed after one, payments received after their order was canceled, pages left open, and sessions the
 * gateway has not settled after their grace period (these with "check with the gateway now").
 */
export const GET = async (req: MedusaRequest, res: MedusaResponse<HppAttentionResponse>) => {
  const page = parseOr400(Pagination, req.query)
  const { items, count } = await listAttention(req.scope, page)
  res.json({ items, count, limit: page.limit, offset: page.offset })
}
