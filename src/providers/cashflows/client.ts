import { gatewayError } from "../../lib/errors"
import { GatewayHttpClient, parseGatewayAnswer } from "../../lib/http"
import type { PageRequest } from "../../lib/hosted-provider"
import { withQuery } from "../../lib/return-urls"
import { sha512Hex } from "../../lib/signing"
import { parseJsonKeepingBigIntegers } from "../../lib/json"
import {
  CashflowsOperationAnswer,
  CashflowsPaymentJob,
  CashflowsPaymentJobAnswer,
  cashflowsOperationAnswerSchema,
  cashflowsPaymentJobAnswerSchema,
} from "./schemas"

const GATEWAY = "Cashflows"

export type CashflowsCreatePaymentJob = {
  amountToCollect: string
  currency: string
  locale: string
  type: "Payment"
  paymentMethodsToUse?: string[]
  order: {
    orderNumber: string
    billingIdentity?: { emailAddress: string }
    billingAddress?: { firstName?: string; lastName?: string }
  }
  parameters: {
    returnUrlSuccess: string
    returnUrlFailed: string
    returnUrlCancelled: string
    webhookUrl: string
  }
}

/** `Hash`: SHA-512 of the API key followed by the exact body sent (the key alone without a body), uppercase hex. */
export function cashflowsHash(apiKey: string, body = ""): string {
  return sha512Hex(apiKey + body, "upper")
}

/** Cashflows' Payment Gateway API, one method per endpoint. Knows nothing of Medusa. */
export class CashflowsClient {
  private readonly http: GatewayHttpClient
  private readonly apiKey: string

  constructor(options: { configurationId: string; apiKey: string; baseUrl: string; timeoutMs?: number }) {
    this.apiKey = options.apiKey
    this.http = new GatewayHttpClient({
      gateway: GATEWAY,
      baseURL: options.baseUrl,
      timeoutMs: options.timeoutMs,
      headers: { ConfigurationId: options.configurationId },
      describeError: describeCashflowsError,
      // References are int64: read answers without rounding one.
      parseJson: parseJsonKeepingBigIntegers,
    })
  }

  /** `POST /api/gateway/payment-jobs` (201). Never retried: a retry could open a second payable page. */
  async createPaymentJob(job: CashflowsCreatePaymentJob): Promise<CashflowsPaymentJobAnswer> {
    const answer = await this.send("create payment job", "POST", "/api/gateway/payment-jobs", job)
    return parseGatewayAnswer(GATEWAY, "create payment job", cashflowsPaymentJobAnswerSchema, answer)
  }

  /**
   * `GET /api/gateway/payment-jobs/{jobRef}`: the job with its currency, order number and every payment
   * (a buyer who retries after a decline adds a payment). `undefined` when Cashflows does not know it.
   */
  async retrievePaymentJob(jobReference: string): Promise<CashflowsPaymentJob | undefined> {
    const answer = await this.send(
      "retrieve payment job",
      "GET",
      `/api/gateway/payment-jobs/${reference(jobReference)}`,
      undefined,
      404
    )
    if (answer === undefined) {
      return undefined
    }
    return parseGatewayAnswer(GATEWAY, "retrieve payment job", cashflowsPaymentJobAnswerSchema, answer).data
  }

  /** The job, or a clear error when Cashflows does not know it. */
  async requirePaymentJob(jobReference: string): Promise<CashflowsPaymentJob> {
    const job = await this.retrievePaymentJob(jobReference)
    if (!job) {
      throw gatewayError(GATEWAY, "retrieve payment job", {
        status: 404,
        message: `Cashflows does not know payment job ${jobReference}`,
      })
    }
    return job
  }

  /** `PATCH /api/gateway/payment-jobs/{jobRef}/cancel`, so the page can no longer be paid. No body: the hash is of the key alone. */
  async cancelPaymentJob(jobReference: string): Promise<void> {
    await this.send("cancel payment job", "PATCH", `/api/gateway/payment-jobs/${reference(jobReference)}/cancel`)
  }

  /**
   * `POST .../payments/{paymentRef}/captures`: captures `amountToCapture` of a reservation; the final
   * capture releases whatever is left.
   */
  async capturePayment(
    jobReference: string,
    paymentReference: string,
    amountToCapture: string,
    isFinalCapture = true
  ): Promise<CashflowsOperationAnswer> {
    const answer = await this.send(
      "capture",
      "POST",
      `/api/gateway/payment-jobs/${reference(jobReference)}/payments/${reference(paymentReference)}/captures`,
      { amountToCapture, isFinalCapture }
    )
    return parseGatewayAnswer(GATEWAY, "capture", cashflowsOperationAnswerSchema, answer)
  }

  /** `POST .../payments/{paymentRef}/refunds`; `refundNumber` is our reference for the refund. */
  async refundPayment(
    jobReference: string,
    paymentReference: string,
    refund: { amountToRefund: string; refundNumber: string }
  ): Promise<CashflowsOperationAnswer> {
    const answer = await this.send(
      "refund",
      "POST",
      `/api/gateway/payment-jobs/${reference(jobReference)}/payments/${reference(paymentReference)}/refunds`,
      refund
    )
    return parseGatewayAnswer(GATEWAY, "refund", cashflowsOperationAnswerSchema, answer)
  }

  /**
   * Signs and sends one request. The body is serialized once and that exact string is both hashed and
   * sent; the answer is read as text and parsed without losing a digit of a reference. Returns undefined
   * for the `absentStatus` answer.
   */
  private async send(
    operation: string,
    method: string,
    url: string,
    body?: unknown,
    absentStatus?: number
  ): Promise<unknown> {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const response = await this.http.request<unknown>({
      operation,
      method,
      url,
      data: payload,
      headers: {
        Hash: cashflowsHash(this.apiKey, payload),
        ...(payload === undefined ? {} : { "Content-Type": "application/json" }),
      },
      acceptStatus: absentStatus === undefined ? undefined : (status) => status === absentStatus,
    })
    if (response.status === absentStatus) {
      return undefined
    }
    const fatal = fatalErrors(response.data)
    if (fatal) {
      throw gatewayError(GATEWAY, operation, { status: response.status, ...fatal })
    }
    return response.data
  }
}

/** A reference in a path: digits only, so nothing else can be smuggled into the URL. */
function reference(value: string): string {
  if (!/^\d+$/.test(value)) {
    throw gatewayError(GATEWAY, "build request", { message: `"${value.slice(0, 40)}" is not a Cashflows reference` })
  }
  return value
}

function parseAnswer(body: unknown): unknown {
  if (typeof body !== "string") {
    return body
  }
  if (body.trim() === "") {
    return undefined
  }
  try {
    return parseJsonKeepingBigIntegers(body)
  } catch {
    return body
  }
}

type ErrorReport = { errors?: { code?: unknown; message?: unknown }[]; isFatalError?: unknown }

/** A 2xx answer whose `errorReport` says the request failed. */
function fatalErrors(body: unknown): { code?: string; message?: string } | undefined {
  const report = (body as { errorReport?: ErrorReport } | undefined)?.errorReport
  if (!report || report.isFatalError !== true) {
    return undefined
  }
  return describeReport(report)
}

function describeReport(report: ErrorReport): { code?: string; message?: string } {
  const errors = Array.isArray(report.errors) ? report.errors : []
  const code = errors.find((e) => e.code !== undefined && e.code !== null)?.code
  const message = errors
    .map((e) => (typeof e.message === "string" ? e.message : undefined))
    .filter(Boolean)
    .join("; ")
  return { code: code === undefined ? undefined : String(code), message: message || undefined }
}

/** Cashflows' errors: `{ errorReport: { errors: [{ code, message }], isFatalError } }`, read from the raw text. */
export function describeCashflowsError(body: unknown): { code?: string; message?: string } {
  const parsed = parseAnswer(body)
  if (parsed && typeof parsed === "object") {
    const report = (parsed as { errorReport?: ErrorReport }).errorReport
    if (report) {
      return describeReport(report)
    }
    const { message } = parsed as { message?: unknown }
    return typeof message === "string" ? { message } : {}
  }
  return typeof parsed === "string" && parsed.trim() ? { message: parsed.trim().slice(0, 200) } : {}
}

/**
 * The payment job for a session's page: our session id as the order number, the buyer as far as known,
 * and the three return URLs, which tell the storefront which page the buyer left by.
 */
export function paymentJobFor(
  { sessionId, amount, currency, returnUrl, buyer }: PageRequest,
  options: { locale: string; paymentMethods: string[]; webhookUrl: string }
): CashflowsCreatePaymentJob {
  const back = (status: string) => withQuery(returnUrl ?? "", { status })
  const named = buyer.first_name || buyer.last_name
  return {
    amountToCollect: amount,
    currency: currency.toUpperCase(),
    locale: options.locale,
    type: "Payment",
    paymentMethodsToUse: options.paymentMethods.length ? options.paymentMethods : undefined,
    order: {
      orderNumber: sessionId,
      billingIdentity: buyer.email ? { emailAddress: buyer.email } : undefined,
      billingAddress: named ? { firstName: buyer.first_name, lastName: buyer.last_name } : undefined,
    },
    parameters: {
      returnUrlSuccess: back("success"),
      returnUrlFailed: back("failed"),
      returnUrlCancelled: back("cancelled"),
      webhookUrl: options.webhookUrl,
    },
  }
}
