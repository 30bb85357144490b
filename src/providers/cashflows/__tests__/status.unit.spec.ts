import { PaymentSessionStatus as S } from "@medusajs/framework/utils"
import { CASHFLOWS_PAYMENT_STATUSES, CASHFLOWS_REFUND_STATUSES, paymentStatus, refundCounts } from "../status"

describe("Cashflows status tables", () => {
  const paymentRows: [string, S][] = [
    ["Pending", S.PENDING],
    ["Reserved", S.AUTHORIZED],
    ["Commissioned", S.PENDING],
    ["Paid", S.CAPTURED],
    ["Verified", S.CAPTURED],
    ["Cancelled", S.CANCELED],
    ["Failed", S.ERROR],
    ["Rejected", S.ERROR],
    ["Expired", S.CANCELED],
    ["Blocked", S.ERROR],
    ["Declined", S.ERROR],
  ]
  const refundRows: [string, boolean][] = [
    ["Pending", true],
    ["Completed", true],
    ["Failed", false],
  ]

  it("has a row for every documented status, and no other", () => {
    expect(paymentRows.map(([s]) => s).sort()).toEqual([...CASHFLOWS_PAYMENT_STATUSES].sort())
    expect(refundRows.map(([s]) => s).sort()).toEqual([...CASHFLOWS_REFUND_STATUSES].sort())
  })

  it.each(paymentRows)("maps payment status %s to %s", (status, expected) => {
    expect(paymentStatus(status)).toEqual({ status: expected, known: true })
    expect(paymentStatus(status.toUpperCase()).status).toBe(expected)
  })

  it.each(refundRows)("counts a %s refund as money returned: %s", (status, counts) => {
    expect(refundCounts(status)).toBe(counts)
  })

  it("maps an unknown status to pending and says it is unknown; an unknown refund does not count", () => {
    expect(paymentStatus("Chargeback")).toEqual({ status: S.PENDING, known: false })
    expect(refundCounts("Reversed")).toBe(false)
  })
})
