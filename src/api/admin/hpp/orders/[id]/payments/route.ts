import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import { z } from "zod"
import { hppProviderOf } from "../../../../../../env"
import { eventView, gatewayName, listEventRows, parseOr400 } from "../../../record-views"
import type { HppOrderPaymentsResponse, HppOrderPaymentView } from "../../../types"

const Params = z.object({ id: z.string().min(1) })

type Session = {
  id: string
  provider_id: string
  status: string
  amount: number | string
  currency_code: string
  data?: Record<string, unknown> | null
}

/** At most this many events per payment on the order page (the record's route pages through more). */
const EVENTS_PER_PAYMENT = 100

/**
 * `GET /admin/hpp/orders/:id/payments`: the order's hosted payments (its payment collections' sessions of the
 * plugin's providers, an order edit's included), each with its record, oldest first. Empty for an order paid by
 * another provider. Of the session's data, only the gateway's reference is shown.
 */
export const GET = async (req: MedusaRequest, res: MedusaResponse<HppOrderPaymentsResponse>) => {
  const { id } = parseOr400(Params, req.params)
  const { data: orders } = await req.scope.resolve(ContainerRegistrationKeys.QUERY).graph({
    entity: "order",
    fields: [
      "id",
      "payment_collections.payment_sessions.id",
      "payment_collections.payment_sessions.provider_id",
      "payment_collections.payment_sessions.status",
      "payment_collections.payment_sessions.amount",
      "payment_collections.payment_sessions.currency_code",
      "payment_collections.payment_sessions.data",
    ],
    filters: { id },
  })
  const order = orders[0] as { payment_collections?: { payment_sessions?: Session[] }[] } | undefined
  if (!order) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Order with id: ${id} was not found`)
  const sessions = (order.payment_collections ?? [])
    .flatMap((c) => c.payment_sessions ?? [])
    .filter((s) => hppProviderOf(s.provider_id))
  const payments: HppOrderPaymentView[] = await Promise.all(
    sessions.map(async (session) => {
      const gateway = hppProviderOf(session.provider_id)!.gateway
      const rows = await listEventRows(
        req.scope,
        { payment_session_ids: [session.id] },
        { limit: EVENTS_PER_PAYMENT, offset: 0, oldestFirst: true }
      )
      const reference = session.data?.gateway_reference
      return {
        payment_session_id: session.id,
        provider_id: session.provider_id,
        gateway,
        gateway_name: gatewayName(gateway),
        gateway_reference: typeof reference === "string" ? reference : null,
        // None of the four gateways' guides gives a dashboard URL for a payment (../shared/gateways.md).
        dashboard_url: null,
        medusa_status: session.status,
        amount: String(session.amount),
        currency_code: session.currency_code,
        events: rows.map(eventView),
      }
    })
  )
  res.json({ payments })
}
