import { isIP } from "node:net"
import { invalidData, notAllowed } from "../../lib/errors"
import {
  ConnectionSetup,
  CreatedPage,
  GatewayStatus,
  HostedCradle,
  HostedPaymentProvider,
  PageRequest,
  PROBE_REFERENCE,
} from "../../lib/hosted-provider"
import { sameAmount, sameCurrency } from "../../lib/money"
import type { RawWebhook } from "../../lib/webhook"
import { CatalystPayClient, CatalystPayCreateSession, leadOf } from "./client"
import {
  CATALYSTPAY_BASE_URLS,
  CATALYSTPAY_GATEWAY,
  CatalystPayOptions,
  CatalystPaySessionData,
  catalystpayMode,
  parseCatalystPayOptions,
} from "./schemas"
import { catalystpaySessionStatus } from "./status"
import { verifyCatalystPayWebhook } from "./webhook"

export type { CatalystPaySessionData }

/**
 * CatalystPay: a payment session per Medusa session, paid by SEPA direct debit on its `payment_url`. It takes
 * no merchant reference and no return URL; its webhooks are signed over Python's canonical JSON, and name the
 * session token. It has no endpoint to close a session, cancel a collected debit or refund.
 */
export class CatalystPayProviderService extends HostedPaymentProvider<CatalystPayOptions, CatalystPaySessionData> {
  static identifier = "catalystpay"

  static validateOptions(options: Record<string, unknown>): void {
    parseCatalystPayOptions(options)
  }

  protected readonly client: CatalystPayClient

  constructor(cradle: HostedCradle, options: Record<string, unknown>) {
    const parsed = parseCatalystPayOptions(options)
    super(cradle, parsed, CATALYSTPAY_GATEWAY)
    this.client = new CatalystPayClient({
      apiKey: parsed.options.apiKey,
      baseUrl: parsed.options.apiBaseUrl ?? CATALYSTPAY_BASE_URLS[parsed.options.environment],
      timeoutMs: parsed.options.timeoutMs,
    })
  }

  /**
   * `POST /payment-sessions/`. In campaign mode the campaign sets the price, so the session is only handed out
   * when CatalystPay charges the cart's amount.
   */
  protected async createPage({ amount, currency, buyer }: PageRequest): Promise<CreatedPage> {
    const mode = catalystpayMode(this.options)
    const created = await this.client.createSession({
      ...this.pricing(mode, amount, currency),
      lead: leadOf(buyer),
      max_payment_attempts: this.options.maxPaymentAttempts,
      webhook_profile_id: this.options.webhookProfileId,
      customer_ip: buyer.customer_ip && isIP(buyer.customer_ip) ? buyer.customer_ip : undefined,
    })
    if (mode === "campaign") {
      await this.ensureCampaignCharges(created.session_token, amount, currency)
    }
    return {
      checkoutUrl: created.payment_url,
      gatewayReference: created.session_token,
      gatewayStatus: created.status,
      data: { mode },
    }
  }

  protected connection(): ConnectionSetup {
    const { apiBaseUrl, environment } = this.options
    return {
      baseUrl: apiBaseUrl ?? CATALYSTPAY_BASE_URLS[environment],
      overridden: !!apiBaseUrl && apiBaseUrl !== CATALYSTPAY_BASE_URLS[environment],
      probe: {
        call: "GET /payment-sessions/{token}/ for a session that does not exist",
        run: () => this.client.getSession(PROBE_REFERENCE),
      },
    }
  }

  protected async fetchStatus(session: CatalystPaySessionData): Promise<GatewayStatus> {
    return catalystpaySessionStatus(await this.client.getSession(session.gateway_reference))
  }

  protected async verifyWebhook(payload: RawWebhook) {
    return verifyCatalystPayWebhook(payload, this.options.webhookSecret)
  }

  /** CatalystPay has no endpoint to close a session: a replaced or deleted one stays payable until it expires. */
  protected async closePage(session: CatalystPaySessionData, why: string): Promise<void> {
    this.logger.info(
      `CatalystPay: session ${session.gateway_reference} left to expire unpaid (${why}); CatalystPay cannot close it`
    )
  }

  /**
   * Nothing to call: CatalystPay's API cannot cancel a session, and the core has already refused to cancel
   * a collected debit or one under way. An unpaid session expires.
   */
  protected async cancelPage(data: CatalystPaySessionData): Promise<CatalystPaySessionData> {
    this.logger.info(
      `CatalystPay: session ${data.gateway_reference} is ${data.gateway_status}; nothing to cancel, an unpaid session expires`
    )
    return data
  }

  /** CatalystPay offers merchants no refund endpoint: refuse, and say where the refund is made. */
  protected async refundPage(session: CatalystPaySessionData, amount: string): Promise<CatalystPaySessionData> {
    throw notAllowed(
      "CatalystPay",
      `refunds cannot be made through CatalystPay's API. Refund ${amount} ${session.currency_code.toUpperCase()} of ` +
        `payment session ${session.gateway_reference} in the CatalystPay dashboard (it appears there as an sdd_refund ` +
        `transaction); nothing was refunded`
    )
  }

  /** Campaign mode: the campaign prices the session; a cart at another price is refused, not charged wrongly. */
  private async ensureCampaignCharges(token: string, amount: string, currency: string): Promise<void> {
    const session = await this.client.getSession(token)
    if (sameAmount(session.amount, amount, currency) && sameCurrency(session.currency, currency)) {
      return
    }
    throw invalidData(
      "CatalystPay",
      `campaign ${this.options.campaignId} charges ${String(session.amount)} ${String(session.currency).toUpperCase()}, ` +
        `but the cart is ${amount} ${currency.toUpperCase()}. In campaign mode the campaign fixes the price, so this ` +
        `cart cannot be paid through it; use direct mode (gatewayId) for carts of any amount. Session ${token} was not handed out`
    )
  }

  /** Campaign mode sends the campaign (and a gateway override, if set); direct mode the cart's own price. */
  private pricing(
    mode: "campaign" | "direct",
    amount: string,
    currency: string
  ): Omit<CatalystPayCreateSession, "lead"> {
    if (mode === "campaign") {
      return { campaign_id: this.options.campaignId, gateway_id: this.options.gatewayId }
    }
    return { gateway_id: this.options.gatewayId, amount, currency: currency.toUpperCase(), billing_type: "ONE_OFF" }
  }
}

export default CatalystPayProviderService
