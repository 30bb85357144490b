import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import type { ZodTypeAny } from "zod"
import { HPP_GATEWAYS, hppProviderOf } from "./env"
import { HostedPageOptions, OptionsSpec, parseProviderOptions } from "./lib/options"

type ProviderEntry = { id?: string; resolve?: string; options?: unknown }
type ModuleEntry = { resolve?: string; options?: { providers?: ProviderEntry[] } }

/**
 * The options every hosted-page provider has, of one of this plugin's providers (`pp_<gateway>_<id>`), as the
 * store's medusa-config registers it and as it was checked at boot. Undefined when the id is not one of this
 * plugin's, or no such provider is registered under the payment module.
 */
export function registeredOptions(container: MedusaContainer, providerId: string): HostedPageOptions | undefined {
  const provider = hppProviderOf(providerId)
  const raw = registeredRawOptions(container, providerId)
  if (!provider || !raw) return undefined
  try {
    return parseProviderOptions(HPP_GATEWAYS[provider.gateway] as OptionsSpec<ZodTypeAny>, raw).options
  } catch {
    return undefined
  }
}

/**
 * The options of one of this plugin's providers as the store's medusa-config wrote them (unparsed: the settings
 * page says which are set, never their values). Undefined when no such provider is registered.
 */
export function registeredRawOptions(
  container: MedusaContainer,
  providerId: string
): Record<string, unknown> | undefined {
  const provider = hppProviderOf(providerId)
  if (!provider) return undefined
  const { gateway, id } = provider
  const config = container.resolve(ContainerRegistrationKeys.CONFIG_MODULE) as {
    modules?: Record<string, ModuleEntry | boolean>
  }
  // The payment module's entry: under its key, as defineConfig files it, else by what it resolves to.
  const entries = config.modules ?? {}
  const paymentModule = [entries[Modules.PAYMENT], ...Object.values(entries)].find(
    (m): m is ModuleEntry => typeof m === "object" && !!m && /(^|\/)payment$/.test(String(m.resolve ?? ""))
  )
  const registered = paymentModule?.options?.providers?.find(
    (p) => p.id === id && String(p.resolve ?? "").includes(gateway)
  )
  if (!registered) return undefined
  return (registered.options ?? {}) as Record<string, unknown>
}
