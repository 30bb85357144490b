import type { PaymentProviderContext } from "@medusajs/framework/types"
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
  PROBE_REFERENCE,
} from "../../lib/hosted-provider"
import { isPaid } from "../../lib/status"
import type { RawWebhook } from "../../lib/webhook"
import { hostedPageUrl, hppOrderFor, NetValveClient, NetValveId } from "./client"
import {
  NETVALVE_BASE_URLS,
  NETVALVE_GATEWAY,
  NetValveOperationAnswer,
  NetValveOptions,
  NetValveSessionData,
  parseNetValveOptions,
} from "./schemas"
import { eventHandling, expectApproved, netvalveOrderStatus, operationOutcome, orderStateStatus } from "./status"
import { verifyNetValveWebhook } from "./webhook"

export type { NetValveSessionData }

/**
 * NetValve (Hitpixel): an HPP order per session, found again by our session id (`clientOrderId`). Amounts
 * have exactly two decimals. Webhooks are unsigned: only the agreed header, and then an inquiry, count.
 */
export class NetValveProviderService extends HostedPaymentProvider<NetValveOptions, NetValveSessionData> {
  static identifier = "netvalve"

  static validateOptions(options: Record<string, unknown>): void {
    parseNetValveOptions(options)
  }

  protected readonly client: NetValveClient

  constructor(cradle: HostedCradle, options: Record<string, unknown>) {
    const parsed = parseNetValveOptions(options)
    super(cradle, parsed, NETVALVE_GATEWAY)
    const hosts = NETVALVE_BASE_URLS[parsed.options.environment]
    this.client = new NetValveClient({
      clientId: parsed.options.clientId,
      apiKey: parsed.options.apiKey,
      hppBaseUrl: parsed.options.hppApiBaseUrl ?? hosts.hpp,
      paymentBaseUrl: parsed.options.paymentApiBaseUrl ?? hosts.payment,
      timeoutMs: parsed.options.timeoutMs,
    })
  }

  /** `POST /hpp/order`; success only on NetValve's approval code. */
  protected async createPage(page: PageRequest): Promise<CreatedPage> {
    const answer = await this.client.createOrder(hppOrderFor(page, this.options))
    expectApproved("create order", answer)
    if (!answer.redirectUrl || answer.orderId == null) {
      throw gatewayError("NetValve", "create order", {
        message: "NetValve approved the order but sent no redirectUrl or orderId",
      })
    }
    const slim = page.presentation === "frame"
    return {
      checkoutUrl: hostedPageUrl(answer.redirectUrl, { ...this.options, slim }),
      gatewayReference: answer.orderId,
      gatewayPaymentReference: answer.transactionID ?? null,
      gatewayStatus: answer.orderState ?? "CREATED",
      data: { slim_mode: slim, webhook_paid_event: null },
    }
  }

  /** The full-page redirect, or NetValve's slim page in the storefront's iframe (`frame`). */
  protected presentations() {
    return {
      offered: ["redirect", "frame"] as const,
      default: this.options.slimMode ? ("frame" as const) : ("redirect" as const),
    }
  }

  protected connection(): ConnectionSetup {
    const { hppApiBaseUrl, environment } = this.options
    const hpp = NETVALVE_BASE_URLS[environment].hpp
    return {
      baseUrl: hppApiBaseUrl ?? hpp,
      overridden: !!hppApiBaseUrl && hppApiBaseUrl !== hpp,
      probe: {
        call: "GET /order?clientOrderId= for an order that does not exist",
        run: () => this.client.getOrder(PROBE_REFERENCE),
      },
    }
  }

  /** The order inquiry by our reference. */
  protected async fetchStatus(session: NetValveSessionData): Promise<GatewayStatus> {
    return netvalveOrderStatus(await this.client.getOrder(session.session_id), session, this.options.orderStates)
  }

  protected async verifyWebhook(payload: RawWebhook) {
    const result = verifyNetValveWebhook(payload, {
      name: this.options.webhookHeaderName,
      value: this.options.webhookHeaderValue,
    })
    if (result.outcome === "session" && result.event && !eventHandling(result.event).known) {
      this.logger.warn(`NetValve webhook: unknown event "${result.event}"; asking NetValve about ${result.sessionId}`)
    }
    return result
  }

  /** A paid event of a webhook that carried the agreed header: kept, so that a CREATED order's approved sale counts. */
  protected withWebhookWord(session: NetValveSessionData, event: string | undefined): NetValveSessionData {
    const paid = this.paidEventOf(event)
    return paid ? { ...session, webhook_paid_event: paid } : session
  }

  /** NetValve cannot change an order's amount, and keeps one order per merchant reference. */
  protected assertReplaceable(session: NetValveSessionData): void {
    throw invalidData(
      "NetValve",
      `order ${session.gateway_reference} is for ${session.amount} ${session.currency_code.toUpperCase()}; ` +
        `NetValve cannot change an order's amount, so create a new payment session`
    )
  }

  /** NetValve documents no way to close an HPP order; if a deleted session's order was paid, say so. */
  protected async closePage(session: NetValveSessionData, why: string): Promise<void> {
    try {
      if (isPaid((await this.currentStatus(session)).status)) {
        this.logger.warn(
          `NetValve: session ${session.session_id} was deleted but NetValve order ${session.gateway_reference} is paid; ` +
            `no Medusa order will come of it, so refund it in NetValve's back office (${why})`
        )
      }
    } catch (error) {
      this.logger.warn(
        `NetValve: could not check order ${session.gateway_reference} of deleted session ${session.session_id}: ${(error as Error).message}`
      )
    }
  }

  /**
   * Captures the amount of Medusa's capture from the authorised transaction. "Already captured" is not
   * taken on its word: the core compares NetValve's captured amount with Medusa's captures.
   */
  protected async capturePage(session: NetValveSessionData, capture: CaptureRequest): Promise<NetValveSessionData> {
    const transactionId = await this.paidTransactionOf(session, "authorised transaction to capture")
    operationOutcome("capture", await this.client.capture(transactionId, capture.amount))
    return { ...session, gateway_payment_reference: transactionId }
  }

  /** The order's captured and refunded amounts, from the inquiry. */
  protected async moneyAtGateway(session: NetValveSessionData): Promise<GatewayMoney> {
    const order = await this.client.getOrder(session.session_id)
    const amount = (value: string | number | null | undefined) => (value == null ? null : String(value))
    return {
      captured: amount(order.capturedAmount),
      refunded: amount(order.refundedAmount),
      describe: `order ${session.gateway_reference}`,
    }
  }

  /** Voids the authorised transaction; "already cancelled" is success, and an unpaid order needs nothing. */
  protected async cancelPage(session: NetValveSessionData): Promise<NetValveSessionData> {
    const transactionId = await this.paidTransactionOf(session)
    if (transactionId === null) {
      this.logger.info(`NetValve: order ${session.gateway_reference} was never paid; nothing to cancel`)
      return session
    }
    this.noteDone("cancel", await this.client.cancel(transactionId))
    return { ...session, gateway_payment_reference: transactionId }
  }

  /** Refunds the amount of the paid transaction; the core checks NetValve's refunded amount before and after. */
  protected async refundPage(session: NetValveSessionData, amount: string, _context?: PaymentProviderContext) {
    const transactionId = await this.paidTransactionOf(session, "paid transaction to refund")
    operationOutcome("refund", await this.client.refund(transactionId, amount))
    this.logger.info(
      `NetValve: refunded ${amount} ${session.currency_code.toUpperCase()} of transaction ${transactionId}`
    )
    return { ...session, gateway_payment_reference: transactionId }
  }

  /**
   * The paying transaction: kept from authorization (refunds add transactions of their own), else asked.
   * Without one, null, or the error naming what is `required`.
   */
  private async paidTransactionOf(session: NetValveSessionData): Promise<NetValveId | null>
  private async paidTransactionOf(session: NetValveSessionData, required: string): Promise<NetValveId>
  private async paidTransactionOf(session: NetValveSessionData, required?: string): Promise<NetValveId | null> {
    let id = session.gateway_payment_reference
    if (id == null || !isPaid(orderStateStatus(session.gateway_status).status)) {
      const { status, data } = await this.currentStatus(session)
      id = isPaid(status) ? data.gateway_payment_reference : null
    }
    if (id == null && required) {
      throw invalidData("NetValve", `order ${session.gateway_reference} has no ${required}`)
    }
    return id
  }

  /** Success, or NetValve's "already done" (logged): anything else throws with NetValve's code and message. */
  private noteDone(operation: "cancel", answer: NetValveOperationAnswer): void {
    if (operationOutcome(operation, answer) === "already done") {
      this.logger.info(
        `NetValve: ${operation} of transaction ${answer.transactionID ?? "?"} was already done (${answer.responseCode}); treating it as done`
      )
    }
  }
}

export default NetValveProviderService
