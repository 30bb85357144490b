import { PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import nock from "nock"
import {
  cashflowsCapture,
  cashflowsError,
  cashflowsNotification,
  cashflowsPayment,
  cashflowsPaymentJob,
  cashflowsRefund,
  cashflowsStandIn,
  checkoutUrlOf,
  JOB_REFERENCE,
  PAYMENT_REFERENCE,
  withNumericReferences,
} from "../../../../integration-tests/fixtures/cashflows"
import { cradleWith } from "../../../lib/__tests__/session-store"
import { CashflowsProviderService, CashflowsSessionData } from "../service"

const SESSION = "payses_01JTESTSESSION"
const JOB_PATH = `/api/gateway/payment-jobs/${JOB_REFERENCE}`
const PAYMENT_PATH = `${JOB_PATH}/payments/${PAYMENT_REFERENCE}`

// Hashes below were computed with Python's hashlib (sha512 of key + exact body, upper hex), not with this code.
const KEY_ONLY_HASH =
  "75D71318F37C2D509F9CA5F41184BF5B2E12154139992BD57940A93339B261B591B2F8D2F06665768342A411E76605AC858BB280999B686B423256B6A497314B"
const CREATE_BODY =
  '{"amountToCollect":"25.00","currency":"GBP","locale":"en_GB","type":"Payment","paymentMethodsToUse":["Card","PayPal"],' +
  '"order":{"orderNumber":"payses_01JTESTSESSION","billingIdentity":{"emailAddress":"zoe@example.com"},"billingAddress":{"firstName":"Zoë","lastName":"Müller"}},' +
  '"parameters":{"returnUrlSuccess":"https://shop.example/checkout/return?cart=cart_1&status=success",' +
  '"returnUrlFailed":"https://shop.example/checkout/return?cart=cart_1&status=failed",' +
  '"returnUrlCancelled":"https://shop.example/checkout/return?cart=cart_1&status=cancelled",' +
  '"webhookUrl":"https://api.shop.example/hooks/cashflows/cashflows"}}'
const CREATE_HASH =
  "B176C37A7201440C2AC0ED287582088981FF920D6D84F065932173914DBC265BA021D6F09B347F4860C6ED12DBA21C99F9327C5E15D79447C78748943E96D01A"
const CAPTURE_BODY = '{"amountToCapture":"25.00","isFinalCapture":true}'
const CAPTURE_HASH =
  "4979989007DD077E3737C12FCFE9BD8D71F1EC48CFA2A4A7FB98E2A70DE9FA97CDD80CA6CBDB5A660CCF7A2B3ABEF11E7AB0B72A18636229FD432FDAA51DC1FB"
const REFUND_BODY = '{"amountToRefund":"10.50","refundNumber":"ref_01JREFUND"}'
const REFUND_HASH =
  "F3D96DFF8C454C7E0FE142BF0BD3BF90E45B5C1BFB0CBA9902AD4B80116DF3231FD601B450B2461B5C5DF8B4841AF4EB6843A87DB462C9C6FA448839D566FBDE"

const credentials = { apiKey: "cf-api-key-7Q2", configurationId: "200426117314086912" }
const options = {
  ...credentials,
  webhookUrl: "https://api.shop.example/hooks/cashflows/cashflows",
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
    service: new CashflowsProviderService(cradleWith(log, "pp_cashflows_cashflows", sessions), {
      ...options,
      ...extra,
    }),
    log,
  }
}

function session(overrides: Partial<CashflowsSessionData> = {}): CashflowsSessionData {
  return {
    session_id: SESSION,
    checkout_url: checkoutUrlOf(JOB_REFERENCE),
    amount: "25.00",
    currency_code: "gbp",
    return_url: options.returnUrl,
    gateway_reference: JOB_REFERENCE,
    gateway_payment_reference: PAYMENT_REFERENCE,
    gateway_status: "Pending",
    presentation: "redirect",
    ...overrides,
  }
}

/** The job as Cashflows reports it, one payment in `status`. */
const jobIn = (status: string, amount = "25.00", currency = "GBP", orderNumber = SESSION) =>
  cashflowsPaymentJob({ orderNumber, amount, currency, payments: [cashflowsPayment({ status, amount })] })

describe("Cashflows provider", () => {
  beforeAll(() => nock.disableNetConnect())
  afterEach(() => nock.cleanAll())
  afterAll(() => nock.enableNetConnect())

  describe("options", () => {
    it("stops boot naming the missing option and its variable", () => {
      expect(() => CashflowsProviderService.validateOptions({ ...options, configurationId: undefined })).toThrow(
        'Cashflows payment provider: option "configurationId" is missing (set CASHFLOWS_CONFIGURATION_ID)'
      )
      expect(() => CashflowsProviderService.validateOptions({ ...options, apiKey: "" })).toThrow(
        'option "apiKey" is missing (set CASHFLOWS_API_KEY)'
      )
      expect(() => CashflowsProviderService.validateOptions({ ...options, webhookUrl: undefined })).toThrow(
        'option "webhookUrl" is missing (set CASHFLOWS_WEBHOOK_URL)'
      )
    })

    it("refuses a webhook URL that is not the plugin's Cashflows route, a bad locale and a mistyped option", () => {
      expect(() =>
        CashflowsProviderService.validateOptions({
          ...options,
          webhookUrl: "https://api.shop.example/hooks/payment/cashflows_cashflows",
        })
      ).toThrow("must end with /hooks/cashflows/<id>")
      expect(() => CashflowsProviderService.validateOptions({ ...options, locale: "english" })).toThrow(
        'option "locale" must look like "en_GB" (set CASHFLOWS_LOCALE)'
      )
      expect(() => CashflowsProviderService.validateOptions({ ...options, configurationID: "x" })).toThrow(
        'unknown option "configurationID" (did you mean "configurationId"?)'
      )
      expect(() => CashflowsProviderService.validateOptions({ ...options, environment: "live" })).toThrow(
        'option "environment" must be "sandbox" or "production" (set CASHFLOWS_ENVIRONMENT)'
      )
    })

    it("refuses a repeat window Cashflows' own redelivery would fall inside", () => {
      expect(() => CashflowsProviderService.validateOptions({ ...options, webhookRepeatWindowSeconds: "60" })).toThrow(
        'Cashflows payment provider: option "webhookRepeatWindowSeconds" must be under 60 (Cashflows delivers a refused notification again after a minute) (set CASHFLOWS_WEBHOOK_REPEAT_WINDOW_SECONDS)'
      )
    })

    it("refuses a malformed allow-list address and a negative number of proxies, naming the option and its variable", () => {
      expect(() =>
        CashflowsProviderService.validateOptions({ ...options, webhookAllowedIps: "54.74.58.255, 54.74.58.0/33" })
      ).toThrow(
        'Cashflows payment provider: option "webhookAllowedIps.1" has "54.74.58.0/33", which is not an IP address or a CIDR range (set CASHFLOWS_WEBHOOK_ALLOWED_IPS)'
      )
      expect(() => CashflowsProviderService.validateOptions({ ...options, webhookTrustedProxies: "-1" })).toThrow(
        'Cashflows payment provider: option "webhookTrustedProxies" must be 0 or more (set CASHFLOWS_WEBHOOK_TRUSTED_PROXIES)'
      )
    })

    it("uses the production host when asked, and any host given", async () => {
      for (const [extra, base] of [
        [{ environment: "production" }, "https://gateway.cashflows.com"],
        [{ apiBaseUrl: "https://gateway-inta.cashflows.com" }, "https://gateway-inta.cashflows.com"],
      ] as const) {
        const { scope, signed } = cashflowsStandIn(credentials, base)
        scope.get(JOB_PATH).reply(signed(() => [200, jobIn("Pending")]))
        await provider(extra).service.getPaymentStatus({ data: session() })
        expect(scope.isDone()).toBe(true)
      }
    })
  })

  describe("initiatePayment", () => {
    it("creates a payment job with amount, currency, locale, order number, buyer, methods and all four URLs, signed", async () => {
      const { scope, received, signed } = cashflowsStandIn(credentials)
      scope
        .post("/api/gateway/payment-jobs")
        .reply(signed(() => [201, cashflowsPaymentJob({ orderNumber: SESSION, amount: "25.00" })]))
      const result = await provider({ paymentMethods: "Card,PayPal" }).service.initiatePayment({
        amount: 25,
        currency_code: "gbp",
        data: {
          session_id: SESSION,
          return_url: "https://shop.example/checkout/return?cart=cart_1",
          email: "zoe@example.com",
          billing_address: { first_name: "Zoë", last_name: "Müller" },
        },
        context: { idempotency_key: SESSION },
      })
      expect(received).toHaveLength(1)
      expect(received[0].body).toBe(CREATE_BODY)
      expect(received[0].headers).toMatchObject({
        hash: CREATE_HASH,
        configurationid: "200426117314086912",
        "content-type": "application/json",
      })
      expect(result).toEqual({
        id: JOB_REFERENCE,
        status: PaymentSessionStatus.PENDING,
        data: session({ return_url: "https://shop.example/checkout/return?cart=cart_1" }),
      })
      expect(JSON.stringify(result)).not.toContain(credentials.apiKey)
    })

    it("leaves out buyer fields it does not know, and formats the amount by the currency's exponent", async () => {
      const { scope, received, signed } = cashflowsStandIn(credentials)
      scope
        .post("/api/gateway/payment-jobs")
        .reply(signed(() => [201, cashflowsPaymentJob({ orderNumber: SESSION, amount: "1000", currency: "JPY" })]))
      await provider().service.initiatePayment({ amount: "1000", currency_code: "jpy", data: { session_id: SESSION } })
      const body = JSON.parse(received[0].body)
      expect(body).toMatchObject({ amountToCollect: "1000", currency: "JPY", order: { orderNumber: SESSION } })
      expect(body.order).toEqual({ orderNumber: SESSION })
      expect(body).not.toHaveProperty("paymentMethodsToUse")
    })

    it("keeps the references as strings with every digit when Cashflows sends them as JSON numbers", async () => {
      const { scope, signed } = cashflowsStandIn(credentials)
      const answer = withNumericReferences(cashflowsPaymentJob({ orderNumber: SESSION, amount: "25.00" }))
      scope.post("/api/gateway/payment-jobs").reply(signed(() => [201, answer, { "content-type": "application/json" }]))
      const { data } = await provider().service.initiatePayment({
        amount: 25,
        currency_code: "gbp",
        data: { session_id: SESSION },
      })
      expect(data).toMatchObject({ gateway_reference: JOB_REFERENCE, gateway_payment_reference: PAYMENT_REFERENCE })
    })

    it("relays Cashflows' own error code and message", async () => {
      const { scope, signed } = cashflowsStandIn(credentials)
      scope
        .post("/api/gateway/payment-jobs")
        .reply(signed(() => [400, cashflowsError("InvalidCurrency", "The currency XTS is not supported.")]))
      await expect(
        provider().service.initiatePayment({ amount: 25, currency_code: "gbp", data: { session_id: SESSION } })
      ).rejects.toThrow(
        "Cashflows create payment job failed (HTTP 400, code InvalidCurrency): The currency XTS is not supported."
      )
    })

    it("fails clearly when Cashflows gives no hosted page link", async () => {
      const { scope, signed } = cashflowsStandIn(credentials)
      const answer = { ...cashflowsPaymentJob({ orderNumber: SESSION, amount: "25.00" }), links: {} }
      scope.post("/api/gateway/payment-jobs").reply(signed(() => [201, answer]))
      await expect(
        provider().service.initiatePayment({ amount: 25, currency_code: "gbp", data: { session_id: SESSION } })
      ).rejects.toThrow(`payment job ${JOB_REFERENCE} came back without links.action.url`)
    })

    it("refuses a return URL off the allowed origins without calling Cashflows", async () => {
      await expect(
        provider().service.initiatePayment({
          amount: 25,
          currency_code: "gbp",
          data: { session_id: SESSION, return_url: "https://evil.example/x" },
        })
      ).rejects.toThrow("Cashflows: data.return_url origin https://evil.example is not allowed")
    })
  })

  describe("status", () => {
    it("is captured when the payment is Paid for the session's amount, asked with a GET signed by the key alone", async () => {
      const { scope, received, signed } = cashflowsStandIn(credentials)
      scope.get(JOB_PATH).reply(signed(() => [200, jobIn("Paid")]))
      const result = await provider().service.authorizePayment({ data: session() })
      expect(received[0]).toMatchObject({ method: "GET", path: JOB_PATH, body: "" })
      expect(received[0].headers.hash).toBe(KEY_ONLY_HASH)
      expect(result).toEqual({ status: PaymentSessionStatus.CAPTURED, data: session({ gateway_status: "Paid" }) })
    })

    it.each([
      ["Verified", PaymentSessionStatus.CAPTURED],
      ["Pending", PaymentSessionStatus.PENDING],
      ["Commissioned", PaymentSessionStatus.PENDING],
      ["Declined", PaymentSessionStatus.ERROR],
      ["Expired", PaymentSessionStatus.CANCELED],
    ])("reports a %s payment as %s", async (status, expected) => {
      const { scope, signed } = cashflowsStandIn(credentials)
      scope.get(JOB_PATH).reply(signed(() => [200, jobIn(status)]))
      expect((await provider().service.getPaymentStatus({ data: session() })).status).toBe(expected)
    })

    it("takes the paid payment of a job the buyer retried after a decline", async () => {
      const { scope, signed } = cashflowsStandIn(credentials)
      const job = cashflowsPaymentJob({
        orderNumber: SESSION,
        amount: "25.00",
        paymentStatus: "Paid",
        payments: [
          cashflowsPayment({ status: "Declined", amount: "25.00" }),
          cashflowsPayment({ reference: "210121117372807999", status: "Paid", amount: "25.00" }),
        ],
      })
      scope.get(JOB_PATH).reply(signed(() => [200, job]))
      const result = await provider().service.authorizePayment({ data: session() })
      expect(result).toEqual({
        status: PaymentSessionStatus.CAPTURED,
        data: session({ gateway_payment_reference: "210121117372807999", gateway_status: "Paid" }),
      })
    })

    it("is an error, logged, when Cashflows was paid another amount or currency", async () => {
      const { scope, signed } = cashflowsStandIn(credentials)
      scope
        .get(JOB_PATH)
        .reply(signed(() => [200, jobIn("Paid", "2.50")]))
        .get(JOB_PATH)
        .reply(signed(() => [200, jobIn("Paid", "25.00", "EUR")]))
      const { service, log } = provider()
      expect((await service.authorizePayment({ data: session() })).status).toBe(PaymentSessionStatus.ERROR)
      expect(log.error).toHaveBeenCalledWith(
        expect.stringContaining("reports 2.50 GBP but session payses_01JTESTSESSION is for 25.00 GBP")
      )
      expect((await service.authorizePayment({ data: session() })).status).toBe(PaymentSessionStatus.ERROR)
    })

    it("is an error when the job belongs to another order", async () => {
      const { scope, signed } = cashflowsStandIn(credentials)
      scope.get(JOB_PATH).reply(signed(() => [200, jobIn("Paid", "25.00", "GBP", "payses_SOMEONEELSE")]))
      const { service, log } = provider()
      expect((await service.authorizePayment({ data: session() })).status).toBe(PaymentSessionStatus.ERROR)
      expect(log.error).toHaveBeenCalledWith(expect.stringContaining("belongs to order payses_SOMEONEELSE"))
    })

    it("is pending, and logged, for a status Cashflows has not documented", async () => {
      const { scope, signed } = cashflowsStandIn(credentials)
      scope.get(JOB_PATH).reply(signed(() => [200, jobIn("Chargeback")]))
      const { service, log } = provider()
      expect((await service.getPaymentStatus({ data: session() })).status).toBe(PaymentSessionStatus.PENDING)
      expect(log.warn).toHaveBeenCalledWith(expect.stringContaining('unknown payment status "Chargeback"'))
    })

    it("retries a status read after a 503", async () => {
      const { scope, signed } = cashflowsStandIn(credentials)
      scope
        .get(JOB_PATH)
        .reply(signed(() => [503, cashflowsError("ServiceUnavailable", "Try again")]))
        .get(JOB_PATH)
        .reply(signed(() => [200, jobIn("Paid")]))
      expect((await provider().service.getPaymentStatus({ data: session() })).status).toBe(
        PaymentSessionStatus.CAPTURED
      )
    })

    it("refuses data this provider did not write", async () => {
      await expect(provider().service.authorizePayment({ data: { session_id: SESSION } })).rejects.toThrow(
        "Cashflows: the payment has no valid payment job reference (data.gateway_reference)"
      )
    })
  })

  describe("reservations", () => {
    it("reports a reservation as authorized in reserve mode, capturing nothing", async () => {
      const { scope, received, signed } = cashflowsStandIn(credentials)
      scope.get(JOB_PATH).reply(signed(() => [200, jobIn("Reserved")]))
      const result = await provider({ autoCapture: "false" }).service.authorizePayment({ data: session() })
      expect(result).toEqual({ status: PaymentSessionStatus.AUTHORIZED, data: session({ gateway_status: "Reserved" }) })
      expect(received.map((r) => r.method)).toEqual(["GET"])
    })

    it("captures a reservation at once when capturing at payment (the default)", async () => {
      const { scope, received, signed } = cashflowsStandIn(credentials)
      scope.get(JOB_PATH).reply(signed(() => [200, jobIn("Reserved")]))
      scope.post(`${PAYMENT_PATH}/captures`).reply(signed(() => [200, cashflowsCapture({ amount: "25.00" })]))
      const result = await provider().service.authorizePayment({ data: session() })
      expect(result.status).toBe(PaymentSessionStatus.CAPTURED)
      expect(received[1]).toMatchObject({ method: "POST", path: `${PAYMENT_PATH}/captures`, body: CAPTURE_BODY })
      expect(received[1].headers.hash).toBe(CAPTURE_HASH)
    })

    it("captures the reserved amount when the admin captures (reserve mode)", async () => {
      const { scope, received, signed } = cashflowsStandIn(credentials)
      scope.get(JOB_PATH).reply(signed(() => [200, jobIn("Reserved")]))
      scope.post(`${PAYMENT_PATH}/captures`).reply(signed(() => [200, cashflowsCapture({ amount: "25.00" })]))
      await provider({ autoCapture: false }).service.capturePayment({ data: session({ gateway_status: "Reserved" }) })
      expect(received.map((r) => `${r.method} ${r.path} ${r.body}`)).toEqual([
        `GET ${JOB_PATH} `,
        `POST ${PAYMENT_PATH}/captures ${CAPTURE_BODY}`,
      ])
    })

    it("does not capture again what Cashflows already shows as paid", async () => {
      const { scope, received, signed } = cashflowsStandIn(credentials)
      scope.get(JOB_PATH).reply(signed(() => [200, jobIn("Paid")]))
      await provider({ autoCapture: false }).service.capturePayment({ data: session() })
      expect(received.map((r) => r.method)).toEqual(["GET"])
    })

    it("treats a refused capture as done when Cashflows then shows the payment paid", async () => {
      const { scope, received, signed } = cashflowsStandIn(credentials)
      scope.get(JOB_PATH).reply(signed(() => [200, jobIn("Reserved")]))
      scope
        .post(`${PAYMENT_PATH}/captures`)
        .reply(signed(() => [400, cashflowsError("AlreadyCaptured", "Payment already captured")]))
      scope.get(JOB_PATH).reply(signed(() => [200, jobIn("Paid")]))
      const result = await provider({ autoCapture: false }).service.capturePayment({ data: session() })
      expect(result.data).toMatchObject({
        gateway_reference: JOB_REFERENCE,
        gateway_payment_reference: PAYMENT_REFERENCE,
      })
      expect(received.map((r) => `${r.method} ${r.path}`)).toEqual([
        `GET ${JOB_PATH}`,
        `POST ${PAYMENT_PATH}/captures`,
        `GET ${JOB_PATH}`,
      ])
    })

    it("fails clearly when there is no reservation to capture", async () => {
      const { scope, signed } = cashflowsStandIn(credentials)
      scope.get(JOB_PATH).reply(signed(() => [200, jobIn("Cancelled")]))
      await expect(provider({ autoCapture: false }).service.capturePayment({ data: session() })).rejects.toThrow(
        `Cashflows: payment job ${JOB_REFERENCE} is Cancelled: there is no reservation to capture`
      )
    })
  })

  describe("refund", () => {
    it("refunds the requested amount of the paying payment with Medusa's refund id as refundNumber", async () => {
      const { scope, received, signed } = cashflowsStandIn(credentials)
      scope
        .post(`${PAYMENT_PATH}/refunds`)
        .reply(signed(() => [200, cashflowsRefund({ amount: "10.50", refundNumber: "ref_01JREFUND" })]))
      await provider().service.refundPayment({
        amount: { value: "10.5", precision: 20 } as any,
        data: session({ gateway_status: "Paid" }),
        context: { idempotency_key: "ref_01JREFUND" },
      })
      expect(received[0]).toMatchObject({ method: "POST", path: `${PAYMENT_PATH}/refunds`, body: REFUND_BODY })
      expect(received[0].headers.hash).toBe(REFUND_HASH)
    })

    it("sends nothing for a refund Cashflows shows done that Medusa lost the record of (an answer that timed out)", async () => {
      const { scope, signed } = cashflowsStandIn(credentials)
      const refunded = cashflowsPaymentJob({
        orderNumber: SESSION,
        amount: "25.00",
        payments: [
          cashflowsPayment({
            status: "Paid",
            amount: "25.00",
            refunds: [
              cashflowsRefund({ amount: "10.00", refundNumber: "ref_1", status: "Completed" }).data,
              cashflowsRefund({ amount: "15.00", refundNumber: "ref_2", status: "Completed" }).data,
            ],
          }),
        ],
      })
      // Medusa has recorded the 10.00 refund, and lost the record of the 15.00 one (its answer timed out).
      scope.get(JOB_PATH).reply(signed(() => [200, refunded]))
      const log = logger()
      const recorded = [
        {
          id: "pay_1",
          refunds: [
            { id: "ref_1", amount: 10 },
            { id: "ref_3", amount: 15 },
          ],
          captures: [],
        },
      ]
      const service = new CashflowsProviderService(
        { ...cradleWith(log, "pp_cashflows_cashflows", [session()]), paymentService: { list: async () => recorded } },
        options
      )
      await service.refundPayment({ amount: 15, data: session(), context: { idempotency_key: "ref_3" } })
      expect(log.warn).toHaveBeenCalledWith(
        expect.stringContaining("already shows 15.00 GBP refunded that Medusa has no record of")
      )
      expect(scope.isDone()).toBe(true)
    })

    it("fails with Cashflows' reason when the payment is not fully refunded (a failed refund does not count)", async () => {
      const { scope, signed } = cashflowsStandIn(credentials)
      const partly = cashflowsPaymentJob({
        orderNumber: SESSION,
        amount: "25.00",
        payments: [
          cashflowsPayment({
            status: "Paid",
            amount: "25.00",
            refunds: [cashflowsRefund({ amount: "25.00", refundNumber: "ref_1", status: "Failed" }).data],
          }),
        ],
      })
      scope
        .post(`${PAYMENT_PATH}/refunds`)
        .reply(
          signed(() => [400, cashflowsError("RefundExceedsAmount", "The amount to refund exceeds the paid amount")])
        )
      scope.get(JOB_PATH).reply(signed(() => [200, partly]))
      await expect(
        provider().service.refundPayment({ amount: 30, data: session(), context: { idempotency_key: "ref_2" } })
      ).rejects.toThrow(
        "Cashflows refund failed (HTTP 400, code RefundExceedsAmount): The amount to refund exceeds the paid amount"
      )
    })
  })

  describe("update, delete, cancel", () => {
    it("keeps the job when nothing changed", async () => {
      expect(
        (await provider().service.updatePayment({ amount: 25, currency_code: "gbp", data: session() })).data
      ).toEqual(session())
    })

    it("cancels the old job before creating one for a new amount", async () => {
      const { scope, received, signed } = cashflowsStandIn(credentials)
      scope.patch(`${JOB_PATH}/cancel`).reply(signed(() => [200, jobIn("Cancelled")]))
      scope
        .post("/api/gateway/payment-jobs")
        .reply(
          signed(() => [
            201,
            cashflowsPaymentJob({ orderNumber: SESSION, amount: "30.00", reference: "210121017238589999" }),
          ])
        )
      const result = await provider().service.updatePayment({ amount: 30, currency_code: "gbp", data: session() })
      expect(received.map((r) => `${r.method} ${r.path}`)).toEqual([
        `PATCH ${JOB_PATH}/cancel`,
        "POST /api/gateway/payment-jobs",
      ])
      expect(received[0]).toMatchObject({ body: "", headers: expect.objectContaining({ hash: KEY_ONLY_HASH }) })
      expect(JSON.parse(received[1].body).amountToCollect).toBe("30.00")
      expect(result.data).toMatchObject({
        gateway_reference: "210121017238589999",
        amount: "30.00",
        return_url: options.returnUrl,
      })
    })

    it("cancels a pending job on delete and on cancel", async () => {
      const { scope, received, signed } = cashflowsStandIn(credentials)
      scope
        .patch(`${JOB_PATH}/cancel`)
        .times(2)
        .reply(signed(() => [200, jobIn("Cancelled")]))
      scope.get(JOB_PATH).reply(signed(() => [200, jobIn("Pending")]))
      scope.get(JOB_PATH).reply(signed(() => [200, jobIn("Cancelled")]))
      await provider().service.deletePayment({ data: session() })
      await provider().service.cancelPayment({ data: session() })
      expect(received.map((r) => r.method)).toEqual(["PATCH", "GET", "PATCH", "GET"])
    })

    it("does not fail cancelling a paid job, and says the buyer has paid", async () => {
      const { scope, signed } = cashflowsStandIn(credentials)
      scope
        .patch(`${JOB_PATH}/cancel`)
        .reply(signed(() => [400, cashflowsError("InvalidStatus", "Payment job cannot be cancelled")]))
      scope.get(JOB_PATH).reply(signed(() => [200, jobIn("Paid")]))
      const { service, log } = provider()
      await service.deletePayment({ data: session() })
      expect(log.warn).toHaveBeenCalledWith(
        expect.stringContaining("is already Paid; it was not cancelled (delete): the buyer has paid")
      )
    })

    it("never fails a deletion when a pending job could not be cancelled: it says the page is still open", async () => {
      const { scope, signed } = cashflowsStandIn(credentials)
      scope.patch(`${JOB_PATH}/cancel`).reply(signed(() => [500, cashflowsError("InternalError", "Server error")]))
      scope.get(JOB_PATH).reply(signed(() => [200, jobIn("Pending")]))
      const { service, log } = provider()
      await expect(service.deletePayment({ data: session() })).resolves.toEqual({ data: session() })
      expect(log.warn).toHaveBeenCalledWith(
        expect.stringContaining(
          "is still open (Cashflows cancel payment job failed (HTTP 500, code InternalError): Server error)"
        )
      )
    })
  })

  describe("getWebhookActionAndData", () => {
    const deliver = (body: unknown) => {
      const text = JSON.stringify(body)
      return { data: JSON.parse(text), rawData: Buffer.from(text), headers: { "content-type": "application/json" } }
    }

    it("asks Cashflows and reports a paid payment as captured for its session", async () => {
      const { scope, received, signed } = cashflowsStandIn(credentials)
      scope.get(JOB_PATH).reply(signed(() => [200, jobIn("Paid")]))
      const result = await provider().service.getWebhookActionAndData(deliver(cashflowsNotification()))
      expect(received[0]).toMatchObject({ method: "GET", path: JOB_PATH })
      expect(result).toMatchObject({
        action: PaymentActions.AUTHORIZED,
        data: { session_id: SESSION, amount: "25.00" },
      })
    })

    it.each([
      ["Reserved", PaymentActions.AUTHORIZED],
      ["Failed", PaymentActions.FAILED],
      ["Cancelled", PaymentActions.CANCELED],
      ["Pending", PaymentActions.PENDING],
    ])("reports a %s payment as %s", async (status, action) => {
      const { scope, signed } = cashflowsStandIn(credentials)
      scope.get(JOB_PATH).reply(signed(() => [200, jobIn(status)]))
      expect((await provider().service.getWebhookActionAndData(deliver(cashflowsNotification()))).action).toBe(action)
    })

    it("asks Cashflows nothing, and answers not_supported saying why, for a job no live session of this provider holds", async () => {
      const { scope, received, signed } = cashflowsStandIn(credentials)
      scope
        .persist()
        .get(/^\/api\/gateway\/payment-jobs\//)
        .reply(signed(() => [404, cashflowsError("NotFound", "Payment job not found")]))
      const { service, log } = provider()
      expect(await service.getWebhookActionAndData(deliver(cashflowsNotification("111", "222")))).toMatchObject({
        action: PaymentActions.NOT_SUPPORTED,
        verdict: { kind: "no_live_session" },
      })
      expect(log.warn).toHaveBeenCalledWith(
        expect.stringContaining("the session holding payment job 111 is not a live payment session of this provider")
      )
      // A session that a cart change dropped holds its job no more.
      const dropped = provider({}, logger(), [])
      expect((await dropped.service.getWebhookActionAndData(deliver(cashflowsNotification()))).action).toBe(
        PaymentActions.NOT_SUPPORTED
      )
      expect(received).toEqual([])
    })

    it("answers not_supported for a job made outside Medusa, or for a pending job without the notified payment", async () => {
      const { scope, signed } = cashflowsStandIn(credentials)
      scope.get(JOB_PATH).reply(signed(() => [200, jobIn("Paid", "25.00", "GBP", "INV-2024-001")]))
      scope.get(JOB_PATH).reply(signed(() => [200, jobIn("Pending")]))
      expect((await provider().service.getWebhookActionAndData(deliver(cashflowsNotification()))).action).toBe(
        PaymentActions.NOT_SUPPORTED
      )
      expect(
        await provider().service.getWebhookActionAndData(deliver(cashflowsNotification(JOB_REFERENCE, "333")))
      ).toMatchObject({ action: PaymentActions.NOT_SUPPORTED, verdict: { kind: "unauthenticated" } })
    })

    it("acts on a job Cashflows shows paid whichever payment the notification names: no question asked is wasted", async () => {
      const { scope, signed } = cashflowsStandIn(credentials)
      scope.get(JOB_PATH).reply(signed(() => [200, jobIn("Paid")]))
      expect(
        await provider().service.getWebhookActionAndData(deliver(cashflowsNotification(JOB_REFERENCE, "333")))
      ).toMatchObject({ action: PaymentActions.AUTHORIZED, data: { session_id: SESSION, amount: "25.00" } })
    })

    it("asks about a job once within the repeat window: a repeat throws (the route answers 503, Cashflows delivers it again)", async () => {
      const { scope, received, signed } = cashflowsStandIn(credentials)
      scope
        .persist()
        .get(JOB_PATH)
        .reply(signed(() => [200, jobIn("Pending")]))
      const { service } = provider({ webhookRepeatWindowSeconds: 30 })
      expect((await service.getWebhookActionAndData(deliver(cashflowsNotification()))).action).toBe(
        PaymentActions.PENDING
      )
      await expect(service.getWebhookActionAndData(deliver(cashflowsNotification()))).rejects.toThrow(
        `Cashflows payment job ${JOB_REFERENCE} was asked about less than 30 s ago`
      )
      expect(received).toHaveLength(1)
    })

    it("asks Cashflows only what it shows refunded about a session whose payment Medusa holds, once for a burst, and makes sure the order exists", async () => {
      const { scope, received, signed } = cashflowsStandIn(credentials)
      scope
        .persist()
        .get(JOB_PATH)
        .reply(signed(() => [200, jobIn("Cancelled")])) // whatever Cashflows would say now
      const log = logger()
      const cradle = cradleWith(log, "pp_cashflows_cashflows", [session({ gateway_status: "Paid" })])
      const rows = (cradle.paymentSessionService as unknown as { rows: { status?: string }[] }).rows
      rows[0].status = PaymentSessionStatus.AUTHORIZED
      const service = new CashflowsProviderService(
        { ...cradle, paymentService: { list: async () => [{ id: "pay_1", canceled_at: null }] } },
        options
      )
      for (let i = 0; i < 3; i++) {
        expect(await service.getWebhookActionAndData(deliver(cashflowsNotification()))).toMatchObject({
          action: PaymentActions.AUTHORIZED,
          data: { session_id: SESSION },
        })
      }
      // One read of the job for a refund made in the dashboard (README, "Money that went back"), not one per
      // notification (at most one per session every 30 s); what Cashflows says of the status changes nothing Medusa holds.
      expect(received.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${JOB_PATH}`])
    })

    it("answers not_supported for a body that is not a notification, asking Cashflows nothing", async () => {
      const { scope, received, signed } = cashflowsStandIn(credentials)
      scope.get(JOB_PATH).reply(signed(() => [200, jobIn("Paid")]))
      expect((await provider().service.getWebhookActionAndData(deliver({ hello: "world" }))).action).toBe(
        PaymentActions.NOT_SUPPORTED
      )
      expect(received).toHaveLength(0)
      // The stand-in records what it is asked: the same call with a notification does ask.
      await provider().service.getWebhookActionAndData(deliver(cashflowsNotification()))
      expect(received).toHaveLength(1)
    })

    it("throws when Cashflows cannot be asked, so that the notification is retried", async () => {
      const { scope, received, signed } = cashflowsStandIn(credentials)
      scope
        .get(JOB_PATH)
        .times(3)
        .reply(signed(() => [503, cashflowsError("ServiceUnavailable", "Try again later")]))
      await expect(provider().service.getWebhookActionAndData(deliver(cashflowsNotification()))).rejects.toThrow(
        "Cashflows retrieve payment job failed (HTTP 503, code ServiceUnavailable): Try again later"
      )
      expect(received).toHaveLength(3)
    })
  })
})
