import { GatewayHttpClient, parseGatewayAnswer } from "../../lib/http"
import { HitPayPaymentRequest, HitPayRefund, hitpayPaymentRequestSchema, hitpayRefundSchema } from "./schemas"

export type HitPayCreatePaymentRequest = {
  amount: string
  currency: string
  reference_number: string
  redirect_url: string
  webhook: string
  purpose?: string
  email?: string
  name?: string
  phone?: string
  payment_methods?: string[]
  expires_after?: string
  send_email?: boolean
  /** With `payment_methods[]=paynow_online`: the answer carries `qr_code_data`. */
  generate_qr?: boolean
}

/** HitPay's REST API, one method per endpoint. Knows nothing of Medusa. */
export class HitPayClient {
  private readonly http: GatewayHttpClient

  constructor(options: { apiKey: string; baseUrl: string; timeoutMs?: number }) {
    this.http = new GatewayHttpClient({
      gateway: "HitPay",
      baseURL: options.baseUrl,
      timeoutMs: options.timeoutMs,
      headers: {
        "X-BUSINESS-API-KEY": options.apiKey,
        "X-Requested-With": "XMLHttpRequest",
      },
      describeError: describeHitPayError,
    })
  }

  /** `POST /payment-requests`, form-encoded as HitPay's guide shows. Never retried: a retry could make a second page. */
  async createPaymentRequest(request: HitPayCreatePaymentRequest): Promise<HitPayPaymentRequest> {
    const response = await this.http.request<unknown>({
      operation: "create payment request",
      method: "POST",
      url: "/payment-requests",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      data: toForm(request).toString(),
    })
    return parseGatewayAnswer("HitPay", "create payment request", hitpayPaymentRequestSchema, response.data)
  }

  /** `GET /payment-requests/{id}`: the request with its charges (`payments[]`). */
  async getPaymentRequest(id: string): Promise<HitPayPaymentRequest> {
    const response = await this.http.request<unknown>({
      operation: "get payment request",
      method: "GET",
      url: `/payment-requests/${encodeURIComponent(id)}`,
    })
    return parseGatewayAnswer("HitPay", "get payment request", hitpayPaymentRequestSchema, response.data)
  }

  /**
   * `DELETE /payment-requests/{id}`, so the page can no longer be paid. Returns the HTTP status: 404
   * (already gone) is an answer, not an error; HitPay refuses to delete a completed request.
   */
  async deletePaymentRequest(id: string): Promise<{ status: number }> {
    const response = await this.http.request<unknown>({
      operation: "delete payment request",
      method: "DELETE",
      url: `/payment-requests/${encodeURIComponent(id)}`,
      acceptStatus: (status) => status === 404,
    })
    return { status: response.status }
  }

  /** `POST /refund` with the charge id (not the payment request id). */
  async refund(paymentId: string, amount: string): Promise<HitPayRefund> {
    const response = await this.http.request<unknown>({
      operation: "refund",
      method: "POST",
      url: "/refund",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      data: toForm({ payment_id: paymentId, amount }).toString(),
    })
    return parseGatewayAnswer("HitPay", "refund", hitpayRefundSchema, response.data)
  }
}

/** HitPay form encoding: booleans as "true"/"false", arrays as repeated `name[]` fields. */
export function toForm(fields: Record<string, unknown>): URLSearchParams {
  const form = new URLSearchParams()
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null || value === "") continue
    if (Array.isArray(value)) {
      value.forEach((item) => form.append(`${key}[]`, String(item)))
    } else {
      form.append(key, typeof value === "boolean" ? (value ? "true" : "false") : String(value))
    }
  }
  return form
}

/** HitPay's validation errors: `{ message, errors: { field: ["..."] } }`. */
export function describeHitPayError(body: unknown): { code?: string; message?: string } {
  if (!body || typeof body !== "object") {
    return typeof body === "string" && body.trim() ? { message: body.trim().slice(0, 200) } : {}
  }
  const { message, errors } = body as { message?: unknown; errors?: unknown }
  const fieldErrors =
    errors && typeof errors === "object"
      ? Object.entries(errors as Record<string, unknown>)
          .map(([field, list]) => `${field}: ${Array.isArray(list) ? list.join(" ") : String(list)}`)
          .join("; ")
      : ""
  const text = [typeof message === "string" ? message : undefined, fieldErrors || undefined].filter(Boolean).join(" - ")
  return { message: text || undefined }
}
