import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { z } from "zod"
import { recordIn } from "../../../../../../lib/record"
import { HPP_RECORD_MODULE } from "../../../../../../modules/hpp-record"
import type { HppPaymentEventRow, HppRecordService } from "../../../../../../modules/hpp-record/service"
import { attentionItem, parseOr400, pg } from "../../../record-views"
import type { HppAttentionKind, HppHandledResponse } from "../../../types"

const Params = z.object({ id: z.string().regex(/^hppev_/, "not an item of the record") })

/** `POST /admin/hpp/attention/:id/handled`: the admin dealt with it; it leaves "needs attention", and the record says who. */
export const POST = async (req: AuthenticatedMedusaRequest, res: MedusaResponse<HppHandledResponse>) => {
  const { id } = parseOr400(Params, req.params)
  const by = req.auth_context?.actor_id ?? null
  const handled = await req.scope.resolve<HppRecordService>(HPP_RECORD_MODULE).markHandled(id, by)
  const { rows } = await pg(req.scope).raw(
    `select id, fields->>'attention_kind' as kind, message, provider_id, payment_session_id, gateway_reference,
       amount, currency_code, created_at, gateway from hpp_payment_event where id = ? and deleted_at is null`,
    [id]
  )
  const row = rows[0] as (HppPaymentEventRow & { kind: HppAttentionKind }) | undefined
  if (!row?.kind) throw new MedusaError(MedusaError.Types.NOT_FOUND, `no item ${id} needs attention`)
  if (handled) {
    recordIn(req.scope, {
      provider_id: row.provider_id,
      gateway: row.gateway,
      kind: "handled",
      outcome: "handled",
      message: `an admin marked "${row.message}" handled`,
      payment_session_id: row.payment_session_id,
      gateway_reference: row.gateway_reference,
      fields: { item: id, by },
    })
  }
  res.json({ item: attentionItem({ ...row, live: false }) })
}
