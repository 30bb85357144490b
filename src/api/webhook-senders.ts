import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import type { Logger } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { HPP_GATEWAYS, hppProviderOf } from "../env"
import { registeredOptions } from "../lib/provider-options"
import { judgeSender } from "../lib/webhook-sender"

/**
 * Refuses, with 403 and before anything else is done, a webhook from a sender outside the provider's
 * `webhookAllowedIps`, read as its `webhookTrustedProxies` says. It guards both ways in: the plugin's
 * `/hooks/<gateway>/<id>` and Medusa's own `/hooks/payment/<gateway>_<id>`, or a refused sender would take the
 * other. A provider without an allow-list (the default), or another plugin's provider, is left alone.
 */
export function refuseUnlistedSenders(providerIdOf: (req: MedusaRequest) => string) {
  return (req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction) => {
    const providerId = providerIdOf(req)
    const options = registeredOptions(req.scope, providerId)
    const verdict = options ? judgeSender(req, options) : { allowed: true as const }
    if (verdict.allowed) return next()

    const spec = HPP_GATEWAYS[hppProviderOf(providerId)!.gateway]
    const proxyHint =
      options!.webhookTrustedProxies === 0 && req.headers["x-forwarded-for"] !== undefined
        ? `; the request carries X-Forwarded-For: if a proxy stands in front of Medusa, set webhookTrustedProxies (${spec.env.webhookTrustedProxies})`
        : ""
    req.scope
      .resolve<Logger>(ContainerRegistrationKeys.LOGGER)
      .warn(
        `${spec.gateway} webhook refused (403): sender ${verdict.address} (${verdict.source}) is not in ` +
          `webhookAllowedIps of ${providerId} (${spec.env.webhookAllowedIps})${proxyHint}`
      )
    res.status(403).json({ message: "this sender may not post webhooks here" })
  }
}

/** The provider of the plugin's route `/hooks/<gateway>/:id`. */
export const pluginRouteProvider = (gateway: string) => (req: MedusaRequest) => `pp_${gateway}_${req.params.id}`

/** The provider of Medusa's route `/hooks/payment/:provider`, which takes `<gateway>_<id>` and `pp_<gateway>_<id>`. */
export const coreRouteProvider = (req: MedusaRequest) => `pp_${String(req.params.provider).replace(/^pp_/, "")}`
