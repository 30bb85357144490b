import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import type { Logger } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { HPP_GATEWAYS, hppProviderOf } from "../env"
import { registeredOptions } from "../registered-options"
import { judgeSender } from "../lib/webhook-sender"
import { CORE_ROUTE_HEADER } from "../lib/core-route-record"

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

/**
 * Marks a webhook posted to Medusa's route for one of the plugin's providers with the provider it was posted to
 * (over anything the sender sent), so that the provider records its verdict: Medusa's route answers before any
 * check, and the provider is the only part that learns it. Another plugin's provider is left alone.
 */
export function markCoreRoute(req: MedusaRequest, _res: MedusaResponse, next: MedusaNextFunction) {
  const providerId = coreRouteProvider(req)
  delete req.headers[CORE_ROUTE_HEADER]
  if (hppProviderOf(providerId)) req.headers[CORE_ROUTE_HEADER] = providerId
  next()
}
