import { MedusaError } from "@medusajs/framework/utils"
import { z } from "zod"
import type { GatewaySpec } from "../../lib/hosted-provider"
import { sessionSchema } from "../../lib/session"
import {
  blankToUndefined,
  booleanish,
  hostedPageOptions,
  optionalUrl,
  optionsSpec,
  ParsedOptions,
  parseProviderOptions,
  requiredString,
  stringList,
} from "../../lib/options"

/** The presentations HitPay offers: its redirect checkout, its Drop-In UI, and a PayNow QR code. */
export const HITPAY_PRESENTATIONS = ["redirect", "dropin", "qr"] as const

export const HITPAY_BASE_URLS = {
  sandbox: "https://api.sandbox.hit-pay.com/v1",
  production: "https://api.hit-pay.com/v1",
} as const

/** The plugin's webhook route for this provider, `/hooks/hitpay/<id>`, or Medusa's core one, `/hooks/payment/hitpay_<id>`. */
const WEBHOOK_PATH = /\/hooks\/(hitpay\/|payment\/(pp_)?hitpay_)[^/]+\/?$/

export const hitpayOptionsSchema = z
  .object({
    /** `X-BUSINESS-API-KEY` from HitPay's dashboard (sandbox and production keys differ). */
    apiKey: requiredString(),
    /** The account's salt, which signs v1 webhooks. */
    salt: requiredString(),
    /** The salt of a v2 webhook endpoint registered in the dashboard, when it differs from `salt`. */
    v2WebhookSalt: requiredString().optional(),
    ...hostedPageOptions(),
    /** Overrides the API host chosen by `environment`. */
    apiBaseUrl: optionalUrl(),
    /**
     * The public URL of the plugin's webhook route for this provider, sent with every payment request:
     * `<backend>/hooks/hitpay/<id>`, where `<id>` is the id the store registered (Medusa's own
     * `/hooks/payment/hitpay_<id>` still works, but answers before it checks anything).
     */
    webhookUrl: optionalUrl().pipe(
      z.string({ required_error: "is missing" }).refine((url) => WEBHOOK_PATH.test(new URL(url).pathname), {
        message:
          "must end with /hooks/hitpay/<id> (the plugin's route) or /hooks/payment/hitpay_<id> (Medusa's), " +
          "<id> being the provider id registered in medusa-config",
      })
    ),
    /** HitPay's `payment_methods[]` (e.g. card, paynow_online); empty lets HitPay offer the account's defaults. */
    paymentMethods: stringList().default([]),
    /** What the buyer is paying for: HitPay's `purpose`, shown on its page. */
    description: z.string().trim().max(255).default("Order payment"),
    /** `expires_after` for each payment request, e.g. "60 mins", so a forgotten page stops being payable. */
    expiresAfter: z
      .string()
      .trim()
      .regex(/^\d+ (min|mins|hour|hours|day|days)$/, 'must look like "60 mins"')
      .optional(),
    /** Ask HitPay to e-mail the buyer a receipt. */
    sendEmail: booleanish(false),
    /**
     * How a storefront presents the page when its session does not say (`data.presentation`): `redirect` to HitPay's
     * checkout, `dropin` (HitPay's Drop-In UI on the store's page: needs the two options below), or `qr` (a PayNow QR
     * code the buyer scans: the request asks for `paynow_online` with `generate_qr`).
     */
    presentation: z.preprocess(
      (value) => (typeof value === "string" ? blankToUndefined(value.trim().toLowerCase()) : value),
      z.enum(HITPAY_PRESENTATIONS, { message: 'must be "redirect", "dropin" or "qr"' }).default("redirect")
    ),
    /** The account's default link for the Drop-In UI (HitPay's dashboard: Payment Links → Default link). */
    dropInDefaultLink: requiredString().optional(),
    /**
     * The Drop-In UI's script [unverified: HitPay's guide names no script URL]; the storefront loads it. The sandbox
     * serves a stand-in at `<sandbox>/hitpay/drop-in.js`.
     */
    dropInScriptUrl: optionalUrl(),
  })
  .strict()

export type HitPayOptions = z.output<typeof hitpayOptionsSchema>

/** Each option is read from `HITPAY_<OPTION>` (`apiKey` → `HITPAY_API_KEY`), the variable boot errors name. */
export const HITPAY_OPTIONS = optionsSpec("HitPay", "HITPAY", hitpayOptionsSchema, {
  renamed: { purpose: { use: "description", env: "HITPAY_PURPOSE" } },
})

export const parseHitPayOptions = (raw: unknown): ParsedOptions<HitPayOptions> => {
  const parsed = parseProviderOptions(HITPAY_OPTIONS, raw)
  const methods = parsed.options.paymentMethods
  if (parsed.options.presentation === "qr" && methods.length > 0 && !methods.includes("paynow_online")) {
    throw new MedusaError(
      MedusaError.Types.INVALID_DATA,
      `HitPay payment provider: option "presentation" is "qr", but option "paymentMethods" (${HITPAY_OPTIONS.env.paymentMethods}) does not list paynow_online`
    )
  }
  if (parsed.options.presentation === "dropin") {
    const missing = dropInMissing(parsed.options)
    if (missing) {
      throw new MedusaError(
        MedusaError.Types.INVALID_DATA,
        `HitPay payment provider: ${missing} (presentation "dropin" needs it)`
      )
    }
  }
  return parsed
}

/** What the Drop-In UI lacks among the options, in the boot error's words; undefined when it has both. */
export function dropInMissing(
  options: Pick<HitPayOptions, "dropInDefaultLink" | "dropInScriptUrl">
): string | undefined {
  const missing = (["dropInDefaultLink", "dropInScriptUrl"] as const).filter((name) => !options[name])
  return missing.length
    ? missing.map((name) => `option "${name}" is missing (set ${HITPAY_OPTIONS.env[name]})`).join("; ")
    : undefined
}

/** Session data: the shared keys; `gateway_reference` is the payment request, `gateway_payment_reference` the charge. */
export const HITPAY_LEGACY_KEYS = {
  gateway_reference: "payment_request_id",
  gateway_payment_reference: "payment_id",
  gateway_status: "hitpay_status",
}
export const hitpaySessionDataSchema = sessionSchema(HITPAY_LEGACY_KEYS, {
  /** `qr`: the PayNow QR code's payload (HitPay's `qr_code_data.qr_code`), to draw as a scannable code. */
  qr_code: z.string().optional(),
  /** `dropin`: what the storefront gives HitPay's Drop-In UI (the two values of HitPay's guide) and where its script is. */
  drop_in: z.object({ default_link: z.string(), payment_request_id: z.string(), script_url: z.string() }).optional(),
})

export type HitPaySessionData = z.output<typeof hitpaySessionDataSchema>

// HitPay's answers. Statuses stay strings here: an unknown one must reach the status table (and be
// logged as pending), not fail parsing.

export const hitpayChargeSchema = z
  .object({
    id: z.string(),
    status: z.string(),
    amount: z.union([z.string(), z.number()]).optional(),
    currency: z.string().optional(),
    /** What has been refunded of the charge so far. */
    refunded_amount: z.union([z.string(), z.number()]).nullish(),
  })
  .passthrough()

export const hitpayPaymentRequestSchema = z
  .object({
    id: z.string(),
    status: z.string(),
    amount: z.union([z.string(), z.number()]),
    currency: z.string(),
    reference_number: z.string().nullish(),
    url: z.string().nullish(),
    payments: z.array(hitpayChargeSchema).nullish(),
    /** With `generate_qr`: `qr_code` is the payload to draw; its other fields are not documented [unverified]. */
    qr_code_data: z.object({ qr_code: z.string().nullish() }).passthrough().nullish(),
  })
  .passthrough()

export type HitPayPaymentRequest = z.output<typeof hitpayPaymentRequestSchema>
export type HitPayCharge = z.output<typeof hitpayChargeSchema>

export const hitpayRefundSchema = z
  .object({
    id: z.string(),
    payment_id: z.string(),
    amount_refunded: z.union([z.string(), z.number()]),
    total_amount: z.union([z.string(), z.number()]).optional(),
    currency: z.string().optional(),
    status: z.string(),
  })
  .passthrough()

export type HitPayRefund = z.output<typeof hitpayRefundSchema>

/** The v1 webhook: form fields, signed by `hmac`. */
export const hitpayV1WebhookSchema = z.object({
  payment_id: z.string(),
  payment_request_id: z.string(),
  amount: z.string(),
  currency: z.string(),
  status: z.string(),
  reference_number: z.string(),
})

export type HitPayV1Webhook = z.output<typeof hitpayV1WebhookSchema>

/** What the shared hosted-page flow needs to know of HitPay. */
export const HITPAY_GATEWAY: GatewaySpec<HitPaySessionData> = {
  name: "HitPay",
  pageName: "payment request",
  session: hitpaySessionDataSchema,
  legacyKeys: HITPAY_LEGACY_KEYS,
}
