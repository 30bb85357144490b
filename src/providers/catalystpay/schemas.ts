import { MedusaError } from "@medusajs/framework/utils"
import { z } from "zod"
import {
  blankToUndefined,
  hostedPageOptions,
  optionalUrl,
  optionsSpec,
  ParsedOptions,
  parseProviderOptions,
  positiveInt,
  requiredString,
} from "../../lib/options"
import type { GatewaySpec } from "../../lib/hosted-provider"
import { sessionSchema } from "../../lib/session"

/** CatalystPay calls its sandbox "staging". */
export const CATALYSTPAY_BASE_URLS = {
  sandbox: "https://api.staging.catalystpay.com/api/v1",
  production: "https://api.catalystpay.com/api/v1",
} as const

/** CatalystPay's ids (campaigns, gateways, webhook profiles) are UUIDs. */
const optionalUuid = () => z.preprocess(blankToUndefined, z.string().trim().uuid("must be a UUID").optional())

export const catalystpayOptionsSchema = z
  .object({
    /** The API key (`rk_...`); staging and production keys differ. */
    apiKey: requiredString().pipe(z.string().startsWith("rk_", 'must be a CatalystPay API key ("rk_...")')),
    /** The signing secret of the webhook profile that posts to this store. */
    webhookSecret: requiredString(),
    // A SEPA direct debit can take days to complete: keep asking for two weeks.
    ...hostedPageOptions({ reconcileForHours: 14 * 24, reconcileRatePerSecond: 0.5 }),
    /** Overrides the API host chosen by `environment`. */
    apiBaseUrl: optionalUrl(),
    /** Campaign mode: the campaign fixes price, currency, gateway and branding. */
    campaignId: optionalUuid(),
    /** Direct mode (no campaign): the gateway (MID) that debits the cart's own amount and currency. */
    gatewayId: optionalUuid(),
    /** `max_payment_attempts` (1-10); CatalystPay's default is the campaign's, or 3 in direct mode. */
    maxPaymentAttempts: z.preprocess(
      blankToUndefined,
      positiveInt().pipe(z.number().max(10, "must be between 1 and 10")).optional()
    ),
    /** `webhook_profile_id`: routes a direct-mode session's webhooks to a profile. */
    webhookProfileId: optionalUuid(),
  })
  .strict()

export type CatalystPayOptions = z.output<typeof catalystpayOptionsSchema>

/** The options, with one mode chosen: a session needs either a campaign or a gateway to debit through. */
/** Each option is read from `CATALYSTPAY_<OPTION>` (`apiKey` → `CATALYSTPAY_API_KEY`), the variable boot errors name. */
export const CATALYSTPAY_OPTIONS = optionsSpec("CatalystPay", "CATALYSTPAY", catalystpayOptionsSchema, {
  sandboxWord: "staging",
})

export function parseCatalystPayOptions(raw: unknown): ParsedOptions<CatalystPayOptions> {
  const parsed = parseProviderOptions(CATALYSTPAY_OPTIONS, raw)
  const options = parsed.options
  if (!options.campaignId && !options.gatewayId) {
    throw new MedusaError(
      MedusaError.Types.INVALID_DATA,
      `CatalystPay payment provider: neither campaign mode nor direct mode is configured; set option "campaignId" ` +
        `(${CATALYSTPAY_OPTIONS.env.campaignId}) or option "gatewayId" (${CATALYSTPAY_OPTIONS.env.gatewayId})`
    )
  }
  return parsed
}

/**
 * Session data: `gateway_reference` is CatalystPay's session token (`ps_...`), the reference of every later
 * call and of its webhooks. CatalystPay takes no return URL per session, so `return_url` may be null.
 */
export const CATALYSTPAY_LEGACY_KEYS = { gateway_reference: "session_token", gateway_status: "catalystpay_status" }
export const catalystpaySessionDataSchema = sessionSchema(CATALYSTPAY_LEGACY_KEYS, {
  mode: z.enum(["campaign", "direct"]).optional(),
})

export type CatalystPaySessionData = z.output<typeof catalystpaySessionDataSchema>

/** Campaign mode when a campaign is set (a gateway then only overrides the campaign's); direct mode otherwise. */
export function catalystpayMode(options: CatalystPayOptions): "campaign" | "direct" {
  return options.campaignId ? "campaign" : "direct"
}

// CatalystPay's answers. Statuses stay strings here: an unknown one must reach the status table (and be
// logged as pending), not fail parsing.

const decimal = z.union([z.string(), z.number()])

/** `POST /payment-sessions/` 201. */
export const catalystpayCreatedSessionSchema = z
  .object({
    session_token: z.string().startsWith("ps_"),
    status: z.string(),
    payment_url: z.string().url(),
  })
  .passthrough()

export type CatalystPayCreatedSession = z.output<typeof catalystpayCreatedSessionSchema>

/** `GET /payment-sessions/{token}/`: the session with what it charges (amount and currency from the offer or the session). */
export const catalystpaySessionSchema = z
  .object({
    session_token: z.string(),
    status: z.string(),
    amount: decimal.nullish(),
    currency: z.string().nullish(),
    attempts_remaining: z.number().nullish(),
  })
  .passthrough()

export type CatalystPaySession = z.output<typeof catalystpaySessionSchema>

/**
 * A webhook body. Its fields are whatever the webhook profile maps; the provider only needs the session
 * token and checks everything else with CatalystPay.
 */
export const catalystpayWebhookPayloadSchema = z
  .object({
    session_token: z.string().startsWith("ps_"),
    status: z.string().optional(),
    amount: decimal.optional(),
    currency: z.string().optional(),
  })
  .passthrough()

export type CatalystPayWebhookPayload = z.output<typeof catalystpayWebhookPayloadSchema>

/** What the shared hosted-page flow needs to know of CatalystPay. */
export const CATALYSTPAY_GATEWAY: GatewaySpec<CatalystPaySessionData> = {
  name: "CatalystPay",
  pageName: "payment session",
  session: catalystpaySessionDataSchema,
  legacyKeys: CATALYSTPAY_LEGACY_KEYS,
  decimals: { atMost: 2 },
  returnUrlRequired: false,
  // The webhook's event (webhook.ts SESSION_COMPLETED_EVENT): a session the API does not show completed yet is asked again.
  paidEvents: ["payment_session.completed"],
}
