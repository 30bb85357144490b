import { z } from "zod"
import {
  booleanish,
  hostedPageOptions,
  optionalUrl,
  optionsSpec,
  ParsedOptions,
  parseProviderOptions,
  positiveInt,
  requiredString,
  stringList,
} from "../../lib/options"
import type { GatewaySpec } from "../../lib/hosted-provider"
import { sessionSchema } from "../../lib/session"

/** Cashflows calls its sandbox "integration". */
export const CASHFLOWS_BASE_URLS = {
  sandbox: "https://gateway-int.cashflows.com",
  production: "https://gateway.cashflows.com",
} as const

/** The plugin's own webhook route for this provider: `/hooks/cashflows/<id>` (Medusa's core route cannot acknowledge). */
const WEBHOOK_PATH = /\/hooks\/cashflows\/[^/]+\/?$/

export const cashflowsOptionsSchema = z
  .object({
    /** `ConfigurationId` from Cashflows Portal → Configuration → API Data (integration and production differ). */
    configurationId: requiredString(),
    /** The current API key from the same page; it only ever goes into the `Hash` header. */
    apiKey: requiredString(),
    ...hostedPageOptions(),
    /** Overrides the host chosen by `environment` (some integration accounts live on gateway-inta.cashflows.com). */
    apiBaseUrl: optionalUrl(),
    /**
     * The public URL of the plugin's webhook route, sent with every payment job:
     * `<backend>/hooks/cashflows/<id>`, where `<id>` is the id the store registered.
     */
    webhookUrl: optionalUrl().pipe(
      z.string({ required_error: "is missing" }).refine((url) => WEBHOOK_PATH.test(new URL(url).pathname), {
        message: "must end with /hooks/cashflows/<id>, <id> being the provider id registered in medusa-config",
      })
    ),
    /** The language of the hosted page: en_GB, en_US, el_GR, nl_NL, es_ES, ... */
    locale: z
      .string()
      .trim()
      .regex(/^[a-z]{2}[_-][A-Z]{2}$/, 'must look like "en_GB"')
      .default("en_GB"),
    /** `paymentMethodsToUse` (e.g. Card, PayPal); empty lets Cashflows offer every method the configuration has. */
    paymentMethods: stringList().default([]),
    /**
     * true: capture at payment. A payment Cashflows only reserved (the Portal's autoCapture is off for its
     * method) is captured by the provider as soon as Medusa authorizes the session.
     * false: only reserve. A reservation is reported as authorized and captured when the admin captures in Medusa.
     */
    autoCapture: booleanish(true),
    /**
     * How long a payment job the store asked Cashflows about on a notification's behalf is not asked about again
     * for another notification (answered 503, so that Cashflows delivers it again). Under a minute, Cashflows'
     * first redelivery interval, so that a notification turned away is asked about when it comes back.
     */
    webhookRepeatWindowSeconds: positiveInt(30).refine((seconds) => seconds < 60, {
      message: "must be under 60 (Cashflows delivers a refused notification again after a minute)",
    }),
  })
  .strict()

export type CashflowsOptions = z.output<typeof cashflowsOptionsSchema>

/** Each option is read from `CASHFLOWS_<OPTION>` (`apiKey` → `CASHFLOWS_API_KEY`), the variable boot errors name. */
export const CASHFLOWS_OPTIONS = optionsSpec("Cashflows", "CASHFLOWS", cashflowsOptionsSchema, {
  sandboxWord: "integration",
})

export const parseCashflowsOptions = (raw: unknown): ParsedOptions<CashflowsOptions> =>
  parseProviderOptions(CASHFLOWS_OPTIONS, raw)

/** Session data: `gateway_reference` is the payment job, `gateway_payment_reference` the payment that paid or reserved. */
export const CASHFLOWS_LEGACY_KEYS = {
  gateway_reference: "payment_job_reference",
  gateway_payment_reference: "payment_reference",
  gateway_status: "cashflows_status",
}
export const cashflowsSessionDataSchema = sessionSchema(CASHFLOWS_LEGACY_KEYS, {})

export type CashflowsSessionData = z.output<typeof cashflowsSessionDataSchema>

// Cashflows' answers come in an envelope `{ data, links, errorReport }`. References are 64-bit integers:
// the client parses answers so that none becomes a lossy JS number, and here they all become strings.
// Statuses stay strings: an unknown one must reach the status table (and be logged as pending), not fail parsing.

/** A job or payment reference: digits, as a string. */
export const cashflowsReference = z
  .union([
    z.string().trim().regex(/^\d+$/, "must be digits"),
    z.number().int().nonnegative().refine(Number.isSafeInteger, "lost precision"),
  ])
  .transform(String)

/** Amounts: decimal strings in the guides, floats in the API reference. */
const cashflowsAmount = z.union([z.string(), z.number()])

export const cashflowsRefundSchema = z
  .object({
    reference: cashflowsReference.optional(),
    refundNumber: z.string().nullish(),
    status: z.string(),
    amountToRefund: cashflowsAmount,
  })
  .passthrough()

export const cashflowsPaymentSchema = z
  .object({
    reference: cashflowsReference,
    status: z.string(),
    amountToCollect: cashflowsAmount.nullish(),
    refunds: z.array(cashflowsRefundSchema).nullish(),
    /** The captures of a reservation (one per partial capture). */
    captures: z
      .array(z.object({ status: z.string().nullish(), amountToCapture: cashflowsAmount }).passthrough())
      .nullish(),
  })
  .passthrough()

export const cashflowsPaymentJobSchema = z
  .object({
    reference: cashflowsReference,
    currency: z.string(),
    amountToCollect: cashflowsAmount,
    paymentStatus: z.string(),
    order: z.object({ orderNumber: z.string().nullish() }).passthrough().nullish(),
    payments: z.array(cashflowsPaymentSchema).nullish(),
  })
  .passthrough()

export const cashflowsPaymentJobAnswerSchema = z
  .object({
    data: cashflowsPaymentJobSchema,
    links: z
      .object({ action: z.object({ url: z.string().url() }).passthrough().nullish() })
      .passthrough()
      .nullish(),
  })
  .passthrough()

/** The answer to a capture or a refund: `{ data: Capture | Refund }`. */
export const cashflowsOperationAnswerSchema = z
  .object({
    data: z.object({ reference: cashflowsReference.optional(), status: z.string().nullish() }).passthrough(),
  })
  .passthrough()

export type CashflowsPaymentJobAnswer = z.output<typeof cashflowsPaymentJobAnswerSchema>
export type CashflowsPaymentJob = z.output<typeof cashflowsPaymentJobSchema>
export type CashflowsPayment = z.output<typeof cashflowsPaymentSchema>
export type CashflowsOperationAnswer = z.output<typeof cashflowsOperationAnswerSchema>

/** The notification Cashflows posts on a status change: unsigned, only the two references. */
export const cashflowsNotificationSchema = z
  .object({
    notifyType: z.string().optional(),
    paymentJobReference: cashflowsReference,
    paymentReference: cashflowsReference,
  })
  .passthrough()

export type CashflowsNotification = z.output<typeof cashflowsNotificationSchema>

/** What the shared hosted-page flow needs to know of Cashflows. */
export const CASHFLOWS_GATEWAY: GatewaySpec<CashflowsSessionData> = {
  name: "Cashflows",
  pageName: "payment job",
  session: cashflowsSessionDataSchema,
  legacyKeys: CASHFLOWS_LEGACY_KEYS,
  // A reservation is captured in parts with `isFinalCapture` on the last.
  partialCapture: "many",
}
