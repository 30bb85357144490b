import { request as httpRequest } from "node:http"
import { request as httpsRequest } from "node:https"
import type { GatewayName, SandboxFaults } from "./types"

/** How deliveries are retried: attempt n waits initialDelayMs * backoffFactor^(n-1), at most maxDelayMs. */
export type WebhookPolicy = {
  /** Attempts per webhook, the first included. Default 6. */
  maxAttempts: number
  /** Wait before the second attempt. Default 1000 ms (the gateways wait a minute or more; compressed here). */
  initialDelayMs: number
  backoffFactor: number
  maxDelayMs: number
  /** How long one attempt may take before it counts as failed. Default 5000 ms (NetValve's limit). */
  timeoutMs: number
  /** Deliver to hosts other than localhost/127.x/::1. Default false: the sandbox stays on this machine. */
  allowNonLoopback: boolean
}

export const DEFAULT_WEBHOOK_POLICY: WebhookPolicy = {
  maxAttempts: 6,
  initialDelayMs: 1000,
  backoffFactor: 2,
  maxDelayMs: 60_000,
  timeoutMs: 5000,
  allowNonLoopback: false,
}

export type WebhookMessage = {
  gateway: GatewayName
  /** What happened, for the delivery log (e.g. "PURCHASED", "payment_session.completed"). */
  event: string
  /** The payment the webhook is about (the gateway's own id). */
  paymentId: string
  url: string
  headers: Record<string, string>
  body: string
  /** Whether the receiver's answer ends the deliveries. Default: any 2xx. */
  acknowledged?: (status: number, body: string) => boolean
}

/** One attempt, as the sandbox's delivery log keeps it. */
export type WebhookDelivery = {
  deliveryId: number
  gateway: GatewayName
  event: string
  paymentId: string
  url: string
  attempt: number
  at: string
  /** The receiver's HTTP status; undefined when it could not be reached. */
  status?: number
  responseBody?: string
  error?: string
  acknowledged: boolean
  /** True on the last attempt of a delivery that was never acknowledged. */
  gaveUp: boolean
}

type Job = WebhookMessage & { deliveryId: number; seq: number; attempts: number; dueAt: number }

const isLoopback = (hostname: string) =>
  hostname === "localhost" || hostname === "[::1]" || hostname === "::1" || /^127\.\d+\.\d+\.\d+$/.test(hostname)

/**
 * The sandbox's webhook outbox: one worker delivers one message at a time (so the order the receiver
 * sees is the order chosen here), redelivers anything not acknowledged with exponential backoff, and
 * gives up after maxAttempts. `close()` stops every timer and aborts the attempt in flight.
 */
export class WebhookQueue {
  private readonly jobs: Job[] = []
  private readonly log: WebhookDelivery[] = []
  private seq = 0
  private timer: NodeJS.Timeout | undefined
  private busy = false
  private closed = false
  private abortInFlight: (() => void) | undefined
  private idleWaiters: (() => void)[] = []

  constructor(
    private readonly policy: WebhookPolicy,
    private readonly faults: SandboxFaults
  ) {}

  /**
   * Queues a message (twice when `duplicateWebhooks` is on). Messages queued together are delivered in
   * that order, or newest first when `reorderWebhooks` is on.
   */
  send(message: WebhookMessage): void {
    if (this.closed) return
    const copies = this.faults.duplicateWebhooks ? 2 : 1
    for (let i = 0; i < copies; i++) {
      this.seq++
      this.jobs.push({ ...message, deliveryId: this.seq, seq: this.seq, attempts: 0, dueAt: Date.now() })
    }
    // Let the caller finish queuing its batch (and answer its request) before the worker looks.
    this.schedule(0)
  }

  deliveries(): WebhookDelivery[] {
    return this.log.map((entry) => ({ ...entry }))
  }

  /** Resolves once nothing is queued, waiting for a retry or in flight. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  close(): void {
    this.closed = true
    clearTimeout(this.timer)
    this.timer = undefined
    this.jobs.length = 0
    this.abortInFlight?.()
    this.notifyIdle()
  }

  private isIdle(): boolean {
    return this.closed || (this.jobs.length === 0 && !this.busy)
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    waiters.forEach((resolve) => resolve())
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.busy) return
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.work(), Math.max(0, delayMs))
  }

  private async work(): Promise<void> {
    this.timer = undefined
    if (this.closed || this.busy) return
    const now = Date.now()
    const due = this.jobs.filter((job) => job.dueAt <= now)
    if (due.length === 0) {
      if (this.jobs.length) this.schedule(Math.min(...this.jobs.map((job) => job.dueAt)) - now)
      this.notifyIdle()
      return
    }
    const pick = due.reduce((a, b) => (this.faults.reorderWebhooks ? (b.seq > a.seq ? b : a) : b.seq < a.seq ? b : a))
    this.busy = true
    try {
      await this.attempt(pick)
    } finally {
      this.busy = false
    }
    if (!this.closed) this.schedule(0)
    this.notifyIdle()
  }

  private async attempt(job: Job): Promise<void> {
    job.attempts++
    const result = await this.post(job)
    if (this.closed) return
    const acknowledged =
      result.status !== undefined &&
      (job.acknowledged
        ? job.acknowledged(result.status, result.body ?? "")
        : result.status >= 200 && result.status < 300)
    const gaveUp = !acknowledged && job.attempts >= this.policy.maxAttempts
    this.log.push({
      deliveryId: job.deliveryId,
      gateway: job.gateway,
      event: job.event,
      paymentId: job.paymentId,
      url: job.url,
      attempt: job.attempts,
      at: new Date().toISOString(),
      status: result.status,
      responseBody: result.body?.slice(0, 2000),
      error: result.error,
      acknowledged,
      gaveUp,
    })
    if (acknowledged || gaveUp) {
      this.jobs.splice(this.jobs.indexOf(job), 1)
      return
    }
    const backoff = this.policy.initialDelayMs * Math.pow(this.policy.backoffFactor, job.attempts - 1)
    job.dueAt = Date.now() + Math.min(backoff, this.policy.maxDelayMs)
  }

  private post(job: Job): Promise<{ status?: number; body?: string; error?: string }> {
    let url: URL
    try {
      url = new URL(job.url)
    } catch {
      return Promise.resolve({ error: `not a URL: ${job.url}` })
    }
    if (!this.policy.allowNonLoopback && !isLoopback(url.hostname)) {
      return Promise.resolve({
        error: `refused: ${url.hostname} is not a loopback host (set webhooks.allowNonLoopback)`,
      })
    }
    const send = url.protocol === "https:" ? httpsRequest : httpRequest
    return new Promise((resolve) => {
      const body = Buffer.from(job.body, "utf8")
      const req = send(
        url,
        {
          method: "POST",
          agent: false,
          headers: {
            ...job.headers,
            "content-length": String(body.length),
            connection: "close",
            "user-agent": "medusa-payment-hpp-sandbox",
          },
          timeout: this.policy.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on("data", (chunk: Buffer) => chunks.push(chunk))
          res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString("utf8") }))
          res.on("error", (error) => resolve({ error: error.message }))
        }
      )
      this.abortInFlight = () => req.destroy(new Error("sandbox closed"))
      req.on("timeout", () => req.destroy(new Error(`no answer within ${this.policy.timeoutMs} ms`)))
      req.on("error", (error) => resolve({ error: error.message }))
      req.on("close", () => (this.abortInFlight = undefined))
      req.end(body)
    })
  }
}
