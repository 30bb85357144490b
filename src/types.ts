/**
 * `medusa-payment-hpp/types`: the types a TypeScript store writes against. Types only: importing this file
 * loads nothing at run time.
 *
 * - `…ProviderOptions`: what a provider's `options` in `medusa-config.ts` take (defaults may be left out);
 * - `…SessionData`: a payment session's `data` as the provider writes it (what a storefront reads, such as
 *   `checkout_url`; never a secret);
 * - `HppProviderRegistration` and `HppGateway`: what `hppProvidersFromEnv` (`medusa-payment-hpp/env`) gives back.
 *
 * The storefront's types come with its module, `medusa-payment-hpp/storefront`.
 */
import type { z } from "zod"
import type { hitpayOptionsSchema, HitPaySessionData } from "./providers/hitpay/schemas"
import type { cashflowsOptionsSchema, CashflowsSessionData } from "./providers/cashflows/schemas"
import type { netvalveOptionsSchema, NetValveSessionData } from "./providers/netvalve/schemas"
import type { catalystpayOptionsSchema, CatalystPaySessionData } from "./providers/catalystpay/schemas"

export type HitPayProviderOptions = z.input<typeof hitpayOptionsSchema>
export type CashflowsProviderOptions = z.input<typeof cashflowsOptionsSchema>
export type NetValveProviderOptions = z.input<typeof netvalveOptionsSchema>
export type CatalystPayProviderOptions = z.input<typeof catalystpayOptionsSchema>

export type { HitPaySessionData, CashflowsSessionData, NetValveSessionData, CatalystPaySessionData }
export type { HppGateway, HppProviderRegistration } from "./env"
export type { HppSessionData } from "./lib/session"
