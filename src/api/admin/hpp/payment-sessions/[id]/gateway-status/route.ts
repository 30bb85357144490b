import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import type { IPaymentModuleService } from "@medusajs/framework/types"
import { MedusaError, Modules } from "@medusajs/framework/utils"
import { z } from "zod"
import { hppProviderOf } from "../../../../../../env"
import { isGatewayUnavailable } from "../../../../../../lib/errors"
import { hostedProvider } from "../../../../../../lib/provider-access"
import { gatewayName, parseOr400 } from "../../../record-views"
import type { HppGatewayStatusResponse } from "../../../types"

const Params = z.object({ id: z.string().min(1) })

/**
 * `GET /admin/hpp/payment-sessions/:id/gateway-status`: what the gateway says of the session now, asked through the
 * provider's own code (with its amount check), and what it shows paid, captured and refunded. A gateway that cannot
 * be asked is a 503 with a message an admin understands.
 */
export const GET = async (req: MedusaRequest, res: MedusaResponse<HppGatewayStatusResponse>) => {
  const { id } = parseOr400(Params, req.params)
  const [session] = await req.scope
    .resolve<IPaymentModuleService>(Modules.PAYMENT)
    .listPaymentSessions({ id }, { select: ["id", "provider_id", "data", "currency_code"] })
  const known = session && hppProviderOf(session.provider_id)
  const provider = known && hostedProvider(req.scope, session.provider_id)
  if (!session || !known || !provider) {
    throw new MedusaError(MedusaError.Types.NOT_FOUND, `no hosted payment session ${id}`)
  }
  const name = gatewayName(known.gateway)
  try {
    const now = await provider.gatewayStatusNow(session.data as Record<string, unknown>)
    res.json({
      gateway_status: {
        status: now.status,
        gateway_word: now.gatewayWord,
        paid: now.paid,
        captured: now.captured,
        refunded: now.refunded,
        currency_code: session.currency_code,
        asked_at: new Date().toISOString(),
      },
    })
  } catch (error) {
    const message = (error as Error).message ?? String(error)
    const status = isGatewayUnavailable(message) ? 503 : 502
    res.status(status).json({
      message: `${name} could not be asked now: ${message}`,
    } as unknown as HppGatewayStatusResponse)
  }
}
