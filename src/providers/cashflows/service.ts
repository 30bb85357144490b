import type { AuthorizePaymentInput, AuthorizePaymentOutput, PaymentProviderContext } from "@medusajs/framework/types"
import { PaymentSessionStatus } from "@medusajs/framework/utils"
import { gatewayError, invalidData } from "../../lib/errors"
import {
  CaptureRequest,
  CreatedPage,
  GatewayMoney,
  GatewayStatus,
  ConnectionSetup,
  HostedCradle,
  HostedPaymentProvider,
  PageRequest,
} from "../../lib/hosted-provider"
import { RecentAsks } from "../../lib/recent-asks"
import type { RawWebhook } from "../../lib/webhook"
import { CashflowsClient, paymentJobFor } from "./client"
import {
  CASHFLOWS_BASE_URLS,
  CASHFLOWS_GATEWAY,
  CashflowsOptions,
  CashflowsSessionData,
  parseCashflowsOptions,
} from "./schemas"
import { capturedAmount, paymentJobStatus, refundedAmount } from "./status"
import { matchNotification, readCashflowsNotification } from "./webhook"

export type { CashflowsSessionData }

/**
 * Cashflows: a payment job per session, paid on its hosted page (`links.action.url`). Every request is
 * signed with the SHA-512 `Hash`; notifications are unsigned, so they only say which job to ask about.
 */
export class CashflowsProviderService extends HostedPaymentProvider<CashflowsOptions, CashflowsSessionData> {
  static identifier = "cashflows"

  static validateOptions(options: Record<string, unknown>): void {
    parseCashflowsOptions(options)
  }

  protected readonly client: CashflowsClient
  /** The payment jobs asked about lately on notifications' behalf. */
  private readonly asked: RecentAsks

  constructor(cradle: HostedCradle, options: Record<string, unknown>) {
    const parsed = parseCashflowsOptions(options)
    super(cradle, parsed, CASHFLOWS_GATEWAY)
    this.client = new CashflowsClient({
      configurationId: parsed.options.configurationId,
      apiKey: parsed.options.apiKey,
      baseUrl: parsed.options.apiBaseUrl ?? CASHFLOWS_BASE_URLS[parsed.options.environment],
      timeoutMs: parsed.options.timeoutMs,
    })
    this.asked = new RecentAsks(parsed.options.webhookRepeatWindowSeconds * 1000)
  }

  /** `POST /payment-jobs` with our session id as the order number; the storefront learns which page the buyer left by. */
  protected async createPage(page: PageRequest): Promise<CreatedPage> {
    const answer = await this.client.createPaymentJob(paymentJobFor(page, this.options))
    const job = answer.data
    if (!answer.links?.action?.url) {
      throw gatewayError("Cashflows", "create payment job", {
        message: `payment job ${job.reference} came back without links.action.url`,
      })
    }
    return {
      checkoutUrl: answer.links.action.url,
      gatewayReference: job.reference,
      gatewayPaymentReference: job.payments?.[0]?.reference ?? null,
      gatewayStatus: job.paymentStatus,
    }
  }

  protected connection(): ConnectionSetup {
    const { apiBaseUrl, environment } = this.options
    return {
      baseUrl: apiBaseUrl ?? CASHFLOWS_BASE_URLS[environment],
      overridden: !!apiBaseUrl && apiBaseUrl !== CASHFLOWS_BASE_URLS[environment],
      probe: {
        call: "GET /api/gateway/payment-jobs/{reference}, signed, for a job that does not exist",
        run: () => this.client.retrievePaymentJob("0"),
      },
    }
  }

  protected async fetchStatus(session: CashflowsSessionData): Promise<GatewayStatus> {
    return paymentJobStatus(await this.client.requirePaymentJob(session.gateway_reference), session.session_id)
  }

  /**
   * The notification is unsigned and only names a job: Cashflows is asked over the signed API, and only its answer
   * counts. Anyone can post one, so Cashflows is asked only where its answer can change something: a live session
   * of this provider holds the job, and Medusa does not hold its payment yet. Otherwise the notification goes on
   * unasked, and the shared flow acts on Medusa's own records alone (no live session: refused; a payment Medusa
   * holds: its order made sure of). A job is asked about once per repeat window; a repeat within it throws, and is
   * answered 503, so that Cashflows delivers it again.
   */
  protected async verifyWebhook(payload: RawWebhook) {
    const reading = readCashflowsNotification(payload)
    if (!reading.ok) {
      return { outcome: "rejected", why: "malformed", reason: reading.reason } as const
    }
    const job = reading.notification.paymentJobReference
    const target = await this.webhookTarget(job)
    if (!target || target.held) {
      return { outcome: "session", sessionId: target?.session.session_id, gatewayReference: job } as const
    }
    // Per session and job: a job is one session's (a test store's stand-in reuses one reference for every session).
    const key = `${target.session.session_id} ${job}`
    const answer = await this.asked.once(key, `Cashflows payment job ${job}`, () => this.client.retrievePaymentJob(job))
    return matchNotification(reading.notification, answer)
  }

  /** With `autoCapture`, a reservation is captured as soon as Medusa authorizes it, and reported captured. */
  async authorizePayment(input: AuthorizePaymentInput): Promise<AuthorizePaymentOutput> {
    const current = await this.currentStatus(input.data)
    if (current.status === PaymentSessionStatus.AUTHORIZED && this.options.autoCapture) {
      return { status: PaymentSessionStatus.CAPTURED, data: await this.captureReservation(current.data) }
    }
    return current
  }

  /**
   * Captures the amount of Medusa's capture from the reservation (reserve mode): in parts, the last one
   * final. The core checks Cashflows' captures before and after, so a retry never captures twice.
   */
  protected async capturePage(session: CashflowsSessionData, capture: CaptureRequest): Promise<CashflowsSessionData> {
    const { status, data } = await this.currentStatus(session)
    if (status === PaymentSessionStatus.CAPTURED && capture.final && capture.amount === session.amount) {
      return data // captured whole already (the core's check finds this first where Medusa lends its records)
    }
    if (status !== PaymentSessionStatus.AUTHORIZED) {
      throw invalidData(
        "Cashflows",
        `payment job ${data.gateway_reference} is ${data.gateway_status}: there is no reservation to capture`
      )
    }
    return this.captureReservation(data, capture.amount, capture.final)
  }

  /** The paying payment's captures and refunds, as the payment job shows them. */
  protected async moneyAtGateway(session: CashflowsSessionData): Promise<GatewayMoney> {
    const job = await this.client.requirePaymentJob(session.gateway_reference)
    const reference =
      session.gateway_payment_reference ?? paymentJobStatus(job, session.session_id).gatewayPaymentReference
    const payment = job.payments?.find((p) => p.reference === reference)
    return {
      captured: payment ? (capturedAmount(payment)?.toString() ?? null) : null,
      refunded: payment?.refunds ? refundedAmount(payment).toString() : null,
      describe: `payment ${reference ?? "?"} of payment job ${session.gateway_reference}`,
    }
  }

  /** Refunds the amount of the paying payment, with Medusa's refund id as `refundNumber` (the core checks Cashflows' refunds first). */
  protected async refundPage(
    stored: CashflowsSessionData,
    amount: string,
    context: PaymentProviderContext | undefined
  ) {
    const session = stored.gateway_payment_reference ? stored : (await this.currentStatus(stored)).data
    const paymentReference = session.gateway_payment_reference
    if (!paymentReference) {
      throw invalidData("Cashflows", `payment job ${session.gateway_reference} has no payment to refund`)
    }
    const refundNumber = String(context?.idempotency_key ?? `${session.session_id}-${Date.now()}`)
    const answer = await this.client.refundPayment(session.gateway_reference, paymentReference, {
      amountToRefund: amount,
      refundNumber,
    })
    if (answer.data.status && /fail/i.test(answer.data.status)) {
      throw gatewayError("Cashflows", "refund", {
        message: `refund ${refundNumber} of payment ${paymentReference} is ${answer.data.status}`,
      })
    }
    this.logger.info(
      `Cashflows: refund ${answer.data.reference ?? refundNumber} of ${amount} ${session.currency_code.toUpperCase()} ` +
        `on payment ${paymentReference} is ${answer.data.status ?? "accepted"}`
    )
    return session
  }

  /** Cancels the job so its page cannot be paid; a paid or closed one stays, and the log says so. */
  protected async closePage(session: CashflowsSessionData, why: string): Promise<void> {
    await this.closeOrExplain(session, why, "cancelled", () => this.client.cancelPaymentJob(session.gateway_reference))
  }

  /** Captures `amount` of the reservation (all of it with autoCapture); "already paid" is done only for a whole capture. */
  private async captureReservation(
    session: CashflowsSessionData,
    amount = session.amount,
    final = true
  ): Promise<CashflowsSessionData> {
    const paymentReference = session.gateway_payment_reference
    if (!paymentReference) {
      throw invalidData("Cashflows", `payment job ${session.gateway_reference} has no reserved payment to capture`)
    }
    const capture = async () => {
      const answer = await this.client.capturePayment(session.gateway_reference, paymentReference, amount, final)
      if (answer.data.status && /fail/i.test(answer.data.status)) {
        throw gatewayError("Cashflows", "capture", {
          message: `capture of payment ${paymentReference} is ${answer.data.status}`,
        })
      }
    }
    const captured = async () =>
      amount === session.amount && (await this.currentStatus(session)).status === PaymentSessionStatus.CAPTURED
    await this.orAlreadyDone(capture, captured, `payment ${paymentReference} is captured`)
    return session
  }
}

export default CashflowsProviderService
