import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { z } from "zod"
import { hppProviderOf } from "../../../../../../env"
import { hostedProvider } from "../../../../../../lib/provider-access"
import { parseOr400 } from "../../../record-views"
import type { HppConnectionTestResponse } from "../../../types"

const Params = z.object({ id: z.string().refine((id) => !!hppProviderOf(id), "not a provider of this plugin") })

/**
 * `POST /admin/hpp/providers/:id/test-connection`: the gateway's cheapest authenticated call, made by the provider's
 * own client. 200 whatever the gateway answered: `ok` and the message say it in words.
 */
export const POST = async (req: MedusaRequest, res: MedusaResponse<HppConnectionTestResponse>) => {
  const { id } = parseOr400(Params, req.params)
  const provider = hostedProvider(req.scope, id)
  if (!provider) throw new MedusaError(MedusaError.Types.NOT_FOUND, `no provider ${id} is registered`)
  const result = await provider.testConnection()
  res.json({ result: { ...result, checked_at: new Date().toISOString() } })
}
