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
import { AbstractPaymentProvider, PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import { fullName, readBuyer } from "../../lib/buyer"
import { invalidData } from "../../lib/errors"
import { gatewayAmountFor } from "../../lib/money"
import { resolveReturnUrl } from "../../lib/return-urls"
import {
  guardPaidAmount,
  HppSessionData,
  isMedusaSessionId,
  sessionIdOf,
  storedSession,
  webhookActionFor,
} from "../../lib/session"
import { HitPayClient } from "./client"
import { HITPAY_BASE_URLS, HitPayOptions, HitPayPaymentRequest, parseHitPayOptions } from "./schemas"
import { chargeStatus, requestStatus } from "./status"
import { verifyHitPayWebhook } from "./webhook"

const GATEWAY = "HitPay"

export type HitPaySessionData = HppSessionData & {
  /** HitPay's payment request id. */
  payment_request_id: string
  /** The charge that paid the request: what a refund names. */
  payment_id: string | null
  /** The payment request's status when last asked. */
  hitpay_status: string
}

type Cradle = { logger: Logger }

export class HitPayProviderService extends AbstractPaymentProvider<HitPayOptions> {
  static identifier = "hitpay"

  static validateOptions(options: Record<string, unknown>): void {
    parseHitPayOptions(options)
  }

  protected readonly options: HitPayOptions
  protected readonly client: HitPayClient
  protected readonly logger: Logger

  constructor(cradle: Cradle, options: Record<string, unknown>) {
    const parsed = parseHitPayOptions(options)
    super(cradle, parsed)
    this.options = parsed
    this.logger = cradle.logger
    this.client = new HitPayClient({
      apiKey: parsed.apiKey,
      baseUrl: parsed.apiBaseUrl ?? HITPAY_BASE_URLS[parsed.environment],
      timeoutMs: parsed.timeoutMs,
    })
  }

  /** Creates a HitPay payment request for the session; the buyer pays on its `url`. */
  async initiatePayment(input: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    const sessionId = sessionIdOf(GATEWAY, input)
    const currency = input.currency_code.toLowerCase()
    const amount = gatewayAmountFor(GATEWAY, input.amount, currency)
    const returnUrl = resolveReturnUrl(GATEWAY, input.data?.return_url, this.options)
    const buyer = readBuyer(input.data, input.context)

    const request = await this.client.createPaymentRequest({
      amount,
      currency: currency.toUpperCase(),
      reference_number: sessionId,
      redirect_url: returnUrl,
      webhook: this.options.webhookUrl,
      purpose: this.options.purpose,
      email: buyer.email,
      name: fullName(buyer),
      phone: buyer.phone,
      payment_methods: this.options.paymentMethods,
      expires_after: this.options.expiresAfter,
      send_email: this.options.sendEmail,
    })
    if (!request.url) {
      throw invalidData(GATEWAY, `payment request ${request.id} came back without a checkout url`)
    }
    const data: HitPaySessionData = {
      session_id: sessionId,
      checkout_url: request.url,
      amount,
      currency_code: currency,
      return_url: returnUrl,
      payment_request_id: request.id,
      payment_id: null,
      hitpay_status: request.status,
    }
    return { id: request.id, status: PaymentSessionStatus.PENDING, data }
  }

  /**
   * A new amount or currency gets a new payment request, and the old one is deleted first so its page
   * cannot be paid at the old amount.
   */
  async updatePayment(input: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    const current = input.data as Partial<HitPaySessionData> | undefined
    const currency = input.currency_code.toLowerCase()
    if (
      current?.payment_request_id &&
      current.currency_code === currency &&
      current.amount === gatewayAmountFor(GATEWAY, input.amount, currency)
    ) {
      return { data: current }
    }
    if (current?.payment_request_id) {
      await this.closeRequest(current as HitPaySessionData, "update")
    }
    const created = await this.initiatePayment({ ...input, data: { ...input.data, return_url: current?.return_url ?? input.data?.return_url } })
    return { status: created.status, data: created.data }
  }

  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    const data = input.data as Partial<HitPaySessionData> | undefined
    if (data?.payment_request_id) {
      await this.closeRequest(data as HitPaySessionData, "delete")
    }
    return { data: input.data }
  }

  async cancelPayment(input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    const data = input.data as Partial<HitPaySessionData> | undefined
    if (data?.payment_request_id) {
      await this.closeRequest(data as HitPaySessionData, "cancel")
    }
    return { data: input.data }
  }

  /** Asks HitPay; captured only when the request is completed for exactly the session's amount. */
  async authorizePayment(input: AuthorizePaymentInput): Promise<AuthorizePaymentOutput> {
    return this.currentStatus(input.data)
  }

  async getPaymentStatus(input: GetPaymentStatusInput): Promise<GetPaymentStatusOutput> {
    return this.currentStatus(input.data)
  }

  async retrievePayment(input: RetrievePaymentInput): Promise<RetrievePaymentOutput> {
    const { data } = await this.currentStatus(input.data)
    return { data }
  }

  /** HitPay captures when the buyer pays: there is nothing to capture, and no second charge is made. */
  async capturePayment(input: CapturePaymentInput): Promise<CapturePaymentOutput> {
    return { data: input.data }
  }

  /** `POST /refund` with the charge id and the requested amount; a charge HitPay already shows as refunded is success. */
  async refundPayment(input: RefundPaymentInput): Promise<RefundPaymentOutput> {
    const session = storedSession<HitPaySessionData>(GATEWAY, input.data, "payment_request_id")
    const amount = gatewayAmountFor(GATEWAY, input.amount, session.currency_code)
    let paymentId = session.payment_id
    if (!paymentId) {
      paymentId = (await this.currentStatus(session)).data.payment_id
    }
    if (!paymentId) {
      throw invalidData(GATEWAY, `payment request ${session.payment_request_id} has no paid charge to refund`)
    }
    try {
      const refund = await this.client.refund(paymentId, amount)
      this.logger.info(`${GATEWAY}: refunded ${refund.amount_refunded} ${session.currency_code.toUpperCase()} of charge ${paymentId} (refund ${refund.id})`)
    } catch (error) {
      const request = await this.client.getPaymentRequest(session.payment_request_id)
      const charge = request.payments?.find((p) => p.id === paymentId)
      if (charge?.status !== "refunded") {
        throw error
      }
      this.logger.info(`${GATEWAY}: charge ${paymentId} is already fully refunded; treating the refund as done`)
    }
    return { data: { ...session, payment_id: paymentId } }
  }

  /**
   * Verifies the signature (v1 `hmac` field or v2 `Hitpay-Signature` header) before reading anything.
   * A bad signature, or a reference that is not a Medusa session, is `not_supported` and changes nothing.
   */
  async getWebhookActionAndData(payload: ProviderWebhookPayload["payload"]): Promise<WebhookActionResult> {
    const result = verifyHitPayWebhook(payload, {
      v1: this.options.salt,
      v2: this.options.v2WebhookSalt ?? this.options.salt,
    })
    if (!result.verified) {
      this.logger.warn(`${GATEWAY} webhook rejected: ${result.reason}`)
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    if ("ignored" in result) {
      this.logger.info(`${GATEWAY} webhook ignored: ${result.ignored}`)
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    const { webhook } = result
    if (!isMedusaSessionId(webhook.referenceNumber)) {
      this.logger.info(
        `${GATEWAY} webhook for payment request ${webhook.paymentRequestId} ignored: its reference is not a Medusa payment session`
      )
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    const mapped = requestStatus(webhook.status)
    if (!mapped.known) {
      this.logger.warn(`${GATEWAY} webhook: unknown payment request status "${webhook.status}", treated as pending`)
    }
    // The amount is only a hint for Medusa; authorizePayment asks HitPay and compares it with the session.
    return {
      action: webhookActionFor(mapped.status),
      data: { session_id: webhook.referenceNumber, amount: String(webhook.amount) },
    }
  }

  /** HitPay's word on the session, with the amount check applied. */
  private async currentStatus(raw: Record<string, unknown> | undefined): Promise<{ status: PaymentSessionStatus; data: HitPaySessionData }> {
    const session = storedSession<HitPaySessionData>(GATEWAY, raw, "payment_request_id")
    const request = await this.client.getPaymentRequest(session.payment_request_id)
    const { status, charge } = this.statusOf(request)
    const guarded = guardPaidAmount({
      gateway: GATEWAY,
      logger: this.logger,
      status,
      paid: { amount: charge?.amount ?? request.amount, currency: charge?.currency ?? request.currency },
      session,
      reference: `payment request ${request.id}`,
    })
    return {
      status: guarded,
      data: { ...session, payment_id: charge?.id ?? session.payment_id ?? null, hitpay_status: request.status },
    }
  }

  /** The request's status decides; a succeeded charge on a request HitPay has not yet closed counts as paid. */
  private statusOf(request: HitPayPaymentRequest) {
    const mapped = requestStatus(request.status)
    if (!mapped.known) {
      this.logger.warn(`${GATEWAY}: unknown payment request status "${request.status}" on ${request.id}, treated as pending`)
    }
    const charges = request.payments ?? []
    for (const charge of charges) {
      if (!chargeStatus(charge.status).known) {
        this.logger.warn(`${GATEWAY}: unknown charge status "${charge.status}" on ${charge.id}, treated as pending`)
      }
    }
    const paid = charges.find((c) => chargeStatus(c.status).status === PaymentSessionStatus.CAPTURED)
    const status = mapped.status === PaymentSessionStatus.PENDING && paid ? PaymentSessionStatus.CAPTURED : mapped.status
    return { status, charge: paid }
  }

  /** Deletes a payment request so its page cannot be paid; a completed one stays, and the log says so. */
  private async closeRequest(session: HitPaySessionData, why: string): Promise<void> {
    try {
      const { status } = await this.client.deletePaymentRequest(session.payment_request_id)
      if (status === 404) {
        this.logger.info(`${GATEWAY}: payment request ${session.payment_request_id} was already gone (${why})`)
      }
    } catch (error) {
      const request = await this.client.getPaymentRequest(session.payment_request_id)
      if (requestStatus(request.status).status === PaymentSessionStatus.PENDING) {
        throw error
      }
      this.logger.warn(
        `${GATEWAY}: payment request ${request.id} for session ${session.session_id} is already ${request.status}; ` +
          `it was not deleted (${why})` +
          (request.status === "completed" ? ": the buyer has paid, so refund it in Medusa if the order will not go ahead" : "")
      )
    }
  }
}

export default HitPayProviderService
