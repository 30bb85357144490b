import type { AuthorizePaymentInput, AuthorizePaymentOutput, PaymentProviderContext } from "@medusajs/framework/types"
import { MathBN, PaymentSessionStatus } from "@medusajs/framework/utils"
import { gatewayError, invalidData } from "../../lib/errors"
import { CreatedPage, GatewayStatus, HostedCradle, HostedPaymentProvider, PageRequest } from "../../lib/hosted-provider"
import { withQuery } from "../../lib/return-urls"
import { isPaid } from "../../lib/status"
import type { RawWebhook } from "../../lib/webhook"
import { CashflowsClient } from "./client"
import {
  CASHFLOWS_BASE_URLS,
  CASHFLOWS_GATEWAY,
  CashflowsOptions,
  CashflowsSessionData,
  parseCashflowsOptions,
} from "./schemas"
import { paymentJobStatus, refundedAmount } from "./status"
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

  constructor(cradle: HostedCradle, options: Record<string, unknown>) {
    const parsed = parseCashflowsOptions(options)
    super(cradle, parsed, CASHFLOWS_GATEWAY)
    this.client = new CashflowsClient({
      configurationId: parsed.options.configurationId,
      apiKey: parsed.options.apiKey,
      baseUrl: parsed.options.apiBaseUrl ?? CASHFLOWS_BASE_URLS[parsed.options.environment],
      timeoutMs: parsed.options.timeoutMs,
    })
  }

  /** `POST /payment-jobs` with our session id as the order number; the storefront learns which page the buyer left by. */
  protected async createPage({ sessionId, amount, currency, returnUrl, buyer }: PageRequest): Promise<CreatedPage> {
    const back = (status: string) => withQuery(returnUrl ?? "", { status })
    const named = buyer.first_name || buyer.last_name
    const answer = await this.client.createPaymentJob({
      amountToCollect: amount,
      currency: currency.toUpperCase(),
      locale: this.options.locale,
      type: "Payment",
      paymentMethodsToUse: this.options.paymentMethods.length ? this.options.paymentMethods : undefined,
      order: {
        orderNumber: sessionId,
        billingIdentity: buyer.email ? { emailAddress: buyer.email } : undefined,
        billingAddress: named ? { firstName: buyer.first_name, lastName: buyer.last_name } : undefined,
      },
      parameters: {
        returnUrlSuccess: back("success"),
        returnUrlFailed: back("failed"),
        returnUrlCancelled: back("cancelled"),
        webhookUrl: this.options.webhookUrl,
      },
    })
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

  protected async fetchStatus(session: CashflowsSessionData): Promise<GatewayStatus> {
    const job = await this.client.retrievePaymentJob(session.gateway_reference)
    if (!job) {
      throw gatewayError("Cashflows", "retrieve payment job", {
        status: 404,
        message: `Cashflows does not know payment job ${session.gateway_reference}`,
      })
    }
    return paymentJobStatus(job, session.session_id)
  }

  /** The notification only names a job: Cashflows is asked over the signed API, and only its answer counts. */
  protected async verifyWebhook(payload: RawWebhook) {
    const reading = readCashflowsNotification(payload)
    if (!reading.ok) {
      return { outcome: "rejected", why: "malformed", reason: reading.reason } as const
    }
    return matchNotification(
      reading.notification,
      await this.client.retrievePaymentJob(reading.notification.paymentJobReference)
    )
  }

  /** With `autoCapture`, a reservation is captured as soon as Medusa authorizes it, and reported captured. */
  async authorizePayment(input: AuthorizePaymentInput): Promise<AuthorizePaymentOutput> {
    const current = await this.currentStatus(input.data)
    if (current.status === PaymentSessionStatus.AUTHORIZED && this.options.autoCapture) {
      return { status: PaymentSessionStatus.CAPTURED, data: await this.captureReservation(current.data) }
    }
    return current
  }

  /** Captures the reservation (reserve mode); a payment Cashflows already shows as paid is done. */
  protected async capturePage(session: CashflowsSessionData): Promise<CashflowsSessionData> {
    const { status, data } = await this.currentStatus(session)
    if (status === PaymentSessionStatus.CAPTURED) {
      return data
    }
    if (status !== PaymentSessionStatus.AUTHORIZED) {
      throw invalidData(
        "Cashflows",
        `payment job ${data.gateway_reference} is ${data.gateway_status}: there is no reservation to capture`
      )
    }
    return this.captureReservation(data)
  }

  /** Refunds the amount of the paying payment, with Medusa's refund id as `refundNumber`; fully refunded already is done. */
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
    try {
      const refund = await this.client.refundPayment(session.gateway_reference, paymentReference, {
        amountToRefund: amount,
        refundNumber,
      })
      this.logger.info(
        `Cashflows: refund ${refund.data.reference ?? refundNumber} of ${amount} ${session.currency_code.toUpperCase()} ` +
          `on payment ${paymentReference} is ${refund.data.status ?? "accepted"}`
      )
    } catch (error) {
      if (!(await this.isFullyRefunded(session.gateway_reference, paymentReference))) {
        throw error
      }
      this.logger.info(`Cashflows: payment ${paymentReference} is already fully refunded; treating the refund as done`)
    }
    return session
  }

  /** Cancels the job so its page cannot be paid; a paid or closed one stays, and the log says so. */
  protected async closePage(session: CashflowsSessionData, why: string): Promise<void> {
    try {
      await this.client.cancelPaymentJob(session.gateway_reference)
    } catch (error) {
      const job = await this.client.retrievePaymentJob(session.gateway_reference)
      if (!job) {
        this.logger.info(`Cashflows: payment job ${session.gateway_reference} was already gone (${why})`)
        return
      }
      const { status } = paymentJobStatus(job, session.session_id)
      if (status === PaymentSessionStatus.PENDING) {
        throw error
      }
      this.logger.warn(
        `Cashflows: payment job ${job.reference} for session ${session.session_id} is already ${job.paymentStatus}; ` +
          `it was not cancelled (${why})` +
          (isPaid(status) ? ": the buyer has paid, so refund (or release) it if the order will not go ahead" : "")
      )
    }
  }

  /** Captures the reserved amount; if Cashflows refuses because the payment is already paid, that is done too. */
  private async captureReservation(session: CashflowsSessionData): Promise<CashflowsSessionData> {
    const paymentReference = session.gateway_payment_reference
    if (!paymentReference) {
      throw invalidData("Cashflows", `payment job ${session.gateway_reference} has no reserved payment to capture`)
    }
    try {
      const capture = await this.client.capturePayment(session.gateway_reference, paymentReference, session.amount)
      if (capture.data.status && /fail/i.test(capture.data.status)) {
        throw gatewayError("Cashflows", "capture", {
          message: `capture of payment ${paymentReference} is ${capture.data.status}`,
        })
      }
    } catch (error) {
      if ((await this.currentStatus(session)).status !== PaymentSessionStatus.CAPTURED) {
        throw error
      }
      this.logger.info(`Cashflows: payment ${paymentReference} is already captured; treating the capture as done`)
    }
    return session
  }

  private async isFullyRefunded(jobReference: string, paymentReference: string): Promise<boolean> {
    const job = await this.client.retrievePaymentJob(jobReference)
    const payment = job?.payments?.find((p) => p.reference === paymentReference)
    const paid = payment?.amountToCollect ?? job?.amountToCollect
    return (
      !!payment &&
      paid !== undefined &&
      paid !== null &&
      MathBN.gte(refundedAmount(payment), MathBN.convert(String(paid)))
    )
  }
}

export default CashflowsProviderService
