import type { ZodTypeAny } from "zod"
import { OptionsSpec, optionsFromEnv } from "./lib/options"
import { providerOwnedKeys } from "./lib/session"
import { CASHFLOWS_GATEWAY, CASHFLOWS_OPTIONS } from "./providers/cashflows/schemas"
import { CATALYSTPAY_GATEWAY, CATALYSTPAY_OPTIONS } from "./providers/catalystpay/schemas"
import { HITPAY_GATEWAY, HITPAY_OPTIONS } from "./providers/hitpay/schemas"
import { NETVALVE_GATEWAY, NETVALVE_OPTIONS } from "./providers/netvalve/schemas"

/** The four gateways, by the folder (and registration id) of their provider. */
export const HPP_GATEWAYS = {
  hitpay: HITPAY_OPTIONS,
  cashflows: CASHFLOWS_OPTIONS,
  netvalve: NETVALVE_OPTIONS,
  catalystpay: CATALYSTPAY_OPTIONS,
} satisfies Record<string, OptionsSpec<ZodTypeAny>>

export type HppGateway = keyof typeof HPP_GATEWAYS

export const HPP_GATEWAY_NAMES = Object.keys(HPP_GATEWAYS) as HppGateway[]

/**
 * The keys of session data each gateway's provider owns (`providerOwnedKeys`): what a storefront sends under
 * them is never the provider's to keep.
 */
export const HPP_PROVIDER_OWNED_KEYS: Record<HppGateway, readonly string[]> = {
  hitpay: providerOwnedKeys(HITPAY_GATEWAY),
  cashflows: providerOwnedKeys(CASHFLOWS_GATEWAY),
  netvalve: providerOwnedKeys(NETVALVE_GATEWAY),
  catalystpay: providerOwnedKeys(CATALYSTPAY_GATEWAY),
}

/** The gateway and registration id of one of this plugin's providers (`pp_<gateway>_<id>`), else undefined. */
export function hppProviderOf(providerId: string): { gateway: HppGateway; id: string } | undefined {
  const gateway = HPP_GATEWAY_NAMES.find((name) => providerId.startsWith(`pp_${name}_`))
  const id = gateway ? providerId.slice(`pp_${gateway}_`.length) : ""
  return gateway && id ? { gateway, id } : undefined
}

export type HppProviderRegistration = { resolve: string; id: HppGateway; options: Record<string, string> }

/**
 * The payment providers of this plugin for `medusa-config.ts`, each with every option read from its
 * environment variable (the variables the boot errors name; see the README's tables). A gateway is
 * registered as soon as any of its variables is set, so a missing or mistyped one stops Medusa with an
 * error naming it instead of leaving the gateway silently out.
 *
 * `resolve` maps a gateway to the module Medusa loads (default: this package's `providers/<gateway>`).
 */
export function hppProvidersFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  resolve: (gateway: HppGateway) => string = (gateway) => `medusa-payment-hpp/providers/${gateway}`
): HppProviderRegistration[] {
  return HPP_GATEWAY_NAMES.flatMap((gateway) => {
    const options = optionsFromEnv(HPP_GATEWAYS[gateway], env)
    return Object.keys(options).length ? [{ resolve: resolve(gateway), id: gateway, options }] : []
  })
}
