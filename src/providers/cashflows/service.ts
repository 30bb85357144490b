import type {
  AuthorizePaymentInput,
  AuthorizePaymentOutput,
  CancelPaymentInput,
  CancelPaymentOutput,
  CapturePaymentInput,
  CapturePaymentOutput,
  DeletePaymentInput,
  DeletePaymentOutput,
  GetPaymentStatusInput,
  GetPaymentStatusOutput,
  InitiatePaymentInput,
  InitiatePaymentOutput,
  Logger,
  ProviderWebhookPayload,
  RefundPaymentInput,
  RefundPaymentOutput,
  RetrievePaymentInput,
  RetrievePaymentOutput,
  UpdatePaymentInput,
  UpdatePaymentOutput,
  WebhookActionResult,
} from "@medusajs/framework/types"
import { AbstractPaymentProvider, MathBN, PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import { readBuyer } from "../../lib/buyer"
import { gatewayError, invalidData } from "../../lib/errors"
import { gatewayAmountFor } from "../../lib/money"
import { resolveReturnUrl, withQuery } from "../../lib/return-urls"
import { guardPaidAmount, HppSessionData, sessionIdOf, storedSession, webhookActionFor } from "../../lib/session"
import { CashflowsClient } from "./client"
import { CASHFLOWS_BASE_URLS, CashflowsOptions, CashflowsPayment, CashflowsPaymentJob, parseCashflowsOptions } from "./schemas"
import { paymentStatus, refundCounts } from "./status"
import { matchNotification, readCashflowsNotification } from "./webhook"

const GATEWAY = "Cashflows"

export type CashflowsSessionData = HppSessionData & {
  /** The payment job's reference (a 64-bit integer, kept as its digits). */
  payment_job_reference: string
  /** The payment within the job that paid or reserved: what a capture or refund names. */
  payment_reference: string | null
  /** Cashflows' status of that payment (or of the job) when last asked. */
  cashflows_status: string
}

type Cradle = { logger: Logger }

type JobStatus = { status: PaymentSessionStatus; payment: CashflowsPayment | undefined }

export class CashflowsProviderService extends AbstractPaymentProvider<CashflowsOptions> {
  static identifier = "cashflows"

  static validateOptions(options: Record<string, unknown>): void {
    parseCashflowsOptions(options)
  }

  protected readonly options: CashflowsOptions
  protected readonly client: CashflowsClient
  protected readonly logger: Logger

  constructor(cradle: Cradle, options: Record<string, unknown>) {
    const parsed = parseCashflowsOptions(options)
    super(cradle, parsed)
    this.options = parsed
    this.logger = cradle.logger
    this.client = new CashflowsClient({
      configurationId: parsed.configurationId,
      apiKey: parsed.apiKey,
      baseUrl: parsed.apiBaseUrl ?? CASHFLOWS_BASE_URLS[parsed.environment],
      timeoutMs: parsed.timeoutMs,
    })
  }

  /** Creates a payment job for the session; the buyer pays on its hosted page (`links.action.url`). */
  async initiatePayment(input: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    const sessionId = sessionIdOf(GATEWAY, input)
    const currency = input.currency_code.toLowerCase()
    const amount = gatewayAmountFor(GATEWAY, input.amount, currency)
    const returnUrl = resolveReturnUrl(GATEWAY, input.data?.return_url, this.options)
    const buyer = readBuyer(input.data, input.context)
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
      // The storefront learns which page the buyer came back from; it still has to ask Medusa for the truth.
      parameters: {
        returnUrlSuccess: withQuery(returnUrl, { status: "success" }),
        returnUrlFailed: withQuery(returnUrl, { status: "failed" }),
        returnUrlCancelled: withQuery(returnUrl, { status: "cancelled" }),
        webhookUrl: this.options.webhookUrl,
      },
    })
    const job = answer.data
    const checkoutUrl = answer.links?.action?.url
    if (!checkoutUrl) {
      throw gatewayError(GATEWAY, "create payment job", { message: `payment job ${job.reference} came back without links.action.url` })
    }
    const data: CashflowsSessionData = {
      session_id: sessionId,
      checkout_url: checkoutUrl,
      amount,
      currency_code: currency,
      return_url: returnUrl,
      payment_job_reference: job.reference,
      payment_reference: job.payments?.[0]?.reference ?? null,
      cashflows_status: job.paymentStatus,
    }
    return { id: job.reference, status: PaymentSessionStatus.PENDING, data }
  }

  /** A new amount or currency gets a new job; the old one is cancelled first so it cannot be paid at the old amount. */
  async updatePayment(input: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    const current = input.data as Partial<CashflowsSessionData> | undefined
    const currency = input.currency_code.toLowerCase()
    if (
      current?.payment_job_reference &&
      current.currency_code === currency &&
      current.amount === gatewayAmountFor(GATEWAY, input.amount, currency)
    ) {
      return { data: current }
    }
    if (current?.payment_job_reference) {
      await this.closeJob(current as CashflowsSessionData, "update")
    }
    const created = await this.initiatePayment({ ...input, data: { ...input.data, return_url: current?.return_url ?? input.data?.return_url } })
    return { status: created.status, data: created.data }
  }

  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    const data = input.data as Partial<CashflowsSessionData> | undefined
    if (data?.payment_job_reference) {
      await this.closeJob(data as CashflowsSessionData, "delete")
    }
    return { data: input.data }
  }

  async cancelPayment(input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    const data = input.data as Partial<CashflowsSessionData> | undefined
    if (data?.payment_job_reference) {
      await this.closeJob(data as CashflowsSessionData, "cancel")
    }
    return { data: input.data }
  }

  /**
   * Asks Cashflows: captured when paid, authorized when reserved, each only for exactly the session's
   * amount and currency. With `autoCapture`, a reservation is captured here and reported captured.
   */
  async authorizePayment(input: AuthorizePaymentInput): Promise<AuthorizePaymentOutput> {
    const current = await this.currentStatus(input.data)
    if (current.status === PaymentSessionStatus.AUTHORIZED && this.options.autoCapture) {
      return { status: PaymentSessionStatus.CAPTURED, data: await this.captureReservation(current.data) }
    }
    return current
  }

  async getPaymentStatus(input: GetPaymentStatusInput): Promise<GetPaymentStatusOutput> {
    return this.currentStatus(input.data)
  }

  async retrievePayment(input: RetrievePaymentInput): Promise<RetrievePaymentOutput> {
    const { data } = await this.currentStatus(input.data)
    return { data }
  }

  /** Captures the reservation in full (reserve mode); a payment Cashflows already shows as paid is done. */
  async capturePayment(input: CapturePaymentInput): Promise<CapturePaymentOutput> {
    const { status, data } = await this.currentStatus(input.data)
    if (status === PaymentSessionStatus.CAPTURED) {
      return { data }
    }
    if (status !== PaymentSessionStatus.AUTHORIZED) {
      throw invalidData(GATEWAY, `payment job ${data.payment_job_reference} is ${data.cashflows_status}: there is no reservation to capture`)
    }
    return { data: await this.captureReservation(data) }
  }

  /** Refunds the requested amount of the paying payment; a payment Cashflows shows as fully refunded counts as refunded. */
  async refundPayment(input: RefundPaymentInput): Promise<RefundPaymentOutput> {
    const stored = storedSession<CashflowsSessionData>(GATEWAY, input.data, "payment_job_reference")
    const amount = gatewayAmountFor(GATEWAY, input.amount, stored.currency_code)
    const session = stored.payment_reference ? stored : (await this.currentStatus(stored)).data
    const paymentReference = session.payment_reference
    if (!paymentReference) {
      throw invalidData(GATEWAY, `payment job ${session.payment_job_reference} has no payment to refund`)
    }
    // Medusa's refund id: Cashflows shows it with the refund, so the two can be matched.
    const refundNumber = String(input.context?.idempotency_key ?? `${session.session_id}-${Date.now()}`)
    try {
      const refund = await this.client.refundPayment(session.payment_job_reference, paymentReference, { amountToRefund: amount, refundNumber })
      this.logger.info(
        `${GATEWAY}: refund ${refund.data.reference ?? refundNumber} of ${amount} ${session.currency_code.toUpperCase()} ` +
          `on payment ${paymentReference} is ${refund.data.status ?? "accepted"}`
      )
    } catch (error) {
      if (!(await this.isFullyRefunded(session.payment_job_reference, paymentReference))) {
        throw error
      }
      this.logger.info(`${GATEWAY}: payment ${paymentReference} is already fully refunded; treating the refund as done`)
    }
    return { data: session }
  }

  /**
   * Cashflows' notification is unsigned, so it is only a hint: the payment job is fetched over the signed
   * API, and only a job that holds the notified payment and was made for a Medusa session yields an
   * action. Anything else is `not_supported` and changes nothing. A Cashflows that cannot be reached
   * throws, so that the caller retries.
   */
  async getWebhookActionAndData(payload: ProviderWebhookPayload["payload"]): Promise<WebhookActionResult> {
    const reading = readCashflowsNotification(payload)
    if (!reading.ok) {
      this.logger.warn(`${GATEWAY} notification rejected: ${reading.reason}`)
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    const { notification } = reading
    const job = await this.client.retrievePaymentJob(notification.paymentJobReference)
    if (!job) {
      this.logger.warn(`${GATEWAY} notification rejected: Cashflows does not know payment job ${notification.paymentJobReference}`)
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    const match = matchNotification(notification, job)
    if (!match.matched) {
      this.logger.warn(`${GATEWAY} notification rejected: ${match.reason}`)
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    const { status, payment } = this.statusOf(job)
    // The amount is what Cashflows collected; authorizePayment asks again and compares it with the session.
    return {
      action: webhookActionFor(status),
      data: { session_id: match.sessionId, amount: String(payment?.amountToCollect ?? job.amountToCollect) },
    }
  }

  /** Cashflows' word on the session, with the amount check applied. */
  private async currentStatus(raw: Record<string, unknown> | undefined): Promise<{ status: PaymentSessionStatus; data: CashflowsSessionData }> {
    const session = storedSession<CashflowsSessionData>(GATEWAY, raw, "payment_job_reference")
    const job = await this.client.retrievePaymentJob(session.payment_job_reference)
    if (!job) {
      throw gatewayError(GATEWAY, "retrieve payment job", { status: 404, message: `Cashflows does not know payment job ${session.payment_job_reference}` })
    }
    const { status, payment } = this.statusOf(job)
    const guarded =
      job.order?.orderNumber && job.order.orderNumber !== session.session_id
        ? this.foreignJob(job, session)
        : guardPaidAmount({
            gateway: GATEWAY,
            logger: this.logger,
            status,
            paid: { amount: payment?.amountToCollect ?? job.amountToCollect, currency: job.currency },
            session,
            reference: `payment job ${job.reference}`,
          })
    return {
      status: guarded,
      data: {
        ...session,
        payment_reference: payment?.reference ?? session.payment_reference ?? null,
        cashflows_status: payment?.status ?? job.paymentStatus,
      },
    }
  }

  private foreignJob(job: CashflowsPaymentJob, session: CashflowsSessionData): PaymentSessionStatus {
    this.logger.error(`${GATEWAY}: payment job ${job.reference} belongs to order ${job.order?.orderNumber}, not to session ${session.session_id}`)
    return PaymentSessionStatus.ERROR
  }

  /**
   * A paid payment decides (a buyer may have retried after a decline, adding payments to the job), then a
   * reserved one, then the job's own status.
   */
  private statusOf(job: CashflowsPaymentJob): JobStatus {
    const payments = job.payments ?? []
    for (const payment of payments) {
      if (!paymentStatus(payment.status).known) {
        this.logger.warn(`${GATEWAY}: unknown payment status "${payment.status}" on payment ${payment.reference}, treated as pending`)
      }
    }
    for (const wanted of [PaymentSessionStatus.CAPTURED, PaymentSessionStatus.AUTHORIZED]) {
      const payment = payments.find((p) => paymentStatus(p.status).status === wanted)
      if (payment) {
        return { status: wanted, payment }
      }
    }
    const mapped = paymentStatus(job.paymentStatus)
    if (!mapped.known) {
      this.logger.warn(`${GATEWAY}: unknown payment job status "${job.paymentStatus}" on ${job.reference}, treated as pending`)
    }
    return { status: mapped.status, payment: payments[payments.length - 1] }
  }

  /** Captures the reserved amount; if Cashflows refuses because the payment is already paid, that is done too. */
  private async captureReservation(session: CashflowsSessionData): Promise<CashflowsSessionData> {
    const paymentReference = session.payment_reference
    if (!paymentReference) {
      throw invalidData(GATEWAY, `payment job ${session.payment_job_reference} has no reserved payment to capture`)
    }
    try {
      const capture = await this.client.capturePayment(session.payment_job_reference, paymentReference, session.amount)
      if (capture.data.status && /fail/i.test(capture.data.status)) {
        throw gatewayError(GATEWAY, "capture", { message: `capture of payment ${paymentReference} is ${capture.data.status}` })
      }
    } catch (error) {
      const { status } = await this.currentStatus(session)
      if (status !== PaymentSessionStatus.CAPTURED) {
        throw error
      }
      this.logger.info(`${GATEWAY}: payment ${paymentReference} is already captured; treating the capture as done`)
    }
    return session
  }

  private async isFullyRefunded(jobReference: string, paymentReference: string): Promise<boolean> {
    const job = await this.client.retrievePaymentJob(jobReference)
    const payment = job?.payments?.find((p) => p.reference === paymentReference)
    const paid = payment?.amountToCollect ?? job?.amountToCollect
    if (!payment || paid === undefined || paid === null) {
      return false
    }
    const refunded = (payment.refunds ?? [])
      .filter((r) => refundCounts(r.status))
      .reduce((sum, r) => MathBN.add(sum, MathBN.convert(String(r.amountToRefund))), MathBN.convert(0))
    return MathBN.gte(refunded, MathBN.convert(String(paid)))
  }

  /** Cancels a pending job so its page cannot be paid; a paid or closed one stays, and the log says so. */
  private async closeJob(session: CashflowsSessionData, why: string): Promise<void> {
    try {
      await this.client.cancelPaymentJob(session.payment_job_reference)
    } catch (error) {
      const job = await this.client.retrievePaymentJob(session.payment_job_reference)
      if (!job) {
        this.logger.info(`${GATEWAY}: payment job ${session.payment_job_reference} was already gone (${why})`)
        return
      }
      const { status } = this.statusOf(job)
      if (status === PaymentSessionStatus.PENDING) {
        throw error
      }
      const paid = status === PaymentSessionStatus.CAPTURED || status === PaymentSessionStatus.AUTHORIZED
      this.logger.warn(
        `${GATEWAY}: payment job ${job.reference} for session ${session.session_id} is already ${job.paymentStatus}; ` +
          `it was not cancelled (${why})` +
          (paid ? ": the buyer has paid, so refund (or release) it if the order will not go ahead" : "")
      )
    }
  }
}

export default CashflowsProviderService
