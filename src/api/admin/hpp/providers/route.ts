import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import type { IPaymentModuleService } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import { HPP_GATEWAYS, hppProviderOf } from "../../../../env"
import { registeredRawOptions } from "../../../../registered-options"
import { hostedProvider } from "../../../../lib/provider-access"
import { eventView, gatewayName, listEventRows } from "../record-views"
import type { HppOptionView, HppProvidersResponse, HppProviderView } from "../types"

const WEBHOOK_NOTES: Record<HppProviderView["gateway"], string> = {
  hitpay:
    "Sent with every payment request (HITPAY_WEBHOOK_URL). For dashboard (v2) webhooks, register the same URL with payment_request events.",
  cashflows: "Sent with every payment job (CASHFLOWS_WEBHOOK_URL); nothing to register in the Cashflows portal.",
  netvalve: "Give NetValve this URL with the custom header name and value (NETVALVE_WEBHOOK_HEADER_NAME and _VALUE).",
  catalystpay:
    "Create a webhook profile in CatalystPay with the payment_session.completed event and this URL; its secret is CATALYSTPAY_WEBHOOK_SECRET.",
}

/**
 * `GET /admin/hpp/providers`: every provider of the plugin the store registered, parsed with its own option schema:
 * environment and host, which options are set (never a value), the webhook URL to register, whether "Test
 * connection" can ask the gateway, and its latest webhooks.
 */
export const GET = async (req: MedusaRequest, res: MedusaResponse<HppProvidersResponse>) => {
  const registered = await req.scope.resolve<IPaymentModuleService>(Modules.PAYMENT).listPaymentProviders({})
  const origin = `${req.protocol}://${req.get("host")}`
  const providers = await Promise.all(
    registered
      .filter((p) => hppProviderOf(p.id))
      .map(async ({ id }): Promise<HppProviderView> => {
        const { gateway, id: registrationId } = hppProviderOf(id)!
        const spec = HPP_GATEWAYS[gateway]
        const raw = registeredRawOptions(req.scope, id) ?? {}
        const shape = objectShape(spec.schema)
        const options: HppOptionView[] = Object.entries(spec.env).map(([name, env]) => ({
          name,
          env,
          set: raw[name] !== undefined && raw[name] !== null && String(raw[name]).trim() !== "",
          required: shape ? !(shape[name]?.isOptional?.() ?? true) : false,
        }))
        const setup = hostedProvider(req.scope, id)?.adminSetup()
        const configured = raw.webhookUrl
        const rows = await listEventRows(req.scope, { provider_id: id, kinds: ["webhook"] }, { limit: 5, offset: 0 })
        return {
          id,
          gateway,
          gateway_name: gatewayName(gateway),
          environment: setup?.environment ?? "sandbox",
          base_url: setup?.baseUrl ?? "",
          options,
          webhook_url:
            typeof configured === "string" && configured ? configured : `${origin}/hooks/${gateway}/${registrationId}`,
          webhook_note: WEBHOOK_NOTES[gateway],
          connection_test: setup?.probe
            ? {
                available: true,
                note: `Asks ${gatewayName(gateway)} about a payment that does not exist, with this provider's credentials: if ${gatewayName(gateway)} refuses them, they are wrong. (${gatewayName(gateway)}'s guide has no call made for this test.)`,
              }
            : { available: false, note: `${gatewayName(gateway)}'s guide documents no call to test a connection with` },
          last_webhooks: rows.map(eventView),
        }
      })
  )
  res.json({ providers })
}

type Shape = Record<string, { isOptional?: () => boolean }>

/** The fields of an options schema (a zod object, possibly wrapped in effects). */
function objectShape(schema: unknown): Shape | undefined {
  let current = schema as { shape?: Shape; _def?: { schema?: unknown; innerType?: unknown } } | undefined
  for (let i = 0; i < 5 && current; i++) {
    if (current.shape) return current.shape
    current = (current._def?.schema ?? current._def?.innerType) as typeof current
  }
  return undefined
}
