import { randomBytes } from "node:crypto"
import type { Reply, Route, SandboxRequest } from "./http"
import type { GatewayName, SandboxFaults } from "./types"
import type { WebhookQueue } from "./webhooks"

/** What every gateway stand-in gets from the sandbox. */
export type GatewayContext = {
  /** Base of the links given to buyers (hosted pages), without a trailing slash. */
  publicUrl: string
  merchantName: string
  webhooks: WebhookQueue
  faults: SandboxFaults
  /** Timers that must stop when the sandbox closes. */
  timers: Timers
}

/** A gateway stand-in: its routes (below `/<name>`), its own error shapes, and the payments it keeps. */
export interface SandboxGateway<Payment> {
  name: GatewayName
  routes: Route[]
  /** The gateway's refusal of bad credentials, or undefined when the API call may proceed. */
  authenticate(req: SandboxRequest): Reply | undefined
  /** What the gateway answers when it fails (the failNext fault). */
  internalError(): Reply
  /** What the gateway answers for a path it does not have. */
  notFound(): Reply
  payments(): Payment[]
  payment(id: string): Payment | undefined
  /** Lets the payment expire as the gateway would; false when it is unknown or already final. */
  expire(id: string): boolean
  /**
   * Sends the webhook the gateway sends for this payment at `outcome` ("paid" or "failed"), without changing the
   * payment: a late or out-of-order delivery, such as an earlier attempt's failure arriving after the success.
   * False when the payment is unknown.
   */
  notify(id: string, outcome: WebhookOutcome): boolean
}

export type WebhookOutcome = "paid" | "failed"

/** setTimeout that `close()` clears. */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>()
  private closed = false

  after(ms: number, run: () => void): void {
    if (this.closed) return
    const timer = setTimeout(() => {
      this.pending.delete(timer)
      run()
    }, ms)
    this.pending.add(timer)
  }

  close(): void {
    this.closed = true
    this.pending.forEach(clearTimeout)
    this.pending.clear()
  }
}

/** A deep copy, so tests reading stored payments cannot change them. */
export const snapshot = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

/** An id made of `length` random characters from [a-z0-9]. */
export function randomId(length: number, alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"): string {
  return Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join("")
}
