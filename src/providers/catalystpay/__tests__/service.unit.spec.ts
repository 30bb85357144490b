import { MedusaError, PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import nock from "nock"
import {
  CATALYSTPAY_STAGING,
  catalystpayCompletedPayload,
  catalystpayCreatedSession,
  catalystpaySession,
  catalystpayWebhookHeaders,
  COMPLETED_25_EUR_SIGNATURE,
  SESSION_TOKEN,
  TEST_WEBHOOK_SECRET,
} from "../../../../integration-tests/fixtures/catalystpay"
import type { SessionRow } from "../../../lib/hosted-provider"
import { sessionStore } from "../../../lib/__tests__/session-store"
import { CatalystPayProviderService, CatalystPaySessionData } from "../service"

const SESSION = "payses_01JTESTSESSION"
const CAMPAIGN = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"
const GATEWAY_ID = "f7e8d9c0-b1a2-3456-cdef-890123456789"
const PROFILE = "0b9e6a4c-3f1d-4e2a-9c8b-7d6e5f4a3b21"

const direct = { apiKey: "rk_test_abc", webhookSecret: TEST_WEBHOOK_SECRET, gatewayId: GATEWAY_ID }
const campaign = { apiKey: "rk_test_abc", webhookSecret: TEST_WEBHOOK_SECRET, campaignId: CAMPAIGN }

type StoredSession = SessionRow

function logger() {
  return { info: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() } as any
}

function provider(options: Record<string, unknown> = direct, sessions: StoredSession[] = []) {
  const log = logger()
  const service = new CatalystPayProviderService(
    { logger: log, paymentSessionService: sessionStore(sessions) },
    options
  )
  return { service, log }
}

function session(overrides: Partial<CatalystPaySessionData> = {}): CatalystPaySessionData {
  return {
    session_id: SESSION,
    checkout_url: `https://pay.catalystpay.com/s/${SESSION_TOKEN}`,
    amount: "25.00",
    currency_code: "eur",
    return_url: null,
    gateway_reference: SESSION_TOKEN,
    gateway_payment_reference: null,
    gateway_status: "PENDING",
    presentation: "redirect",
    mode: "direct",
    ...overrides,
  }
}

/** The buyer as the plugin's middleware fills it from the cart. */
const buyerData = {
  email: "zoe@example.com",
  billing_address: {
    first_name: "Zoë",
    last_name: "Müller-Łukasiewicz",
    phone: "+4930123456",
    address_1: "Musterstrasse 42",
    address_2: "Hinterhaus",
    city: "Berlin",
    postal_code: "10115",
    country_code: "de",
  },
  customer_ip: "203.0.113.50",
}

type Seen = { method: string; path: string; headers: Record<string, unknown>; body: string }

/** Records what CatalystPay receives. */
function record(seen: Seen[], status: number, answer: unknown) {
  return function (this: any, uri: string, body: unknown): [number, any] {
    seen.push({
      method: this.req.method,
      path: uri,
      headers: this.req.headers,
      body: typeof body === "string" ? body : JSON.stringify(body ?? ""),
    })
    return [status, answer]
  }
}

const reports = (status: string, amount = "25.00", currency = "EUR", extra: Record<string, unknown> = {}) =>
  nock(CATALYSTPAY_STAGING)
    .get(`/payment-sessions/${SESSION_TOKEN}/`)
    .reply(200, { ...catalystpaySession({ status, amount, currency }), ...extra })

describe("CatalystPay provider", () => {
  beforeAll(() => nock.disableNetConnect())
  afterEach(() => nock.cleanAll())
  afterAll(() => nock.enableNetConnect())

  describe("options", () => {
    it("stops boot naming the missing option and its variable", () => {
      expect(() => CatalystPayProviderService.validateOptions({ ...direct, apiKey: undefined })).toThrow(
        'CatalystPay payment provider: option "apiKey" is missing (set CATALYSTPAY_API_KEY)'
      )
      expect(() => CatalystPayProviderService.validateOptions({ ...direct, webhookSecret: "" })).toThrow(
        'CatalystPay payment provider: option "webhookSecret" is missing (set CATALYSTPAY_WEBHOOK_SECRET)'
      )
    })

    it("refuses a configuration that is neither campaign mode nor direct mode", () => {
      expect(() => CatalystPayProviderService.validateOptions({ apiKey: "rk_x", webhookSecret: "s" })).toThrow(
        'CatalystPay payment provider: neither campaign mode nor direct mode is configured; set option "campaignId" ' +
          '(CATALYSTPAY_CAMPAIGN_ID) or option "gatewayId" (CATALYSTPAY_GATEWAY_ID)'
      )
      expect(
        () =>
          new CatalystPayProviderService({ logger: logger() }, { apiKey: "rk_x", webhookSecret: "s", gatewayId: "" })
      ).toThrow("neither campaign mode nor direct mode")
    })

    it("accepts either mode", () => {
      expect(() => CatalystPayProviderService.validateOptions(campaign)).not.toThrow()
      expect(() => CatalystPayProviderService.validateOptions(direct)).not.toThrow()
      expect(() =>
        CatalystPayProviderService.validateOptions({ ...direct, maxPaymentAttempts: "5", webhookProfileId: PROFILE })
      ).not.toThrow()
    })

    it.each([
      [
        { ...direct, apiKey: "ps_abc123" },
        'option "apiKey" must be a CatalystPay API key ("rk_...") (set CATALYSTPAY_API_KEY)',
      ],
      [{ ...campaign, campaignId: "summer-sale" }, 'option "campaignId" must be a UUID (set CATALYSTPAY_CAMPAIGN_ID)'],
      [{ ...direct, gatewayId: "MID-1" }, 'option "gatewayId" must be a UUID (set CATALYSTPAY_GATEWAY_ID)'],
      [
        { ...direct, maxPaymentAttempts: 11 },
        'option "maxPaymentAttempts" must be between 1 and 10 (set CATALYSTPAY_MAX_PAYMENT_ATTEMPTS)',
      ],
      [
        { ...direct, environment: "live" },
        'option "environment" must be "sandbox" or "production" (set CATALYSTPAY_ENVIRONMENT)',
      ],
      [{ ...direct, gatewayid: GATEWAY_ID }, 'unknown option "gatewayid" (did you mean "gatewayId"?)'],
    ])("names a malformed option (%#)", (options, message) => {
      expect(() => CatalystPayProviderService.validateOptions(options)).toThrow(message)
    })

    it("uses the production host when asked, and any host given", async () => {
      nock("https://api.catalystpay.com/api/v1")
        .get(`/payment-sessions/${SESSION_TOKEN}/`)
        .reply(200, catalystpaySession({ amount: "25.00" }))
      await provider({ ...direct, environment: "production" }).service.getPaymentStatus({ data: session() })
      nock("http://127.0.0.1:4010/catalystpay/api/v1")
        .get(`/payment-sessions/${SESSION_TOKEN}/`)
        .reply(200, catalystpaySession({ amount: "25.00" }))
      await provider({ ...direct, apiBaseUrl: "http://127.0.0.1:4010/catalystpay/api/v1" }).service.getPaymentStatus({
        data: session(),
      })
    })
  })

  describe("initiatePayment in direct mode", () => {
    it("sends the cart's amount and currency, ONE_OFF, the buyer as the lead, and hands back payment_url", async () => {
      const seen: Seen[] = []
      nock(CATALYSTPAY_STAGING)
        .post("/payment-sessions/")
        .reply(record(seen, 201, catalystpayCreatedSession()))
      const { service } = provider({ ...direct, maxPaymentAttempts: 5, webhookProfileId: PROFILE })
      const result = await service.initiatePayment({
        amount: { value: "25", precision: 20 } as any,
        currency_code: "eur",
        data: { session_id: SESSION, ...buyerData },
        context: { idempotency_key: SESSION },
      })
      expect(seen).toHaveLength(1)
      expect(seen[0]).toMatchObject({ method: "POST", path: "/api/v1/payment-sessions/" })
      expect(seen[0].headers).toMatchObject({ authorization: "Bearer rk_test_abc", "content-type": "application/json" })
      expect(JSON.parse(seen[0].body)).toEqual({
        gateway_id: GATEWAY_ID,
        amount: "25.00",
        currency: "EUR",
        billing_type: "ONE_OFF",
        lead: {
          first_name: "Zoë",
          last_name: "Müller-Łukasiewicz",
          email: "zoe@example.com",
          country: "DE",
          address: "Musterstrasse 42, Hinterhaus",
          city: "Berlin",
          postal_code: "10115",
          phone: "+4930123456",
        },
        max_payment_attempts: 5,
        webhook_profile_id: PROFILE,
        customer_ip: "203.0.113.50",
      })
      expect(result).toEqual({
        id: SESSION_TOKEN,
        status: PaymentSessionStatus.PENDING,
        data: session(),
      })
      expect(JSON.stringify(result)).not.toMatch(/rk_test_abc|whsec_/)
    })

    it("keeps an allow-listed return_url for the storefront, without sending it to CatalystPay", async () => {
      const seen: Seen[] = []
      nock(CATALYSTPAY_STAGING)
        .post("/payment-sessions/")
        .reply(record(seen, 201, catalystpayCreatedSession()))
      const { service } = provider({ ...direct, returnUrl: "https://shop.example/checkout/return" })
      const result = await service.initiatePayment({
        amount: 25,
        currency_code: "eur",
        data: { session_id: SESSION, ...buyerData, return_url: "https://shop.example/checkout/return?cart=1" },
      })
      expect(result.data).toMatchObject({ return_url: "https://shop.example/checkout/return?cart=1" })
      expect(seen[0].body).not.toContain("shop.example")
    })

    it("refuses a return_url off the allowed origins without calling CatalystPay", async () => {
      const { service } = provider({ ...direct, returnUrl: "https://shop.example/checkout/return" })
      await expect(
        service.initiatePayment({
          amount: 25,
          currency_code: "eur",
          data: { session_id: SESSION, ...buyerData, return_url: "https://evil.example/x" },
        })
      ).rejects.toThrow("CatalystPay: data.return_url origin https://evil.example is not allowed")
    })

    it("refuses a buyer without a first name, saying what the storefront must send, without calling CatalystPay", async () => {
      const scope = nock(CATALYSTPAY_STAGING).post("/payment-sessions/").reply(201, catalystpayCreatedSession())
      const data = {
        session_id: SESSION,
        email: "zoe@example.com",
        billing_address: { last_name: "Müller", country_code: "de" },
      }
      const error = await provider()
        .service.initiatePayment({ amount: 25, currency_code: "eur", data })
        .catch((e) => e)
      expect(error).toBeInstanceOf(MedusaError)
      expect(error.type).toBe(MedusaError.Types.INVALID_DATA)
      expect(error.message).toBe(
        "CatalystPay: CatalystPay requires the buyer's first name; the storefront must set the cart's billing address " +
          "(first_name) before creating the payment session"
      )
      expect(scope.isDone()).toBe(false)
    })

    it("refuses a currency with more decimals than CatalystPay's amounts", async () => {
      await expect(
        provider().service.initiatePayment({
          amount: 1.234,
          currency_code: "kwd",
          data: { session_id: SESSION, ...buyerData },
        })
      ).rejects.toThrow("CatalystPay: KWD has more decimals than CatalystPay's amounts (two)")
    })

    it("relays CatalystPay's field errors", async () => {
      nock(CATALYSTPAY_STAGING)
        .post("/payment-sessions/")
        .reply(400, { lead: { email: ["Enter a valid email address."] } })
      await expect(
        provider().service.initiatePayment({
          amount: 25,
          currency_code: "eur",
          data: { session_id: SESSION, ...buyerData },
        })
      ).rejects.toThrow(
        "CatalystPay create payment session failed (HTTP 400): lead.email: Enter a valid email address."
      )
    })

    it("never retries a create", async () => {
      const scope = nock(CATALYSTPAY_STAGING)
        .post("/payment-sessions/")
        .reply(502, { detail: "Bad gateway" })
        .post("/payment-sessions/")
        .reply(201, catalystpayCreatedSession())
      await expect(
        provider().service.initiatePayment({
          amount: 25,
          currency_code: "eur",
          data: { session_id: SESSION, ...buyerData },
        })
      ).rejects.toThrow("CatalystPay create payment session failed (HTTP 502): Bad gateway")
      expect(scope.pendingMocks()).toHaveLength(1)
    })
  })

  describe("initiatePayment in campaign mode", () => {
    it("sends the campaign and the lead, then checks the price CatalystPay set", async () => {
      const seen: Seen[] = []
      nock(CATALYSTPAY_STAGING)
        .post("/payment-sessions/")
        .reply(record(seen, 201, catalystpayCreatedSession()))
        .get(`/payment-sessions/${SESSION_TOKEN}/`)
        .reply(record(seen, 200, catalystpaySession({ amount: "29.99" })))
      const result = await provider(campaign).service.initiatePayment({
        amount: 29.99,
        currency_code: "eur",
        data: { session_id: SESSION, ...buyerData },
      })
      expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
        "POST /api/v1/payment-sessions/",
        `GET /api/v1/payment-sessions/${SESSION_TOKEN}/`,
      ])
      const body = JSON.parse(seen[0].body)
      expect(body).toEqual({
        campaign_id: CAMPAIGN,
        lead: expect.objectContaining({ first_name: "Zoë" }),
        customer_ip: "203.0.113.50",
      })
      expect(result.data).toMatchObject({
        amount: "29.99",
        currency_code: "eur",
        mode: "campaign",
        gateway_reference: SESSION_TOKEN,
      })
    })

    it.each([
      [
        "amount",
        "29.99",
        "EUR",
        "campaign a1b2c3d4-e5f6-7890-abcd-ef1234567890 charges 29.99 EUR, but the cart is 25.00 EUR",
      ],
      ["currency", "25.00", "GBP", "charges 25.00 GBP, but the cart is 25.00 EUR"],
    ])("refuses a cart whose %s differs from the campaign's", async (_what, amount, currency, message) => {
      nock(CATALYSTPAY_STAGING)
        .post("/payment-sessions/")
        .reply(201, catalystpayCreatedSession())
        .get(`/payment-sessions/${SESSION_TOKEN}/`)
        .reply(200, catalystpaySession({ amount, currency }))
      const error = await provider(campaign)
        .service.initiatePayment({ amount: 25, currency_code: "eur", data: { session_id: SESSION, ...buyerData } })
        .catch((e) => e)
      expect(error.type).toBe(MedusaError.Types.INVALID_DATA)
      expect(error.message).toContain(message)
      expect(error.message).toContain("use direct mode (gatewayId)")
    })
  })

  describe("status", () => {
    it.each([
      ["COMPLETED", {}, PaymentSessionStatus.CAPTURED],
      ["PAYMENT_IN_PROGRESS", {}, PaymentSessionStatus.PENDING_AUTHORIZATION],
      ["AWAITING_VERIFICATION", {}, PaymentSessionStatus.PENDING_AUTHORIZATION],
      ["PENDING", {}, PaymentSessionStatus.PENDING],
      ["PENDING", { attempts_remaining: 2 }, PaymentSessionStatus.PENDING], // after a decline with attempts left
      ["FAILED", { attempts_remaining: 0 }, PaymentSessionStatus.ERROR],
      ["EXPIRED", {}, PaymentSessionStatus.CANCELED],
    ])("asks CatalystPay: %s %j is %s", async (status, extra, expected) => {
      const seen: Seen[] = []
      nock(CATALYSTPAY_STAGING)
        .get(`/payment-sessions/${SESSION_TOKEN}/`)
        .reply(record(seen, 200, { ...catalystpaySession({ status, amount: "25.00" }), ...extra }))
      const result = await provider().service.authorizePayment({ data: session() })
      expect(seen[0]).toMatchObject({ method: "GET", path: `/api/v1/payment-sessions/${SESSION_TOKEN}/` })
      expect(seen[0].headers.authorization).toBe("Bearer rk_test_abc")
      // A deferred payment says so in the data Medusa keeps (the reconciliation finds it settled by that).
      const deferred = expected === PaymentSessionStatus.PENDING_AUTHORIZATION ? { payment_deferred: true } : {}
      expect(result).toEqual({ status: expected, data: session({ gateway_status: status, ...deferred }) })
    })

    it("is an error, logged, when CatalystPay completed another amount or currency", async () => {
      reports("COMPLETED", "2.50")
      reports("COMPLETED", "25.00", "GBP")
      const { service, log } = provider()
      expect((await service.authorizePayment({ data: session() })).status).toBe(PaymentSessionStatus.ERROR)
      expect(log.error).toHaveBeenCalledWith(
        expect.stringContaining(
          `payment session ${SESSION_TOKEN} reports 2.50 EUR but session ${SESSION} is for 25.00 EUR`
        )
      )
      expect((await service.authorizePayment({ data: session() })).status).toBe(PaymentSessionStatus.ERROR)
    })

    it("is pending, logged, for a status CatalystPay has not documented", async () => {
      reports("ON_HOLD")
      const { service, log } = provider()
      expect((await service.getPaymentStatus({ data: session() })).status).toBe(PaymentSessionStatus.PENDING)
      expect(log.warn).toHaveBeenCalledWith(expect.stringContaining('unknown session status "ON_HOLD"'))
    })

    it("retries a status read after a 429 or 502", async () => {
      nock(CATALYSTPAY_STAGING)
        .get(`/payment-sessions/${SESSION_TOKEN}/`)
        .reply(429, { detail: "Request was throttled." })
      nock(CATALYSTPAY_STAGING).get(`/payment-sessions/${SESSION_TOKEN}/`).reply(502)
      reports("COMPLETED")
      expect((await provider().service.retrievePayment({ data: session() })).data).toMatchObject({
        gateway_status: "COMPLETED",
      })
    })

    it("refuses data this provider did not write", async () => {
      await expect(provider().service.authorizePayment({ data: { session_id: SESSION } })).rejects.toThrow(
        "CatalystPay: the payment has no valid payment session reference (data.gateway_reference)"
      )
    })
  })

  describe("update, delete, capture, refund, cancel", () => {
    it("keeps the session when nothing changed, and makes a new one for a new amount", async () => {
      expect(
        (
          await provider().service.updatePayment({
            amount: 25,
            currency_code: "eur",
            data: { ...session(), ...buyerData },
          })
        ).data
      ).toMatchObject(session())
      const seen: Seen[] = []
      nock(CATALYSTPAY_STAGING)
        .post("/payment-sessions/")
        .reply(record(seen, 201, catalystpayCreatedSession("ps_newsession000000000000000001")))
      const updated = await provider().service.updatePayment({
        amount: 30,
        currency_code: "eur",
        data: { ...session(), ...buyerData },
      })
      expect(JSON.parse(seen[0].body)).toMatchObject({ amount: "30.00" })
      expect(updated.data).toMatchObject({ amount: "30.00", gateway_reference: "ps_newsession000000000000000001" })
    })

    it("deletes and captures without calling CatalystPay (no endpoint; the debit is collected when the session completes)", async () => {
      expect(await provider().service.deletePayment({ data: session() })).toEqual({ data: session() })
      expect(await provider().service.capturePayment({ data: session({ gateway_status: "COMPLETED" }) })).toEqual({
        data: session({ gateway_status: "COMPLETED" }),
      })
    })

    it("refuses a refund, telling the admin where to make it, without calling CatalystPay", async () => {
      const error = await provider()
        .service.refundPayment({
          amount: { value: "10.5", precision: 20 } as any,
          data: session({ gateway_status: "COMPLETED" }),
        })
        .catch((e) => e)
      expect(error).toBeInstanceOf(MedusaError)
      expect(error.type).toBe(MedusaError.Types.NOT_ALLOWED)
      expect(error.message).toBe(
        `CatalystPay: refunds cannot be made through CatalystPay's API. Refund 10.50 EUR of payment session ${SESSION_TOKEN} ` +
          "in the CatalystPay dashboard (it appears there as an sdd_refund transaction); nothing was refunded"
      )
    })

    it("refuses to cancel a completed debit, and lets a pending session expire", async () => {
      reports("COMPLETED")
      const error = await provider()
        .service.cancelPayment({ data: session(), context: { idempotency_key: "pay_01" } })
        .catch((e) => e)
      expect(error.type).toBe(MedusaError.Types.NOT_ALLOWED)
      expect(error.message).toContain("is COMPLETED: the buyer has paid, and a taken payment cannot be cancelled")

      reports("PENDING")
      expect(await provider().service.cancelPayment({ data: session() })).toEqual({ data: session() })
    })
  })

  describe("getWebhookActionAndData", () => {
    const payload = catalystpayCompletedPayload({ amount: "25.00" })
    const stored: StoredSession = { id: SESSION, provider_id: "pp_catalystpay_catalystpay", data: { ...session() } }
    const deliver = (body: unknown, signature: string, event?: string) => ({
      data: body as Record<string, unknown>,
      rawData: Buffer.from(JSON.stringify(body)),
      headers: catalystpayWebhookHeaders(signature, event),
    })

    it("reports a signed completion as captured for the Medusa session holding the token, after asking CatalystPay", async () => {
      const asked = reports("COMPLETED")
      const result = await provider(direct, [stored]).service.getWebhookActionAndData(
        deliver(payload, COMPLETED_25_EUR_SIGNATURE)
      )
      expect(result).toMatchObject({
        action: PaymentActions.AUTHORIZED,
        data: { session_id: SESSION, amount: "25.00" },
      })
      expect(asked.isDone()).toBe(true)
    })

    it("finds a session written before the shared key names, by its old session_token key", async () => {
      reports("COMPLETED")
      const old = {
        session_id: SESSION,
        checkout_url: "https://pay.catalystpay.com/s/x",
        amount: "25.00",
        currency_code: "eur",
        return_url: null,
        session_token: SESSION_TOKEN,
        catalystpay_status: "PENDING",
        mode: "direct",
      }
      const result = await provider(direct, [{ ...stored, data: old }]).service.getWebhookActionAndData(
        deliver(payload, COMPLETED_25_EUR_SIGNATURE)
      )
      expect(result).toMatchObject({
        action: PaymentActions.AUTHORIZED,
        data: { session_id: SESSION, amount: "25.00" },
      })
    })

    it("answers not_supported for a forged webhook, asks CatalystPay nothing, and logs why without the secret", async () => {
      const asked = reports("COMPLETED")
      const { service, log } = provider(direct, [stored])
      const forged = { ...payload, amount: "2500.00" }
      expect(await service.getWebhookActionAndData(deliver(forged, COMPLETED_25_EUR_SIGNATURE))).toMatchObject({
        action: PaymentActions.NOT_SUPPORTED,
      })
      expect(asked.isDone()).toBe(false)
      expect(log.warn).toHaveBeenCalledWith(expect.stringContaining("X-CatalystPay-Signature does not match"))
      expect(JSON.stringify(log.warn.mock.calls)).not.toContain(TEST_WEBHOOK_SECRET)
    })

    it("answers not_supported, logged, for other events", async () => {
      const { service, log } = provider(direct, [stored])
      const result = await service.getWebhookActionAndData(
        deliver(payload, COMPLETED_25_EUR_SIGNATURE, "order.created")
      )
      expect(result).toMatchObject({ action: PaymentActions.NOT_SUPPORTED })
      expect(log.info).toHaveBeenCalledWith(
        expect.stringContaining("event order.created does not complete a payment session")
      )
    })

    it.each([
      ["no session of this store holds the token", []],
      ["the token is held by another provider's session", [{ ...stored, provider_id: "pp_stripe_stripe" }]],
      [
        "the holding session's data names another session",
        [{ ...stored, data: { ...session(), session_id: "payses_01JOTHER" } }],
      ],
    ])("answers not_supported when %s", async (_name, sessions) => {
      const asked = reports("COMPLETED")
      const { service, log } = provider(direct, sessions as StoredSession[])
      expect(await service.getWebhookActionAndData(deliver(payload, COMPLETED_25_EUR_SIGNATURE))).toMatchObject({
        action: PaymentActions.NOT_SUPPORTED,
        // A signed completed event: paid at CatalystPay, and no order (an error for the admin).
        verdict: { kind: "no_live_session", paid: true },
      })
      expect(asked.isDone()).toBe(false)
      expect(log.error).toHaveBeenCalledWith(
        expect.stringContaining(
          `the session holding payment session ${SESSION_TOKEN} is not a live payment session of this provider`
        )
      )
      expect(log.error).toHaveBeenCalledWith(expect.stringContaining("Paid at the gateway, no order"))
    })

    it("fails loudly, asking CatalystPay nothing, when built without Medusa's session store", async () => {
      const asked = reports("COMPLETED")
      const service = new CatalystPayProviderService({ logger: logger() }, direct)
      await expect(service.getWebhookActionAndData(deliver(payload, COMPLETED_25_EUR_SIGNATURE))).rejects.toThrow(
        "CatalystPay: the payment module's session store is not available to the provider"
      )
      expect(asked.isDone()).toBe(false)
    })

    it("does not report captured when CatalystPay has not completed the session, or completed another amount", async () => {
      reports("AWAITING_VERIFICATION")
      reports("COMPLETED", "1.00")
      const { service } = provider(direct, [stored])
      expect((await service.getWebhookActionAndData(deliver(payload, COMPLETED_25_EUR_SIGNATURE))).action).toBe(
        PaymentActions.PENDING_AUTHORIZATION
      )
      expect((await service.getWebhookActionAndData(deliver(payload, COMPLETED_25_EUR_SIGNATURE))).action).toBe(
        PaymentActions.FAILED
      )
    })
  })
})
