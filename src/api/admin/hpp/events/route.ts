import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { eventView, listEvents, Pagination, parseOr400 } from "../record-views"
import type { HppEventsResponse } from "../types"

const Query = Pagination.extend({
  provider_id: z.string().min(1).optional(),
  payment_session_id: z.string().min(1).optional(),
})

/**
 * `GET /admin/hpp/events`: the plugin's record, newest first, by provider or payment session. `count` is exact up to
 * 1,000 rows past the page asked for (a provider's record can hold hundreds of thousands of rows).
 */
export const GET = async (req: MedusaRequest, res: MedusaResponse<HppEventsResponse>) => {
  const query = parseOr400(Query, req.query)
  const { rows, count } = await listEvents(
    req.scope,
    {
      provider_id: query.provider_id,
      payment_session_ids: query.payment_session_id ? [query.payment_session_id] : undefined,
    },
    query
  )
  res.json({ events: rows.map(eventView), count, limit: query.limit, offset: query.offset })
}
