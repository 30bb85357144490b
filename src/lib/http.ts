import axios, { AxiosError, AxiosInstance, AxiosRequestConfig } from "axios"
import axiosRetry, { exponentialDelay, isNetworkError } from "axios-retry"
import type { z } from "zod"
import { gatewayError, GatewayFailure } from "./errors"
import { retryAfterSeconds } from "./retry-after"

export type GatewayHttpOptions = {
  /** The gateway's name as an admin knows it, for error messages ("HitPay"). */
  gateway: string
  baseURL: string
  /** Headers sent on every request (credentials go here; they never appear in errors). */
  headers?: Record<string, string>
  /** Per-request timeout. */
  timeoutMs?: number
  /** How many times a safe request (GET, HEAD) is retried on a network error, a timeout, 429 or 5xx. */
  retries?: number
  /** Reads the gateway's own error code and message out of an error response body. */
  describeError?: (body: unknown) => Omit<GatewayFailure, "status">
  /** Parses answer bodies (e.g. keeping 64-bit integers exact); a body that is not JSON stays text. */
  parseJson?: (text: string) => unknown
}

export type GatewayRequest = AxiosRequestConfig & {
  /** What the call does, for error messages ("create payment request"). */
  operation: string
}

export type GatewayResponse<T> = { status: number; data: T; headers: Record<string, unknown> }

const SAFE_METHODS = new Set(["get", "head", "options"])

/** Safe requests are retried; a create, capture or refund is never retried blindly. */
function shouldRetry(error: AxiosError): boolean {
  const method = (error.config?.method ?? "get").toLowerCase()
  if (!SAFE_METHODS.has(method)) {
    return false
  }
  if (isNetworkError(error) || error.code === "ECONNABORTED" || error.code === "ETIMEDOUT") {
    return true
  }
  const status = error.response?.status ?? 0
  if (status === 429) {
    // Retried only when the gateway asks for a short wait: a long `Retry-After` is the caller's to keep (the
    // reconciliation pauses the provider), not a request held open for minutes.
    const wait = retryAfterSeconds(error.response?.headers?.["retry-after"])
    return wait === undefined || wait <= MAX_RETRY_AFTER_SECONDS
  }
  return status >= 500
}

/**
 * Network errors that come after the request went out: the connection reset or closed, or an answer that is not
 * HTTP. The gateway may have read the request and acted on it. Any other failure without an answer (refused, no
 * address, a certificate refused) is one where the request could not be sent.
 */
function lostAfterSending(code: string | undefined): boolean {
  return code === "ECONNRESET" || code === "EPIPE" || code === "ERR_STREAM_PREMATURE_CLOSE" || /^HPE_/.test(code ?? "")
}

/** The longest `Retry-After` a safe request waits out itself before trying again. */
const MAX_RETRY_AFTER_SECONDS = 2

/**
 * An HTTP client for one gateway: timeouts on every call, jittered-backoff retries for safe requests,
 * and every failure turned into a MedusaError naming gateway, operation and the gateway's own code.
 */
export class GatewayHttpClient {
  readonly axios: AxiosInstance
  private readonly gateway: string
  private readonly describeError: NonNullable<GatewayHttpOptions["describeError"]>

  constructor(options: GatewayHttpOptions) {
    this.gateway = options.gateway
    this.describeError = options.describeError ?? describeCommonError
    this.axios = axios.create({
      baseURL: options.baseURL.replace(/\/+$/, ""),
      timeout: options.timeoutMs ?? 15_000,
      headers: { Accept: "application/json", ...options.headers },
      // Never follow a redirect with credentials attached to somewhere else.
      maxRedirects: 0,
      ...(options.parseJson
        ? { responseType: "text" as const, transformResponse: [textOrJson(options.parseJson)] }
        : {}),
    })
    axiosRetry(this.axios, {
      retries: options.retries ?? 2,
      retryCondition: shouldRetry,
      retryDelay: (count, error) => exponentialDelay(count, error, 200),
      shouldResetTimeout: true,
    })
  }

  /**
   * Sends a request and returns the parsed answer; any status outside 2xx, a timeout or a network
   * failure throws. `acceptStatus` lets a caller treat a documented non-2xx answer as an answer.
   */
  async request<T>(
    config: GatewayRequest & { acceptStatus?: (status: number) => boolean }
  ): Promise<GatewayResponse<T>> {
    const { operation, acceptStatus, ...axiosConfig } = config
    try {
      const response = await this.axios.request<T>({
        ...axiosConfig,
        validateStatus: (status) => (status >= 200 && status < 300) || !!acceptStatus?.(status),
      })
      return { status: response.status, data: response.data, headers: response.headers as Record<string, unknown> }
    } catch (error) {
      throw this.toMedusaError(operation, error)
    }
  }

  private toMedusaError(operation: string, error: unknown) {
    if (!axios.isAxiosError(error)) {
      return gatewayError(this.gateway, operation, { message: (error as Error)?.message ?? String(error) })
    }
    const host = safeHost(this.axios.defaults.baseURL)
    const code = error.code ? ` (${error.code})` : ""
    if (error.response && error.response.status >= 200 && error.response.status < 300) {
      // The gateway said yes, then its body was cut off (axios: ERR_BAD_RESPONSE, "stream has been aborted"): it
      // acted, and what it answered is lost. Never "failed (HTTP 200)", which would read as a refusal.
      return gatewayError(this.gateway, operation, {
        message: `lost the connection to ${host} during its answer (HTTP ${error.response.status}${code ? `, ${error.code}` : ""})`,
      })
    }
    if (error.response) {
      const described = safeDescribe(this.describeError, error.response.data)
      const retryAfter =
        error.response.status === 429 ? retryAfterSeconds(error.response.headers?.["retry-after"]) : undefined
      return gatewayError(this.gateway, operation, {
        status: error.response.status,
        ...described,
        ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
      })
    }
    if (error.code === "ECONNABORTED" || error.code === "ETIMEDOUT") {
      return gatewayError(this.gateway, operation, {
        message: `no answer within ${this.axios.defaults.timeout} ms (timeout)`,
      })
    }
    if (lostAfterSending(error.code)) {
      // The gateway may have read the request: a retry is safe only after asking it what it did.
      return gatewayError(this.gateway, operation, {
        message: `lost the connection to ${host} before its answer${code}`,
      })
    }
    return gatewayError(this.gateway, operation, { message: `could not reach ${host}${code}` })
  }
}

function textOrJson(parseJson: (text: string) => unknown) {
  return (body: unknown) => {
    if (typeof body !== "string" || body.trim() === "") return body === "" ? undefined : body
    try {
      return parseJson(body)
    } catch {
      return body
    }
  }
}

function safeDescribe(describe: NonNullable<GatewayHttpOptions["describeError"]>, body: unknown) {
  try {
    return describe(body)
  } catch {
    return describeCommonError(body)
  }
}

function safeHost(baseURL: string | undefined): string {
  try {
    return new URL(baseURL ?? "").host
  } catch {
    return "the gateway"
  }
}

/** Fallback: the usual `{ message }` / `{ code }` shapes, or a short excerpt of a text body. */
export function describeCommonError(body: unknown): Omit<GatewayFailure, "status"> {
  if (body && typeof body === "object") {
    const record = body as Record<string, unknown>
    const message = typeof record.message === "string" ? record.message : undefined
    const code = typeof record.code === "string" || typeof record.code === "number" ? String(record.code) : undefined
    return { code, message }
  }
  if (typeof body === "string" && body.trim()) {
    return { message: body.trim().slice(0, 200) }
  }
  return {}
}

/** Validates a gateway's answer against its documented shape; an unexpected answer is the gateway's error. */
export function parseGatewayAnswer<S extends z.ZodTypeAny>(
  gateway: string,
  operation: string,
  schema: S,
  body: unknown
): z.output<S> {
  const result = schema.safeParse(body)
  if (!result.success) {
    const issue = result.error.issues[0]
    throw gatewayError(gateway, operation, {
      message: `unexpected answer (${issue.path.join(".") || "body"}: ${issue.message})`,
    })
  }
  return result.data
}
