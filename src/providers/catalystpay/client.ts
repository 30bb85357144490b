import type { Buyer } from "../../lib/buyer"
import { invalidData } from "../../lib/errors"
import { GatewayHttpClient, parseGatewayAnswer } from "../../lib/http"
import {
  CatalystPayCreatedSession,
  CatalystPaySession,
  catalystpayCreatedSessionSchema,
  catalystpaySessionSchema,
} from "./schemas"

/** The customer, as CatalystPay's `lead` object names them. `first_name` is the only required field. */
export type CatalystPayLead = {
  first_name: string
  last_name?: string
  email?: string
  /** ISO 3166-1 alpha-2, uppercase. */
  country?: string
  address?: string
  city?: string
  postal_code?: string
  phone?: string
}

/** `POST /payment-sessions/`: campaign mode (`campaign_id`) or direct mode (`gateway_id`, amount, currency, billing type). */
export type CatalystPayCreateSession = {
  lead: CatalystPayLead
  campaign_id?: string
  gateway_id?: string
  amount?: string
  currency?: string
  billing_type?: "ONE_OFF"
  max_payment_attempts?: number
  webhook_profile_id?: string
  customer_ip?: string
}

/** CatalystPay's payment session API, one method per endpoint. Knows nothing of Medusa. */
export class CatalystPayClient {
  private readonly http: GatewayHttpClient

  constructor(options: { apiKey: string; baseUrl: string; timeoutMs?: number }) {
    this.http = new GatewayHttpClient({
      gateway: "CatalystPay",
      baseURL: options.baseUrl,
      timeoutMs: options.timeoutMs,
      headers: { Authorization: `Bearer ${options.apiKey}` },
      describeError: describeCatalystPayError,
    })
  }

  /** `POST /payment-sessions/` (JSON). Never retried: a retry could open a second payable page. */
  async createSession(request: CatalystPayCreateSession): Promise<CatalystPayCreatedSession> {
    const response = await this.http.request<unknown>({
      operation: "create payment session",
      method: "POST",
      url: "/payment-sessions/",
      headers: { "Content-Type": "application/json" },
      data: JSON.stringify(withoutEmpty(request)),
    })
    return parseGatewayAnswer("CatalystPay", "create payment session", catalystpayCreatedSessionSchema, response.data)
  }

  /** `GET /payment-sessions/{token}/`: the session's status, amount and currency. */
  async getSession(token: string): Promise<CatalystPaySession> {
    const response = await this.http.request<unknown>({
      operation: "get payment session",
      method: "GET",
      url: `/payment-sessions/${encodeURIComponent(token)}/`,
    })
    return parseGatewayAnswer("CatalystPay", "get payment session", catalystpaySessionSchema, response.data)
  }
}

/** Drops unset fields at every depth, so CatalystPay sees only what we mean to send. */
function withoutEmpty<T>(value: T): T {
  if (Array.isArray(value) || !value || typeof value !== "object") {
    return value
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => [k, withoutEmpty(v)])
  return Object.fromEntries(entries) as T
}

/**
 * CatalystPay's error bodies are not documented [unverified]; its API answers like Django REST Framework:
 * `{ detail }`, `{ error, code }`, or field errors `{ lead: { first_name: ["This field is required."] } }`.
 */
export function describeCatalystPayError(body: unknown): { code?: string; message?: string } {
  if (!body || typeof body !== "object") {
    return typeof body === "string" && body.trim() ? { message: body.trim().slice(0, 200) } : {}
  }
  const record = body as Record<string, unknown>
  const code = typeof record.code === "string" ? record.code : undefined
  for (const key of ["detail", "error", "message"]) {
    if (typeof record[key] === "string") {
      return { code, message: record[key] as string }
    }
  }
  const fields = fieldErrors(record).join("; ")
  return { code, message: fields || undefined }
}

function fieldErrors(errors: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(errors).flatMap(([field, value]) => {
    const name = prefix ? `${prefix}.${field}` : field
    if (Array.isArray(value)) return [`${name}: ${value.map(String).join(" ")}`]
    if (value && typeof value === "object") return fieldErrors(value as Record<string, unknown>, name)
    return field === "code" ? [] : [`${name}: ${String(value)}`]
  })
}

/** The buyer as CatalystPay's lead. A first name is required, so its absence is the storefront's to fix. */
export function leadOf(buyer: Buyer): CatalystPayLead {
  if (!buyer.first_name) {
    throw invalidData(
      "CatalystPay",
      "CatalystPay requires the buyer's first name; the storefront must set the cart's billing address " +
        "(first_name) before creating the payment session"
    )
  }
  return {
    first_name: buyer.first_name,
    last_name: buyer.last_name,
    email: buyer.email,
    country: buyer.country_code?.toUpperCase(),
    address: [buyer.address_1, buyer.address_2].filter(Boolean).join(", ") || undefined,
    city: buyer.city,
    postal_code: buyer.postal_code,
    phone: buyer.phone,
  }
}
