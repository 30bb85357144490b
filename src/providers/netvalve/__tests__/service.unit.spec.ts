import { PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import nock from "nock"
import {
  NETVALVE_HPP_SANDBOX,
  NETVALVE_PAYMENT_SANDBOX,
  netvalveCreateOrderAnswer,
  netvalveOperationAnswer,
  netvalveOrder,
  netvalvePendingAnswer,
  netvalveRedirectUrl,
  netvalveRefusal,
  netvalveWebhook,
} from "../../../../integration-tests/fixtures/netvalve"
import { cradleWith } from "../../../lib/__tests__/session-store"
import { NetValveProviderService, NetValveSessionData } from "../service"

const SESSION = "payses_01JTESTSESSION"
const ORDER = 123445
const TRANSACTION = 39725
const HEADER = { name: "X-NetValve-Token", value: "nv-webhook-5f0c2a9e71d4b3c8" }

const options = {
  clientId: "client-abc",
  apiKey: "api-key-xyz",
  midId: 4711,
  returnUrl: "https://shop.example/checkout/return",
  webhookHeaderName: HEADER.name,
  webhookHeaderValue: HEADER.value,
}

function logger() {
  return { info: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() } as any
}

/** The provider, in a store whose only live session is `session()` (or those given). */
function provider(
  extra: Record<string, unknown> = {},
  log = logger(),
  sessions: Record<string, unknown>[] = [session()]
) {
  return {
    service: new NetValveProviderService(cradleWith(log, "pp_netvalve_netvalve", sessions), { ...options, ...extra }),
    log,
  }
}

function session(overrides: Partial<NetValveSessionData> = {}): NetValveSessionData {
  return {
    session_id: SESSION,
    checkout_url: netvalveRedirectUrl(),
    amount: "44.00",
    currency_code: "usd",
    return_url: options.returnUrl,
    gateway_reference: String(ORDER),
    gateway_payment_reference: String(39001),
    gateway_status: "CREATED",
    presentation: "redirect",
    slim_mode: false,
    webhook_paid_event: null,
    ...overrides,
  }
}

const paidOrder = (overrides: Partial<Parameters<typeof netvalveOrder>[0]> = {}) =>
  netvalveOrder({
    clientOrderId: SESSION,
    orderId: ORDER,
    transactionID: TRANSACTION,
    amount: 44,
    orderState: "PAID",
    ...overrides,
  })

type Seen = { method: string; path: string; headers: Record<string, unknown>; body: string }

/** NetValve stood in at `base`, recording every request it receives, body as the exact bytes sent. */
function recorded(base: string, seen: Seen[]) {
  const scope = nock(base)
  scope.on("request", (req: any, _interceptor: unknown, body: string) => {
    seen.push({ method: req.method, path: req.path, headers: req.headers, body })
  })
  return scope
}

const initiateInput = (data: Record<string, unknown> = {}, amount: any = 44, currency = "usd") => ({
  amount,
  currency_code: currency,
  data: { session_id: SESSION, ...data },
  context: { idempotency_key: SESSION },
})

describe("NetValve provider", () => {
  beforeAll(() => nock.disableNetConnect())
  afterEach(() => nock.cleanAll())
  afterAll(() => nock.enableNetConnect())

  describe("options", () => {
    it("stops boot naming the missing option and its variable", () => {
      expect(() => NetValveProviderService.validateOptions({ ...options, midId: undefined })).toThrow(
        'NetValve payment provider: option "midId" is missing (set NETVALVE_MID_ID)'
      )
      expect(() => NetValveProviderService.validateOptions({ ...options, webhookHeaderValue: "" })).toThrow(
        'option "webhookHeaderValue" is missing (set NETVALVE_WEBHOOK_HEADER_VALUE)'
      )
    })

    it("refuses a guessable webhook header value, a payment option NetValve has not, and a mistyped option", () => {
      expect(() => NetValveProviderService.validateOptions({ ...options, webhookHeaderValue: "secret" })).toThrow(
        'option "webhookHeaderValue" must be at least 16 characters'
      )
      expect(() => NetValveProviderService.validateOptions({ ...options, paymentMethods: "card,paypal" })).toThrow(
        "must list only card, applepay, googlepay (set NETVALVE_PAYMENT_METHODS)"
      )
      expect(() => NetValveProviderService.validateOptions({ ...options, midid: 1 })).toThrow(
        'unknown option "midid" (did you mean "midId"?)'
      )
    })

    it("takes the old names paymentOptions and orderDescription, with one warning each naming the new one", async () => {
      const seen: Seen[] = []
      recorded(NETVALVE_HPP_SANDBOX, seen)
        .post("/hpp/order")
        .reply(200, netvalveCreateOrderAnswer({ orderId: ORDER, transactionID: TRANSACTION, midId: 4711 }))
      const { service, log } = provider({ paymentOptions: "card", orderDescription: "Shop order" })
      const result = await service.initiatePayment(initiateInput())
      expect(result.data?.checkout_url).toBe(`${netvalveRedirectUrl()}&paymentOptions=card`)
      expect(JSON.parse(seen[0].body).orderDesc).toBe("Shop order")
      expect(log.warn.mock.calls.map((c: unknown[]) => c[0])).toEqual([
        'NetValve payment provider: option "paymentOptions" (NETVALVE_PAYMENT_OPTIONS) is deprecated: use "paymentMethods" (NETVALVE_PAYMENT_METHODS)',
        'NetValve payment provider: option "orderDescription" (NETVALVE_ORDER_DESCRIPTION) is deprecated: use "description" (NETVALVE_DESCRIPTION)',
      ])
    })

    it("reads env-style strings: a numeric midId, a comma list, a boolean", async () => {
      const seen: Seen[] = []
      recorded(NETVALVE_HPP_SANDBOX, seen)
        .post("/hpp/order")
        .reply(200, netvalveCreateOrderAnswer({ orderId: ORDER, transactionID: TRANSACTION, midId: 4711 }))
      const { service } = provider({ midId: "4711", paymentMethods: "applepay, googlepay", slimMode: "true" })
      const result = await service.initiatePayment(initiateInput())
      expect(JSON.parse(seen[0].body).midId).toBe(4711)
      expect(result.data?.checkout_url).toBe(
        `${netvalveRedirectUrl()}&paymentOptions=applepay,googlepay&slim_mode=true`
      )
      expect(result.data?.slim_mode).toBe(true)
    })

    it("gives a session the slim page for a frame when it asks (or slimMode makes it the default), with the parameter configured", async () => {
      const create = async (extra: Record<string, unknown>, presentation?: string) => {
        recorded(NETVALVE_HPP_SANDBOX, [])
          .post("/hpp/order")
          .reply(200, netvalveCreateOrderAnswer({ orderId: ORDER, transactionID: TRANSACTION, midId: 4711 }))
        const input = initiateInput()
        return (await provider(extra).service.initiatePayment({ ...input, data: { ...input.data, presentation } })).data
      }
      expect(await create({}, "frame")).toMatchObject({
        presentation: "frame",
        slim_mode: true,
        checkout_url: `${netvalveRedirectUrl()}&slim_mode=true`,
      })
      expect(await create({ slimMode: true }, "redirect")).toMatchObject({
        presentation: "redirect",
        slim_mode: false,
        checkout_url: netvalveRedirectUrl(),
      })
      expect(await create({ slimModeParameter: "layout=slim" }, "frame")).toMatchObject({
        checkout_url: `${netvalveRedirectUrl()}&layout=slim`,
      })
      await expect(create({}, "qr")).rejects.toThrow("NetValve: data.presentation must be one of redirect, frame")
      expect(() => NetValveProviderService.validateOptions({ ...options, slimModeParameter: "slim mode" })).toThrow(
        'option "slimModeParameter" must look like "slim_mode=true" (set NETVALVE_SLIM_MODE_PARAMETER)'
      )
    })

    it("uses the production hosts when asked, and any hosts given", async () => {
      nock("https://api.netvalve.com").get("/order").query({ clientOrderId: SESSION }).reply(200, paidOrder())
      await provider({ environment: "production" }).service.getPaymentStatus({ data: session() })
      nock("https://hpp-api.netvalve.com")
        .post("/hpp/order")
        .reply(200, netvalveCreateOrderAnswer({ orderId: ORDER, transactionID: TRANSACTION, midId: 4711 }))
      await provider({ environment: "production" }).service.initiatePayment(initiateInput())
      nock("http://127.0.0.1:4010").get("/nv/order").query(true).reply(200, paidOrder())
      nock("http://127.0.0.1:4011")
        .post("/nv-hpp/hpp/order")
        .reply(200, netvalveCreateOrderAnswer({ orderId: ORDER, transactionID: TRANSACTION, midId: 4711 }))
      const { service } = provider({
        paymentApiBaseUrl: "http://127.0.0.1:4010/nv",
        hppApiBaseUrl: "http://127.0.0.1:4011/nv-hpp",
      })
      await service.getPaymentStatus({ data: session() })
      await service.initiatePayment(initiateInput())
      expect(nock.pendingMocks()).toEqual([])
    })
  })

  describe("initiatePayment", () => {
    it("sends NetValve the order as its guide shows it: two-decimal amount, reference, four URLs, customer", async () => {
      const seen: Seen[] = []
      recorded(NETVALVE_HPP_SANDBOX, seen)
        .post("/hpp/order")
        .reply(200, netvalveCreateOrderAnswer({ orderId: ORDER, transactionID: TRANSACTION, midId: 4711 }))
      const result = await provider({ paymentMethods: ["card"] }).service.initiatePayment(
        initiateInput({
          return_url: "https://shop.example/checkout/return?cart=cart_1",
          email: "yogesh@dahe.com",
          customer_ip: "::ffff:203.0.113.7",
          billing_address: {
            first_name: "Yogesh",
            last_name: "Dahe",
            phone: "099000 00000",
            address_1: "12 MG Road",
            address_2: "Floor 3",
            city: "Pune",
            province: "MH",
            postal_code: "411001",
            country_code: "in",
          },
        })
      )

      expect(seen).toHaveLength(1)
      expect(seen[0]).toMatchObject({ method: "POST", path: "/hpp/order" })
      expect(seen[0].headers).toMatchObject({
        "netvalve-client-id": "client-abc",
        "netvalve-api-key": "api-key-xyz",
        "content-type": "application/json",
      })
      const back = (result: string) => `https://shop.example/checkout/return?cart=cart_1&netvalve_result=${result}`
      // The exact bytes: the amount is the JSON number 44.00, not 44 and not "44.00".
      expect(seen[0].body).toBe(
        JSON.stringify({
          amount: "@",
          currency: "USD",
          midId: 4711,
          clientOrderId: SESSION,
          orderDesc: "Order payment",
          successUrl: back("success"),
          cancelUrl: back("cancel"),
          failedUrl: back("failed"),
          pendingUrl: back("pending"),
          customerDetails: {
            customerAddress: "12 MG Road, Floor 3",
            customerCity: "Pune",
            customerCountryCode: "IN",
            customerEmail: "yogesh@dahe.com",
            customerIp: "203.0.113.7",
            customerName: "Yogesh",
            customerLastName: "Dahe",
            customerPhone: "+919900000000",
            customerState: "MH",
            customerZipCode: "411001",
          },
        }).replace('"@"', "44.00")
      )
      expect(result).toEqual({
        id: String(ORDER),
        status: PaymentSessionStatus.PENDING,
        data: {
          session_id: SESSION,
          checkout_url: `${netvalveRedirectUrl()}&paymentOptions=card`,
          amount: "44.00",
          currency_code: "usd",
          return_url: "https://shop.example/checkout/return?cart=cart_1",
          gateway_reference: String(ORDER),
          gateway_payment_reference: String(TRANSACTION),
          gateway_status: "CREATED",
          presentation: "redirect",
          slim_mode: false,
          webhook_paid_event: null,
        },
      })
      expect(JSON.stringify(result)).not.toMatch(/api-key-xyz|client-abc|nv-webhook/)
    })

    it("leaves out a phone number it cannot normalise, and sends no customerDetails when nothing is known", async () => {
      const bodies: any[] = []
      nock(NETVALVE_HPP_SANDBOX)
        .post("/hpp/order")
        .twice()
        .reply(
          200,
          (_uri, body) => (
            bodies.push(body),
            netvalveCreateOrderAnswer({ orderId: ORDER, transactionID: TRANSACTION, midId: 4711 })
          )
        )
      const { service } = provider()
      await service.initiatePayment(
        initiateInput({ email: "a@example.com", billing_address: { phone: "12345", country_code: "sg" } })
      )
      await service.initiatePayment(initiateInput())
      expect(bodies[0].customerDetails).toEqual({ customerCountryCode: "SG", customerEmail: "a@example.com" })
      expect(bodies[1]).not.toHaveProperty("customerDetails")
    })

    it("rounds to two decimals from Medusa's raw amount, never through a float", async () => {
      const bodies: string[] = []
      nock(NETVALVE_HPP_SANDBOX)
        .post("/hpp/order")
        .reply(
          200,
          (_uri, body) => (
            bodies.push(JSON.stringify(body)),
            netvalveCreateOrderAnswer({ orderId: ORDER, transactionID: TRANSACTION, midId: 4711 })
          )
        )
      const result = await provider().service.initiatePayment(
        initiateInput({}, { value: "1234567.125", precision: 20 })
      )
      expect(result.data?.amount).toBe("1234567.13")
    })

    it.each([
      ["with HTTP 200", 200],
      ["with HTTP 400", 400],
    ])("fails quoting NetValve's code and message when it refuses the order %s", async (_name, status) => {
      nock(NETVALVE_HPP_SANDBOX)
        .post("/hpp/order")
        .reply(status, netvalveRefusal("GTW_2003", "Invalid amount. Amount must have two decimal places."))
      await expect(provider().service.initiatePayment(initiateInput())).rejects.toThrow(
        "NetValve create order failed (code GTW_2003): Invalid amount. Amount must have two decimal places."
      )
    })

    it("names the HTTP status when NetValve's answer is not its own format", async () => {
      nock(NETVALVE_HPP_SANDBOX).post("/hpp/order").reply(401, { error: "Unauthorized" })
      await expect(provider().service.initiatePayment(initiateInput())).rejects.toThrow(
        "NetValve create order failed (HTTP 401): Unauthorized"
      )
    })

    it("refuses a currency without two decimals, and a return URL off the allowed origins, without calling NetValve", async () => {
      await expect(provider().service.initiatePayment(initiateInput({}, 1000, "jpy"))).rejects.toThrow(
        "NetValve: amounts must have exactly two decimals, and JPY has 0 in ISO 4217"
      )
      await expect(provider().service.initiatePayment(initiateInput({}, 1.235, "kwd"))).rejects.toThrow("KWD has 3")
      await expect(
        provider().service.initiatePayment(initiateInput({ return_url: "https://evil.example/x" }))
      ).rejects.toThrow("NetValve: data.return_url origin https://evil.example is not allowed")
    })
  })

  describe("status", () => {
    it("asks NetValve by our reference and is captured when the order is PAID for the session's amount", async () => {
      const seen: Seen[] = []
      recorded(NETVALVE_PAYMENT_SANDBOX, seen).get("/order").query({ clientOrderId: SESSION }).reply(200, paidOrder())
      const result = await provider().service.authorizePayment({ data: session() })
      expect(seen[0]).toMatchObject({ method: "GET", path: `/order?clientOrderId=${SESSION}` })
      expect(seen[0].headers).toMatchObject({ "netvalve-client-id": "client-abc", "netvalve-api-key": "api-key-xyz" })
      expect(result).toEqual({
        status: PaymentSessionStatus.CAPTURED,
        data: session({ gateway_payment_reference: String(TRANSACTION), gateway_status: "PAID" }),
      })
    })

    it.each([
      ["AUTHORISED, approved", { orderState: "AUTHORISED" }, PaymentSessionStatus.AUTHORIZED],
      [
        "answered pending (the guide's answer for a payment not made yet)",
        { orderState: "CREATED", responseCode: "GTW_1002", responseCodeType: "PENDING" },
        PaymentSessionStatus.PENDING,
      ],
      [
        "CREATED with an approved SALE and no paid webhook yet (what the create call answers too)",
        { orderState: "CREATED" },
        PaymentSessionStatus.PENDING,
      ],
      [
        "CREATED with an approved SALE that shows its amount captured",
        { orderState: "CREATED", capturedAmount: 44 },
        PaymentSessionStatus.CAPTURED,
      ],
      [
        "CREATED with an approved AUTHORISE and no AUTHORISED webhook yet",
        { orderState: "CREATED", transactionType: "AUTHORISE" },
        PaymentSessionStatus.PENDING,
      ],
      [
        "declined though PAID",
        { responseCode: "BNK_3005", responseCodeType: "HARD DECLINE" },
        PaymentSessionStatus.ERROR,
      ],
      [
        "soft declined",
        { orderState: "CREATED", responseCode: "GTW_2010", responseCodeType: "SOFT DECLINE" },
        PaymentSessionStatus.ERROR,
      ],
      ["held for risk", { responseCode: "FRD_4001", responseCodeType: "RISK" }, PaymentSessionStatus.ERROR],
      ["CANCELLED", { orderState: "CANCELLED" }, PaymentSessionStatus.CANCELED],
    ])("maps an order %s", async (_name, overrides, expected) => {
      nock(NETVALVE_PAYMENT_SANDBOX).get("/order").query(true).reply(200, paidOrder(overrides))
      expect((await provider().service.authorizePayment({ data: session() })).status).toBe(expected)
    })

    it.each([
      ["SALE", "PURCHASED", PaymentSessionStatus.CAPTURED],
      ["SALE", "CAPTURED", PaymentSessionStatus.CAPTURED],
      ["AUTHORISE", "AUTHORISED", PaymentSessionStatus.AUTHORIZED],
    ])(
      "counts a CREATED order's approved %s once a webhook with the agreed header said %s, and is kept in the session",
      async (transactionType, event, expected) => {
        nock(NETVALVE_PAYMENT_SANDBOX)
          .get("/order")
          .query(true)
          .reply(200, paidOrder({ orderState: "CREATED", transactionType }))
        const data = session({ webhook_paid_event: event })
        expect((await provider().service.authorizePayment({ data })).status).toBe(expected)
      }
    )

    it("does not count a PURCHASED webhook against an answer that shows nothing captured", async () => {
      nock(NETVALVE_PAYMENT_SANDBOX)
        .get("/order")
        .query(true)
        .reply(200, paidOrder({ orderState: "CREATED", capturedAmount: 0 }))
      const data = session({ webhook_paid_event: "PURCHASED" })
      expect((await provider().service.authorizePayment({ data })).status).toBe(PaymentSessionStatus.PENDING)
    })

    it("is pending on the guide's pending answer, and on a state NetValve has not documented (logged)", async () => {
      nock(NETVALVE_PAYMENT_SANDBOX)
        .get("/order")
        .query(true)
        .reply(200, netvalvePendingAnswer(TRANSACTION))
        .get("/order")
        .query(true)
        .reply(200, paidOrder({ orderState: "ON_HOLD" }))
      const { service, log } = provider()
      expect((await service.getPaymentStatus({ data: session() })).status).toBe(PaymentSessionStatus.PENDING)
      expect((await service.getPaymentStatus({ data: session() })).status).toBe(PaymentSessionStatus.PENDING)
      expect(log.warn).toHaveBeenCalledWith(expect.stringContaining('unknown order state "ON_HOLD"'))
    })

    it("is an error, logged, when NetValve was paid another amount or currency, or does not say", async () => {
      nock(NETVALVE_PAYMENT_SANDBOX)
        .get("/order")
        .query(true)
        .reply(200, paidOrder({ amount: 4.4 }))
        .get("/order")
        .query(true)
        .reply(200, paidOrder({ currency: "EUR" }))
        .get("/order")
        .query(true)
        .reply(200, { ...paidOrder(), currency: undefined })
      const { service, log } = provider()
      expect((await service.authorizePayment({ data: session() })).status).toBe(PaymentSessionStatus.ERROR)
      expect(log.error).toHaveBeenCalledWith(
        expect.stringContaining(`reports 4.4 USD but session ${SESSION} is for 44.00 USD`)
      )
      expect((await service.authorizePayment({ data: session() })).status).toBe(PaymentSessionStatus.ERROR)
      expect((await service.authorizePayment({ data: session() })).status).toBe(PaymentSessionStatus.ERROR)
    })

    it("refuses an answer about another order", async () => {
      nock(NETVALVE_PAYMENT_SANDBOX)
        .get("/order")
        .query(true)
        .reply(200, paidOrder({ clientOrderId: "payses_01JSOMEONEELSE" }))
      await expect(provider().service.authorizePayment({ data: session() })).rejects.toThrow(
        `NetValve order inquiry failed: asked about ${SESSION}, answered about payses_01JSOMEONEELSE`
      )
    })

    it("retries an inquiry after a 503, and fails naming NetValve's code when it refuses", async () => {
      nock(NETVALVE_PAYMENT_SANDBOX)
        .get("/order")
        .query(true)
        .reply(503)
        .get("/order")
        .query(true)
        .reply(200, paidOrder())
      expect((await provider().service.getPaymentStatus({ data: session() })).status).toBe(
        PaymentSessionStatus.CAPTURED
      )
      nock(NETVALVE_PAYMENT_SANDBOX)
        .get("/order")
        .query(true)
        .reply(401, netvalveRefusal("GTW_9001", "Authentication failed.", "HARD DECLINE"))
      await expect(provider().service.getPaymentStatus({ data: session() })).rejects.toThrow(
        "NetValve order inquiry failed (HTTP 401, code GTW_9001): Authentication failed."
      )
    })

    it("refuses data this provider did not write", async () => {
      await expect(provider().service.authorizePayment({ data: { session_id: SESSION } })).rejects.toThrow(
        "NetValve: the payment has no valid order reference (data.gateway_reference)"
      )
    })
  })

  describe("update and delete", () => {
    it("keeps the order when nothing changed, and asks for a new session when the amount did", async () => {
      expect(await provider().service.updatePayment({ amount: 44, currency_code: "usd", data: session() })).toEqual({
        data: session(),
      })
      await expect(
        provider().service.updatePayment({ amount: 50, currency_code: "usd", data: session() })
      ).rejects.toThrow(
        `order ${ORDER} is for 44.00 USD; NetValve cannot change an order's amount, so create a new payment session`
      )
    })

    it("warns when a deleted session's order was paid, and never fails the deletion", async () => {
      nock(NETVALVE_PAYMENT_SANDBOX)
        .get("/order")
        .query(true)
        .reply(200, paidOrder())
        .get("/order")
        .query(true)
        .reply(500, {})
        .get("/order")
        .query(true)
        .reply(500, {})
        .get("/order")
        .query(true)
        .reply(500, {})
      const { service, log } = provider()
      await service.deletePayment({ data: session() })
      expect(log.warn).toHaveBeenCalledWith(
        expect.stringContaining(`NetValve order ${ORDER} is paid; no Medusa order will come of it`)
      )
      await expect(service.deletePayment({ data: session() })).resolves.toEqual({ data: session() })
      expect(log.warn).toHaveBeenLastCalledWith(expect.stringContaining(`could not check order ${ORDER}`))
    })
  })

  describe("capture, cancel, refund", () => {
    const paid = session({ gateway_payment_reference: String(TRANSACTION), gateway_status: "AUTHORISED" })

    it("captures the session's amount of the authorised transaction", async () => {
      const seen: Seen[] = []
      recorded(NETVALVE_PAYMENT_SANDBOX, seen).post("/capture").reply(200, netvalveOperationAnswer(TRANSACTION))
      const result = await provider().service.capturePayment({ data: paid })
      expect(seen[0]).toMatchObject({
        method: "POST",
        path: "/capture",
        body: `{"transactionID":${TRANSACTION},"amount":44.00}`,
      })
      expect(seen[0].headers).toMatchObject({ "netvalve-api-key": "api-key-xyz", "content-type": "application/json" })
      expect(result.data).toEqual(paid)
    })

    /** The provider in a store where Medusa recorded `captures` on the session's payment (`capt_2` is this call's). */
    function withCaptures(captures: { id: string; amount: number }[]) {
      const cradle = {
        ...cradleWith(logger(), "pp_netvalve_netvalve", [paid]),
        paymentService: { list: async () => [{ id: "pay_1", refunds: [], captures }] },
      }
      return new NetValveProviderService(cradle, options)
    }

    it("captures the amount of Medusa's capture, a part of the authorisation, checking NetValve's captured total first", async () => {
      const seen: Seen[] = []
      recorded(NETVALVE_PAYMENT_SANDBOX, seen)
        .get("/order")
        .query(true)
        .reply(200, paidOrder({ orderState: "AUTHORISED", capturedAmount: 0, refundedAmount: 0 }))
        .post("/capture")
        .reply(200, netvalveOperationAnswer(TRANSACTION))
      await withCaptures([{ id: "capt_2", amount: 30 }]).capturePayment({
        data: paid,
        context: { idempotency_key: "capt_2" },
      })
      expect(seen.map((r) => r.method)).toEqual(["GET", "POST"])
      expect(seen[1].body).toBe(`{"transactionID":${TRANSACTION},"amount":30.00}`)
    })

    it("refuses a second capture: NetValve captures an authorisation once", async () => {
      await expect(
        withCaptures([
          { id: "capt_1", amount: 30 },
          { id: "capt_2", amount: 14 },
        ]).capturePayment({
          data: paid,
          context: { idempotency_key: "capt_2" },
        })
      ).rejects.toThrow("30.00 was captured already, and NetValve captures a reservation once")
    })

    it("asks NetValve for the transaction when the session does not know it was paid", async () => {
      const seen: Seen[] = []
      recorded(NETVALVE_PAYMENT_SANDBOX, seen)
        .get("/order")
        .query(true)
        .reply(200, paidOrder({ orderState: "AUTHORISED" }))
        .post("/capture")
        .reply(200, netvalveOperationAnswer(TRANSACTION))
      const result = await provider().service.capturePayment({ data: session() })
      expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /order?clientOrderId=${SESSION}`, "POST /capture"])
      expect(JSON.parse(seen[1].body).transactionID).toBe(TRANSACTION)
      expect(result.data).toMatchObject({ gateway_payment_reference: String(TRANSACTION) })
    })

    it("takes NetValve's already cancelled as done, but not already captured or refunded on its word alone", async () => {
      nock(NETVALVE_PAYMENT_SANDBOX)
        .post("/capture")
        .reply(400, netvalveRefusal("GTW_2046", "Transaction already captured.", "SOFT DECLINE", TRANSACTION))
        .get("/order")
        .query(true)
        .reply(200, paidOrder({ orderState: "AUTHORISED" }))
        .post("/cancel")
        .reply(200, netvalveRefusal("GTW_2047", "Transaction already cancelled.", "SOFT DECLINE", TRANSACTION))
        .get("/order")
        .query(true)
        .reply(200, paidOrder({ orderState: "CANCELLED" }))
        .post("/refund")
        .reply(400, netvalveRefusal("GTW_2045", "Transaction already refunded.", "SOFT DECLINE", TRANSACTION))
      const { service } = provider()
      // NetValve says "already captured" to a second partial capture too: only its amounts tell (the core compares them).
      await expect(service.capturePayment({ data: paid })).rejects.toThrow("NetValve capture failed (code GTW_2046)")
      expect((await service.cancelPayment({ data: paid })).data).toMatchObject({ gateway_status: "CANCELLED" })
      await expect(service.refundPayment({ amount: 44, data: paid })).rejects.toThrow(
        "NetValve refund failed (code GTW_2045)"
      )
      expect(nock.pendingMocks()).toEqual([])
    })

    it("fails a capture NetValve declines, quoting its code and message", async () => {
      nock(NETVALVE_PAYMENT_SANDBOX)
        .post("/capture")
        .reply(200, netvalveRefusal("GTW_2040", "Authorization expired.", "SOFT DECLINE", TRANSACTION))
      await expect(provider().service.capturePayment({ data: paid })).rejects.toThrow(
        "NetValve capture failed (code GTW_2040): Authorization expired."
      )
    })

    it("cancels an authorised transaction, and calls nothing for an order never paid", async () => {
      const seen: Seen[] = []
      recorded(NETVALVE_PAYMENT_SANDBOX, seen)
        .get("/order")
        .query(true)
        .reply(200, paidOrder({ orderState: "AUTHORISED", transactionType: "AUTHORISE" }))
        .post("/cancel")
        .reply(200, netvalveOperationAnswer(TRANSACTION))
        .get("/order")
        .query(true)
        .reply(200, paidOrder({ orderState: "CANCELLED", transactionType: "VOID" }))
        .get("/order")
        .query(true)
        .times(3)
        .reply(200, netvalvePendingAnswer(TRANSACTION))
      const { service } = provider()
      await service.cancelPayment({ data: paid })
      expect(seen[1].body).toBe(`{"transactionID":${TRANSACTION}}`)
      await expect(service.cancelPayment({ data: session() })).resolves.toMatchObject({
        data: { session_id: SESSION, gateway_reference: session().gateway_reference },
      })
      expect(seen.map((r) => r.method)).toEqual(["GET", "POST", "GET", "GET", "GET", "GET"])
      expect(nock.pendingMocks()).toEqual([])
    })

    it("refunds the requested amount, with two decimals, of the paying transaction", async () => {
      const seen: Seen[] = []
      recorded(NETVALVE_PAYMENT_SANDBOX, seen).post("/refund").reply(200, netvalveOperationAnswer(40001))
      const data = session({ gateway_payment_reference: String(TRANSACTION), gateway_status: "PAID" })
      const result = await provider().service.refundPayment({ amount: { value: "10.5", precision: 20 } as any, data })
      expect(seen[0]).toMatchObject({
        method: "POST",
        path: "/refund",
        body: `{"transactionID":${TRANSACTION},"amount":10.50}`,
      })
      expect(result.data).toEqual(data)
    })

    it.each([
      [
        "GTW_2107",
        "Partial refund is not allowed.",
        "NetValve does not allow a partial refund of this transaction; refund the full amount instead (code GTW_2107: Partial refund is not allowed.)",
      ],
      [
        "GTW_2108",
        "Refund amount exceeds remaining amount.",
        "the refund exceeds what remains refundable on this transaction (code GTW_2108",
      ],
    ])("explains NetValve's refund refusal %s", async (code, message, expected) => {
      nock(NETVALVE_PAYMENT_SANDBOX)
        .post("/refund")
        .reply(400, netvalveRefusal(code, message, "SOFT DECLINE", TRANSACTION))
      await expect(provider().service.refundPayment({ amount: 10, data: paid })).rejects.toThrow(expected)
    })

    it("refuses a refund of an order never paid", async () => {
      nock(NETVALVE_PAYMENT_SANDBOX).get("/order").query(true).reply(200, netvalvePendingAnswer(TRANSACTION))
      await expect(provider().service.refundPayment({ amount: 10, data: session() })).rejects.toThrow(
        `NetValve: order ${ORDER} has no paid transaction to refund`
      )
    })
  })

  describe("getWebhookActionAndData", () => {
    const event = (name: string, header: { name: string; value: string } | null = HEADER, clientOrderId = SESSION) => {
      const { body, headers } = netvalveWebhook(
        name,
        { clientOrderId, orderId: ORDER, transactionId: TRANSACTION, amount: 44 },
        header ?? undefined
      )
      return { data: JSON.parse(body), rawData: Buffer.from(body), headers }
    }

    it("confirms a PURCHASED event by inquiry and reports the session as captured", async () => {
      const asked = nock(NETVALVE_PAYMENT_SANDBOX)
        .get("/order")
        .query({ clientOrderId: SESSION })
        .reply(200, paidOrder())
      const result = await provider().service.getWebhookActionAndData(event("PURCHASED"))
      expect(asked.isDone()).toBe(true)
      expect(result).toMatchObject({ action: PaymentActions.AUTHORIZED, data: { session_id: SESSION, amount: "44" } })
    })

    it("reports what NetValve says, not the event's name: a late PURCHASE_FAILED on a paid order is still captured", async () => {
      nock(NETVALVE_PAYMENT_SANDBOX).get("/order").query(true).reply(200, paidOrder())
      expect((await provider().service.getWebhookActionAndData(event("PURCHASE_FAILED"))).action).toBe(
        PaymentActions.AUTHORIZED
      )
    })

    it("reports a declined inquiry as failed, which Medusa does not act on", async () => {
      nock(NETVALVE_PAYMENT_SANDBOX)
        .get("/order")
        .query(true)
        .reply(200, paidOrder({ orderState: "CREATED", responseCode: "BNK_3051", responseCodeType: "HARD DECLINE" }))
      expect((await provider().service.getWebhookActionAndData(event("PURCHASED"))).action).toBe(PaymentActions.FAILED)
    })

    it.each([
      ["without the agreed header", null, "no X-NetValve-Token header"],
      [
        "with another value",
        { name: HEADER.name, value: "nv-webhook-guessed-value" },
        "does not have the value agreed with NetValve",
      ],
    ])(
      "answers not_supported for a webhook %s, asks NetValve nothing, and logs no secret",
      async (_name, header, reason) => {
        const asked = nock(NETVALVE_PAYMENT_SANDBOX).get("/order").query(true).reply(200, paidOrder())
        const { service, log } = provider()
        expect(await service.getWebhookActionAndData(event("PURCHASED", header))).toMatchObject({
          action: PaymentActions.NOT_SUPPORTED,
        })
        expect(asked.isDone()).toBe(false)
        expect(log.warn).toHaveBeenCalledWith(expect.stringContaining(reason))
        expect(JSON.stringify(log.warn.mock.calls)).not.toContain(HEADER.value)
      }
    )

    it("notes a failed refund without asking NetValve", async () => {
      const asked = nock(NETVALVE_PAYMENT_SANDBOX).get("/order").query(true).reply(200, paidOrder())
      const { service, log } = provider()
      expect(await service.getWebhookActionAndData(event("REFUND_FAILED"))).toMatchObject({
        action: PaymentActions.NOT_SUPPORTED,
      })
      expect(asked.isDone()).toBe(false)
      expect(log.info).toHaveBeenCalledWith(expect.stringContaining("REFUND_FAILED"))
    })

    it.each([
      ["REFUNDED", { orderState: "REFUNDED", refundedAmount: 44 }, "was paid 44.00 USD and 44.00 USD was refunded"],
      [
        "REFUNDED",
        { orderState: "PARTIALLY_REFUNDED", refundedAmount: 4 },
        "was paid 44.00 USD and 4.00 USD was refunded",
      ],
      [
        "CHARGEBACK",
        { orderState: "CHARGEBACK" },
        "was paid 44.00 USD and an amount it does not show was charged back",
      ],
    ])(
      "asks NetValve about a %s event, and a paid order whose money went back before an order is no order (%j)",
      async (name, order, said) => {
        nock(NETVALVE_PAYMENT_SANDBOX).get("/order").query(true).reply(200, paidOrder(order))
        const { service, log } = provider()
        const result = await service.getWebhookActionAndData(event(name))
        expect(result).toMatchObject({
          action: PaymentActions.CANCELED,
          verdict: { kind: "session", status: "canceled", moneyReturned: true },
        })
        expect(log.error).toHaveBeenCalledWith(expect.stringContaining(said))
      }
    )

    it("asks NetValve about an event it has not documented, and logs it", async () => {
      nock(NETVALVE_PAYMENT_SANDBOX).get("/order").query(true).reply(200, paidOrder())
      const { service, log } = provider()
      expect((await service.getWebhookActionAndData(event("PURCHASE_REVERSED"))).action).toBe(PaymentActions.AUTHORIZED)
      expect(log.warn).toHaveBeenCalledWith(expect.stringContaining('unknown event "PURCHASE_REVERSED"'))
    })

    it("ignores an order whose clientOrderId is not a Medusa session", async () => {
      const asked = nock(NETVALVE_PAYMENT_SANDBOX).get("/order").query(true).reply(200, paidOrder())
      expect(
        await provider().service.getWebhookActionAndData(event("PURCHASED", HEADER, "INV-2024-001"))
      ).toMatchObject({
        action: PaymentActions.NOT_SUPPORTED,
      })
      expect(asked.isDone()).toBe(false)
    })
  })
})
