import { PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import { CORE_ROUTE_HEADER, coreRouteOf, coreRouteRecords } from "../core-route-record"
import type { HostedWebhookResult } from "../hosted-provider"

const payload = (mark?: string) => ({
  data: {},
  rawData: Buffer.from("{}"),
  headers: mark ? { [CORE_ROUTE_HEADER]: mark } : {},
})

describe("webhooks through Medusa's route, in the record", () => {
  it("knows them only by the mark the plugin's middleware sets, and takes only a provider id from it", () => {
    expect(coreRouteOf(payload())).toBeUndefined()
    expect(coreRouteOf(payload("pp_hitpay_hitpay"))).toBe("pp_hitpay_hitpay")
    expect(coreRouteOf(payload("pp_hitpay_x; drop table"))).toBeUndefined()
  })

  it("counts refusals per reason and minute, under the provider it was posted to, with the body's digest only", () => {
    const result: HostedWebhookResult = {
      action: PaymentActions.NOT_SUPPORTED,
      verdict: { kind: "unauthenticated", reason: "bad signature" },
    }
    const [row, ...more] = coreRouteRecords("pp_hitpay_hitpay", "hitpay", payload("pp_hitpay_hitpay"), result)
    expect(more).toEqual([])
    expect(row).toMatchObject({
      provider_id: "pp_hitpay_hitpay",
      kind: "webhook",
      outcome: "refused: not authenticated",
      payment_session_id: null,
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
    })
    expect(row.dedupe_key).toMatch(/^webhook:pp_hitpay_hitpay:medusa-route:refused: not authenticated:\d{4}-/)
    expect(row.message).toContain("Medusa's route")
  })

  it("makes a paid page whose session is gone one item for the admin, keyed by its reference", () => {
    const result: HostedWebhookResult = {
      action: PaymentActions.NOT_SUPPORTED,
      verdict: { kind: "no_live_session", reason: "gone", paid: true, gatewayReference: "req_1" },
    }
    const rows = coreRouteRecords("pp_hitpay_hitpay", "hitpay", payload(), result)
    expect(rows.map((r) => [r.kind, r.attention_kind, r.dedupe_key])).toEqual([
      ["webhook", undefined, expect.stringContaining("refused: no live session")],
      ["paid_no_order", "paid_no_order", "paid_no_order:hitpay:req_1"],
    ])
  })

  it("says a confirmed payment went on to Medusa's processing, on its session, and a gateway that could not be asked", () => {
    const confirmed: HostedWebhookResult = {
      action: PaymentActions.SUCCESSFUL,
      verdict: {
        kind: "session",
        sessionId: "payses_1",
        gatewayReference: "req_1",
        status: PaymentSessionStatus.CAPTURED,
        wrongAmount: false,
        unknownStatus: false,
      },
    }
    expect(coreRouteRecords("pp_hitpay_hitpay", "hitpay", payload(), confirmed)).toEqual([
      expect.objectContaining({ outcome: "passed to Medusa", payment_session_id: "payses_1", dedupe_key: null }),
    ])
    const down = coreRouteRecords("pp_hitpay_hitpay", "hitpay", payload(), { error: new Error("timeout") })
    expect(down).toEqual([
      expect.objectContaining({ outcome: "asked again", message: expect.stringContaining("timeout") }),
    ])
  })

  it("lists a paid page whose answer is not the session's as 'paid, no order', except a deferred payment's, whose order exists", () => {
    const paid = (wrong: boolean, deferred: boolean, failedDeferred = false): HostedWebhookResult => ({
      action: PaymentActions.AUTHORIZED,
      verdict: {
        kind: "session",
        sessionId: "payses_1",
        gatewayReference: "ps_1",
        status: PaymentSessionStatus.CAPTURED,
        wrongAmount: wrong,
        amountUnshown: !wrong,
        deferred,
        failedDeferred,
        unknownStatus: false,
      },
    })
    const rows = (wrong: boolean, deferred: boolean, failedDeferred = false) =>
      coreRouteRecords(
        "pp_catalystpay_catalystpay",
        "catalystpay",
        payload(),
        paid(wrong, deferred, failedDeferred),
        "CatalystPay"
      ).map((r) => [r.outcome, r.attention_kind, r.message])
    expect(rows(true, false)).toEqual([
      ["refused: wrong amount", undefined, expect.stringContaining("no order")],
      ["no order", "paid_no_order", expect.stringContaining("no order")],
    ])
    expect(rows(false, false)).toEqual([
      ["refused: amount not shown", undefined, expect.stringContaining("no order")],
      ["no order", "paid_no_order", expect.stringContaining("no order")],
    ])
    // A SEPA debit under way: the order exists. Another amount: no item here (the reconciliation flags the order,
    // with its own item); no amount shown: the order awaits payment, one item saying so.
    expect(rows(true, true)).toEqual([
      [
        "refused: wrong amount",
        undefined,
        expect.stringContaining("or its reconciliation flags the order (Medusa's route cannot)"),
      ],
    ])
    expect(rows(false, true)).toEqual([
      ["refused: amount not shown", undefined, expect.stringContaining("CatalystPay says paid")],
      ["order awaits payment", "amount_unshown", expect.stringContaining("the order still awaits payment")],
    ])
    // A repeat after the debit failed (the session flagged): nothing more for the admin.
    for (const wrong of [true, false]) {
      expect(rows(wrong, false, true)).toEqual([
        ["repeat: debit already failed", undefined, expect.stringContaining("flagged")],
      ])
    }
  })
})
