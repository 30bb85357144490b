import type {
  IEventBusModuleService,
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
import { invalidData, isGatewayUnavailable, notAllowed } from "./errors"
import {
  difference,
  GatewayMoney,
  isNegative,
  isZero,
  Ledger,
  PaymentRow,
  PaymentStore,
  recordedTotal,
  sumOf,
} from "./ledger"
import { DecimalsRule, gatewayAmountFor, toGatewayAmount } from "./money"
import { forgetPageToClose, recordPageToClose, RETRYING_CLOSE } from "./pages-to-close"
import { amountUnshownWords, hourOf, paidNoOrderRecord, recorder, RecordInput } from "./record"
import { coreRouteOf, coreRouteRecords } from "./core-route-record"
import { SessionLookup, SessionStore } from "./session-lookup"
import { isPaid } from "./status"
import type { ParsedOptions } from "./options"
import { resolveReturnUrl, ReturnUrlOptions } from "./return-urls"
import {
  guardPaidAmount,
  HppSessionData,
  LegacyKeys,
  parseSession,
  Presentation,
  sessionIdOf,
  webhookActionFor,
} from "./session"
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
  /**
   * Webhook events whose name says the page was paid (NetValve `PURCHASED`, CatalystPay `payment_session.completed`).
   * Such a webhook that the gateway's API does not confirm yet is answered so that the gateway delivers it again.
   * A webhook that carries a signed status (HitPay) claims what that status says.
   */
  paidEvents?: readonly string[]
}

export type { GatewayMoney }
export type { SessionRow, SessionStore } from "./session-lookup"

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
  /** How the storefront presents the page: the storefront's `data.presentation`, checked, or the provider's default. */
  presentation: Presentation
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
  /**
   * Money the same answer shows gone back from the payment (refunded, reversed, charged back): `amount` in
   * major units, or null where the gateway shows that some went back but not how much. Unset: nothing did.
   */
  returned?: ReturnedMoney
}

/** What went back from a paid page, and how the gateway put it ("refunded", "charged back"). */
export type ReturnedMoney = { amount: string | null; how: string }

/**
 * The payment module's container, as a provider receives it. Besides the logger it holds the module's own
 * payment session service: how a webhook is matched to a live session of this provider.
 */
export type HostedCradle = {
  logger: Logger
  paymentSessionService?: SessionStore
  /** The module's payments with their refunds and captures: what Medusa has recorded of a session's money. */
  paymentService?: PaymentStore
  /** The store's database, which Medusa lends every module: the plugin's table of pages to close. */
  __pg_connection__?: PgConnection
  /** The payment module's event bus: what the provider did reaches the plugin's record through it. */
  event_bus?: Pick<IEventBusModuleService, "emit">
}

type PgConnection = Parameters<typeof recordPageToClose>[0]

/** Where the provider talks to its gateway, and the call "Test connection" makes (none where no guide gives one). */
export type ConnectionSetup = {
  /** The API host the provider asks (the first, where it has two). */
  baseUrl: string
  /** Whether an option overrides the host `environment` chooses. */
  overridden: boolean
  probe?: {
    /** The call, in words, for the admin ("GET /payment-requests/{id} for an id that cannot exist"). */
    call: string
    run: () => Promise<unknown>
  }
}

/** What "Test connection" found, in words. */
export type ConnectionTest = { ok: boolean; message: string }

/** What the gateway says of a session now, for the admin's order page. */
export type GatewayStatusNow = {
  status: PaymentSessionStatus
  gatewayWord: string | null
  paid: string | null
  captured: string | null
  refunded: string | null
}

/** A reference no gateway has: asked about by "Test connection", whose answer shows whether the credentials work. */
export const PROBE_REFERENCE = "medusa-hpp-connection-test"

/** How often, at most, a webhook for a session Medusa holds makes the provider ask the gateway about its refunds. */
export const REFUND_CHECK_WINDOW_MS = 30_000

/** How long closing a deleted session's page may take before it is left to the reconciliation (Medusa waits 2 s). */
export const CLOSE_BUDGET_MS = 1500

type Current<S> = { status: PaymentSessionStatus; data: S }

/**
 * What the provider concluded about a webhook, beside the action Medusa reads: the plugin's webhook routes
 * answer the gateway by it (401, 400, 422, or 200 once the work is done). Medusa's own route ignores it.
 */
export type WebhookVerdict =
  | { kind: "unauthenticated"; reason: string }
  | { kind: "malformed"; reason: string }
  | { kind: "ignored"; reason: string }
  | { kind: "no_live_session"; reason: string; paid: boolean; gatewayReference: string | null }
  | {
      kind: "session"
      sessionId: string
      gatewayReference: string
      status: PaymentSessionStatus
      wrongAmount: boolean
      /** Paid at the gateway, but its answer shows no amount or currency to check: no order, asked again. */
      amountUnshown?: boolean
      /** A deferred payment's session (a SEPA debit under way): its order exists, awaiting payment. */
      deferred?: boolean
      /** A deferred payment's session that ended unpaid after its order (flagged): final. */
      failedDeferred?: boolean
      /** Pending only because the gateway used a word its tables do not know: worth a later delivery. */
      unknownStatus: boolean
      /** Session data to keep before Medusa's authorization reads it: the keys the authenticated webhook added. */
      sessionData?: Record<string, unknown>
      /** The webhook itself says paid (a signed paid status, or a paid event's name), whatever the API says. */
      claimsPaid?: boolean
      /** Paid, then (some of) the money went back before Medusa held the payment: never an order. */
      moneyReturned?: boolean
      /**
       * Medusa holds the payment and the gateway shows refunds Medusa has no record of (made in its dashboard):
       * the payment and the amount to record, through Medusa's refund workflow, without sending anything.
       */
      unrecordedRefund?: { paymentId: string; amount: string }
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
  /** Refunds and captures held against Medusa's records and the gateway's totals. */
  private readonly ledger: Ledger<S>
  /** How a webhook finds its live payment session. */
  private readonly sessions: SessionLookup<S>
  private readonly cradle: HostedCradle
  /** Sessions whose gateway refunds a webhook asked about lately, and when. */
  private readonly refundChecks = new Map<string, number>()

  protected constructor(cradle: HostedCradle, parsed: ParsedOptions<O>, spec: GatewaySpec<S>) {
    super(cradle, parsed.options)
    this.options = parsed.options
    this.logger = cradle.logger
    this.spec = spec
    this.cradle = cradle
    const { name, pageName, decimals, legacyKeys, session } = spec
    this.ledger = new Ledger(
      { name, pageName, decimals, logger: this.logger, moneyAtGateway: (s) => this.moneyAtGateway(s) },
      () => optional(() => cradle.paymentService)
    )
    this.sessions = new SessionLookup(
      { name, pageName, session, legacyKeys, providerPrefix: this.providerPrefix() },
      () => optional(() => cradle.paymentSessionService)
    )
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

  /**
   * The presentations the gateway offers (always `redirect`) and the provider's default. Default: redirect only.
   * A gateway that offers more says what each needs in its options, and refuses in `createPage` what is not set up.
   */
  protected presentations(): { offered: readonly Presentation[]; default: Presentation } {
    return { offered: ["redirect"], default: "redirect" }
  }

  /** The storefront's `data.presentation`, if it sent one the gateway offers; else the provider's default. */
  private presentationFor(asked: unknown): Presentation {
    const { offered, default: fallback } = this.presentations()
    if (asked === undefined || asked === null || asked === "") return fallback
    if (typeof asked !== "string" || !(offered as readonly string[]).includes(asked)) {
      throw invalidData(
        this.spec.name,
        `data.presentation must be one of ${offered.join(", ")} (got ${JSON.stringify(asked)})`
      )
    }
    return asked as Presentation
  }

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

  /**
   * The session data with what an authenticated webhook said, where the gateway's API alone does not decide
   * (NetValve's CREATED order). The plugin's webhook route keeps the result on the session before Medusa's
   * authorization reads it. Default: a webhook adds nothing.
   */
  protected withWebhookWord(session: S, _event: string | undefined): S {
    return session
  }

  /** Throws where the gateway cannot give a session a new page for a changed amount. Default: it can. */
  protected assertReplaceable(_session: S): void {}

  /** The API host and the connection test of this gateway: each gateway's service says. */
  protected abstract connection(): ConnectionSetup

  // --- For the admin (reached through the payment module: src/lib/provider-access.ts) ---

  /** Environment and host, as the settings page shows them (never a credential). */
  adminSetup(): { environment: "sandbox" | "production" | "custom"; baseUrl: string; probe: string | null } {
    const { baseUrl, overridden, probe } = this.connection()
    const environment = (this.options as { environment?: "sandbox" | "production" }).environment ?? "sandbox"
    return { environment: overridden ? "custom" : environment, baseUrl, probe: probe?.call ?? null }
  }

  /**
   * "Test connection": the gateway's cheapest authenticated call, through this provider's own client. None of the
   * guides documents a call made for it, so the provider asks about a reference that cannot exist: a refusal of the
   * credentials (401, 403) says they do not work; "not found" (404) or an answer says they were accepted; another
   * refusal (400, 422) could come before the credentials are checked, so it confirms nothing
   * [unverified: the guides do not say how an unknown reference is answered].
   */
  async testConnection(): Promise<ConnectionTest> {
    const { probe } = this.connection()
    const name = this.spec.name
    if (!probe) return { ok: false, message: `${name}'s guide documents no call to test a connection with` }
    try {
      await probe.run()
      return { ok: true, message: `${name} answered: the credentials work` }
    } catch (error) {
      const message = (error as Error).message ?? String(error)
      if (/\(HTTP (401|403)/.test(message)) {
        return { ok: false, message: `${name} refused the credentials: ${message}. Check the API key and account` }
      }
      if (/\(HTTP 404/.test(message)) {
        return {
          ok: true,
          message: `${name} accepted the credentials (it answered that the test payment does not exist): the connection works`,
        }
      }
      if (/\(HTTP (400|422)/.test(message)) {
        return {
          ok: false,
          message: `${name} answered, but refused the request itself, so the credentials could not be confirmed: ${message}`,
        }
      }
      if (isGatewayUnavailable(message)) return { ok: false, message: `${name} could not be reached: ${message}` }
      return { ok: false, message: `${name} answered with an error: ${message}` }
    }
  }

  /** The gateway's word on a session now, with what it shows paid, captured and refunded (where it says). */
  async gatewayStatusNow(data: Record<string, unknown> | undefined): Promise<GatewayStatusNow> {
    const session = this.session(data)
    const gateway = await this.fetchStatus(session)
    const status = this.judge(session, gateway)
    const money = await this.moneyAtGateway(session).catch(() => undefined)
    const shown = (amount: unknown) =>
      amount === null || amount === undefined ? null : shownAmount(amount, session.currency_code)
    return {
      status,
      gatewayWord: gateway.gatewayStatus || null,
      paid: isPaid(gateway.status) ? shown(gateway.paid.amount ?? session.amount) : null,
      captured: shown(money?.captured),
      refunded: shown(money?.refunded ?? gateway.returned?.amount),
    }
  }

  // --- Medusa's payment provider interface ---

  async initiatePayment(input: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    const sessionId = sessionIdOf(this.spec.name, input)
    const currency = input.currency_code.toLowerCase()
    const amount = this.amountFor(input.amount, currency)
    const returnUrl = this.returnUrlFor(input.data?.return_url)
    const presentation = this.presentationFor(input.data?.presentation)
    const page = await this.createPage({
      sessionId,
      amount,
      currency,
      returnUrl,
      buyer: readBuyer(await withBuyerFromCart(this.providerPrefix(), input.data), input.context),
      presentation,
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
      presentation,
      ...page.data,
    }
    this.record({
      kind: "page_created",
      outcome: "created",
      message: `${this.spec.name} ${this.spec.pageName} ${page.gatewayReference} made for ${amount} ${currency.toUpperCase()}`,
      payment_session_id: sessionId,
      gateway_reference: page.gatewayReference,
      amount,
      currency_code: currency,
    })
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
    // The new page is presented as the old one was (a session written before there was a choice: a redirect).
    const presentation = current?.presentation ?? input.data?.presentation
    const created = await this.initiatePayment({
      ...input,
      data: { ...input.data, return_url: returnUrl, presentation },
    })
    return { status: created.status, data: created.data }
  }

  /**
   * Closes the deleted session's page, but never stands between a buyer and a cart change: Medusa holds the cart
   * lock meanwhile (a 2 s wait for others). A page the gateway does not close within `CLOSE_BUDGET_MS` (down,
   * slow, refusing) is recorded in the plugin's table of pages to close and logged, and the reconciliation job
   * closes it later; a close that finishes late forgets it again. A payment on it makes no order meanwhile: its
   * session is gone, and the webhook's live-session guard refuses it.
   */
  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    const parsed = this.spec.session.safeParse(input.data ?? {})
    if (!parsed.success) {
      return { data: input.data }
    }
    const session = parsed.data
    const retrying = input.data?.[RETRYING_CLOSE] === true
    const closing = this.closePage(session, "delete")
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), CLOSE_BUDGET_MS)))
    const outcome = await Promise.race([
      closing.then(
        () => "closed" as const,
        (error: Error) => error
      ),
      late,
    ])
    clearTimeout(timer)
    if (outcome === "closed") {
      if (retrying) {
        await this.pagesToClose((pg) => forgetPageToClose(pg, this.identifier(), session.gateway_reference))
        this.record({
          kind: "cancel",
          outcome: "closed",
          message: `${this.spec.pageName} ${session.gateway_reference} of a deleted session closed on a later try`,
          payment_session_id: session.session_id,
          gateway_reference: session.gateway_reference,
          resolves: ["page_left_open"],
        })
      }
      return { data: input.data }
    }
    const reason = outcome === "late" ? `no answer within ${CLOSE_BUDGET_MS} ms` : outcome.message
    const page = `${this.spec.pageName} ${session.gateway_reference} of deleted session ${session.session_id}`
    const recorded = await this.pagesToClose((pg) =>
      recordPageToClose(pg, {
        gateway: this.identifier(),
        gatewayReference: session.gateway_reference,
        sessionId: session.session_id,
        data: { ...session },
        reason,
      })
    )
    if (outcome === "late") {
      // The close goes on: when it succeeds after all, the page needs no later try.
      void closing.then(
        () => this.pagesToClose((pg) => forgetPageToClose(pg, this.identifier(), session.gateway_reference)),
        () => undefined
      )
    }
    if (!retrying) {
      this.record({
        kind: "page_left_open",
        outcome: "left open",
        message: `${this.spec.pageName} ${session.gateway_reference} of a deleted session could not be closed (${reason})`,
        payment_session_id: session.session_id,
        gateway_reference: session.gateway_reference,
        amount: session.amount,
        currency_code: session.currency_code,
        attention_kind: "page_left_open",
        dedupe_key: `page_left_open:${this.identifier()}:${session.gateway_reference}`,
      })
    }
    this.logger.warn(
      `${this.spec.name}: ${page} is still open (${reason}); ` +
        (recorded && (this.options as { reconcile?: boolean }).reconcile !== false
          ? "recorded, and the reconciliation job closes it later"
          : recorded
            ? `recorded, but the reconciliation job is off for this provider: close it in the ${this.spec.name} dashboard`
            : `it could not be recorded to close later: close it in the ${this.spec.name} dashboard`) +
        ". A payment on it makes no order"
    )
    return { data: input.data }
  }

  /** Runs `work` on the database the payment module lends; false where it lends none or the work fails. */
  private async pagesToClose(work: (pg: PgConnection) => Promise<unknown>): Promise<boolean> {
    const pg = optional(() => this.cradle.__pg_connection__)
    if (!pg) return false
    try {
      await work(pg)
      return true
    } catch (error) {
      this.logger.error(`${this.spec.name}: the table of pages to close could not be used: ${(error as Error).message}`)
      return false
    }
  }

  /**
   * A refund made in the gateway's dashboard for a session Medusa holds, if the gateway shows one: asked at most once
   * per session every `REFUND_CHECK_WINDOW_MS` (an unsigned notification for a known page must not make the store call
   * the gateway at will), and never the reason a webhook fails (the order is what the webhook is for).
   */
  private async refundMadeAtGateway(session: S, payments: PaymentRow[]) {
    const now = Date.now()
    for (const [id, at] of this.refundChecks) if (now - at >= REFUND_CHECK_WINDOW_MS) this.refundChecks.delete(id)
    if (this.refundChecks.has(session.session_id)) return undefined
    this.refundChecks.set(session.session_id, now)
    try {
      return await this.ledger.unrecordedRefund(session, payments)
    } catch (error) {
      this.refundChecks.delete(session.session_id)
      this.logger.warn(
        `${this.spec.name}: could not ask what ${this.spec.pageName} ${session.gateway_reference} shows refunded ` +
          `(${(error as Error).message}); a refund made in the dashboard is recorded on a later notification`
      )
      return undefined
    }
  }

  /** The gateway's paid event (`spec.paidEvents`, as spelled there) that a webhook's event name is, whatever its case. */
  protected paidEventOf(event: string | undefined): string | undefined {
    const wanted = event?.trim().toLowerCase()
    return wanted ? this.spec.paidEvents?.find((paid) => paid.toLowerCase() === wanted) : undefined
  }

  /**
   * Says what happened for the plugin's record (src/lib/record.ts), on the payment module's event bus: never
   * waits, never fails the payment. The provider does not know the id it was registered under; the record's
   * writer reads it from the session.
   */
  protected record(input: Omit<RecordInput, "provider_id" | "gateway">): void {
    recorder.record(
      { ...input, provider_id: null, gateway: this.identifier() },
      () => optional(() => this.cradle.event_bus),
      this.logger
    )
  }

  /** The page's one "paid at the gateway, no order" item (`paidNoOrderRecord`), in the words of the part that found it. */
  private recordPaidNoOrder(session: S, message: string): void {
    const about = {
      // The writer reads the session's (a provider does not know the id it was registered under).
      provider_id: null,
      gateway: this.identifier(),
      payment_session_id: session.session_id,
      gateway_reference: session.gateway_reference,
      amount: session.amount,
      currency_code: session.currency_code,
    }
    this.record(paidNoOrderRecord(about, message, session.gateway_reference))
  }

  /** The provider's identifier (`hitpay`), as its ids start (`pp_hitpay_…`). */
  private identifier(): string {
    return String((this.constructor as { identifier?: string }).identifier)
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
    const base = {
      kind: "cancel",
      payment_session_id: session.session_id,
      gateway_reference: session.gateway_reference,
      amount: session.amount,
      currency_code: session.currency_code,
    } as const
    try {
      const output = await this.cancelAtGateway(session, input)
      this.record({
        ...base,
        outcome: "done",
        message: `cancel of ${this.spec.pageName} ${session.gateway_reference} done`,
      })
      return output
    } catch (error) {
      this.record({ ...base, outcome: "refused", message: (error as Error).message ?? String(error) })
      throw error
    }
  }

  private async cancelAtGateway(session: S, input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    const paymentId = input.context?.idempotency_key
    const holder = (await this.ledger.payments(session))?.find((p) => !p.canceled_at && p.id !== paymentId)
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
    const { status, data } = await this.currentStatus(input.data)
    // A deferred payment says so in the data Medusa keeps (`payment_deferred`): once Medusa's own webhook route
    // settles it, which says nothing, the reconciliation finds it by that and says it (src/lib/deferred-payment.ts).
    const deferred = { ...data, payment_deferred: true }
    if (status === PaymentSessionStatus.PENDING_AUTHORIZATION) return { status, data: deferred }
    if (
      data.order_awaits_payment &&
      status !== PaymentSessionStatus.AUTHORIZED &&
      status !== PaymentSessionStatus.CAPTURED
    ) {
      // A deferred payment whose order exists (the plugin said so once it saw the order): not ended or reopened
      // here, where Medusa would write `error` or `pending` with the order unflagged and nothing said. Kept awaiting;
      // the next ask (a redelivery, the reconciliation) ends it, flags the order and says so
      // (src/lib/deferred-payment.ts), or goes on waiting.
      this.logger.warn(
        `${this.spec.name}: session ${data.session_id}'s order awaits its payment, and the gateway now answers ${status} ` +
          `(${data.gateway_status || "no word"}): kept awaiting; the next webhook or the reconciliation settles it`
      )
      return { status: PaymentSessionStatus.PENDING_AUTHORIZATION, data: deferred }
    }
    return { status, data }
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
    const payments = await this.ledger.payments(session)
    const amount = this.ledger.recordedCaptureAmount(payments, captureId, currency) ?? session.amount
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
      data: await this.recordMoney("capture", session, amount, () =>
        this.ledger.onceOnly("capture", session, amount, captureId, payments, () => this.capturePage(session, capture))
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
    const payments = await this.ledger.payments(session)
    return {
      data: await this.recordMoney("refund", session, amount, () =>
        this.ledger.onceOnly("refund", session, amount, refundId, payments, () =>
          this.refundPage(session, amount, input.context)
        )
      ),
    }
  }

  /**
   * A refund or capture, and its outcome for the record: done, refused (the gateway's or the ledger's word), or
   * unknown (no answer: the gateway may have made it), which needs a person until a later one is done.
   */
  private async recordMoney(
    kind: "refund" | "capture",
    session: S,
    amount: string,
    work: () => Promise<S>
  ): Promise<S> {
    const base = {
      kind,
      payment_session_id: session.session_id,
      gateway_reference: session.gateway_reference,
      amount,
      currency_code: session.currency_code,
    } as const
    try {
      const data = await work()
      this.record({
        ...base,
        outcome: "done",
        message: `${kind} of ${amount} ${session.currency_code.toUpperCase()} done`,
        resolves: kind === "refund" ? ["refund_unknown"] : [],
      })
      return data
    } catch (error) {
      const message = (error as Error).message ?? String(error)
      const unknown = isGatewayUnavailable(message) && /Trying again is safe/.test(message)
      this.record({
        ...base,
        outcome: unknown ? "outcome unknown" : "refused",
        message,
        ...(unknown && kind === "refund"
          ? { attention_kind: "refund_unknown" as const, dedupe_key: `refund_unknown:${session.session_id}:${amount}` }
          : {}),
      })
      throw error
    }
  }

  /**
   * Verifies the webhook before reading anything, then acts only for a live payment session of this provider
   * that holds the page the webhook names, on the gateway's authenticated word and the amount check.
   * Anything else is `not_supported`, logged with the reason, and changes nothing.
   */
  async getWebhookActionAndData(payload: ProviderWebhookPayload["payload"]): Promise<HostedWebhookResult> {
    const coreRoute = coreRouteOf(payload)
    if (!coreRoute) return this.judgeWebhook(payload)
    // Medusa's route answered 200 before any check: the verdict reaches the record only from here.
    const record = (result: HostedWebhookResult | { error: Error }) =>
      coreRouteRecords(coreRoute, this.identifier(), payload, result, this.spec.name).forEach((input) =>
        recorder.record(input, () => optional(() => this.cradle.event_bus), this.logger)
      )
    try {
      const result = await this.judgeWebhook(payload)
      record(result)
      return result
    } catch (error) {
      record({ error: error as Error })
      throw error
    }
  }

  private async judgeWebhook(payload: ProviderWebhookPayload["payload"]): Promise<HostedWebhookResult> {
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
    const found = await this.sessions.find(verification)
    if ("reason" in found) {
      // Paid by the gateway's authenticated word: a signed paid status, or an authenticated paid event (NetValve,
      // CatalystPay), for a page whose session Medusa no longer holds (a cart changed): no order, for the admin.
      const paid =
        (!!verification.status && isPaid(verification.status.status)) || !!this.paidEventOf(verification.event)
      const reference = verification.gatewayReference ?? verification.sessionId ?? "?"
      const line = `${name} webhook ignored: ${found.reason}`
      if (paid) this.logger.error(`${line}. Paid at the gateway, no order: ${name} ${this.spec.pageName} ${reference}`)
      else this.logger.warn(line)
      return {
        action: PaymentActions.NOT_SUPPORTED,
        verdict: {
          kind: "no_live_session",
          reason: found.reason,
          paid,
          gatewayReference: verification.gatewayReference ?? null,
        },
      }
    }
    const { session } = found
    // Only while Medusa holds a payment for it that is not cancelled: a payment cancelled after a failed
    // completion (its reservation voided) must go through the gateway's word again, never straight to an order.
    const payments = found.authorized ? await this.ledger.payments(session) : undefined
    if (payments?.some((p) => !p.canceled_at)) {
      // Medusa holds this session's payment: what the gateway says now (a capture, a late failure) is Medusa's
      // own record to keep, and Medusa's processing only makes sure the order exists. A refund made in the
      // gateway's dashboard is brought into Medusa's books by the route, as a record of what was made.
      this.logger.info(
        `${name} webhook for session ${session.session_id}: Medusa already holds its payment; making sure its order exists`
      )
      const unrecordedRefund = await this.refundMadeAtGateway(session, payments)
      if (unrecordedRefund) {
        this.logger.warn(
          `${name}: ${unrecordedRefund.describe} shows ${unrecordedRefund.amount} ${session.currency_code.toUpperCase()} ` +
            `refunded that Medusa has no record of (made in the ${name} dashboard); recording it in Medusa`
        )
      }
      if (verification.event && /chargeback/i.test(verification.event)) {
        this.logger.error(
          `${name}: ${verification.event} for session ${session.session_id} (${this.spec.pageName} ${session.gateway_reference}): ` +
            `the buyer's bank took the money back; Medusa records no refund for a dispute: answer it in the ${name} dashboard`
        )
      }
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
          unrecordedRefund: unrecordedRefund && {
            paymentId: unrecordedRefund.paymentId,
            amount: unrecordedRefund.amount,
          },
        },
      }
    }
    const heard = this.withWebhookWord(session, verification.event)
    const gateway = verification.status ?? (await this.fetchStatus(heard))
    const status = this.judge(heard, gateway)
    const paidAmount = String(gateway.paid.amount ?? session.amount)
    const notThis = paidNotThis(gateway, status)
    return {
      action: webhookActionFor(status),
      // What the gateway reports; Medusa's authorization asks the gateway again and compares it with the session.
      data: { session_id: session.session_id, amount: paidAmount },
      verdict: {
        kind: "session",
        sessionId: session.session_id,
        gatewayReference: session.gateway_reference,
        status,
        // The gateway says paid, but not this session's amount: a payment that must not become an order. Where its
        // answer shows no amount at all, that is not "another amount": no order either, and it is asked again.
        wrongAmount: notThis === "another amount",
        amountUnshown: notThis === "amount not shown",
        deferred: found.deferred,
        failedDeferred: found.failedDeferred,
        unknownStatus: status === PaymentSessionStatus.PENDING && (gateway.unknown?.length ?? 0) > 0,
        // What the webhook added to the session's data, for the route to keep before Medusa authorizes.
        sessionData: heard === session ? undefined : addedKeys(session, heard),
        claimsPaid:
          (!!verification.status && isPaid(verification.status.status)) || !!this.paidEventOf(verification.event),
        moneyReturned:
          status === PaymentSessionStatus.CANCELED && isPaid(gateway.status) && moneyWentBack(gateway.returned),
      },
    }
  }

  // --- The shared flow ---

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
      if (isPaid(gateway.status) && why !== "cancel") {
        // Paid while its cart changed: the session no longer holds this page, so it never becomes an order.
        this.recordPaidNoOrder(
          session,
          `paid at ${this.spec.name} while the cart changed: its session was dropped, so no order is made for it`
        )
      }
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
    const found = await this.sessions.find({ gatewayReference })
    return "reason" in found ? undefined : { session: found.session, held: await this.holdsPayment(found) }
  }

  private async holdsPayment(found: { session: S; authorized: boolean }): Promise<boolean> {
    return found.authorized && !!(await this.ledger.payments(found.session))?.some((p) => !p.canceled_at)
  }

  /** The session data this provider wrote, parsed; anything else is a clear error. */
  protected session(data: Record<string, unknown> | undefined): S {
    return parseSession(this.spec.name, this.spec.session, data, this.spec.pageName)
  }

  /** The gateway's word on the session, with the amount check applied. */
  protected async currentStatus(raw: Record<string, unknown> | undefined): Promise<Current<S>> {
    const { status, data } = await this.statusWithReason(raw)
    return { status, data }
  }

  /**
   * The gateway's word on a session as Medusa's status (what `getPaymentStatus` and `authorizePayment` answer),
   * and whether it is a payment that can never be an order: paid at the gateway, and the gateway shows an amount
   * and currency that are not the session's. That one is also listed for the admin ("paid at the gateway, no
   * order", one per page, whoever finds it first: this, on the buyer's return or the reconciliation's question, or
   * the webhook), unless an order exists already (a deferred payment's order, which the reconciliation flags: the
   * caller's `listPaidNoOrder: false`, or the session's `order_awaits_payment`). An answer that says paid but shows no amount or currency is
   * not this (`paidAmountUnshown`): it stays an error, no order, listed for the admin as a paid page with no amount
   * to check, and asked again later. The reconciliation reads both reasons to say so rather than "not paid".
   */
  async statusWithReason(
    raw: Record<string, unknown> | undefined,
    options: { listPaidNoOrder?: boolean } = {}
  ): Promise<Current<S> & { paidAnotherAmount: boolean; paidAmountUnshown: boolean }> {
    const session = this.session(raw)
    // A deferred payment's order that exists is never "no order" (src/lib/deferred-payment.ts `markOrderAwaiting`).
    const listPaidNoOrder = options.listPaidNoOrder ?? !session.order_awaits_payment
    const gateway = await this.fetchStatus(session)
    const status = this.judge(session, gateway)
    const { amount, currency } = gateway.paid
    const notThis = paidNotThis(gateway, status)
    const paidAnotherAmount = notThis === "another amount"
    const paidAmountUnshown = notThis === "amount not shown"
    this.record({
      kind: "status_asked",
      outcome: status,
      message: `${this.spec.name} says ${gateway.gatewayStatus || gateway.status} (${status} for Medusa)`,
      payment_session_id: session.session_id,
      gateway_reference: session.gateway_reference,
      amount: session.amount,
      currency_code: session.currency_code,
      fields: { gateway_status: gateway.gatewayStatus || null },
      // Asked every few minutes while a page is open (the reconciliation): one row per answer and hour, counted.
      dedupe_key: `status_asked:${session.session_id}:${status}:${gateway.gatewayStatus}:${hourOf()}`,
    })
    if (paidAnotherAmount && listPaidNoOrder) {
      // The gateway's figures as it gave them (not rounded into the session's form).
      this.recordPaidNoOrder(
        session,
        `paid at ${this.spec.name}: ${String(amount).trim()} ${String(currency).trim().toUpperCase()}, not the ` +
          `session's ${session.amount} ${session.currency_code.toUpperCase()}: no order`
      )
    }
    if (paidAmountUnshown && listPaidNoOrder) {
      this.recordPaidNoOrder(session, amountUnshownWords(this.spec.name))
    }
    return { status, data: this.withGateway(session, gateway), paidAnotherAmount, paidAmountUnshown }
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
    if (isPaid(gateway.status) && moneyWentBack(gateway.returned)) {
      const currency = session.currency_code.toUpperCase()
      const returned = gateway.returned as ReturnedMoney
      const back =
        returned.amount === null
          ? "an amount it does not show"
          : `${toGatewayAmount(returned.amount, session.currency_code)} ${currency}`
      this.logger.error(
        `${this.spec.name}: ${gateway.describe} was paid ${shownAmount(gateway.paid.amount, session.currency_code)} ${currency} and ${back} was ` +
          `${returned.how} before Medusa made an order for session ${session.session_id}: no order; the session ends ` +
          `as not payable. Settle the rest with the buyer in the ${this.spec.name} dashboard`
      )
      this.record({
        kind: "money_returned",
        outcome: "no order",
        message:
          `Paid ${shownAmount(gateway.paid.amount, session.currency_code)} ${currency}, then ${back} ${returned.how} ` +
          `before Medusa made an order: no order`,
        payment_session_id: session.session_id,
        gateway_reference: session.gateway_reference,
        amount: session.amount,
        currency_code: session.currency_code,
        attention_kind: "money_returned",
        dedupe_key: `money_returned:${session.session_id}`,
      })
      return PaymentSessionStatus.CANCELED
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

  /** The start of this provider's ids in Medusa (`pp_hitpay_`), whatever id it was registered under. */
  private providerPrefix(): string {
    return `pp_${this.identifier()}_`
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

/** Medusa's container resolves on access and throws for a name it lacks. */
function optional<T>(get: () => T | undefined): T | undefined {
  try {
    return get()
  } catch {
    return undefined
  }
}

/**
 * Why a page paid at the gateway is yet judged an error, where it is not paid by another session (`guardPaidAmount`):
 * it shows an amount or currency that is not the session's, or none to check. Undefined where neither applies.
 */
function paidNotThis(
  gateway: GatewayStatus,
  status: PaymentSessionStatus
): "another amount" | "amount not shown" | undefined {
  if (!isPaid(gateway.status) || status !== PaymentSessionStatus.ERROR || gateway.foreign) return undefined
  const { amount, currency } = gateway.paid
  const shown =
    (typeof amount === "string" || typeof amount === "number") &&
    String(amount).trim() !== "" &&
    typeof currency === "string" &&
    currency.trim() !== ""
  return shown ? "another amount" : "amount not shown"
}

/** Whether a gateway's answer shows any money gone back from the payment. */
function moneyWentBack(returned: ReturnedMoney | undefined): boolean {
  return !!returned && (returned.amount === null || !isZero(returned.amount))
}

/** A gateway's amount as the currency writes it ("44" → "44.00"), or as it came where it is not a number. */
function shownAmount(amount: unknown, currency: string): string {
  try {
    return toGatewayAmount(String(amount), currency)
  } catch {
    return String(amount)
  }
}

/** The keys of `heard` that `session` lacks or holds otherwise (what a webhook added to a session's data). */
function addedKeys(session: object, heard: object): Record<string, unknown> {
  const before = session as Record<string, unknown>
  return Object.fromEntries(
    Object.entries(heard).filter(([key, value]) => JSON.stringify(before[key]) !== JSON.stringify(value))
  )
}
