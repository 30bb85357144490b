import { isIP } from "node:net"
import type {
  AuthorizePaymentInput,
  AuthorizePaymentOutput,
  BigNumberInput,
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
import { Buyer, readBuyer } from "../../lib/buyer"
import { invalidData, notAllowed } from "../../lib/errors"
import { currencyExponent, gatewayAmountFor, sameAmount, sameCurrency } from "../../lib/money"
import { resolveReturnUrl } from "../../lib/return-urls"
import {
  guardPaidAmount,
  HppSessionData,
  isMedusaSessionId,
  sessionIdOf,
  storedSession,
  webhookActionFor,
} from "../../lib/session"
import { CatalystPayClient, CatalystPayCreateSession, CatalystPayLead } from "./client"
import { CATALYSTPAY_BASE_URLS, CatalystPayOptions, catalystpayMode, parseCatalystPayOptions } from "./schemas"
import { sessionStatus } from "./status"
import { verifyCatalystPayWebhook } from "./webhook"

const GATEWAY = "CatalystPay"

export type CatalystPaySessionData = Omit<HppSessionData, "return_url"> & {
  /**
   * The storefront's `return_url`, allow-listed, or null. CatalystPay takes no return URL per session:
   * the buyer goes to the hosted page's success / failure redirect URLs set in CatalystPay.
   */
  return_url: string | null
  /** CatalystPay's session token (`ps_...`): the reference for every later call and in webhooks. */
  session_token: string
  /** The session's CatalystPay status when last asked. */
  catalystpay_status: string
  mode: "campaign" | "direct"
}

/** The part of Medusa's payment session store the webhook needs: find a session by its stored data. */
type PaymentSessionStore = {
  list(
    filters: Record<string, unknown>,
    config?: Record<string, unknown>
  ): Promise<{ id: string; provider_id: string; data: Record<string, unknown> | null }[]>
}

/**
 * The payment module's container. Besides the logger it holds the module's own payment session
 * service, which is how a webhook that names only CatalystPay's session token finds the Medusa session.
 */
type Cradle = { logger: Logger; paymentSessionService?: PaymentSessionStore }

export class CatalystPayProviderService extends AbstractPaymentProvider<CatalystPayOptions> {
  static identifier = "catalystpay"

  static validateOptions(options: Record<string, unknown>): void {
    parseCatalystPayOptions(options)
  }

  protected readonly options: CatalystPayOptions
  protected readonly client: CatalystPayClient
  protected readonly logger: Logger
  private readonly cradle: Cradle

  constructor(cradle: Cradle, options: Record<string, unknown>) {
    const parsed = parseCatalystPayOptions(options)
    super(cradle, parsed)
    this.options = parsed
    this.cradle = cradle
    this.logger = cradle.logger
    this.client = new CatalystPayClient({
      apiKey: parsed.apiKey,
      baseUrl: parsed.apiBaseUrl ?? CATALYSTPAY_BASE_URLS[parsed.environment],
      timeoutMs: parsed.timeoutMs,
    })
  }

  /**
   * Creates a CatalystPay payment session; the buyer pays on its `payment_url`. In campaign mode the
   * campaign sets the price, so the session is only handed out when CatalystPay charges the cart's amount.
   */
  async initiatePayment(input: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    const sessionId = sessionIdOf(GATEWAY, input)
    const currency = input.currency_code.toLowerCase()
    const amount = this.gatewayAmount(input.amount, currency)
    const returnUrl = this.returnUrl(input.data?.return_url)
    const buyer = readBuyer(input.data, input.context)
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
    const data: CatalystPaySessionData = {
      session_id: sessionId,
      checkout_url: created.payment_url,
      amount,
      currency_code: currency,
      return_url: returnUrl,
      session_token: created.session_token,
      catalystpay_status: created.status,
      mode,
    }
    return { id: created.session_token, status: PaymentSessionStatus.PENDING, data }
  }

  /**
   * A new amount or currency gets a new session. CatalystPay has no endpoint to close the old one: it
   * stays payable until it expires, and a payment on it matches no live Medusa session (see the webhook).
   */
  async updatePayment(input: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    const current = input.data as Partial<CatalystPaySessionData> | undefined
    const currency = input.currency_code.toLowerCase()
    if (current?.session_token && current.currency_code === currency && current.amount === this.gatewayAmount(input.amount, currency)) {
      return { data: current }
    }
    if (current?.session_token) {
      this.logger.info(`${GATEWAY}: session ${current.session_token} replaced after a cart change; it will expire unpaid`)
    }
    const created = await this.initiatePayment({ ...input, data: { ...input.data, return_url: current?.return_url ?? input.data?.return_url } })
    return { status: created.status, data: created.data }
  }

  /** CatalystPay has no endpoint to close a session; an unpaid one expires on its own. */
  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    return { data: input.data }
  }

  /**
   * A session that is not completed is left to expire. A completed debit cannot be cancelled through
   * CatalystPay's API, so it is refused with where to do it instead, rather than pretending.
   */
  async cancelPayment(input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    const data = input.data as Partial<CatalystPaySessionData> | undefined
    if (!data?.session_token) {
      return { data: input.data }
    }
    const { status, data: current } = await this.currentStatus(input.data)
    if (status === PaymentSessionStatus.CAPTURED) {
      throw notAllowed(
        GATEWAY,
        `payment session ${current.session_token} is completed: the SEPA direct debit was collected, and CatalystPay's API ` +
          `cannot cancel it. Refund it in the CatalystPay dashboard instead`
      )
    }
    this.logger.info(`${GATEWAY}: session ${current.session_token} is ${current.catalystpay_status}; nothing to cancel, an unpaid session expires`)
    return { data: current }
  }

  /** Asks CatalystPay; captured only when the session is COMPLETED for exactly the session's amount. */
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

  /**
   * A SEPA debit is collected when the session completes, and authorizePayment reports only that as
   * captured: there is nothing left to capture.
   */
  async capturePayment(input: CapturePaymentInput): Promise<CapturePaymentOutput> {
    return { data: input.data }
  }

  /** CatalystPay offers merchants no refund endpoint: refuse, and say where the refund is made. */
  async refundPayment(input: RefundPaymentInput): Promise<RefundPaymentOutput> {
    const session = storedCatalystPaySession(input.data)
    const amount = this.gatewayAmount(input.amount, session.currency_code)
    throw notAllowed(
      GATEWAY,
      `refunds cannot be made through CatalystPay's API. Refund ${amount} ${session.currency_code.toUpperCase()} of ` +
        `payment session ${session.session_token} in the CatalystPay dashboard (it appears there as an sdd_refund ` +
        `transaction); nothing was refunded`
    )
  }

  /**
   * Verifies `X-CatalystPay-Signature` before reading anything, finds the Medusa session that holds the
   * signed session token, and asks CatalystPay for the status: only a COMPLETED session for the session's
   * amount is captured. Anything else is `not_supported` and changes nothing.
   */
  async getWebhookActionAndData(payload: ProviderWebhookPayload["payload"]): Promise<WebhookActionResult> {
    const result = verifyCatalystPayWebhook(payload, this.options.webhookSecret)
    if (!result.verified) {
      this.logger.warn(`${GATEWAY} webhook rejected: ${result.reason}`)
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    if ("ignored" in result) {
      this.logger.info(`${GATEWAY} webhook ignored: ${result.ignored}`)
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    const token = result.webhook.sessionToken
    const session = await this.findSessionByToken(token)
    if (!session) {
      this.logger.warn(
        `${GATEWAY} webhook for session ${token} ignored: no live payment session of this store holds it ` +
          `(another store's session, or one Medusa replaced after a cart change: if it was paid, refund it in CatalystPay)`
      )
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    const { status, data } = await this.currentStatus(session)
    if (status !== PaymentSessionStatus.CAPTURED) {
      this.logger.warn(
        `${GATEWAY} webhook for session ${token}: CatalystPay reports ${data.catalystpay_status}, which counts as ${status}; not captured`
      )
    }
    return { action: webhookActionFor(status), data: { session_id: data.session_id, amount: data.amount } }
  }

  /** CatalystPay's word on the session, with the amount check applied. */
  private async currentStatus(raw: Record<string, unknown> | undefined): Promise<{ status: PaymentSessionStatus; data: CatalystPaySessionData }> {
    const session = storedCatalystPaySession(raw)
    const remote = await this.client.getSession(session.session_token)
    const mapped = sessionStatus(remote.status)
    if (!mapped.known) {
      this.logger.warn(`${GATEWAY}: unknown session status "${remote.status}" on ${session.session_token}, treated as pending`)
    }
    const status = guardPaidAmount({
      gateway: GATEWAY,
      logger: this.logger,
      status: mapped.status,
      paid: { amount: remote.amount, currency: remote.currency },
      session,
      reference: `payment session ${session.session_token}`,
    })
    return { status, data: { ...session, catalystpay_status: remote.status } }
  }

  /**
   * The Medusa session whose data holds this token. CatalystPay's create takes no merchant reference, so
   * the webhook cannot carry our session id; the token it does carry is looked up where initiatePayment
   * stored it. Only a session this provider wrote (its id, our session_id, the same token) is returned.
   */
  private async findSessionByToken(token: string): Promise<CatalystPaySessionData | undefined> {
    const store = this.sessionStore()
    const found = await store.list({ data: { session_token: token } }, { select: ["id", "provider_id", "data"], take: 2 })
    const ours = found.filter(
      (s) =>
        s.provider_id.startsWith(`pp_${CatalystPayProviderService.identifier}_`) &&
        isMedusaSessionId(s.id) &&
        s.data?.session_id === s.id &&
        s.data?.session_token === token
    )
    if (ours.length !== 1) {
      return undefined
    }
    return storedCatalystPaySession(ours[0].data ?? undefined)
  }

  /** Medusa's container resolves on access and throws for a name it lacks; say what that means here. */
  private sessionStore(): PaymentSessionStore {
    let store: PaymentSessionStore | undefined
    try {
      store = this.cradle.paymentSessionService
    } catch {
      store = undefined
    }
    if (!store) {
      throw invalidData(GATEWAY, "the payment module's session store is not available to the provider; cannot match the webhook to a session")
    }
    return store
  }

  /** Campaign mode: the campaign prices the session; a cart at another price is refused, not charged wrongly. */
  private async ensureCampaignCharges(token: string, amount: string, currency: string): Promise<void> {
    const session = await this.client.getSession(token)
    if (sameAmount(session.amount, amount, currency) && sameCurrency(session.currency, currency)) {
      return
    }
    throw invalidData(
      GATEWAY,
      `campaign ${this.options.campaignId} charges ${String(session.amount)} ${String(session.currency).toUpperCase()}, ` +
        `but the cart is ${amount} ${currency.toUpperCase()}. In campaign mode the campaign fixes the price, so this ` +
        `cart cannot be paid through it; use direct mode (gatewayId) for carts of any amount. Session ${token} was not handed out`
    )
  }

  /** Campaign mode sends the campaign (and a gateway override, if set); direct mode the cart's own price. */
  private pricing(mode: "campaign" | "direct", amount: string, currency: string): Omit<CatalystPayCreateSession, "lead"> {
    if (mode === "campaign") {
      return { campaign_id: this.options.campaignId, gateway_id: this.options.gatewayId }
    }
    return { gateway_id: this.options.gatewayId, amount, currency: currency.toUpperCase(), billing_type: "ONE_OFF" }
  }

  /** Allow-listed when given; CatalystPay is not sent it, so a store without one does without. */
  private returnUrl(requested: unknown): string | null {
    if ((requested === undefined || requested === null || requested === "") && !this.options.returnUrl) {
      return null
    }
    return resolveReturnUrl(GATEWAY, requested, this.options)
  }

  /** CatalystPay amounts are decimal(10,2): a currency with more decimals cannot be charged exactly. */
  private gatewayAmount(amount: BigNumberInput, currency: string): string {
    const amountText = gatewayAmountFor(GATEWAY, amount, currency)
    if (currencyExponent(currency) > 2) {
      throw invalidData(GATEWAY, `${currency.toUpperCase()} has more decimals than CatalystPay's amounts (two)`)
    }
    return amountText
  }
}

/** The session data this provider wrote; `return_url` may be null here, which the shared check does not read. */
function storedCatalystPaySession(data: Record<string, unknown> | undefined): CatalystPaySessionData {
  return storedSession<HppSessionData & { session_token: string }>(GATEWAY, data, "session_token") as unknown as CatalystPaySessionData
}

/** The buyer as CatalystPay's lead. A first name is required, so its absence is the storefront's to fix. */
function leadOf(buyer: Buyer): CatalystPayLead {
  if (!buyer.first_name) {
    throw invalidData(
      GATEWAY,
      "CatalystPay requires the buyer's first name; the storefront must set the cart's billing address " +
        "(first_name) before creating the payment session"
    )
  }
  return {
    first_name: buyer.first_name,
    last_name: buyer.last_name,
    email: buyer.email,
    country: buyer.country_code?.toUpperCase(),
    address: [buyer.address_1, buyer.address_2].filter(Boolean).join(", ") || undefined,
    city: buyer.city,
    postal_code: buyer.postal_code,
    phone: buyer.phone,
  }
}

export default CatalystPayProviderService
