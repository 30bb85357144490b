import { PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import { CASHFLOWS_GATEWAY } from "../../providers/cashflows/schemas"
import { CATALYSTPAY_GATEWAY } from "../../providers/catalystpay/schemas"
import { HITPAY_GATEWAY } from "../../providers/hitpay/schemas"
import { NETVALVE_GATEWAY } from "../../providers/netvalve/schemas"
import { HPP_PROVIDER_OWNED_KEYS } from "../../env"
import { guardPaidAmount, parseSession, providerOwnedKeys, webhookActionFor } from "../session"

const SESSION = "payses_01JTESTSESSION"
const shared = {
  session_id: SESSION,
  checkout_url: "https://pay.example/x",
  amount: "25.00",
  currency_code: "sgd",
  return_url: "https://shop.example/r",
}

describe("session data, one naming pattern for the four gateways", () => {
  it.each([
    [
      "HitPay",
      HITPAY_GATEWAY,
      { payment_request_id: "pr_1", payment_id: "ch_1", hitpay_status: "completed" },
      { gateway_reference: "pr_1", gateway_payment_reference: "ch_1", gateway_status: "completed" },
    ],
    [
      "Cashflows",
      CASHFLOWS_GATEWAY,
      {
        payment_job_reference: "210121017238589452",
        payment_reference: "210121117372807180",
        cashflows_status: "Paid",
      },
      {
        gateway_reference: "210121017238589452",
        gateway_payment_reference: "210121117372807180",
        gateway_status: "Paid",
      },
    ],
    [
      "NetValve",
      NETVALVE_GATEWAY,
      { netvalve_order_id: 123445, netvalve_transaction_id: 39725, netvalve_order_state: "PAID", slim_mode: true },
      {
        gateway_reference: "123445",
        gateway_payment_reference: "39725",
        gateway_status: "PAID",
        slim_mode: true,
        webhook_paid_event: null,
      },
    ],
    [
      "CatalystPay",
      CATALYSTPAY_GATEWAY,
      { session_token: "ps_abc", catalystpay_status: "COMPLETED", mode: "direct" },
      { gateway_reference: "ps_abc", gateway_payment_reference: null, gateway_status: "COMPLETED", mode: "direct" },
    ],
  ])(
    "reads the keys %s wrote before the change, and writes back only the current ones",
    (_name, gateway, old, current) => {
      const parsed = parseSession(gateway.name, gateway.session, { ...shared, ...old }, gateway.pageName)
      expect(parsed).toEqual({ ...shared, presentation: "redirect", ...current }) // written before there was a choice
    }
  )

  it("lets unknown keys (what the storefront sent) pass through", () => {
    const parsed = parseSession(
      "HitPay",
      HITPAY_GATEWAY.session,
      { ...shared, gateway_reference: "pr_1", cart_note: "gift" },
      "payment request"
    )
    expect(parsed).toMatchObject({
      gateway_reference: "pr_1",
      cart_note: "gift",
      gateway_payment_reference: null,
      gateway_status: "",
    })
  })

  it.each([
    [
      "HitPay",
      HITPAY_GATEWAY,
      { payment_id: "ch_forged", payment_request_id: "pr_forged", hitpay_status: "completed" },
    ],
    [
      "Cashflows",
      CASHFLOWS_GATEWAY,
      { payment_reference: "666", payment_job_reference: "777", cashflows_status: "Paid" },
    ],
    [
      "NetValve",
      NETVALVE_GATEWAY,
      { netvalve_transaction_id: 666, netvalve_order_id: 777, netvalve_order_state: "PAID" },
    ],
    ["CatalystPay", CATALYSTPAY_GATEWAY, { session_token: "ps_forged", catalystpay_status: "COMPLETED" }],
  ])(
    "never reads an old %s key beside the current ones: there it is the storefront's, not the provider's",
    (_name, gateway, old) => {
      // What Medusa stores: the storefront's data with the provider's answer over it.
      const written = {
        ...shared,
        gateway_reference: "ref_1",
        gateway_payment_reference: null,
        gateway_status: "pending",
      }
      const parsed = parseSession(gateway.name, gateway.session, { ...old, ...written }, gateway.pageName)
      expect(parsed).toMatchObject({
        gateway_reference: "ref_1",
        gateway_payment_reference: null,
        gateway_status: "pending",
      })
      for (const key of Object.keys(old)) expect(parsed).not.toHaveProperty(key)
    }
  )

  it("owns every key of a gateway's session data but the storefront's return_url and presentation, the old names among them", () => {
    const sharedKeys = ["session_id", "checkout_url", "amount", "currency_code", "gateway_reference"]
    // order_awaits_payment: the plugin's word that a deferred payment's order exists; a storefront must not write it.
    // payment_deferred: the provider's word that the payment was deferred; the storefront's is never kept.
    const current = [
      ...sharedKeys,
      "gateway_payment_reference",
      "gateway_status",
      "order_awaits_payment",
      "payment_deferred",
    ]
    expect(providerOwnedKeys(HITPAY_GATEWAY)).toEqual([
      ...current,
      "qr_code",
      "drop_in",
      "payment_request_id",
      "payment_id",
      "hitpay_status",
    ])
    expect(providerOwnedKeys(NETVALVE_GATEWAY)).toEqual(
      expect.arrayContaining([...current, "slim_mode", "netvalve_order_id", "netvalve_transaction_id"])
    )
    expect(providerOwnedKeys(CATALYSTPAY_GATEWAY)).toEqual(
      expect.arrayContaining([...current, "mode", "session_token", "catalystpay_status"])
    )
    expect(HPP_PROVIDER_OWNED_KEYS.cashflows).toEqual(providerOwnedKeys(CASHFLOWS_GATEWAY))
    for (const keys of Object.values(HPP_PROVIDER_OWNED_KEYS)) {
      expect(keys).not.toContain("return_url")
      expect(keys).not.toContain("presentation")
    }
  })

  it("refuses data this provider did not write, naming what is missing", () => {
    expect(() => parseSession("HitPay", HITPAY_GATEWAY.session, { session_id: SESSION }, "payment request")).toThrow(
      "HitPay: the payment has no valid payment request reference (data.gateway_reference): it was not created by this provider"
    )
    expect(() =>
      parseSession(
        "HitPay",
        HITPAY_GATEWAY.session,
        { ...shared, gateway_reference: "pr_1", session_id: "cart_1" },
        "payment request"
      )
    ).toThrow("HitPay: the payment has no valid session_id (data.session_id)")
    expect(() => parseSession("HitPay", HITPAY_GATEWAY.session, undefined, "payment request")).toThrow(
      "HitPay: the payment has no valid"
    )
  })
})

describe("the amount guard", () => {
  const logger = () => ({ info: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() }) as any
  const session = { session_id: SESSION, amount: "25.00", currency_code: "sgd" }
  const guard = (status: PaymentSessionStatus, amount: unknown, currency: unknown, log = logger()) =>
    guardPaidAmount({
      gateway: "HitPay",
      logger: log,
      status,
      paid: { amount, currency },
      session,
      reference: "payment request pr_1",
    })

  it.each([
    ["25.00", "SGD"],
    ["25", "sgd"],
    [25, "SGD"],
  ])("lets a paid %p %s through: the same amount and currency", (amount, currency) => {
    expect(guard(PaymentSessionStatus.CAPTURED, amount, currency)).toBe(PaymentSessionStatus.CAPTURED)
    expect(guard(PaymentSessionStatus.AUTHORIZED, amount, currency)).toBe(PaymentSessionStatus.AUTHORIZED)
  })

  it.each([
    ["24.99", "SGD"],
    ["25.001", "SGD"],
    ["25.00", "USD"],
    [undefined, "SGD"],
    ["25,00", "SGD"],
    ["2.5e1", "SGD"],
  ])("turns a paid %p %s into an error, logged with both amounts", (amount, currency) => {
    const log = logger()
    expect(guard(PaymentSessionStatus.CAPTURED, amount, currency, log)).toBe(PaymentSessionStatus.ERROR)
    expect(log.error).toHaveBeenCalledWith(
      expect.stringContaining(`but session ${SESSION} is for 25.00 SGD; not treating it as paid`)
    )
  })

  it("leaves unpaid statuses alone, whatever the amount", () => {
    expect(guard(PaymentSessionStatus.PENDING, "1.00", "USD")).toBe(PaymentSessionStatus.PENDING)
    expect(guard(PaymentSessionStatus.ERROR, undefined, undefined)).toBe(PaymentSessionStatus.ERROR)
  })
})

describe("session status to webhook action", () => {
  it.each([
    [PaymentSessionStatus.CAPTURED, PaymentActions.AUTHORIZED], // paid goes through cart completion, captured once
    [PaymentSessionStatus.AUTHORIZED, PaymentActions.AUTHORIZED],
    [PaymentSessionStatus.PENDING, PaymentActions.PENDING],
    [PaymentSessionStatus.REQUIRES_MORE, PaymentActions.REQUIRES_MORE],
    [PaymentSessionStatus.ERROR, PaymentActions.FAILED],
    [PaymentSessionStatus.CANCELED, PaymentActions.CANCELED],
    [PaymentSessionStatus.PENDING_AUTHORIZATION, PaymentActions.PENDING_AUTHORIZATION],
  ])("%s → %s", (status, action) => {
    expect(webhookActionFor(status)).toBe(action)
  })
})
