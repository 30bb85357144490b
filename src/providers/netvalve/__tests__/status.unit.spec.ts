import { PaymentSessionStatus as S } from "@medusajs/framework/utils"
import {
  eventHandling,
  NETVALVE_EVENTS,
  NETVALVE_ORDER_STATES,
  NETVALVE_RESPONSE_TYPES,
  NETVALVE_TRANSACTION_TYPES,
  orderStatus,
  responseTypeOf,
  transactionTypeStatus,
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
    ["COMPLETED", S.CAPTURED],
    ["SUCCESS", S.CAPTURED],
    ["SUCCESSFUL", S.CAPTURED],
    ["SETTLED", S.CAPTURED],
    ["APPROVED", S.CAPTURED],
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
    ["REFUNDED", "inquire"],
    ["REFUND_FAILED", "log only"],
    ["CHARGEBACK", "inquire"],
  ]

  const transactionRows: [string, S][] = [
    ["SALE", S.CAPTURED],
    ["PURCHASE", S.CAPTURED],
    ["CAPTURE", S.CAPTURED],
    ["DEBIT", S.CAPTURED],
    ["AUTH", S.AUTHORIZED],
    ["AUTHORISE", S.AUTHORIZED],
    ["AUTHORIZE", S.AUTHORIZED],
    ["AUTHORISATION", S.AUTHORIZED],
    ["AUTHORIZATION", S.AUTHORIZED],
    ["PREAUTH", S.AUTHORIZED],
    ["REFUND", S.CAPTURED],
    ["PARTIAL_REFUND", S.CAPTURED],
    ["CHARGEBACK", S.CAPTURED],
    ["VOID", S.CANCELED],
    ["CANCEL", S.CANCELED],
    ["REVERSAL", S.CANCELED],
  ]

  it("has a row for every documented type, state and event, and no other", () => {
    expect(["APPROVED", ...typeRows.map(([, t]) => t)].sort()).toEqual([...NETVALVE_RESPONSE_TYPES].sort())
    expect(stateRows.map(([s]) => s).sort()).toEqual([...NETVALVE_ORDER_STATES].sort())
    expect(eventRows.map(([e]) => e).sort()).toEqual([...NETVALVE_EVENTS].sort())
    expect(transactionRows.map(([t]) => t).sort()).toEqual([...NETVALVE_TRANSACTION_TYPES].sort())
  })

  it.each(transactionRows)("reads an approved %s transaction as %s", (type, expected) => {
    expect(transactionTypeStatus(type)).toBe(expected)
    expect(transactionTypeStatus(type.toLowerCase().replace(/_/g, " "))).toBe(expected)
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

  it("decides an approved answer on the documented CREATED state by the transaction's type, on the safe side", () => {
    const approved = { responseCode: "GTW_1000", responseCodeType: "APPROVED", orderState: "CREATED" }
    // CREATED is what the create call answers too: the type alone is not a payment.
    expect(orderStatus({ ...approved, transactionType: "SALE" })).toMatchObject({ status: S.PENDING, known: true })
    expect(orderStatus({ ...approved, transactionType: "AUTHORISE" })).toMatchObject({ status: S.PENDING })
    // An authenticated webhook's word (kept on the session) makes it count, unless the answer contradicts it.
    expect(orderStatus({ ...approved, transactionType: "SALE" }, {}, "PURCHASED").status).toBe(S.CAPTURED)
    expect(orderStatus({ ...approved, transactionType: "AUTHORISE" }, {}, "AUTHORISED").status).toBe(S.AUTHORIZED)
    expect(orderStatus({ ...approved, transactionType: "SALE", capturedAmount: 0 }, {}, "PURCHASED").status).toBe(
      S.PENDING
    )
    expect(orderStatus({ ...approved, transactionType: "VOID" })).toMatchObject({ status: S.CANCELED })
    // The same answer showing nothing captured: the sale has not happened.
    expect(orderStatus({ ...approved, transactionType: "SALE", capturedAmount: 0 })).toMatchObject({
      status: S.PENDING,
    })
    expect(orderStatus({ ...approved, transactionType: "SALE", capturedAmount: "25.00" }).status).toBe(S.CAPTURED)
    // A store whose NetValve answers unpaid orders this way says so, and its word comes first.
    expect(orderStatus({ ...approved, transactionType: "SALE" }, { CREATED: "pending" }).status).toBe(S.PENDING)
    // The guide's pending answer to an inquiry about a payment not made yet.
    expect(
      orderStatus({ responseCode: "GTW_1002", responseCodeType: "PENDING", transactionType: "SALE" })
    ).toMatchObject({ status: S.PENDING, known: true })
  })

  it("reads a paid state word as a reservation when the transaction is an authorisation", () => {
    const approved = { responseCode: "GTW_1000", responseCodeType: "APPROVED" }
    expect(orderStatus({ ...approved, orderState: "COMPLETED", transactionType: "AUTHORISE" }).status).toBe(
      S.AUTHORIZED
    )
    expect(orderStatus({ ...approved, orderState: "COMPLETED", transactionType: "SALE" }).status).toBe(S.CAPTURED)
  })

  it("never calls an approved answer paid without a paid state or a known transaction type", () => {
    expect(orderStatus({ responseCode: "GTW_1000", responseCodeType: "APPROVED" })).toEqual({
      status: S.PENDING,
      known: false,
      why: 'unknown order state "(none)" with transaction type "(none)"',
    })
    expect(
      orderStatus({
        responseCode: "GTW_1000",
        responseCodeType: "APPROVED",
        orderState: "ON_HOLD",
        transactionType: "SALE",
      })
    ).toMatchObject({ status: S.PENDING, known: false })
    expect(
      orderStatus({
        responseCode: "GTW_1000",
        responseCodeType: "APPROVED",
        orderState: "CREATED",
        transactionType: "X",
      })
    ).toMatchObject({ status: S.PENDING, known: true })
  })

  it("takes the store's own word for a further state first", () => {
    const onHold = {
      responseCode: "GTW_1000",
      responseCodeType: "APPROVED",
      orderState: "on_hold",
      transactionType: "SALE",
    }
    expect(orderStatus(onHold, { ON_HOLD: "pending" })).toMatchObject({ status: S.PENDING, known: true })
    expect(orderStatus({ ...onHold, orderState: "DONE" }, { DONE: "captured" }).status).toBe(S.CAPTURED)
    // A decline stays a decline whatever the store maps.
    expect(
      orderStatus({ ...onHold, responseCode: "BNK_3051", responseCodeType: "HARD DECLINE" }, { ON_HOLD: "captured" })
        .status
    ).toBe(S.ERROR)
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
