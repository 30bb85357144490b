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
import { gatewayError, invalidData } from "../../lib/errors"
import { currencyExponent, gatewayAmountFor } from "../../lib/money"
import { resolveReturnUrl, withQuery } from "../../lib/return-urls"
import {
  guardPaidAmount,
  HppSessionData,
  isMedusaSessionId,
  sessionIdOf,
  storedSession,
  webhookActionFor,
} from "../../lib/session"
import { NetValveClient, NetValveCustomerDetails, NetValveId } from "./client"
import { toE164Phone } from "./phone"
import { NETVALVE_BASE_URLS, NetValveOperationAnswer, NetValveOptions, NetValveOrder, parseNetValveOptions } from "./schemas"
import { eventHandling, orderStateStatus, orderStatus } from "./status"
import { verifyNetValveWebhook } from "./webhook"

const GATEWAY = "NetValve"

/** NetValve's only success code. */
const APPROVED = "GTW_1000"

/** NetValve's "already done" codes: a repeated capture, cancel or refund is a success. */
const ALREADY = { refund: "GTW_2045", capture: "GTW_2046", cancel: "GTW_2047" } as const

/** NetValve's refund refusals that the admin must act on, in words an admin understands. */
const REFUND_REFUSALS: Record<string, string> = {
  GTW_2107: "NetValve does not allow a partial refund of this transaction; refund the full amount instead",
  GTW_2108: "the refund exceeds what remains refundable on this transaction",
}

export type NetValveSessionData = HppSessionData & {
  /** NetValve's order id. */
  netvalve_order_id: NetValveId
  /** The order's latest transaction: what capture, cancel and refund name. */
  netvalve_transaction_id: NetValveId | null
  /** The order's state when last asked ("CREATED" at first). */
  netvalve_order_state: string
  /** Whether `checkout_url` is NetValve's slim page, made for an iframe. */
  slim_mode: boolean
}

type Cradle = { logger: Logger }

export class NetValveProviderService extends AbstractPaymentProvider<NetValveOptions> {
  static identifier = "netvalve"

  static validateOptions(options: Record<string, unknown>): void {
    parseNetValveOptions(options)
  }

  protected readonly options: NetValveOptions
  protected readonly client: NetValveClient
  protected readonly logger: Logger

  constructor(cradle: Cradle, options: Record<string, unknown>) {
    const parsed = parseNetValveOptions(options)
    super(cradle, parsed)
    this.options = parsed
    this.logger = cradle.logger
    this.client = new NetValveClient({
      clientId: parsed.clientId,
      apiKey: parsed.apiKey,
      hppBaseUrl: parsed.hppApiBaseUrl ?? NETVALVE_BASE_URLS[parsed.environment].hpp,
      paymentBaseUrl: parsed.paymentApiBaseUrl ?? NETVALVE_BASE_URLS[parsed.environment].payment,
      timeoutMs: parsed.timeoutMs,
    })
  }

  /** Creates a NetValve HPP order for the session; the buyer pays on its `redirectUrl`. */
  async initiatePayment(input: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    const sessionId = sessionIdOf(GATEWAY, input)
    const currency = input.currency_code.toLowerCase()
    const amount = this.gatewayAmount(input.amount, currency)
    const returnUrl = resolveReturnUrl(GATEWAY, input.data?.return_url, this.options)
    // NetValve sends the buyer to one of four URLs; all lead back to the storefront, which asks Medusa.
    const back = (result: string) => withQuery(returnUrl, { netvalve_result: result })

    const answer = await this.client.createOrder({
      amount,
      currency: currency.toUpperCase(),
      midId: this.options.midId,
      clientOrderId: sessionId,
      orderDesc: this.options.orderDescription,
      successUrl: back("success"),
      cancelUrl: back("cancel"),
      failedUrl: back("failed"),
      pendingUrl: back("pending"),
      customerDetails: this.customerDetails(readBuyer(input.data, input.context)),
    })
    if (answer.responseCode !== APPROVED) {
      throw gatewayError(GATEWAY, "create order", { code: answer.responseCode, message: answer.responseMessage ?? undefined })
    }
    if (!answer.redirectUrl || answer.orderId == null) {
      throw gatewayError(GATEWAY, "create order", { message: "NetValve approved the order but sent no redirectUrl or orderId" })
    }
    const data: NetValveSessionData = {
      session_id: sessionId,
      checkout_url: this.checkoutUrl(answer.redirectUrl),
      amount,
      currency_code: currency,
      return_url: returnUrl,
      netvalve_order_id: answer.orderId,
      netvalve_transaction_id: answer.transactionID ?? null,
      netvalve_order_state: answer.orderState ?? "CREATED",
      slim_mode: this.options.slimMode,
    }
    return { id: String(answer.orderId), status: PaymentSessionStatus.PENDING, data }
  }

  /**
   * NetValve keeps one order per merchant reference (a second one is refused as a duplicate, GTW_2065)
   * and offers no way to change an order's amount: a changed amount needs a new payment session.
   */
  async updatePayment(input: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    const current = storedSession<NetValveSessionData>(GATEWAY, input.data, "netvalve_order_id")
    const currency = input.currency_code.toLowerCase()
    if (current.currency_code === currency && current.amount === this.gatewayAmount(input.amount, currency)) {
      return { data: current }
    }
    throw invalidData(
      GATEWAY,
      `order ${current.netvalve_order_id} is for ${current.amount} ${current.currency_code.toUpperCase()}; ` +
        `NetValve cannot change an order's amount, so create a new payment session`
    )
  }

  /**
   * NetValve documents no way to close an HPP order, so a deleted session's page may stay payable until
   * NetValve expires it. If the buyer has already paid it, say so: no order will come of that payment.
   */
  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    const data = input.data as Partial<NetValveSessionData> | undefined
    if (data?.netvalve_order_id != null && isMedusaSessionId(data.session_id)) {
      await this.warnIfPaid(data as NetValveSessionData)
    }
    return { data: input.data }
  }

  /** Asks NetValve; captured (or authorized) only when paid for exactly the session's amount and currency. */
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

  /** Captures an authorised transaction for the session's amount; "already captured" is success. */
  async capturePayment(input: CapturePaymentInput): Promise<CapturePaymentOutput> {
    const session = storedSession<NetValveSessionData>(GATEWAY, input.data, "netvalve_order_id")
    const transactionId = await this.paidTransactionOf(session)
    if (transactionId === null) {
      throw invalidData(GATEWAY, `order ${session.netvalve_order_id} has no authorised transaction to capture`)
    }
    const answer = await this.client.capture(transactionId, session.amount)
    this.expectDone("capture", answer, ALREADY.capture)
    return { data: { ...session, netvalve_transaction_id: transactionId } }
  }

  /** Voids an authorised transaction; "already cancelled" is success, and an unpaid order needs nothing. */
  async cancelPayment(input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    const session = storedSession<NetValveSessionData>(GATEWAY, input.data, "netvalve_order_id")
    const transactionId = await this.paidTransactionOf(session)
    if (transactionId === null) {
      this.logger.info(`${GATEWAY}: order ${session.netvalve_order_id} was never paid; nothing to cancel`)
      return { data: session }
    }
    const answer = await this.client.cancel(transactionId)
    this.expectDone("cancel", answer, ALREADY.cancel)
    return { data: { ...session, netvalve_transaction_id: transactionId } }
  }

  /** Refunds the requested amount of the paid transaction; "already refunded" is success. */
  async refundPayment(input: RefundPaymentInput): Promise<RefundPaymentOutput> {
    const session = storedSession<NetValveSessionData>(GATEWAY, input.data, "netvalve_order_id")
    const amount = this.gatewayAmount(input.amount, session.currency_code)
    const transactionId = await this.paidTransactionOf(session)
    if (transactionId === null) {
      throw invalidData(GATEWAY, `order ${session.netvalve_order_id} has no paid transaction to refund`)
    }
    const answer = await this.client.refund(transactionId, amount)
    const refusal = REFUND_REFUSALS[answer.responseCode]
    if (refusal) {
      throw invalidData(GATEWAY, `${refusal} (code ${answer.responseCode}: ${answer.responseMessage ?? "no message"})`)
    }
    this.expectDone("refund", answer, ALREADY.refund)
    this.logger.info(`${GATEWAY}: refunded ${amount} ${session.currency_code.toUpperCase()} of transaction ${transactionId}`)
    return { data: { ...session, netvalve_transaction_id: transactionId } }
  }

  /**
   * NetValve signs nothing: a webhook counts only with the agreed header (compared in constant time),
   * and even then only as a reason to ask NetValve. The action comes from the inquiry, never from the
   * event's name, so a late or repeated event cannot undo or redo a payment.
   */
  async getWebhookActionAndData(payload: ProviderWebhookPayload["payload"]): Promise<WebhookActionResult> {
    const result = verifyNetValveWebhook(payload, {
      name: this.options.webhookHeaderName,
      value: this.options.webhookHeaderValue,
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
    if (!isMedusaSessionId(webhook.clientOrderId)) {
      this.logger.info(`${GATEWAY} webhook ${webhook.eventName} for order ${webhook.orderId ?? "?"} ignored: its clientOrderId is not a Medusa payment session`)
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    const event = eventHandling(webhook.eventName)
    if (!event.known) {
      this.logger.warn(`${GATEWAY} webhook: unknown event "${webhook.eventName}"; asking NetValve about ${webhook.clientOrderId}`)
    }
    if (event.handling === "log only") {
      this.logger.info(`${GATEWAY} webhook ${webhook.eventName} for ${webhook.clientOrderId} (transaction ${webhook.transactionId ?? "?"}) noted; Medusa keeps its own refund records`)
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    const order = await this.inquire(webhook.clientOrderId)
    const status = this.statusOf(order)
    if (order.amount == null) {
      this.logger.warn(`${GATEWAY}: the inquiry about ${webhook.clientOrderId} stated no amount; not acting on ${webhook.eventName}`)
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    // The amount is only a hint for Medusa; authorizePayment asks again and compares it with the session.
    return {
      action: webhookActionFor(status),
      data: { session_id: webhook.clientOrderId, amount: String(order.amount) },
    }
  }

  /** NetValve's word on the session, with the amount check applied. */
  private async currentStatus(raw: Record<string, unknown> | undefined): Promise<{ status: PaymentSessionStatus; data: NetValveSessionData }> {
    const session = storedSession<NetValveSessionData>(GATEWAY, raw, "netvalve_order_id")
    const order = await this.inquire(session.session_id)
    const status = guardPaidAmount({
      gateway: GATEWAY,
      logger: this.logger,
      status: this.statusOf(order),
      paid: { amount: order.amount, currency: order.currency },
      session,
      reference: `order ${order.orderId ?? session.netvalve_order_id}`,
    })
    return {
      status,
      data: {
        ...session,
        netvalve_transaction_id: order.transactionID ?? session.netvalve_transaction_id ?? null,
        netvalve_order_state: order.orderState ?? session.netvalve_order_state,
      },
    }
  }

  /** The order NetValve keeps under our reference; an answer about another order is refused. */
  private async inquire(clientOrderId: string): Promise<NetValveOrder> {
    const order = await this.client.getOrder(clientOrderId)
    if (order.clientOrderId != null && order.clientOrderId !== clientOrderId) {
      throw gatewayError(GATEWAY, "order inquiry", { message: `asked about ${clientOrderId}, answered about ${order.clientOrderId}` })
    }
    return order
  }

  private statusOf(order: NetValveOrder): PaymentSessionStatus {
    const mapped = orderStatus(order)
    if (!mapped.known) {
      this.logger.warn(`${GATEWAY}: ${mapped.why} for order ${order.orderId ?? order.clientOrderId ?? "?"}, treated as pending`)
    }
    return mapped.status
  }

  /** The transaction that paid (or authorised) the order, asking NetValve when the session does not know it. */
  private async paidTransactionOf(session: NetValveSessionData): Promise<NetValveId | null> {
    // Kept from authorizePayment: the paying transaction, even after refunds added transactions of their own.
    if (session.netvalve_transaction_id != null && isPaid(orderStateStatus(session.netvalve_order_state).status)) {
      return session.netvalve_transaction_id
    }
    const { status, data } = await this.currentStatus(session)
    return isPaid(status) ? data.netvalve_transaction_id : null
  }

  /** Success, or NetValve's "already done": anything else is an error quoting NetValve's code and message. */
  private expectDone(operation: string, answer: NetValveOperationAnswer, alreadyDone: string): void {
    if (answer.responseCode === alreadyDone) {
      this.logger.info(`${GATEWAY}: ${operation} of transaction ${answer.transactionID ?? "?"} was already done (${alreadyDone}); treating it as done`)
      return
    }
    if (answer.responseCode !== APPROVED) {
      throw gatewayError(GATEWAY, operation, { code: answer.responseCode, message: answer.responseMessage ?? undefined })
    }
  }

  private async warnIfPaid(session: NetValveSessionData): Promise<void> {
    try {
      const { status } = await this.currentStatus(session)
      if (isPaid(status)) {
        this.logger.warn(
          `${GATEWAY}: session ${session.session_id} was deleted but NetValve order ${session.netvalve_order_id} is paid; ` +
            `no Medusa order will come of it, so refund it in NetValve's back office`
        )
      }
    } catch (error) {
      this.logger.warn(`${GATEWAY}: could not check order ${session.netvalve_order_id} of deleted session ${session.session_id}: ${(error as Error).message}`)
    }
  }

  /** NetValve's customer fields from the buyer; a phone that cannot be normalised is left out. */
  private customerDetails(buyer: Buyer): NetValveCustomerDetails | undefined {
    const details: NetValveCustomerDetails = {
      customerAddress: [buyer.address_1, buyer.address_2].filter(Boolean).join(", ") || undefined,
      customerCity: buyer.city,
      customerCountryCode: buyer.country_code?.toUpperCase(),
      customerEmail: buyer.email,
      customerIp: buyer.customer_ip?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, ""),
      customerName: buyer.first_name,
      customerLastName: buyer.last_name,
      customerPhone: toE164Phone(buyer.phone, buyer.country_code),
      customerState: buyer.province,
      customerZipCode: buyer.postal_code,
    }
    const known = Object.entries(details).filter(([, value]) => value !== undefined)
    return known.length ? (Object.fromEntries(known) as NetValveCustomerDetails) : undefined
  }

  /** The hosted page, limited to the configured methods, in slim mode when asked. */
  private checkoutUrl(redirectUrl: string): string {
    const params = [
      this.options.paymentOptions.length ? `paymentOptions=${this.options.paymentOptions.join(",")}` : undefined,
      this.options.slimMode ? "slim_mode=true" : undefined,
    ].filter(Boolean)
    if (!params.length) {
      return redirectUrl
    }
    // Appended as NetValve's guide writes it (commas unescaped), keeping the page's own parameters.
    return `${redirectUrl}${redirectUrl.includes("?") ? "&" : "?"}${params.join("&")}`
  }

  /** NetValve takes two decimals: a currency with another ISO 4217 exponent is refused, never rounded. */
  private gatewayAmount(amount: BigNumberInput, currency: string): string {
    let exponent: number
    try {
      exponent = currencyExponent(currency)
    } catch (error) {
      throw invalidData(GATEWAY, (error as Error).message)
    }
    if (exponent !== 2) {
      throw invalidData(
        GATEWAY,
        `amounts must have exactly two decimals, and ${currency.toUpperCase()} has ${exponent} in ISO 4217; ` +
          `refused rather than sent as a wrong amount`
      )
    }
    return gatewayAmountFor(GATEWAY, amount, currency)
  }
}

const isPaid = (status: PaymentSessionStatus) =>
  status === PaymentSessionStatus.CAPTURED || status === PaymentSessionStatus.AUTHORIZED

export default NetValveProviderService
