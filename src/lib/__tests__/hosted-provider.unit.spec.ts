import { PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import {
  ConnectionSetup,
  CreatedPage,
  GatewayStatus,
  HostedCradle,
  HostedPaymentProvider,
  PageRequest,
} from "../hosted-provider"
import type { ParsedOptions } from "../options"
import { HppSessionData, sessionSchema } from "../session"
import type { RawWebhook, WebhookVerification } from "../webhook"
import { cradleWith } from "./session-store"

const SESSION = "payses_01JTESTSESSION"
type Options = { returnUrl?: string; allowedReturnOrigins?: string[] }
const schema = sessionSchema({ gateway_reference: "page_id" }, {})

/** A gateway of the test's own: pages live in a map, and the test sets what the gateway says about them. */
class TestGatewayProvider extends HostedPaymentProvider<Options, HppSessionData> {
  static identifier = "testgw"
  pages = new Map<string, GatewayStatus>()
  closed: string[] = []
  webhook: WebhookVerification<GatewayStatus> = { outcome: "ignored", reason: "nothing yet" }

  constructor(cradle: HostedCradle, parsed: ParsedOptions<Options>) {
    super(cradle, parsed, {
      name: "TestGateway",
      pageName: "page",
      session: schema,
      legacyKeys: { gateway_reference: "page_id" },
    })
  }
  protected async createPage({ sessionId, amount }: PageRequest): Promise<CreatedPage> {
    const id = `page_${this.pages.size + 1}`
    this.pages.set(id, {
      status: PaymentSessionStatus.PENDING,
      paid: { amount, currency: "SGD" },
      gatewayStatus: "open",
      describe: `page ${id}`,
    })
    return { checkoutUrl: `https://pay.example/${id}?s=${sessionId}`, gatewayReference: id, gatewayStatus: "open" }
  }
  protected connection(): ConnectionSetup {
    return { baseUrl: "https://gateway.example", overridden: false }
  }

  protected async fetchStatus(session: HppSessionData): Promise<GatewayStatus> {
    return this.pages.get(session.gateway_reference)!
  }
  protected async verifyWebhook(_payload: RawWebhook) {
    return this.webhook
  }
  protected async refundPage(session: HppSessionData) {
    return session
  }
  protected async closePage(session: HppSessionData) {
    this.closed.push(session.gateway_reference)
  }
}

const logger = () => ({ info: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() }) as any

function setUp(sessions: Record<string, unknown>[] = [], warnings: string[] = []) {
  const log = logger()
  const cradle = cradleWith(log, "pp_testgw_main", sessions)
  const provider = new TestGatewayProvider(cradle, { options: { returnUrl: "https://shop.example/return" }, warnings })
  return { provider, log, cradle }
}

const initiate = (provider: TestGatewayProvider, amount = 25) =>
  provider.initiatePayment({
    amount,
    currency_code: "SGD",
    data: { session_id: SESSION },
    context: { idempotency_key: SESSION },
  })

describe("the hosted-payment core", () => {
  it("logs each deprecation warning once, at construction", () => {
    const { log } = setUp([], ['TestGateway payment provider: option "x" is deprecated: use "y"'])
    expect(log.warn).toHaveBeenCalledTimes(1)
  })

  it("stores the page under the shared keys, with the amount by the currency's exponent", async () => {
    const { provider } = setUp()
    const { data } = await initiate(provider)
    expect(data).toEqual({
      session_id: SESSION,
      checkout_url: `https://pay.example/page_1?s=${SESSION}`,
      amount: "25.00",
      currency_code: "sgd",
      return_url: "https://shop.example/return",
      gateway_reference: "page_1",
      gateway_payment_reference: null,
      gateway_status: "open",
      presentation: "redirect",
    })
  })

  it("takes the storefront's data.presentation only where the gateway offers it, with the options named", async () => {
    const { provider } = setUp()
    const ask = (presentation: unknown) =>
      provider.initiatePayment({
        amount: 25,
        currency_code: "sgd",
        data: { session_id: SESSION, return_url: "https://shop.example/return", presentation },
        context: { idempotency_key: SESSION },
      })
    expect((await ask("redirect")).data).toMatchObject({ presentation: "redirect" })
    await expect(ask("qr")).rejects.toThrow('TestGateway: data.presentation must be one of redirect (got "qr")')
    await expect(ask(7)).rejects.toThrow("data.presentation must be one of redirect (got 7)")
  })

  it("keeps the page when nothing changed, and closes it before making one for a new amount", async () => {
    const { provider } = setUp()
    const { data } = await initiate(provider)
    expect((await provider.updatePayment({ amount: 25, currency_code: "sgd", data: data! })).data).toEqual(data)
    expect(provider.closed).toEqual([])
    const updated = await provider.updatePayment({
      amount: 30,
      currency_code: "sgd",
      data: data!,
      context: { idempotency_key: SESSION },
    })
    expect(provider.closed).toEqual(["page_1"])
    expect(updated.data).toMatchObject({
      gateway_reference: "page_2",
      amount: "30.00",
      return_url: "https://shop.example/return",
    })
  })

  it("reports paid only for the session's amount, and never for a page made for another session", async () => {
    const { provider, log } = setUp()
    const { data } = await initiate(provider)
    provider.pages.set("page_1", {
      status: PaymentSessionStatus.CAPTURED,
      paid: { amount: "25.00", currency: "SGD" },
      gatewayStatus: "paid",
      describe: "page page_1",
    })
    expect((await provider.authorizePayment({ data: data! })).status).toBe(PaymentSessionStatus.CAPTURED)
    provider.pages.set("page_1", {
      status: PaymentSessionStatus.CAPTURED,
      paid: { amount: "2.50", currency: "SGD" },
      gatewayStatus: "paid",
      describe: "page page_1",
    })
    expect((await provider.authorizePayment({ data: data! })).status).toBe(PaymentSessionStatus.ERROR)
    provider.pages.set("page_1", {
      status: PaymentSessionStatus.CAPTURED,
      paid: { amount: "25.00", currency: "SGD" },
      gatewayStatus: "paid",
      describe: "page page_1",
      foreign: "belongs to order payses_01JOTHER",
    })
    expect((await provider.authorizePayment({ data: data! })).status).toBe(PaymentSessionStatus.ERROR)
    expect(log.error).toHaveBeenCalledWith(
      `TestGateway: page page_1 belongs to order payses_01JOTHER, not to session ${SESSION}`
    )
  })

  it("logs a status word the gateway's table does not know, and keeps the session pending", async () => {
    const { provider, log } = setUp()
    const { data } = await initiate(provider)
    provider.pages.set("page_1", {
      status: PaymentSessionStatus.PENDING,
      paid: { amount: "25.00", currency: "SGD" },
      gatewayStatus: "held",
      describe: "page page_1",
      unknown: ['page status "held"'],
    })
    expect(await provider.getPaymentStatus({ data: data! })).toMatchObject({
      status: PaymentSessionStatus.PENDING,
      data: { gateway_status: "held" },
    })
    expect(log.warn).toHaveBeenCalledWith('TestGateway: unknown page status "held" on page page_1, treated as pending')
  })

  describe("webhooks", () => {
    const paid: GatewayStatus = {
      status: PaymentSessionStatus.CAPTURED,
      paid: { amount: "25.00", currency: "SGD" },
      gatewayStatus: "paid",
      describe: "page page_1",
    }
    const stored = {
      session_id: SESSION,
      checkout_url: "https://pay.example/page_1",
      amount: "25.00",
      currency_code: "sgd",
      return_url: null,
      gateway_reference: "page_1",
    }

    it("acts for a live session of this provider that holds the page", async () => {
      const { provider } = setUp([stored])
      provider.webhook = { outcome: "session", sessionId: SESSION, gatewayReference: "page_1", status: paid }
      expect(await provider.getWebhookActionAndData({ data: {}, rawData: "", headers: {} })).toMatchObject({
        action: PaymentActions.AUTHORIZED,
        data: { session_id: SESSION, amount: "25.00" },
      })
    })

    it("finds the session by the page alone, also under the key it was stored with before", async () => {
      const { provider } = setUp([{ ...stored, gateway_reference: undefined, page_id: "page_1" }])
      provider.webhook = { outcome: "session", gatewayReference: "page_1", status: paid }
      expect((await provider.getWebhookActionAndData({ data: {}, rawData: "", headers: {} })).action).toBe(
        PaymentActions.AUTHORIZED
      )
    })

    it.each([
      [
        "a session the store does not have (deleted after a cart change)",
        [],
        "is not a live payment session of this provider",
      ],
      ["a deleted session", "deleted", "is not a live payment session of this provider"],
      ["another provider's session", "other provider", "is not a live payment session of this provider"],
      [
        "a session that holds another page",
        [{ ...stored, gateway_reference: "page_9" }],
        "holds page page_9, not page_1",
      ],
    ])("answers not_supported, saying why, for %s", async (_name, sessions, reason) => {
      const { provider, log, cradle } = setUp(Array.isArray(sessions) ? sessions : [stored])
      const rows = (cradle.paymentSessionService as unknown as { rows: { deleted_at: unknown; provider_id: string }[] })
        .rows
      if (sessions === "deleted") rows[0].deleted_at = new Date()
      if (sessions === "other provider") rows[0].provider_id = "pp_system_default"
      provider.webhook = { outcome: "session", sessionId: SESSION, gatewayReference: "page_1", status: paid }
      expect(await provider.getWebhookActionAndData({ data: {}, rawData: "", headers: {} })).toMatchObject({
        action: PaymentActions.NOT_SUPPORTED,
      })
      // The gateway's signed word says paid: logged as an error an admin acts on.
      expect(log.error).toHaveBeenCalledWith(expect.stringContaining(reason))
      expect(log.error).toHaveBeenCalledWith(
        expect.stringContaining("Paid at the gateway, no order: TestGateway page page_1")
      )
    })

    it("answers not_supported for rejected and ignored webhooks, with the reason in the log", async () => {
      const { provider, log } = setUp([stored])
      provider.webhook = { outcome: "rejected", why: "unauthenticated", reason: "bad signature" }
      expect((await provider.getWebhookActionAndData({ data: {}, rawData: "", headers: {} })).action).toBe(
        PaymentActions.NOT_SUPPORTED
      )
      expect(log.warn).toHaveBeenCalledWith("TestGateway webhook rejected: bad signature")
      provider.webhook = { outcome: "ignored", reason: "another event" }
      expect((await provider.getWebhookActionAndData({ data: {}, rawData: "", headers: {} })).action).toBe(
        PaymentActions.NOT_SUPPORTED
      )
      expect(log.info).toHaveBeenCalledWith("TestGateway webhook ignored: another event")
    })

    it("asks the gateway when the webhook does not carry its word, and applies the amount check", async () => {
      const { provider } = setUp([stored])
      provider.pages.set("page_1", { ...paid, paid: { amount: "1.00", currency: "SGD" } })
      provider.webhook = { outcome: "session", sessionId: SESSION }
      expect(await provider.getWebhookActionAndData({ data: {}, rawData: "", headers: {} })).toMatchObject({
        action: PaymentActions.FAILED,
        data: { session_id: SESSION, amount: "1.00" },
      })
    })
  })
})
