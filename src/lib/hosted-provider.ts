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
  PaymentProviderContext,
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
import type { z } from "zod"
import { Buyer, readBuyer, withBuyerFromCart } from "./buyer"
import { invalidData, isGatewayUnavailable, notAllowed, retold } from "./errors"
import {
  capturesOf,
  difference,
  isNegative,
  isZero,
  MoneyKind,
  PaymentRow,
  paymentsOfSession,
  PaymentStore,
  recordedTotal,
  sameMoney,
  sumOf,
} from "./ledger"
import { DecimalsRule, gatewayAmountFor, toGatewayAmount } from "./money"
import { isPaid } from "./status"
import type { ParsedOptions } from "./options"
import { resolveReturnUrl, ReturnUrlOptions } from "./return-urls"
import { guardPaidAmount, HppSessionData, LegacyKeys, parseSession, sessionIdOf, webhookActionFor } from "./session"
import type { RawWebhook, WebhookVerification } from "./webhook"

/** What makes one gateway's provider: everything the shared flow needs to know about it. */
export type GatewaySpec<S extends HppSessionData> = {
  /** The gateway as an admin knows it, in every log line and error ("HitPay"). */
  name: string
  /** What the gateway calls a hosted page, for messages ("payment request", "payment job"). */
  pageName: string
  /** The gateway's session data: the shared schema extended, reading the keys it wrote before. */
  session: z.ZodType<S, z.ZodTypeDef, unknown>
  /** The keys the gateway wrote before the shared naming pattern (to find old sessions by reference). */
  legacyKeys: LegacyKeys
  /** What the gateway's amount field can hold, beyond ISO 4217. */
  decimals?: DecimalsRule
  /** false where the gateway takes no return URL (the storefront's is then optional). */
  returnUrlRequired?: boolean
  /**
   * How a reservation can be captured in parts: "many" (several partial captures), "once" (one capture of
   * any amount up to the reservation; the rest is released). Unset: the gateway captures the whole amount
   * when the buyer pays, so a partial capture is refused.
   */
  partialCapture?: "many" | "once"
}

/**
 * What the gateway shows taken and given back on a session's payment, in major units: the totals a retried
 * refund or capture is checked against. null or unset where the gateway's answers do not say.
 */
export type GatewayMoney = {
  captured?: string | null
  refunded?: string | null
  /** How messages name the gateway's object ("charge 9f2a… of payment request 77b1…"). */
  describe: string
}

/** A capture as Medusa recorded it: its amount, what Medusa captured before it, and whether it is the last. */
export type CaptureRequest = {
  /** Major units, by the currency's exponent. */
  amount: string
  /** What Medusa has captured on this session's payment before this capture. */
  capturedBefore: string
  /** Whether this capture takes what remains of the reservation. */
  final: boolean
}

/** The page the base asks a gateway to create, all checked and converted. */
export type PageRequest = {
  sessionId: string
  /** Major units, formatted by the currency's exponent ("25.00"). */
  amount: string
  /** Lowercase ISO 4217. */
  currency: string
  returnUrl: string | null
  buyer: Buyer
}

/** A hosted page the gateway made. `data` holds what the gateway keeps beside the shared keys. */
export type CreatedPage = {
  checkoutUrl: string
  gatewayReference: string
  gatewayPaymentReference?: string | null
  gatewayStatus: string
  data?: Record<string, unknown>
}

/** The gateway's view of a session, the same shape for all four (the status-lookup result). */
export type GatewayStatus = {
  /** The gateway's status, mapped by its table, before the amount check. */
  status: PaymentSessionStatus
  /** What the gateway says was paid, for the amount and currency check. */
  paid: { amount: unknown; currency: unknown }
  /** The payment that paid (what a capture or refund names), when the gateway shows one. */
  gatewayPaymentReference?: string | null
  /** The gateway's own status word, kept in session data. */
  gatewayStatus: string
  /** How log lines name the gateway's object ("payment request 9f2a…"). */
  describe: string
  /** Words the gateway's tables do not know ("payment request status \"held\""), logged once each. */
  unknown?: string[]
  /** Set when the gateway's object was made for another Medusa session: never success. */
  foreign?: string
}

export type SessionRow = {
  id: string
  provider_id: string
  /** Medusa's status of the session: `authorized` once Medusa holds a payment for it. */
  status?: string | null
  data: Record<string, unknown> | null
  deleted_at?: Date | string | null
}

/** The part of the payment module's session service a provider uses: find sessions by id or stored data. */
export type SessionStore = {
  list(filters: Record<string, unknown>, config?: Record<string, unknown>): Promise<SessionRow[]>
}

/**
 * The payment module's container, as a provider receives it. Besides the logger it holds the module's own
 * payment session service: how a webhook is matched to a live session of this provider.
 */
export type HostedCradle = {
  logger: Logger
  paymentSessionService?: SessionStore
  /** The module's payments with their refunds and captures: what Medusa has recorded of a session's money. */
  paymentService?: PaymentStore
}

type Current<S> = { status: PaymentSessionStatus; data: S }

/**
 * What the provider concluded about a webhook, beside the action Medusa reads: the plugin's webhook routes
 * answer the gateway by it (401, 400, 422, or 200 once the work is done). Medusa's own route ignores it.
 */
export type WebhookVerdict =
  | { kind: "unauthenticated"; reason: string }
  | { kind: "malformed"; reason: string }
  | { kind: "ignored"; reason: string }
  | { kind: "no_live_session"; reason: string; paid: boolean }
  | {
      kind: "session"
      sessionId: string
      gatewayReference: string
      status: PaymentSessionStatus
      wrongAmount: boolean
      /** Pending only because the gateway used a word its tables do not know: worth a later delivery. */
      unknownStatus: boolean
    }

export type HostedWebhookResult = WebhookActionResult & { verdict: WebhookVerdict }

/**
 * The Medusa side of a hosted payment page, once for the four gateways. A gateway's service supplies the
 * gateway's own steps as small hooks (create a page, ask for its status, verify a webhook, close, capture,
 * refund); this class owns the flow around them: session data parsing, the amount and currency guard,
 * status to webhook action, matching a webhook to a live session of this provider, and logging.
 */
export abstract class HostedPaymentProvider<
  O extends ReturnUrlOptions,
  S extends HppSessionData,
> extends AbstractPaymentProvider<O> {
  protected readonly options: O
  protected readonly logger: Logger
  protected readonly spec: GatewaySpec<S>
  private readonly cradle: HostedCradle

  protected constructor(cradle: HostedCradle, parsed: ParsedOptions<O>, spec: GatewaySpec<S>) {
    super(cradle, parsed.options)
    this.options = parsed.options
    this.logger = cradle.logger
    this.cradle = cradle
    this.spec = spec
    parsed.warnings.forEach((warning) => this.logger.warn(warning))
  }

  // --- The gateway's hooks ---

  /** Creates the hosted page for a session. */
  protected abstract createPage(request: PageRequest): Promise<CreatedPage>

  /** Asks the gateway, over its authenticated API, about a session's page. */
  protected abstract fetchStatus(session: S): Promise<GatewayStatus>

  /** Verifies a webhook (signature, agreed header, or a fetch over the API) and says what it is about. */
  protected abstract verifyWebhook(payload: RawWebhook): Promise<WebhookVerification<GatewayStatus>>

  /** Refunds `amount` (major units) of a paid session; returns the session data to keep. */
  protected abstract refundPage(session: S, amount: string, context: PaymentProviderContext | undefined): Promise<S>

  /** Makes a page unpayable (a replaced, deleted or cancelled session). Default: the gateway has no way to. */
  protected async closePage(_session: S, _why: "update" | "delete" | "cancel"): Promise<void> {}

  /**
   * Captures `capture.amount` of a reservation. Default: the gateway captured the whole amount at payment,
   * so there is nothing to capture (a partial capture is refused before this is called).
   */
  protected async capturePage(session: S, _capture: CaptureRequest): Promise<S> {
    return session
  }

  /** What the gateway shows captured and refunded on the session's payment. Default: it does not say. */
  protected async moneyAtGateway(session: S): Promise<GatewayMoney> {
    return { describe: `${this.spec.pageName} ${session.gateway_reference}` }
  }

  /** Cancels a session's payment. Default: close the page. */
  protected async cancelPage(session: S): Promise<S> {
    await this.closePage(session, "cancel")
    return session
  }

  /** Throws where the gateway cannot give a session a new page for a changed amount. Default: it can. */
  protected assertReplaceable(_session: S): void {}

  // --- Medusa's payment provider interface ---

  async initiatePayment(input: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    const sessionId = sessionIdOf(this.spec.name, input)
    const currency = input.currency_code.toLowerCase()
    const amount = this.amountFor(input.amount, currency)
    const returnUrl = this.returnUrlFor(input.data?.return_url)
    const page = await this.createPage({
      sessionId,
      amount,
      currency,
      returnUrl,
      buyer: readBuyer(await withBuyerFromCart(this.providerPrefix(), input.data), input.context),
    })
    const data: HppSessionData = {
      session_id: sessionId,
      checkout_url: page.checkoutUrl,
      amount,
      currency_code: currency,
      return_url: returnUrl,
      gateway_reference: page.gatewayReference,
      gateway_payment_reference: page.gatewayPaymentReference ?? null,
      gateway_status: page.gatewayStatus,
      ...page.data,
    }
    return { id: page.gatewayReference, status: PaymentSessionStatus.PENDING, data }
  }

  /** A new amount or currency gets a new page, and the old one is closed first so it cannot be paid at the old amount. */
  async updatePayment(input: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    const parsed = this.spec.session.safeParse(input.data ?? {})
    const current = parsed.success ? parsed.data : undefined
    const currency = input.currency_code.toLowerCase()
    if (current && current.currency_code === currency && current.amount === this.amountFor(input.amount, currency)) {
      return { data: current }
    }
    if (current) {
      this.assertReplaceable(current)
      await this.closePage(current, "update")
    }
    const returnUrl = current?.return_url ?? input.data?.return_url
    const created = await this.initiatePayment({ ...input, data: { ...input.data, return_url: returnUrl } })
    return { status: created.status, data: created.data }
  }

  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    const parsed = this.spec.session.safeParse(input.data ?? {})
    if (parsed.success) {
      await this.closePage(parsed.data, "delete")
    }
    return { data: input.data }
  }

  /**
   * Cancels the payment at the gateway, and never says so while the gateway still holds the buyer's money.
   * Medusa also calls this when a cart completion loses a race (with the winner's data and no payment id):
   * while another payment of the same session holds the money, the gateway is left alone.
   */
  async cancelPayment(input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    const parsed = this.spec.session.safeParse(input.data ?? {})
    if (!parsed.success) {
      return { data: input.data }
    }
    const session = parsed.data
    const paymentId = input.context?.idempotency_key
    const holder = (await this.medusaPayments(session))?.find((p) => !p.canceled_at && p.id !== paymentId)
    if (holder) {
      this.logger.info(
        `${this.spec.name}: cancel for session ${session.session_id} left ${this.spec.pageName} ${session.gateway_reference} ` +
          `alone: payment ${holder.id} of this session holds the money (a cart completion that lost a race cancels with the same data)`
      )
      return { data: input.data }
    }
    const before = await this.fetchStatus(session)
    const heldAt = `${before.describe} is ${before.gatewayStatus || before.status}`
    if (before.status === PaymentSessionStatus.CAPTURED) {
      if (paymentId === undefined) {
        // Medusa is undoing its own failed authorization: the money stays, and the next webhook or the
        // reconciliation makes the order for it.
        this.logger.error(
          `${this.spec.name}: ${heldAt} for session ${session.session_id} and was not cancelled; ` +
            `the next webhook or the reconciliation will make its order`
        )
        return { data: this.withGateway(session, before) }
      }
      throw notAllowed(
        this.spec.name,
        `${heldAt}: the buyer has paid, and a taken payment cannot be cancelled; refund it instead ` +
          `(if Medusa shows it uncaptured, capture it in Medusa first: nothing is sent again, the gateway already shows it taken)`
      )
    }
    if (before.status === PaymentSessionStatus.PENDING_AUTHORIZATION) {
      throw notAllowed(
        this.spec.name,
        `${heldAt}: the buyer's payment is under way and cannot be stopped from here; refund it once it completes`
      )
    }
    const data = await this.cancelPage(this.withGateway(session, before))
    const reserves = this.spec.partialCapture !== undefined && before.status !== PaymentSessionStatus.CANCELED
    if (before.status !== PaymentSessionStatus.AUTHORIZED && !reserves) {
      return { data }
    }
    // A reservation: cancelled only once the gateway no longer holds it.
    const after = await this.fetchStatus(data)
    if (after.status === PaymentSessionStatus.AUTHORIZED || after.status === PaymentSessionStatus.CAPTURED) {
      throw invalidData(
        this.spec.name,
        `${after.describe} is still ${after.gatewayStatus || after.status}: the buyer's money stays with ${this.spec.name} ` +
          `and the payment was not cancelled; void it in the ${this.spec.name} dashboard`
      )
    }
    return { data: this.withGateway(data, after) }
  }

  /** Asks the gateway: only a paid (or reserved) page for exactly the session's amount and currency counts. */
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
   * Medusa gives no amount, only the id of the capture it recorded: the provider captures that capture's
   * amount, in parts where the gateway allows it, and refuses clearly where it does not.
   */
  async capturePayment(input: CapturePaymentInput): Promise<CapturePaymentOutput> {
    const session = this.session(input.data)
    const captureId = input.context?.idempotency_key
    const currency = session.currency_code
    const payments = await this.medusaPayments(session)
    const amount = this.recordedCaptureAmount(payments, captureId, currency) ?? session.amount
    const capturedBefore = payments
      ? recordedTotal(payments, "capture", currency, captureId)
      : toGatewayAmount(0, currency)
    const final = !isNegative(difference(sumOf([capturedBefore, amount], currency), session.amount, currency))
    const partial = !final || !isZero(capturedBefore)
    const what = `${amount} ${currency.toUpperCase()} of ${this.spec.pageName} ${session.gateway_reference} (${session.amount})`
    if (partial && !this.spec.partialCapture) {
      throw invalidData(
        this.spec.name,
        `cannot capture ${what}: ${this.spec.name} takes the whole amount when the buyer pays, so a part cannot be captured; capture the full amount and refund the rest`
      )
    }
    if (this.spec.partialCapture === "once" && !isZero(capturedBefore)) {
      throw invalidData(
        this.spec.name,
        `cannot capture ${what}: ${capturedBefore} was captured already, and ${this.spec.name} captures a reservation once (the rest was released)`
      )
    }
    const capture: CaptureRequest = { amount, capturedBefore, final }
    return {
      data: await this.onceOnly("capture", session, amount, captureId, payments, () =>
        this.capturePage(session, capture)
      ),
    }
  }

  /**
   * Refunds the amount asked, once: before every refund and after a failed one, the gateway's refunds are
   * compared with Medusa's, so a retry after a timeout never refunds twice.
   */
  async refundPayment(input: RefundPaymentInput): Promise<RefundPaymentOutput> {
    const session = this.session(input.data)
    const amount = this.amountFor(input.amount, session.currency_code)
    const refundId = input.context?.idempotency_key
    return {
      data: await this.onceOnly("refund", session, amount, refundId, await this.medusaPayments(session), () =>
        this.refundPage(session, amount, input.context)
      ),
    }
  }

  /**
   * Verifies the webhook before reading anything, then acts only for a live payment session of this provider
   * that holds the page the webhook names, on the gateway's authenticated word and the amount check.
   * Anything else is `not_supported`, logged with the reason, and changes nothing.
   */
  async getWebhookActionAndData(payload: ProviderWebhookPayload["payload"]): Promise<HostedWebhookResult> {
    const name = this.spec.name
    const verification = await this.verifyWebhook(payload)
    if (verification.outcome === "rejected") {
      this.logger.warn(`${name} webhook rejected: ${verification.reason}`)
      return { action: PaymentActions.NOT_SUPPORTED, verdict: { kind: verification.why, reason: verification.reason } }
    }
    if (verification.outcome === "ignored") {
      this.logger.info(`${name} webhook ignored: ${verification.reason}`)
      return { action: PaymentActions.NOT_SUPPORTED, verdict: { kind: "ignored", reason: verification.reason } }
    }
    const found = await this.liveSession(verification)
    if ("reason" in found) {
      const paid = !!verification.status && isPaid(verification.status.status)
      const reference = verification.gatewayReference ?? verification.sessionId ?? "?"
      const line = `${name} webhook ignored: ${found.reason}`
      if (paid) this.logger.error(`${line}. Paid at the gateway, no order: ${name} ${this.spec.pageName} ${reference}`)
      else this.logger.warn(line)
      return { action: PaymentActions.NOT_SUPPORTED, verdict: { kind: "no_live_session", reason: found.reason, paid } }
    }
    const { session } = found
    // Only while Medusa holds a payment for it that is not cancelled: a payment cancelled after a failed
    // completion (its reservation voided) must go through the gateway's word again, never straight to an order.
    const held = await this.holdsPayment(found)
    if (held) {
      // Medusa holds this session's payment: what the gateway says now (a capture, a refund, a late
      // failure) is Medusa's own record to keep. Medusa's processing only makes sure the order exists.
      this.logger.info(
        `${name} webhook for session ${session.session_id}: Medusa already holds its payment; making sure its order exists`
      )
      return {
        action: PaymentActions.AUTHORIZED,
        data: { session_id: session.session_id, amount: session.amount },
        verdict: {
          kind: "session",
          sessionId: session.session_id,
          gatewayReference: session.gateway_reference,
          status: PaymentSessionStatus.AUTHORIZED,
          wrongAmount: false,
          unknownStatus: false,
        },
      }
    }
    const gateway = verification.status ?? (await this.fetchStatus(session))
    const status = this.judge(session, gateway)
    const paidAmount = String(gateway.paid.amount ?? session.amount)
    return {
      action: webhookActionFor(status),
      // What the gateway reports; Medusa's authorization asks the gateway again and compares it with the session.
      data: { session_id: session.session_id, amount: paidAmount },
      verdict: {
        kind: "session",
        sessionId: session.session_id,
        gatewayReference: session.gateway_reference,
        status,
        // The gateway says paid, but not this session's amount: a payment that must not become an order.
        wrongAmount: isPaid(gateway.status) && status === PaymentSessionStatus.ERROR && !gateway.foreign,
        unknownStatus: status === PaymentSessionStatus.PENDING && (gateway.unknown?.length ?? 0) > 0,
      },
    }
  }

  // --- The shared flow ---

  /**
   * A refund or capture that happens once, whatever became of earlier attempts. What the gateway shows done
   * beyond Medusa's records (leaving out `recordId`, the record Medusa made for this call) decides:
   * - nothing: the operation is sent; if it fails, the gateway is asked again, and shows it done or not;
   * - exactly `amount`: an earlier attempt whose answer was lost (a timeout, a 5xx) did it; nothing is sent;
   * - anything else: refused, for an admin to look at the gateway's dashboard.
   * Where the gateway or Medusa cannot say, the operation is sent as it is.
   */
  private async onceOnly(
    kind: MoneyKind,
    session: S,
    amount: string,
    recordId: string | undefined,
    payments: PaymentRow[] | undefined,
    attempt: () => Promise<S>
  ): Promise<S> {
    const { name } = this.spec
    const currency = session.currency_code
    const recorded = payments && recordedTotal(payments, kind, currency, recordId)
    const done = kind === "refund" ? "refunded" : "captured"
    const atGateway = async () => {
      const money = await this.moneyAtGateway(session)
      const total = kind === "refund" ? money.refunded : money.captured
      return total === null || total === undefined ? undefined : { total: toGatewayAmount(total, currency), money }
    }
    // A failed first read is the refund's (or capture's) failure, and says so: nothing was sent yet.
    const before =
      recorded === undefined
        ? undefined
        : await atGateway().catch((error: Error) => {
            const advice = isGatewayUnavailable(error.message)
              ? "Try again shortly."
              : `Check the provider's credentials and ${name}'s dashboard, then try again.`
            throw retold(
              error,
              `${name}: ${kind} of ${amount} ${currency.toUpperCase()} not sent. ${name} could not be asked what ` +
                `${this.spec.pageName} ${session.gateway_reference} already shows ${done} (${error.message}). ${advice}`
            )
          })
    if (before && recorded !== undefined) {
      const unrecorded = difference(before.total, recorded, currency)
      if (sameMoney(unrecorded, amount)) {
        this.logger.warn(
          `${name}: ${before.money.describe} already shows ${amount} ${currency.toUpperCase()} ${done} that Medusa has ` +
            `no record of: an earlier attempt whose answer was lost; recorded now, nothing sent again`
        )
        return session
      }
      if (isNegative(unrecorded)) {
        throw invalidData(
          name,
          `Medusa has recorded ${recorded} ${currency.toUpperCase()} ${done} on ${before.money.describe}, more than the ` +
            `${before.total} the gateway shows: a ${kind} still under way, or one that failed at the gateway. Nothing was ` +
            `sent; try again in a few minutes, and if it persists check ${name}'s dashboard`
        )
      }
      if (!isZero(unrecorded)) {
        throw invalidData(
          name,
          `the gateway shows ${kind}s Medusa does not: ${before.money.describe} has ${before.total} ${currency.toUpperCase()} ` +
            `${done}, Medusa has recorded ${recorded}. Nothing was sent; check ${name}'s dashboard and record what it shows in Medusa first`
        )
      }
    }
    try {
      return await attempt()
    } catch (error) {
      if (!before || recorded === undefined) throw error
      const after = await atGateway().catch(() => undefined)
      if (after && sameMoney(difference(after.total, recorded, currency), amount)) {
        this.logger.warn(
          `${name}: ${kind} of ${amount} ${currency.toUpperCase()} answered "${(error as Error).message}", ` +
            `but ${after.money.describe} shows it ${done}; recorded as done`
        )
        return session
      }
      throw this.outcomeUnknown(error, kind)
    }
  }

  /** A timeout, a lost connection or a 5xx may hide a refund or capture the gateway made: say that a retry is safe. */
  private outcomeUnknown(error: unknown, kind: MoneyKind): unknown {
    const message = (error as Error)?.message ?? ""
    if (!isGatewayUnavailable(message)) return error
    return retold(
      error,
      `${message}. The gateway may still make this ${kind}; nothing is recorded in Medusa. Trying again is safe: ` +
        `the provider first checks what ${this.spec.name} shows, and records a ${kind} made meanwhile instead of sending it again`
    )
  }

  /** The session's payments as Medusa records them; undefined where the module does not lend its service. */
  private async medusaPayments(session: S): Promise<PaymentRow[] | undefined> {
    const store = this.optional(() => this.cradle.paymentService)
    return store ? paymentsOfSession(store, session.session_id) : undefined
  }

  /**
   * The amount of the capture Medusa recorded for this call, from the session's payments (Medusa commits it
   * before it asks the provider). Undefined where Medusa names no capture or lends no records.
   */
  private recordedCaptureAmount(
    payments: PaymentRow[] | undefined,
    captureId: string | undefined,
    currency: string
  ): string | undefined {
    if (!captureId || !payments) return undefined
    const capture = capturesOf(payments).find((row) => row.id === captureId)
    const amount = capture?.raw_amount ?? capture?.amount
    if (amount === undefined || amount === null) {
      throw invalidData(
        this.spec.name,
        `Medusa has no capture ${captureId} to take the amount from; nothing was captured`
      )
    }
    return this.amountFor(amount, currency)
  }

  /** Medusa's container resolves on access and throws for a name it lacks. */
  private optional<T>(get: () => T | undefined): T | undefined {
    try {
      return get()
    } catch {
      return undefined
    }
  }

  /**
   * Closes a page with `close`. When the gateway refuses, a page that is no longer pending needs no closing
   * (logged, with a word to refund it when it was paid); a pending page that stays payable is the error.
   */
  protected async closeOrExplain(session: S, why: string, closed: string, close: () => Promise<void>): Promise<void> {
    try {
      await close()
    } catch (error) {
      const gateway = await this.fetchStatus(session).catch(() => undefined)
      if (!gateway || gateway.status === PaymentSessionStatus.PENDING) {
        throw error
      }
      this.logger.warn(
        `${this.spec.name}: ${gateway.describe} for session ${session.session_id} is already ${gateway.gatewayStatus}; ` +
          `it was not ${closed} (${why})` +
          (isPaid(gateway.status) ? ": the buyer has paid, so refund it in Medusa if the order will not go ahead" : "")
      )
    }
  }

  /**
   * Rule 4 for a capture or refund the gateway refused: when the gateway then shows it done (a retry after
   * an answer that was lost, or a repeat), it is done; otherwise the gateway's refusal stands.
   */
  protected async orAlreadyDone(
    attempt: () => Promise<void>,
    isDone: () => Promise<boolean>,
    what: string
  ): Promise<void> {
    try {
      await attempt()
    } catch (error) {
      if (!(await isDone())) {
        throw error
      }
      this.logger.info(`${this.spec.name}: ${what} already; treating it as done`)
    }
  }

  /**
   * For a gateway that can check a webhook only by asking the gateway (an unsigned one): the live session of this
   * provider holding the page `gatewayReference`, and whether Medusa holds its payment already (then nothing the
   * gateway says changes what Medusa does). Undefined when no live session holds it: asking would change nothing.
   */
  protected async webhookTarget(gatewayReference: string): Promise<{ session: S; held: boolean } | undefined> {
    const found = await this.liveSession({ gatewayReference })
    return "reason" in found ? undefined : { session: found.session, held: await this.holdsPayment(found) }
  }

  private async holdsPayment(found: { session: S; authorized: boolean }): Promise<boolean> {
    return found.authorized && !!(await this.medusaPayments(found.session))?.some((p) => !p.canceled_at)
  }

  /** The session data this provider wrote, parsed; anything else is a clear error. */
  protected session(data: Record<string, unknown> | undefined): S {
    return parseSession(this.spec.name, this.spec.session, data, this.spec.pageName)
  }

  /** The gateway's word on the session, with the amount check applied. */
  protected async currentStatus(raw: Record<string, unknown> | undefined): Promise<Current<S>> {
    const session = this.session(raw)
    const gateway = await this.fetchStatus(session)
    return { status: this.judge(session, gateway), data: this.withGateway(session, gateway) }
  }

  /** The session data updated with what the gateway said. */
  protected withGateway(session: S, gateway: GatewayStatus): S {
    return {
      ...session,
      gateway_payment_reference: gateway.gatewayPaymentReference ?? session.gateway_payment_reference,
      gateway_status: gateway.gatewayStatus,
    }
  }

  /** Rule 3 and rule 5: unknown words are pending and logged; paid counts only for this session and its amount. */
  private judge(session: S, gateway: GatewayStatus): PaymentSessionStatus {
    for (const word of gateway.unknown ?? []) {
      this.logger.warn(`${this.spec.name}: unknown ${word} on ${gateway.describe}, treated as pending`)
    }
    if (gateway.foreign) {
      this.logger.error(
        `${this.spec.name}: ${gateway.describe} ${gateway.foreign}, not to session ${session.session_id}`
      )
      return PaymentSessionStatus.ERROR
    }
    return guardPaidAmount({
      gateway: this.spec.name,
      logger: this.logger,
      status: gateway.status,
      paid: gateway.paid,
      session,
      reference: gateway.describe,
    })
  }

  /**
   * The payment session a verified webhook is about, if it is live (not deleted), belongs to a provider of
   * this gateway, and holds the page the webhook names. Medusa's webhook processing trusts the session id it
   * is given, and for an id that does not exist it completes an arbitrary cart: so nothing else gets through.
   */
  private async liveSession(found: {
    sessionId?: string
    gatewayReference?: string
  }): Promise<{ session: S; authorized: boolean } | { reason: string }> {
    const { name, pageName } = this.spec
    const what = found.sessionId ?? `the session holding ${pageName} ${found.gatewayReference}`
    const rows = await this.findSessions(found)
    const prefix = this.providerPrefix()
    const live = rows.filter((row) => row.provider_id.startsWith(prefix) && !row.deleted_at)
    for (const row of live) {
      const parsed = this.spec.session.safeParse(row.data ?? {})
      if (!parsed.success || parsed.data.session_id !== row.id) continue
      if (found.gatewayReference !== undefined && parsed.data.gateway_reference !== found.gatewayReference) {
        return {
          reason:
            `session ${row.id} holds ${pageName} ${parsed.data.gateway_reference}, not ${found.gatewayReference} ` +
            `(a page replaced after a cart change: if it was paid, refund it at ${name})`,
        }
      }
      return { session: parsed.data, authorized: row.status === PaymentSessionStatus.AUTHORIZED }
    }
    return {
      reason:
        `${what} is not a live payment session of this provider ` +
        `(deleted after a cart change, or another store's: if it was paid, refund it at ${name})`,
    }
  }

  /** The start of this provider's ids in Medusa (`pp_hitpay_`), whatever id it was registered under. */
  private providerPrefix(): string {
    return `pp_${(this.constructor as { identifier?: string }).identifier}_`
  }

  private async findSessions({
    sessionId,
    gatewayReference,
  }: {
    sessionId?: string
    gatewayReference?: string
  }): Promise<SessionRow[]> {
    const store = this.sessionStore()
    const config = { select: ["id", "provider_id", "status", "data", "deleted_at"], take: 5 }
    if (sessionId) {
      return store.list({ id: sessionId }, config)
    }
    if (!gatewayReference) {
      return []
    }
    const legacy = this.spec.legacyKeys.gateway_reference
    const [current, old] = await Promise.all([
      store.list({ data: { gateway_reference: gatewayReference } }, config),
      legacy ? store.list({ data: { [legacy]: gatewayReference } }, config) : Promise.resolve([]),
    ])
    return [...current, ...old]
  }

  /** The session store, or an error saying what its absence means here. */
  private sessionStore(): SessionStore {
    const store = this.optional(() => this.cradle.paymentSessionService)
    if (!store) {
      throw invalidData(
        this.spec.name,
        "the payment module's session store is not available to the provider; cannot match the webhook to a session"
      )
    }
    return store
  }

  private amountFor(amount: BigNumberInput, currency: string): string {
    return gatewayAmountFor(this.spec.name, amount, currency, this.spec.decimals)
  }

  private returnUrlFor(requested: unknown): string | null {
    const none = requested === undefined || requested === null || requested === ""
    if (none && !this.options.returnUrl && this.spec.returnUrlRequired === false) {
      return null
    }
    return resolveReturnUrl(this.spec.name, requested, this.options)
  }
}
