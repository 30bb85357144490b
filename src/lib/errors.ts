import { MedusaError } from "@medusajs/framework/utils"

/** What a gateway said when it refused a request, as far as its answer tells. */
export type GatewayFailure = {
  /** HTTP status, when there was an answer. */
  status?: number
  /** The gateway's own error code (e.g. `GTW_2003`), when it gives one. */
  code?: string
  /** The gateway's own message, when it gives one. */
  message?: string
  /** How long a 429's `Retry-After` asks the caller to wait, in seconds. */
  retryAfterSeconds?: number
}

/**
 * The error every provider throws when a gateway call fails. It names the gateway, the operation and
 * the gateway's own code and message, so an admin can tell what went wrong, and never a credential.
 */
export function gatewayError(
  gateway: string,
  operation: string,
  failure: GatewayFailure,
  type: string = MedusaError.Types.UNEXPECTED_STATE
): MedusaError {
  const parts = [
    failure.status ? `HTTP ${failure.status}` : undefined,
    failure.code ? `code ${failure.code}` : undefined,
    failure.retryAfterSeconds !== undefined ? `retry after ${failure.retryAfterSeconds} s` : undefined,
  ].filter(Boolean)
  const detail = failure.message ? `: ${failure.message}` : ""
  const suffix = parts.length ? ` (${parts.join(", ")})` : ""
  return new MedusaError(type, `${gateway} ${operation} failed${suffix}${detail}`)
}

/**
 * Whether an error says the gateway could not be asked, in the words `GatewayHttpClient` gives it: no answer
 * in time, no connection, a connection lost before or during the answer, or a 5xx or 429. A later try may succeed,
 * and the gateway may have acted meanwhile.
 */
export function isGatewayUnavailable(message: string): boolean {
  return / failed \(HTTP (5\d\d|429)|no answer within .* \(timeout\)|could not reach |lost the connection to /.test(
    message
  )
}

/**
 * Whether an error says the request never reached the gateway (no connection could be made), in
 * `GatewayHttpClient`'s words: the gateway saw nothing of it. A timeout or a 5xx may have reached it.
 */
export function neverReached(message: string): boolean {
  return / failed: could not reach /.test(message)
}

/**
 * The same kind of error (so the same HTTP status from Medusa) with a message that says more: an error that is
 * not one of Medusa's is the gateway's unexpected state.
 */
export function retold(error: unknown, message: string): MedusaError {
  const type = (error as { type?: unknown } | undefined)?.type
  const known = (Object.values(MedusaError.Types) as unknown[]).includes(type)
  return new MedusaError(known ? (type as string) : MedusaError.Types.UNEXPECTED_STATE, message)
}

/** A refusal that is the caller's to fix (bad input, wrong configuration), not the gateway's. */
export function invalidData(gateway: string, message: string): MedusaError {
  return new MedusaError(MedusaError.Types.INVALID_DATA, `${gateway}: ${message}`)
}

/** An operation the gateway offers no API for: the admin must act in the gateway's dashboard. */
export function notAllowed(gateway: string, message: string): MedusaError {
  return new MedusaError(MedusaError.Types.NOT_ALLOWED, `${gateway}: ${message}`)
}
