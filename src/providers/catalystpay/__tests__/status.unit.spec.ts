import { PaymentSessionStatus as S } from "@medusajs/framework/utils"
import { CATALYSTPAY_SESSION_STATUSES, sessionStatus } from "../status"

describe("CatalystPay status table", () => {
  const rows: [string, S][] = [
    ["PENDING", S.PENDING],
    ["PAYMENT_IN_PROGRESS", S.PENDING_AUTHORIZATION],
    ["AWAITING_VERIFICATION", S.PENDING_AUTHORIZATION],
    ["COMPLETED", S.CAPTURED],
    ["FAILED", S.ERROR],
    ["EXPIRED", S.CANCELED],
  ]

  it("has a row for every documented session status, and no other", () => {
    expect(rows.map(([s]) => s).sort()).toEqual([...CATALYSTPAY_SESSION_STATUSES].sort())
  })

  it.each(rows)("maps %s to %s", (status, expected) => {
    expect(sessionStatus(status)).toEqual({ status: expected, known: true })
    expect(sessionStatus(status.toLowerCase()).status).toBe(expected)
  })

  it("maps an unknown status to pending and says it is unknown", () => {
    expect(sessionStatus("ON_HOLD")).toEqual({ status: S.PENDING, known: false })
  })
})
