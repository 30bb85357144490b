import type { z } from "zod"
import type { Buyer } from "../../lib/buyer"
import type { PageRequest } from "../../lib/hosted-provider"
import { withQuery } from "../../lib/return-urls"
import { gatewayError } from "../../lib/errors"
import { GatewayHttpClient, GatewayResponse, parseGatewayAnswer } from "../../lib/http"
import { parseJsonKeepingBigIntegers, stringifyWithNumberTokens } from "../../lib/json"
import { toE164Phone } from "../../lib/phone"
import {
  NetValveCreateOrderAnswer,
  netvalveCreateOrderAnswerSchema,
  NetValveOperationAnswer,
  netvalveOperationAnswerSchema,
  NetValveOrder,
  netvalveOrderSchema,
} from "./schemas"

const GATEWAY = "NetValve"

/** NetValve's transaction and order ids: JSON numbers in its examples, kept here as their exact digits. */
export type NetValveId = string

export type NetValveCustomerDetails = {
  customerAddress?: string
  customerCity?: string
  customerCountryCode?: string
  customerEmail?: string
  customerIp?: string
  customerName?: string
  customerLastName?: string
  customerPhone?: string
  customerState?: string
  customerZipCode?: string
}

export type NetValveCreateOrder = {
  /** Major units with exactly two decimals ("44.00"); sent as the JSON number 44.00. */
  amount: string
  currency: string
  midId: number
  clientOrderId: string
  orderDesc: string
  successUrl: string
  cancelUrl: string
  failedUrl: string
  pendingUrl: string
  customerDetails?: NetValveCustomerDetails
}

/**
 * NetValve's two APIs, one method per endpoint: the HPP API creates hosted-page orders, the payment
 * API answers inquiries and captures, cancels and refunds. Knows nothing of Medusa.
 *
 * NetValve answers a refusal with its own `responseCode` and `responseMessage`, sometimes with HTTP
 * 200 and sometimes with a 4xx: both come back as the answer, for the caller to judge by the code.
 */
export class NetValveClient {
  private readonly hpp: GatewayHttpClient
  private readonly payments: GatewayHttpClient

  constructor(options: {
    clientId: string
    apiKey: string
    hppBaseUrl: string
    paymentBaseUrl: string
    timeoutMs?: number
  }) {
    const shared = {
      gateway: GATEWAY,
      // Ids are 64-bit: read answers without rounding one.
      parseJson: parseJsonKeepingBigIntegers,
      timeoutMs: options.timeoutMs,
      headers: { "netvalve-client-id": options.clientId, "netvalve-api-key": options.apiKey },
      describeError: describeNetValveError,
    }
    this.hpp = new GatewayHttpClient({ ...shared, baseURL: options.hppBaseUrl })
    this.payments = new GatewayHttpClient({ ...shared, baseURL: options.paymentBaseUrl })
  }

  /** `POST /hpp/order`. Never retried: the merchant reference is unique, a retry would be refused as a duplicate. */
  async createOrder(order: NetValveCreateOrder): Promise<NetValveCreateOrderAnswer> {
    const response = await this.hpp.request<unknown>({
      operation: "create order",
      method: "POST",
      url: "/hpp/order",
      headers: { "Content-Type": "application/json" },
      data: jsonWithAmount(order as unknown as Record<string, unknown> & { amount: string }),
      acceptStatus: isClientError,
    })
    return readAnswer("create order", netvalveCreateOrderAnswerSchema, response)
  }

  /** `GET /order?clientOrderId=`: the order by our reference, with its latest transaction; an answer about another is refused. */
  async getOrder(clientOrderId: string): Promise<NetValveOrder> {
    const response = await this.payments.request<unknown>({
      operation: "order inquiry",
      method: "GET",
      url: "/order",
      params: { clientOrderId },
    })
    const order = parseGatewayAnswer(GATEWAY, "order inquiry", netvalveOrderSchema, response.data)
    if (order.clientOrderId != null && order.clientOrderId !== clientOrderId) {
      throw gatewayError(GATEWAY, "order inquiry", {
        message: `asked about ${clientOrderId}, answered about ${order.clientOrderId}`,
      })
    }
    return order
  }

  /** `POST /capture` of an authorised transaction. */
  async capture(transactionId: NetValveId, amount: string): Promise<NetValveOperationAnswer> {
    return this.operation("capture", "/capture", { transactionID: transactionId, amount })
  }

  /** `POST /cancel` (void) of an authorised transaction. */
  async cancel(transactionId: NetValveId): Promise<NetValveOperationAnswer> {
    return this.operation("cancel", "/cancel", { transactionID: transactionId })
  }

  /** `POST /refund` of (part of) a paid transaction. */
  async refund(transactionId: NetValveId, amount: string): Promise<NetValveOperationAnswer> {
    return this.operation("refund", "/refund", { transactionID: transactionId, amount })
  }

  private async operation(operation: string, url: string, body: { transactionID: NetValveId; amount?: string }) {
    const response = await this.payments.request<unknown>({
      operation,
      method: "POST",
      url,
      headers: { "Content-Type": "application/json" },
      // The id goes back as the JSON number NetValve sent, every digit kept; the amount with its two decimals.
      data: stringifyWithNumberTokens(body, ["transactionID", "amount"]),
      acceptStatus: isClientError,
    })
    return readAnswer(operation, netvalveOperationAnswerSchema, response)
  }
}

const isClientError = (status: number) => status >= 400 && status < 500

/** A 4xx without NetValve's `responseCode` is not an answer but a failure, reported with its status. */
function readAnswer<S extends z.ZodTypeAny>(
  operation: string,
  schema: S,
  response: GatewayResponse<unknown>
): z.output<S> {
  if (response.status >= 400) {
    const parsed = schema.safeParse(response.data)
    if (!parsed.success) {
      throw gatewayError(GATEWAY, operation, { status: response.status, ...describeNetValveError(response.data) })
    }
    return parsed.data
  }
  return parseGatewayAnswer(GATEWAY, operation, schema, response.data)
}

/**
 * JSON with `amount` written as a number with exactly two decimals. NetValve refuses an amount
 * without them (GTW_2003), and JSON.stringify writes 44.00 as 44.
 */
export function jsonWithAmount<T extends Record<string, unknown> & { amount: string }>(body: T): string {
  if (!/^\d+\.\d{2}$/.test(body.amount)) {
    throw new Error(`NetValve amounts need exactly two decimals, not "${body.amount}"`)
  }
  return stringifyWithNumberTokens(body, ["amount"])
}

/** NetValve's errors: `{ responseCode, responseMessage }`, or a plain `{ message }`. */
export function describeNetValveError(body: unknown): { code?: string; message?: string } {
  if (!body || typeof body !== "object") {
    return typeof body === "string" && body.trim() ? { message: body.trim().slice(0, 200) } : {}
  }
  const record = body as Record<string, unknown>
  const text = (value: unknown) => (typeof value === "string" && value.trim() ? value.trim() : undefined)
  return {
    code: text(record.responseCode) ?? text(record.code),
    message: text(record.responseMessage) ?? text(record.message) ?? text(record.error),
  }
}

/** NetValve's customer fields from the buyer; a phone that cannot be normalised is left out. */
export function customerDetails(buyer: Buyer): NetValveCustomerDetails | undefined {
  const details: NetValveCustomerDetails = {
    customerAddress: [buyer.address_1, buyer.address_2].filter(Boolean).join(", ") || undefined,
    customerCity: buyer.city,
    customerCountryCode: buyer.country_code?.toUpperCase(),
    customerEmail: buyer.email,
    customerIp: buyer.customer_ip?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, ""),
    customerName: buyer.first_name,
    customerLastName: buyer.last_name,
    customerPhone: toE164Phone(buyer.phone, buyer.country_code),
    customerState: buyer.province,
    customerZipCode: buyer.postal_code,
  }
  const known = Object.entries(details).filter(([, value]) => value !== undefined)
  return known.length ? (Object.fromEntries(known) as NetValveCustomerDetails) : undefined
}

/**
 * The hosted page, limited to the given methods (appended as NetValve's guide writes it, commas unescaped), slim
 * when asked (with `slimModeParameter`, default `slim_mode=true` [unverified]).
 */
export function hostedPageUrl(
  redirectUrl: string,
  options: { paymentMethods: string[]; slim: boolean; slimModeParameter?: string }
): string {
  const params = [
    options.paymentMethods.length ? `paymentOptions=${options.paymentMethods.join(",")}` : undefined,
    options.slim ? (options.slimModeParameter ?? "slim_mode=true") : undefined,
  ].filter(Boolean)
  return params.length ? `${redirectUrl}${redirectUrl.includes("?") ? "&" : "?"}${params.join("&")}` : redirectUrl
}

/** The HPP order for a session's page: our session id as `clientOrderId`; all four URLs lead back to the storefront, which asks Medusa. */
export function hppOrderFor(
  { sessionId, amount, currency, returnUrl, buyer }: PageRequest,
  options: { midId: number; description: string }
): NetValveCreateOrder {
  const back = (result: string) => withQuery(returnUrl ?? "", { netvalve_result: result })
  return {
    amount,
    currency: currency.toUpperCase(),
    midId: options.midId,
    clientOrderId: sessionId,
    orderDesc: options.description,
    successUrl: back("success"),
    cancelUrl: back("cancel"),
    failedUrl: back("failed"),
    pendingUrl: back("pending"),
    customerDetails: customerDetails(buyer),
  }
}
