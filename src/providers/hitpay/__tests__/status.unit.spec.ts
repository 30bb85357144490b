import { PaymentSessionStatus as S } from "@medusajs/framework/utils"
import {
  chargeStatus,
  HITPAY_CHARGE_STATUSES,
  HITPAY_REQUEST_STATUSES,
  paymentRequestStatus,
  requestStatus,
} from "../status"

describe("HitPay status tables", () => {
  const requestRows: [string, S][] = [
    ["pending", S.PENDING],
    ["completed", S.CAPTURED],
    ["failed", S.ERROR],
    ["expired", S.CANCELED],
    ["canceled", S.CANCELED],
    ["inactive", S.CANCELED],
  ]
  const chargeRows: [string, S][] = [
    ["pending", S.PENDING],
    ["requires_payment_method", S.PENDING],
    ["requires_customer_action", S.REQUIRES_MORE],
    ["succeeded", S.CAPTURED],
    ["succeeded_manually", S.CAPTURED],
    ["failed", S.ERROR],
    ["canceled", S.CANCELED],
    ["void", S.CANCELED],
    ["refunded", S.CAPTURED],
    ["partially_refunded", S.CAPTURED],
  ]

  it("has a row for every documented status, and no other", () => {
    expect(requestRows.map(([s]) => s).sort()).toEqual([...HITPAY_REQUEST_STATUSES].sort())
    expect(chargeRows.map(([s]) => s).sort()).toEqual([...HITPAY_CHARGE_STATUSES].sort())
  })

  it.each(requestRows)("maps payment request %s to %s", (status, expected) => {
    expect(requestStatus(status)).toEqual({ status: expected, known: true })
    expect(requestStatus(status.toUpperCase()).status).toBe(expected)
  })

  it.each(chargeRows)("maps charge %s to %s", (status, expected) => {
    expect(chargeStatus(status)).toEqual({ status: expected, known: true })
  })

  it("maps an unknown status to pending and says it is unknown", () => {
    expect(requestStatus("on_hold")).toEqual({ status: S.PENDING, known: false })
    expect(chargeStatus("disputed")).toEqual({ status: S.PENDING, known: false })
  })
})

describe("HitPay's answer about a session's payment request", () => {
  const request = (reference_number: string) => ({
    id: "req_1",
    status: "completed",
    amount: "25.00",
    currency: "sgd",
    reference_number,
    payments: [{ id: "ch_1", status: "succeeded", amount: "25.00", currency: "sgd" }],
  })

  it("is foreign when the request was made for another session: never that session's payment", () => {
    expect(paymentRequestStatus(request("payses_other"), "payses_mine").foreign).toBe("was made for payses_other")
    expect(paymentRequestStatus(request("payses_mine"), "payses_mine").foreign).toBeUndefined()
  })
})
