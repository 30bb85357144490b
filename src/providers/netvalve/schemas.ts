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
  statusMap,
  stringList,
} from "../../lib/options"
import type { GatewaySpec } from "../../lib/hosted-provider"
import { sessionSchema } from "../../lib/session"

/**
 * NetValve's hosts. The sandbox payment API is in NetValve's documentation; the HPP hosts and the
 * production payment host come from third-party integrations only, so both are options.
 */
export const NETVALVE_BASE_URLS = {
  sandbox: {
    hpp: "https://hpp-api.uat.sandbox-netvalve.com",
    payment: "https://payment-api.uat.sandbox-netvalve.com",
  },
  production: {
    hpp: "https://hpp-api.netvalve.com",
    payment: "https://api.netvalve.com",
  },
} as const

/** The methods NetValve's hosted page can be limited to (`paymentOptions` on the redirect URL). */
export const NETVALVE_PAYMENT_OPTIONS = ["card", "applepay", "googlepay"] as const

/** An HTTP header name (RFC 9110 token), as NetValve will send it on every webhook. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

export const netvalveOptionsSchema = z
  .object({
    /** `netvalve-client-id`, from NetValve. */
    clientId: requiredString(),
    /** `netvalve-api-key`, from NetValve. */
    apiKey: requiredString(),
    /** The merchant account (MID) orders are routed to: NetValve's integer `midId`. */
    midId: positiveInt(),
    ...hostedPageOptions(),
    /** Overrides the HPP API host chosen by `environment` (where `POST /hpp/order` goes). */
    hppApiBaseUrl: optionalUrl(),
    /** Overrides the payment API host chosen by `environment` (inquiry, capture, cancel, refund). */
    paymentApiBaseUrl: optionalUrl(),
    /** The methods the hosted page shows (NetValve's `paymentOptions`); empty shows every method the account has. */
    paymentMethods: stringList()
      .pipe(
        z.array(z.enum(NETVALVE_PAYMENT_OPTIONS, { message: `must list only ${NETVALVE_PAYMENT_OPTIONS.join(", ")}` }))
      )
      .default([]),
    /**
     * NetValve's slim page, made to sit in an iframe, for sessions that do not choose (`data.presentation` `frame` or
     * `redirect`): `true` makes `frame` the default. Default `false`, the full-page redirect.
     */
    slimMode: booleanish(false),
    /**
     * What the page's URL gets to show the slim page [unverified: NetValve's guide names `slim_mode` but no request
     * field or URL parameter for it]: `name=value`, appended to the `redirectUrl` NetValve answers with.
     */
    slimModeParameter: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.-]+=[A-Za-z0-9_.-]*$/, 'must look like "slim_mode=true"')
      .default("slim_mode=true"),
    /** The custom header NetValve sends on every webhook, agreed with NetValve at setup. */
    webhookHeaderName: requiredString().pipe(z.string().regex(HEADER_NAME, "must be an HTTP header name")),
    /** The header's value agreed with NetValve: the only thing that tells its webhooks from forgeries. */
    webhookHeaderValue: requiredString().pipe(z.string().min(16, "must be at least 16 characters (a random secret)")),
    /**
     * The store's own meaning of further order states NetValve may answer with: `{ ON_HOLD: "pending" }`, or
     * `NETVALVE_ORDER_STATES=ON_HOLD=pending,DONE=captured` (captured, authorized, pending, error, canceled).
     */
    orderStates: statusMap(),
    /** What the buyer is paying for: NetValve's `orderDesc`, sent with every order. */
    description: z.string().trim().min(1).max(255).default("Order payment"),
  })
  .strict()

export type NetValveOptions = z.output<typeof netvalveOptionsSchema>

/** Each option is read from `NETVALVE_<OPTION>` (`apiKey` → `NETVALVE_API_KEY`), the variable boot errors name. */
export const NETVALVE_OPTIONS = optionsSpec("NetValve", "NETVALVE", netvalveOptionsSchema, {
  renamed: {
    paymentOptions: { use: "paymentMethods", env: "NETVALVE_PAYMENT_OPTIONS" },
    orderDescription: { use: "description", env: "NETVALVE_ORDER_DESCRIPTION" },
  },
})

export const parseNetValveOptions = (raw: unknown): ParsedOptions<NetValveOptions> =>
  parseProviderOptions(NETVALVE_OPTIONS, raw)

/** Session data: `gateway_reference` is NetValve's order id, `gateway_payment_reference` its paying transaction. */
export const NETVALVE_LEGACY_KEYS = {
  gateway_reference: "netvalve_order_id",
  gateway_payment_reference: "netvalve_transaction_id",
  gateway_status: "netvalve_order_state",
}
export const netvalveSessionDataSchema = sessionSchema(NETVALVE_LEGACY_KEYS, {
  /** Whether `checkout_url` is NetValve's slim page, made for an iframe. */
  slim_mode: z.boolean().default(false),
  /**
   * The paid event (`PURCHASED`, `CAPTURED`, `AUTHORISED`) of a webhook that carried the agreed header: what makes an
   * approved transaction on a `CREATED` order count, since NetValve's inquiry alone does not say it was paid.
   * Written by the provider when such a webhook comes (the plugin's webhook route keeps it on the session).
   */
  webhook_paid_event: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
})

export type NetValveSessionData = z.output<typeof netvalveSessionDataSchema>

// NetValve's answers. Codes, types and states stay strings here: an unknown one must reach the status
// tables (and be logged as pending), not fail parsing. Ids are numbers in NetValve's examples; the client
// reads answers without losing a digit, and here they all become strings.

const netvalveId = z
  .union([
    z.number().int().refine(Number.isSafeInteger, "lost precision"),
    z.string().trim().regex(/^\d+$/, "must be digits"),
  ])
  .transform(String)
const netvalveAmount = z.union([z.number(), z.string()])

/** What every NetValve answer carries. */
const netvalveAnswerFields = {
  traceID: z.string().nullish(),
  responseTimestamp: z.string().nullish(),
  transactionID: netvalveId.nullish(),
  responseCode: z.string(),
  responseMessage: z.string().nullish(),
  responseCodeType: z.string().nullish(),
}

/** `POST /hpp/order`. */
export const netvalveCreateOrderAnswerSchema = z
  .object({
    ...netvalveAnswerFields,
    orderId: netvalveId.nullish(),
    orderState: z.string().nullish(),
    redirectUrl: z.string().nullish(),
    midId: netvalveId.nullish(),
    netvalveMidId: z.string().nullish(),
  })
  .passthrough()

export type NetValveCreateOrderAnswer = z.output<typeof netvalveCreateOrderAnswerSchema>

/** `GET /order?clientOrderId=`: the order and its latest transaction. */
export const netvalveOrderSchema = z
  .object({
    ...netvalveAnswerFields,
    orderId: netvalveId.nullish(),
    clientOrderId: z.string().nullish(),
    orderState: z.string().nullish(),
    transactionType: z.string().nullish(),
    amount: netvalveAmount.nullish(),
    currency: z.string().nullish(),
    /** What the order's transaction has captured and refunded so far. */
    capturedAmount: netvalveAmount.nullish(),
    refundedAmount: netvalveAmount.nullish(),
  })
  .passthrough()

export type NetValveOrder = z.output<typeof netvalveOrderSchema>

/** `POST /capture`, `/cancel`, `/refund`. */
export const netvalveOperationAnswerSchema = z.object(netvalveAnswerFields).passthrough()

export type NetValveOperationAnswer = z.output<typeof netvalveOperationAnswerSchema>

/** A webhook: `{ eventName, data: { clientOrderId, ... } }`. */
export const netvalveWebhookSchema = z
  .object({
    eventName: z.string().min(1),
    data: z
      .object({
        clientOrderId: z.string().min(1),
        orderId: netvalveId.nullish(),
        transactionId: netvalveId.nullish(),
        transactionType: z.string().nullish(),
        responseCode: z.string().nullish(),
        responseCodeType: z.string().nullish(),
        amount: netvalveAmount.nullish(),
      })
      .passthrough(),
  })
  .passthrough()

/** What the shared hosted-page flow needs to know of NetValve. */
export const NETVALVE_GATEWAY: GatewaySpec<NetValveSessionData> = {
  name: "NetValve",
  pageName: "order",
  session: netvalveSessionDataSchema,
  legacyKeys: NETVALVE_LEGACY_KEYS,
  decimals: { exactly: 2 },
  // `POST /capture` takes an amount, once: a second capture is refused as "already captured".
  partialCapture: "once",
  // The events that say the buyer paid (or the money was reserved): an inquiry that does not show it yet is asked again.
  paidEvents: ["PURCHASED", "AUTHORISED", "CAPTURED"],
}
