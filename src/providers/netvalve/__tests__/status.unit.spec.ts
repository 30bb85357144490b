import { PaymentSessionStatus as S } from "@medusajs/framework/utils"
import {
  eventHandling,
  NETVALVE_EVENTS,
  NETVALVE_ORDER_STATES,
  NETVALVE_RESPONSE_TYPES,
  orderStatus,
  responseTypeOf,
} from "../status"

describe("NetValve status tables", () => {
  const typeRows: [string, string, S][] = [
    ["GTW_2001", "PENDING", S.PENDING],
    ["GTW_2010", "SOFT DECLINE", S.ERROR],
    ["BNK_3051", "HARD DECLINE", S.ERROR],
    ["FRD_4001", "RISK", S.ERROR],
  ]
  const stateRows: [string, S][] = [
    ["CREATED", S.PENDING],
    ["PENDING", S.PENDING],
    ["AUTHORISED", S.AUTHORIZED],
    ["PAID", S.CAPTURED],
    ["CAPTURED", S.CAPTURED],
    ["PARTIALLY_REFUNDED", S.CAPTURED],
    ["REFUNDED", S.CAPTURED],
    ["CHARGEBACK", S.CAPTURED],
    ["FAILED", S.ERROR],
    ["DECLINED", S.ERROR],
    ["CANCELLED", S.CANCELED],
    ["EXPIRED", S.CANCELED],
  ]
  const eventRows: [string, "inquire" | "log only"][] = [
    ["AUTHORISED", "inquire"],
    ["AUTHORISATION_FAILED", "inquire"],
    ["AUTHORISATION_PENDING", "inquire"],
    ["PURCHASED", "inquire"],
    ["PURCHASE_FAILED", "inquire"],
    ["PURCHASE_PENDING", "inquire"],
    ["CAPTURED", "inquire"],
    ["CAPTURE_FAILED", "inquire"],
    ["CANCELLED", "inquire"],
    ["REFUNDED", "log only"],
    ["REFUND_FAILED", "log only"],
    ["CHARGEBACK", "log only"],
  ]

  it("has a row for every documented type, state and event, and no other", () => {
    expect(["APPROVED", ...typeRows.map(([, t]) => t)].sort()).toEqual([...NETVALVE_RESPONSE_TYPES].sort())
    expect(stateRows.map(([s]) => s).sort()).toEqual([...NETVALVE_ORDER_STATES].sort())
    expect(eventRows.map(([e]) => e).sort()).toEqual([...NETVALVE_EVENTS].sort())
  })

  it.each(typeRows)("maps a %s %s answer to %s whatever the order state says", (code, type, expected) => {
    expect(orderStatus({ responseCode: code, responseCodeType: type, orderState: "PAID" })).toMatchObject({
      status: expected,
      known: true,
    })
  })

  it.each(stateRows)("maps an approved answer for an order %s to %s", (state, expected) => {
    expect(orderStatus({ responseCode: "GTW_1000", responseCodeType: "APPROVED", orderState: state })).toMatchObject({
      status: expected,
      known: true,
    })
    expect(
      orderStatus({ responseCode: "GTW_1000", responseCodeType: "APPROVED", orderState: state.toLowerCase() }).status
    ).toBe(expected)
  })

  it("types an answer by its code when it has no responseCodeType: GTW_1002 pending, the rest by range", () => {
    expect(responseTypeOf("GTW_1000", undefined)).toBe("APPROVED")
    expect(responseTypeOf("GTW_1002", null)).toBe("PENDING")
    expect(responseTypeOf("BNK_2051", undefined)).toBe("SOFT DECLINE")
    expect(responseTypeOf("3DS_3001", undefined)).toBe("HARD DECLINE")
    expect(responseTypeOf("SMR_4002", undefined)).toBe("RISK")
    expect(responseTypeOf("GTW_9001", undefined)).toBeUndefined()
    expect(responseTypeOf("E42", undefined)).toBeUndefined()
    expect(responseTypeOf("GTW_2010", "soft_decline")).toBe("SOFT DECLINE")
  })

  it("never calls an approved answer paid without a paid order state", () => {
    expect(orderStatus({ responseCode: "GTW_1000", responseCodeType: "APPROVED" })).toEqual({
      status: S.PENDING,
      known: false,
      why: 'unknown order state "(none)"',
    })
    expect(
      orderStatus({ responseCode: "GTW_1000", responseCodeType: "APPROVED", orderState: "SETTLED" })
    ).toMatchObject({ status: S.PENDING, known: false })
  })

  it("maps an unknown response to pending and says it is unknown", () => {
    expect(orderStatus({ responseCode: "GTW_9001", orderState: "PAID" })).toMatchObject({
      status: S.PENDING,
      known: false,
    })
    expect(orderStatus({ responseCode: "GTW_1000", responseCodeType: "REVIEW", orderState: "PAID" })).toMatchObject({
      status: S.PENDING,
      known: false,
    })
  })

  it.each(eventRows)("handles event %s by %s", (event, handling) => {
    expect(eventHandling(event)).toEqual({ handling, known: true })
  })

  it("asks NetValve about an event it has not documented, saying it is unknown", () => {
    expect(eventHandling("PURCHASE_REVERSED")).toEqual({ handling: "inquire", known: false })
  })
})
