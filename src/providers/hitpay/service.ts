import type { PaymentProviderContext } from "@medusajs/framework/types"
import { fullName } from "../../lib/buyer"
import { invalidData } from "../../lib/errors"
import {
  CreatedPage,
  GatewayMoney,
  GatewayStatus,
  ConnectionSetup,
  HostedCradle,
  HostedPaymentProvider,
  PageRequest,
  PROBE_REFERENCE,
} from "../../lib/hosted-provider"
import type { RawWebhook } from "../../lib/webhook"
import { HitPayClient } from "./client"
import {
  dropInMissing,
  HITPAY_BASE_URLS,
  HITPAY_GATEWAY,
  HITPAY_PRESENTATIONS,
  HitPayOptions,
  HitPaySessionData,
  parseHitPayOptions,
} from "./schemas"
import { paymentRequestStatus } from "./status"
import { verifyHitPayWebhook } from "./webhook"

export type { HitPaySessionData }

/**
 * HitPay: a payment request per session; the buyer pays on its `url`; HitPay captures at payment and
 * signs its webhooks (v1 `hmac` field, v2 `Hitpay-Signature` header).
 */
export class HitPayProviderService extends HostedPaymentProvider<HitPayOptions, HitPaySessionData> {
  static identifier = "hitpay"

  static validateOptions(options: Record<string, unknown>): void {
    parseHitPayOptions(options)
  }

  protected readonly client: HitPayClient

  constructor(cradle: HostedCradle, options: Record<string, unknown>) {
    const parsed = parseHitPayOptions(options)
    super(cradle, parsed, HITPAY_GATEWAY)
    this.client = new HitPayClient({
      apiKey: parsed.options.apiKey,
      baseUrl: parsed.options.apiBaseUrl ?? HITPAY_BASE_URLS[parsed.options.environment],
      timeoutMs: parsed.options.timeoutMs,
    })
  }

  protected connection(): ConnectionSetup {
    const { apiBaseUrl, environment } = this.options
    return {
      baseUrl: apiBaseUrl ?? HITPAY_BASE_URLS[environment],
      overridden: !!apiBaseUrl && apiBaseUrl !== HITPAY_BASE_URLS[environment],
      probe: {
        call: "GET /payment-requests/{id} for an id that does not exist",
        run: () => this.client.getPaymentRequest(PROBE_REFERENCE),
      },
    }
  }

  /** PayNow QR only where the store lets HitPay take PayNow (`paymentMethods` empty, or listing `paynow_online`). */
  protected presentations() {
    const methods = this.options.paymentMethods
    const paynow = methods.length === 0 || methods.includes("paynow_online")
    return {
      offered: HITPAY_PRESENTATIONS.filter((p) => p !== "qr" || paynow),
      default: this.options.presentation,
    }
  }

  /**
   * `POST /payment-requests` with our session id as `reference_number`. For a PayNow QR code, only `paynow_online`
   * with `generate_qr` (HitPay's guide); for the Drop-In UI, the request as for a redirect, and the two values the
   * drop-in takes.
   */
  protected async createPage({
    sessionId,
    amount,
    currency,
    returnUrl,
    buyer,
    presentation,
  }: PageRequest): Promise<CreatedPage> {
    const missing = presentation === "dropin" ? dropInMissing(this.options) : undefined
    if (missing) throw invalidData("HitPay", `the Drop-In UI is not set up: ${missing}`)
    const qr = presentation === "qr"
    if (qr && currency !== "sgd") {
      // PayNow is Singapore's: it moves Singapore dollars only.
      throw invalidData("HitPay", `a PayNow QR code takes SGD only; this payment is in ${currency.toUpperCase()}`)
    }
    const request = await this.client.createPaymentRequest({
      amount,
      currency: currency.toUpperCase(),
      reference_number: sessionId,
      redirect_url: returnUrl ?? "",
      webhook: this.options.webhookUrl,
      purpose: this.options.description,
      email: buyer.email,
      name: fullName(buyer),
      phone: buyer.phone,
      payment_methods: qr ? ["paynow_online"] : this.options.paymentMethods,
      expires_after: this.options.expiresAfter,
      send_email: this.options.sendEmail,
      generate_qr: qr || undefined,
    })
    if (!request.url) {
      throw invalidData("HitPay", `payment request ${request.id} came back without a checkout url`)
    }
    const qrCode = request.qr_code_data?.qr_code
    if (qr && !qrCode) {
      throw invalidData("HitPay", `payment request ${request.id} came back without qr_code_data.qr_code (generate_qr)`)
    }
    return {
      checkoutUrl: request.url,
      gatewayReference: request.id,
      gatewayStatus: request.status,
      data: {
        ...(qr ? { qr_code: qrCode } : {}),
        ...(presentation === "dropin"
          ? {
              drop_in: {
                default_link: this.options.dropInDefaultLink,
                payment_request_id: request.id,
                script_url: this.options.dropInScriptUrl,
              },
            }
          : {}),
      },
    }
  }

  protected async fetchStatus(session: HitPaySessionData): Promise<GatewayStatus> {
    return paymentRequestStatus(await this.client.getPaymentRequest(session.gateway_reference), session.session_id)
  }

  protected async verifyWebhook(payload: RawWebhook) {
    return verifyHitPayWebhook(payload, { v1: this.options.salt, v2: this.options.v2WebhookSalt ?? this.options.salt })
  }

  /** `POST /refund` with the charge id and the amount (the core checks HitPay's refunds before and after). */
  protected async refundPage(session: HitPaySessionData, amount: string, _context?: PaymentProviderContext) {
    const paymentId = await this.paidCharge(session)
    const answer = await this.client.refund(paymentId, amount)
    const refunded = `${answer.amount_refunded} ${session.currency_code.toUpperCase()}`
    this.logger.info(`HitPay: refunded ${refunded} of charge ${paymentId} (refund ${answer.id})`)
    return { ...session, gateway_payment_reference: paymentId }
  }

  /** The paid charge's `refunded_amount`, from the payment request's `payments[]`. */
  protected async moneyAtGateway(session: HitPaySessionData): Promise<GatewayMoney> {
    const request = await this.client.getPaymentRequest(session.gateway_reference)
    const paid = paymentRequestStatus(request).gatewayPaymentReference
    const id = session.gateway_payment_reference ?? paid
    const charge = request.payments?.find((p) => p.id === id)
    return {
      refunded: charge ? (charge.refunded_amount ?? null)?.toString() : null,
      describe: `charge ${id ?? "?"} of payment request ${session.gateway_reference}`,
    }
  }

  private async paidCharge(session: HitPaySessionData): Promise<string> {
    const paymentId =
      session.gateway_payment_reference ?? (await this.currentStatus(session)).data.gateway_payment_reference
    if (!paymentId) {
      throw invalidData("HitPay", `payment request ${session.gateway_reference} has no paid charge to refund`)
    }
    return paymentId
  }

  /** `DELETE /payment-requests/{id}`; a request already gone is fine, a completed one stays and the log says so. */
  protected async closePage(session: HitPaySessionData, why: string): Promise<void> {
    await this.closeOrExplain(session, why, "deleted", async () => {
      const { status } = await this.client.deletePaymentRequest(session.gateway_reference)
      if (status === 404) {
        this.logger.info(`HitPay: payment request ${session.gateway_reference} was already gone (${why})`)
      }
    })
  }
}

export default HitPayProviderService
