import { PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import nock from "nock"
import {
  hitpayCharge,
  hitpayPaymentRequest,
  hitpayRefund,
  hitpayV1Webhook,
} from "../../../../integration-tests/fixtures/hitpay"
import { cradleWith } from "../../../lib/__tests__/session-store"
import { HitPayProviderService, HitPaySessionData } from "../service"

const BASE = "https://api.sandbox.hit-pay.com/v1"
const SESSION = "payses_01JTESTSESSION"
const REQUEST = "9f2a6c1e-6a86-4a1e-9a8b-3c1f7d2e5b10"
const CHARGE = "9f2a6c1f-0b3d-4f0e-8c55-2a7d9e4b1c22"

const options = {
  apiKey: "key_abc",
  salt: "salt_xyz",
  webhookUrl: "https://api.shop.example/hooks/payment/hitpay_hitpay",
  returnUrl: "https://shop.example/checkout/return",
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
    service: new HitPayProviderService(cradleWith(log, "pp_hitpay_hitpay", sessions), { ...options, ...extra }),
    log,
  }
}

function session(overrides: Partial<HitPaySessionData> = {}): HitPaySessionData {
  return {
    session_id: SESSION,
    checkout_url: "https://securecheckout.sandbox.hit-pay.com/x",
    amount: "25.00",
    currency_code: "sgd",
    return_url: options.returnUrl,
    gateway_reference: REQUEST,
    gateway_payment_reference: null,
    gateway_status: "pending",
    presentation: "redirect",
    ...overrides,
  }
}

type Seen = { method: string; path: string; headers: Record<string, unknown>; body: string }

/** Records what HitPay receives. */
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

describe("HitPay provider", () => {
  beforeAll(() => nock.disableNetConnect())
  afterEach(() => nock.cleanAll())
  afterAll(() => nock.enableNetConnect())

  describe("options", () => {
    it("stops boot naming the missing option and its variable", () => {
      expect(() => HitPayProviderService.validateOptions({ ...options, salt: undefined })).toThrow(
        'HitPay payment provider: option "salt" is missing (set HITPAY_SALT)'
      )
      expect(() => HitPayProviderService.validateOptions({ ...options, webhookUrl: undefined })).toThrow(
        'option "webhookUrl" is missing (set HITPAY_WEBHOOK_URL)'
      )
    })

    it("refuses a webhook URL that Medusa's route would not give to this provider", () => {
      expect(() =>
        HitPayProviderService.validateOptions({
          ...options,
          webhookUrl: "https://api.shop.example/hooks/payment/stripe_stripe",
        })
      ).toThrow("must end with /hooks/hitpay/<id> (the plugin's route) or /hooks/payment/hitpay_<id>")
    })

    it("names a mistyped option", () => {
      expect(() => HitPayProviderService.validateOptions({ ...options, apikey: "x" })).toThrow(
        'unknown option "apikey" (did you mean "apiKey"?)'
      )
    })

    it("uses the production host when asked, and any host given", async () => {
      nock("https://api.hit-pay.com/v1")
        .get(`/payment-requests/${REQUEST}`)
        .reply(200, hitpayPaymentRequest({ id: REQUEST, amount: "25.00", reference_number: SESSION }))
      await provider({ environment: "production" }).service.getPaymentStatus({ data: session() })
      nock("http://127.0.0.1:4010/hitpay/v1")
        .get(`/payment-requests/${REQUEST}`)
        .reply(200, hitpayPaymentRequest({ id: REQUEST, amount: "25.00", reference_number: SESSION }))
      await provider({ apiBaseUrl: "http://127.0.0.1:4010/hitpay/v1" }).service.getPaymentStatus({ data: session() })
    })
  })

  describe("initiatePayment", () => {
    it("sends HitPay the amount, currency, reference, return and webhook URLs, buyer and methods", async () => {
      const seen: Seen[] = []
      nock(BASE)
        .post("/payment-requests")
        .reply(
          record(
            seen,
            201,
            hitpayPaymentRequest({ id: REQUEST, amount: "1000", currency: "jpy", reference_number: SESSION })
          )
        )
      const { service } = provider({ paymentMethods: "card,paynow_online", expiresAfter: "60 mins" })
      const result = await service.initiatePayment({
        amount: 1000,
        currency_code: "jpy",
        data: {
          session_id: SESSION,
          return_url: "https://shop.example/checkout/return?cart=cart_1",
          email: "zoe@example.com",
          billing_address: { first_name: "Zoë", last_name: "Müller", phone: "+6581234567" },
        },
        context: { idempotency_key: SESSION },
      })
      expect(seen).toHaveLength(1)
      expect(seen[0].method).toBe("POST")
      expect(seen[0].path).toBe("/v1/payment-requests")
      expect(seen[0].headers).toMatchObject({
        "x-business-api-key": "key_abc",
        "x-requested-with": "XMLHttpRequest",
        "content-type": "application/x-www-form-urlencoded",
      })
      expect(seen[0].body).toBe(
        new URLSearchParams([
          ["amount", "1000"],
          ["currency", "JPY"],
          ["reference_number", SESSION],
          ["redirect_url", "https://shop.example/checkout/return?cart=cart_1"],
          ["webhook", options.webhookUrl],
          ["purpose", "Order payment"],
          ["email", "zoe@example.com"],
          ["name", "Zoë Müller"],
          ["phone", "+6581234567"],
          ["payment_methods[]", "card"],
          ["payment_methods[]", "paynow_online"],
          ["expires_after", "60 mins"],
          ["send_email", "false"],
        ]).toString()
      )
      expect(result).toEqual({
        id: REQUEST,
        status: PaymentSessionStatus.PENDING,
        data: {
          session_id: SESSION,
          checkout_url: `https://securecheckout.sandbox.hit-pay.com/payment-request/@medusa-store/${REQUEST}/checkout`,
          amount: "1000",
          currency_code: "jpy",
          return_url: "https://shop.example/checkout/return?cart=cart_1",
          gateway_reference: REQUEST,
          gateway_payment_reference: null,
          gateway_status: "pending",
          presentation: "redirect",
        },
      })
      expect(JSON.stringify(result)).not.toMatch(/key_abc|salt_xyz/)
    })

    describe("presentations: PayNow QR and the Drop-In UI", () => {
      const QR =
        "00020101021226490009SG.PAYNOW010120210201234567X0301104082026120752040000530370254042.005802SG6009Singapore63041A2B"
      const create = (service: HitPayProviderService, presentation?: string) =>
        service.initiatePayment({
          amount: 25,
          currency_code: "sgd",
          data: { session_id: SESSION, return_url: options.returnUrl, presentation },
          context: { idempotency_key: SESSION },
        })
      const answer = (qr?: string) =>
        hitpayPaymentRequest({ id: REQUEST, amount: "25.00", reference_number: SESSION, qr_code: qr })

      it("asks for paynow_online with generate_qr for a QR session, as HitPay's guide describes, and keeps the code to draw", async () => {
        const seen: Seen[] = []
        nock(BASE)
          .post("/payment-requests")
          .reply(record(seen, 201, answer(QR)))
        const { data } = await create(provider().service, "qr")
        const form = new URLSearchParams(seen[0].body)
        expect(form.getAll("payment_methods[]")).toEqual(["paynow_online"])
        expect(form.get("generate_qr")).toBe("true")
        expect(data).toMatchObject({ presentation: "qr", qr_code: QR, gateway_reference: REQUEST })
      })

      it("refuses a QR session HitPay answered without a code, and sends no generate_qr for a redirect", async () => {
        nock(BASE).post("/payment-requests").reply(201, answer())
        await expect(create(provider().service, "qr")).rejects.toThrow("without qr_code_data.qr_code")
        const seen: Seen[] = []
        nock(BASE)
          .post("/payment-requests")
          .reply(record(seen, 201, answer()))
        expect((await create(provider().service)).data).not.toHaveProperty("qr_code")
        expect(new URLSearchParams(seen[0].body).has("generate_qr")).toBe(false)
      })

      it("gives a Drop-In session the default link, the payment request and the script, and refuses one not set up", async () => {
        nock(BASE).post("/payment-requests").reply(201, answer())
        const setUp = provider({
          dropInDefaultLink: "https://securecheckout.sandbox.hit-pay.com/medusa-store",
          dropInScriptUrl: "https://sandbox.example/hitpay/drop-in.js",
        })
        const { data } = await create(setUp.service, "dropin")
        expect(data).toMatchObject({
          presentation: "dropin",
          drop_in: {
            default_link: "https://securecheckout.sandbox.hit-pay.com/medusa-store",
            payment_request_id: REQUEST,
            script_url: "https://sandbox.example/hitpay/drop-in.js",
          },
        })
        await expect(create(provider().service, "dropin")).rejects.toThrow(
          'HitPay: the Drop-In UI is not set up: option "dropInDefaultLink" is missing (set HITPAY_DROP_IN_DEFAULT_LINK); option "dropInScriptUrl" is missing (set HITPAY_DROP_IN_SCRIPT_URL)'
        )
        await expect(create(provider().service, "frame")).rejects.toThrow(
          "data.presentation must be one of redirect, dropin, qr"
        )
      })

      it("offers PayNow QR only where the store lets HitPay take PayNow, and only in SGD", async () => {
        await expect(create(provider({ paymentMethods: ["card"] }).service, "qr")).rejects.toThrow(
          'data.presentation must be one of redirect, dropin (got "qr")'
        )
        expect(() =>
          HitPayProviderService.validateOptions({ ...options, paymentMethods: "card", presentation: "qr" })
        ).toThrow(
          'option "presentation" is "qr", but option "paymentMethods" (HITPAY_PAYMENT_METHODS) does not list paynow_online'
        )
        const inYen = provider().service.initiatePayment({
          amount: 1000,
          currency_code: "jpy",
          data: { session_id: SESSION, return_url: options.returnUrl, presentation: "qr" },
          context: { idempotency_key: SESSION },
        })
        await expect(inYen).rejects.toThrow("HitPay: a PayNow QR code takes SGD only; this payment is in JPY")
      })

      it("makes a new amount's page the way the old one was presented", async () => {
        const seen: Seen[] = []
        nock(BASE).delete(`/payment-requests/${REQUEST}`).reply(200, {})
        nock(BASE)
          .post("/payment-requests")
          .reply(record(seen, 201, answer(QR)))
        const { data } = await provider().service.updatePayment({
          amount: 30,
          currency_code: "sgd",
          data: session({ presentation: "qr", qr_code: "old" }),
          context: { idempotency_key: SESSION },
        })
        expect(new URLSearchParams(seen[0].body).get("generate_qr")).toBe("true")
        expect(data).toMatchObject({ presentation: "qr", qr_code: QR, amount: "30.00" })
      })

      it("stops boot when the default presentation is the Drop-In UI without its options, and takes a default QR", async () => {
        expect(() =>
          HitPayProviderService.validateOptions({
            ...options,
            presentation: "dropin",
            dropInScriptUrl: "https://x.example/d.js",
          })
        ).toThrow(
          'HitPay payment provider: option "dropInDefaultLink" is missing (set HITPAY_DROP_IN_DEFAULT_LINK) (presentation "dropin" needs it)'
        )
        expect(() => HitPayProviderService.validateOptions({ ...options, presentation: "drop-in" })).toThrow(
          'option "presentation" must be "redirect", "dropin" or "qr" (set HITPAY_PRESENTATION)'
        )
        const seen: Seen[] = []
        nock(BASE)
          .post("/payment-requests")
          .reply(record(seen, 201, answer(QR)))
        expect((await create(provider({ presentation: "QR" }).service)).data).toMatchObject({
          presentation: "qr",
          qr_code: QR,
        })
      })
    })

    it("formats KWD with three decimals", async () => {
      const seen: Seen[] = []
      nock(BASE)
        .post("/payment-requests")
        .reply(
          record(
            seen,
            201,
            hitpayPaymentRequest({ id: REQUEST, amount: "12.346", currency: "kwd", reference_number: SESSION })
          )
        )
      await provider().service.initiatePayment({
        amount: "12.3456",
        currency_code: "kwd",
        data: { session_id: SESSION },
      })
      expect(new URLSearchParams(seen[0].body).get("amount")).toBe("12.346")
    })

    it("relays HitPay's validation error", async () => {
      nock(BASE)
        .post("/payment-requests")
        .reply(422, {
          message: "The given data was invalid.",
          errors: { amount: ["The amount must be at least 0.3."] },
        })
      await expect(
        provider().service.initiatePayment({ amount: 0.1, currency_code: "sgd", data: { session_id: SESSION } })
      ).rejects.toThrow(
        "HitPay create payment request failed (HTTP 422): The given data was invalid. - amount: The amount must be at least 0.3."
      )
    })

    it("refuses a return URL off the allowed origins without calling HitPay", async () => {
      await expect(
        provider().service.initiatePayment({
          amount: 10,
          currency_code: "sgd",
          data: { session_id: SESSION, return_url: "https://evil.example/x" },
        })
      ).rejects.toThrow("HitPay: data.return_url origin https://evil.example is not allowed")
    })
  })

  describe("status", () => {
    const paid = (amount = "25.00", currency = "sgd") =>
      hitpayPaymentRequest({
        id: REQUEST,
        amount,
        currency,
        reference_number: SESSION,
        status: "completed",
        payments: [hitpayCharge({ id: CHARGE, amount, currency })],
      })

    it("is captured when HitPay says completed for the session's amount, keeping the charge id", async () => {
      const seen: Seen[] = []
      nock(BASE)
        .get(`/payment-requests/${REQUEST}`)
        .reply(record(seen, 200, paid()))
      const result = await provider().service.authorizePayment({ data: session() })
      expect(seen[0]).toMatchObject({ method: "GET", path: `/v1/payment-requests/${REQUEST}` })
      expect(seen[0].headers["x-business-api-key"]).toBe("key_abc")
      expect(result).toEqual({
        status: PaymentSessionStatus.CAPTURED,
        data: session({ gateway_payment_reference: CHARGE, gateway_status: "completed" }),
      })
    })

    it("is an error, logged, when HitPay was paid another amount or currency", async () => {
      nock(BASE)
        .get(`/payment-requests/${REQUEST}`)
        .reply(200, paid("2.50"))
        .get(`/payment-requests/${REQUEST}`)
        .reply(200, paid("25.00", "usd"))
      const { service, log } = provider()
      expect((await service.authorizePayment({ data: session() })).status).toBe(PaymentSessionStatus.ERROR)
      expect(log.error).toHaveBeenCalledWith(
        expect.stringContaining("reports 2.50 SGD but session payses_01JTESTSESSION is for 25.00 SGD")
      )
      expect((await service.authorizePayment({ data: session() })).status).toBe(PaymentSessionStatus.ERROR)
    })

    it("is pending while HitPay says pending, and for a status HitPay has not documented (logged)", async () => {
      nock(BASE)
        .get(`/payment-requests/${REQUEST}`)
        .reply(200, hitpayPaymentRequest({ id: REQUEST, amount: "25.00", reference_number: SESSION }))
        .get(`/payment-requests/${REQUEST}`)
        .reply(
          200,
          hitpayPaymentRequest({ id: REQUEST, amount: "25.00", reference_number: SESSION, status: "on_hold" })
        )
      const { service, log } = provider()
      expect((await service.getPaymentStatus({ data: session() })).status).toBe(PaymentSessionStatus.PENDING)
      expect((await service.getPaymentStatus({ data: session() })).status).toBe(PaymentSessionStatus.PENDING)
      expect(log.warn).toHaveBeenCalledWith(expect.stringContaining('unknown payment request status "on_hold"'))
    })

    it("retries a status read after a 502", async () => {
      nock(BASE).get(`/payment-requests/${REQUEST}`).reply(502).get(`/payment-requests/${REQUEST}`).reply(200, paid())
      expect((await provider().service.getPaymentStatus({ data: session() })).status).toBe(
        PaymentSessionStatus.CAPTURED
      )
    })

    it("refuses data this provider did not write", async () => {
      await expect(provider().service.authorizePayment({ data: { session_id: SESSION } })).rejects.toThrow(
        "HitPay: the payment has no valid payment request reference (data.gateway_reference)"
      )
    })
  })

  describe("update, delete, cancel", () => {
    it("keeps the request when nothing changed", async () => {
      const result = await provider().service.updatePayment({ amount: 25, currency_code: "sgd", data: session() })
      expect(result.data).toEqual(session())
    })

    it("deletes the old request before creating one for a new amount", async () => {
      const order: string[] = []
      nock(BASE)
        .delete(`/payment-requests/${REQUEST}`)
        .reply(() => (order.push("delete"), [200, {}]))
        .post("/payment-requests")
        .reply((_u, body) => {
          order.push(`create ${new URLSearchParams(body as string).get("amount")}`)
          return [201, hitpayPaymentRequest({ id: "new-request", amount: "30.00", reference_number: SESSION })]
        })
      const result = await provider().service.updatePayment({ amount: 30, currency_code: "sgd", data: session() })
      expect(order).toEqual(["delete", "create 30.00"])
      expect(result.data).toMatchObject({
        gateway_reference: "new-request",
        amount: "30.00",
        return_url: options.returnUrl,
      })
    })

    it("deletes a pending request; a request already gone is fine", async () => {
      const pending = hitpayPaymentRequest({ id: REQUEST, amount: "25.00", reference_number: SESSION })
      const scope = nock(BASE)
        .delete(`/payment-requests/${REQUEST}`)
        .reply(200, {})
        .get(`/payment-requests/${REQUEST}`)
        .reply(200, pending)
        .delete(`/payment-requests/${REQUEST}`)
        .reply(404, { message: "Not found" })
      await provider().service.deletePayment({ data: session() })
      await provider().service.cancelPayment({ data: session() })
      expect(scope.isDone()).toBe(true)
    })

    it("does not fail deleting a completed request, and says the buyer has paid", async () => {
      nock(BASE)
        .delete(`/payment-requests/${REQUEST}`)
        .reply(400, { message: "Completed payment request cannot be deleted." })
        .get(`/payment-requests/${REQUEST}`)
        .reply(
          200,
          hitpayPaymentRequest({ id: REQUEST, amount: "25.00", reference_number: SESSION, status: "completed" })
        )
      const { service, log } = provider()
      await service.deletePayment({ data: session() })
      expect(log.warn).toHaveBeenCalledWith(
        expect.stringContaining("is already completed; it was not deleted (delete): the buyer has paid")
      )
    })

    it("never fails a deletion when a pending request could not be deleted: it says the page is still open", async () => {
      nock(BASE)
        .delete(`/payment-requests/${REQUEST}`)
        .reply(500, { message: "Server Error" })
        .get(`/payment-requests/${REQUEST}`)
        .reply(200, hitpayPaymentRequest({ id: REQUEST, amount: "25.00", reference_number: SESSION }))
      const { service, log } = provider()
      await expect(service.deletePayment({ data: session() })).resolves.toEqual({ data: session() })
      // No database is lent here, so the page cannot be recorded for a later close: the line says where to close it.
      expect(log.warn).toHaveBeenCalledWith(
        expect.stringContaining(
          `payment request ${REQUEST} of deleted session ${SESSION} is still open (HitPay delete payment request failed (HTTP 500): Server Error); it could not be recorded`
        )
      )
    })
  })

  describe("capture and refund", () => {
    it("captures without calling HitPay: it captured at payment", async () => {
      expect(await provider().service.capturePayment({ data: session({ gateway_payment_reference: CHARGE }) })).toEqual(
        { data: session({ gateway_payment_reference: CHARGE }) }
      )
    })

    it("refuses a partial capture, which HitPay cannot make: it took the whole amount at payment", async () => {
      const log = logger()
      const cradle = {
        ...cradleWith(log, "pp_hitpay_hitpay", [session()]),
        // Medusa's capture record of 10 for this call, committed before it asks the provider.
        paymentService: { list: async () => [{ id: "pay_1", refunds: [], captures: [{ id: "capt_1", amount: 10 }] }] },
      }
      const service = new HitPayProviderService(cradle, options)
      await expect(
        service.capturePayment({
          data: session({ gateway_payment_reference: CHARGE }),
          context: { idempotency_key: "capt_1" },
        })
      ).rejects.toThrow(
        `HitPay: cannot capture 10.00 SGD of payment request ${REQUEST} (25.00): HitPay takes the whole amount when the buyer pays`
      )
    })

    it("refunds the requested amount of the charge", async () => {
      const seen: Seen[] = []
      nock(BASE)
        .post("/refund")
        .reply(record(seen, 200, hitpayRefund({ payment_id: CHARGE, amount: 10.5, total: 25 })))
      await provider().service.refundPayment({
        amount: { value: "10.5", precision: 20 } as any,
        data: session({ gateway_payment_reference: CHARGE }),
      })
      expect(seen[0]).toMatchObject({ method: "POST", path: "/v1/refund", body: `payment_id=${CHARGE}&amount=10.50` })
      expect(seen[0].headers["content-type"]).toBe("application/x-www-form-urlencoded")
    })

    it("finds the charge id from HitPay when the session does not have it yet", async () => {
      const seen: Seen[] = []
      nock(BASE)
        .get(`/payment-requests/${REQUEST}`)
        .reply(
          200,
          hitpayPaymentRequest({
            id: REQUEST,
            amount: "25.00",
            reference_number: SESSION,
            status: "completed",
            payments: [hitpayCharge({ id: CHARGE, amount: "25.00" })],
          })
        )
        .post("/refund")
        .reply(record(seen, 200, hitpayRefund({ payment_id: CHARGE, amount: 25, total: 25 })))
      const result = await provider().service.refundPayment({ amount: 25, data: session() })
      expect(seen[0].body).toBe(`payment_id=${CHARGE}&amount=25.00`)
      expect(result.data).toMatchObject({ gateway_payment_reference: CHARGE })
    })

    it("refuses a refund when HitPay shows refunds Medusa has no record of, and sends nothing", async () => {
      nock(BASE)
        .get(`/payment-requests/${REQUEST}`)
        .reply(
          200,
          hitpayPaymentRequest({
            id: REQUEST,
            amount: "25.00",
            reference_number: SESSION,
            status: "completed",
            payments: [{ ...hitpayCharge({ id: CHARGE, amount: "25.00" }), refunded_amount: "7.00" }],
          })
        )
      const log = logger()
      const cradle = {
        ...cradleWith(log, "pp_hitpay_hitpay", [session()]),
        paymentService: { list: async () => [{ id: "pay_1", refunds: [], captures: [] }] },
      }
      const service = new HitPayProviderService(cradle, options)
      await expect(
        service.refundPayment({ amount: 10, data: session({ gateway_payment_reference: CHARGE }) })
      ).rejects.toThrow("the gateway shows refunds Medusa does not")
      expect(nock.isDone()).toBe(true)
    })

    it("fails clearly when HitPay refuses a refund of a charge that is not refunded", async () => {
      nock(BASE)
        .post("/refund")
        .reply(422, { message: "The amount may not be greater than 25." })
        .get(`/payment-requests/${REQUEST}`)
        .reply(
          200,
          hitpayPaymentRequest({
            id: REQUEST,
            amount: "25.00",
            reference_number: SESSION,
            status: "completed",
            payments: [hitpayCharge({ id: CHARGE, amount: "25.00" })],
          })
        )
      await expect(
        provider().service.refundPayment({ amount: 30, data: session({ gateway_payment_reference: CHARGE }) })
      ).rejects.toThrow("HitPay refund failed (HTTP 422): The amount may not be greater than 25.")
    })
  })

  describe("getWebhookActionAndData", () => {
    const fields = (reference: string, status = "completed") => ({
      payment_id: CHARGE,
      payment_request_id: REQUEST,
      phone: "",
      amount: "25.00",
      currency: "SGD",
      status,
      reference_number: reference,
    })
    const deliver = (body: string) => ({
      data: Object.fromEntries(new URLSearchParams(body)),
      rawData: Buffer.from(body),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    })

    it("reports a signed completed payment as captured for its session", async () => {
      const result = await provider().service.getWebhookActionAndData(
        deliver(hitpayV1Webhook(fields(SESSION), "salt_xyz"))
      )
      expect(result).toMatchObject({
        action: PaymentActions.AUTHORIZED,
        data: { session_id: SESSION, amount: "25.00" },
      })
    })

    it("reports a signed failure as failed", async () => {
      const result = await provider().service.getWebhookActionAndData(
        deliver(hitpayV1Webhook(fields(SESSION, "failed"), "salt_xyz"))
      )
      expect(result.action).toBe(PaymentActions.FAILED)
    })

    it("answers not_supported for a forged webhook and logs why, without the salt", async () => {
      const { service, log } = provider()
      const result = await service.getWebhookActionAndData(deliver(hitpayV1Webhook(fields(SESSION), "guessed")))
      expect(result).toMatchObject({ action: PaymentActions.NOT_SUPPORTED })
      expect(log.warn).toHaveBeenCalledWith(expect.stringContaining("hmac does not match"))
      expect(JSON.stringify(log.warn.mock.calls)).not.toContain("salt_xyz")
    })

    it("answers not_supported, logged, for a session the store no longer has, asking HitPay nothing", async () => {
      const { service, log } = provider({}, logger(), [])
      const result = await service.getWebhookActionAndData(deliver(hitpayV1Webhook(fields(SESSION), "salt_xyz")))
      expect(result).toMatchObject({ action: PaymentActions.NOT_SUPPORTED })
      // Signed as paid: an admin must hear of it, with the gateway's reference.
      expect(log.error).toHaveBeenCalledWith(
        expect.stringContaining(`${SESSION} is not a live payment session of this provider`)
      )
      expect(log.error).toHaveBeenCalledWith(
        expect.stringContaining(`Paid at the gateway, no order: HitPay payment request ${REQUEST}`)
      )
    })

    it("answers not_supported for a session that now holds another payment request (replaced after a cart change)", async () => {
      const { service, log } = provider({}, logger(), [session({ gateway_reference: "a-newer-request" })])
      const result = await service.getWebhookActionAndData(deliver(hitpayV1Webhook(fields(SESSION), "salt_xyz")))
      expect(result).toMatchObject({ action: PaymentActions.NOT_SUPPORTED })
      expect(log.error).toHaveBeenCalledWith(
        expect.stringContaining(`holds payment request a-newer-request, not ${REQUEST}`)
      )
    })

    it("answers not_supported for a session of another provider", async () => {
      const log = logger()
      const service = new HitPayProviderService(cradleWith(log, "pp_system_default", [session()]), options)
      expect(
        await service.getWebhookActionAndData(deliver(hitpayV1Webhook(fields(SESSION), "salt_xyz")))
      ).toMatchObject({
        action: PaymentActions.NOT_SUPPORTED,
      })
    })

    it("answers not_supported for a payment whose reference is not a Medusa session", async () => {
      const result = await provider().service.getWebhookActionAndData(
        deliver(hitpayV1Webhook(fields("INV-2024-001"), "salt_xyz"))
      )
      expect(result).toMatchObject({ action: PaymentActions.NOT_SUPPORTED })
    })
  })
})
