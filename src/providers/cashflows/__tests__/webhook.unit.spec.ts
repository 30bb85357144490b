import {
  cashflowsNotification,
  cashflowsPayment,
  cashflowsPaymentJob,
  JOB_REFERENCE,
  PAYMENT_REFERENCE,
} from "../../../../integration-tests/fixtures/cashflows"
import { cashflowsAcknowledgement, matchNotification, readCashflowsNotification } from "../webhook"

const SESSION = "payses_01JTESTSESSION"
const raw = (text: string) => ({
  rawData: Buffer.from(text),
  data: JSON.parse(text),
  headers: { "content-type": "application/json" },
})
const job = (args: Partial<Parameters<typeof cashflowsPaymentJob>[0]> = {}) =>
  cashflowsPaymentJob({ orderNumber: SESSION, amount: "25.00", ...args }).data as any

describe("Cashflows notification", () => {
  it("reads the two references of the documented notification", () => {
    const reading = readCashflowsNotification(raw(JSON.stringify(cashflowsNotification())))
    expect(reading).toEqual({
      ok: true,
      notification: {
        notifyType: "PaymentStatusChange",
        paymentJobReference: JOB_REFERENCE,
        paymentReference: PAYMENT_REFERENCE,
      },
    })
  })

  it("keeps every digit of references sent as JSON numbers, from the raw body", () => {
    const text = `{"notifyType":"PaymentStatusChange","paymentJobReference":${JOB_REFERENCE},"paymentReference":${PAYMENT_REFERENCE}}`
    const reading = readCashflowsNotification(raw(text))
    expect(reading).toMatchObject({
      ok: true,
      notification: { paymentJobReference: JOB_REFERENCE, paymentReference: PAYMENT_REFERENCE },
    })
  })

  it("refuses numeric references that already lost digits when no raw body was kept", () => {
    const reading = readCashflowsNotification({
      // eslint-disable-next-line no-loss-of-precision -- the point: a reference that JSON.parse already rounded
      data: { paymentJobReference: 210121017238589452, paymentReference: 1 },
    })
    expect(reading).toEqual({ ok: false, reason: expect.stringContaining("paymentJobReference: lost precision") })
  })

  it.each([
    ["no references", '{"notifyType":"PaymentStatusChange"}', "paymentJobReference"],
    ["a reference that is not digits", '{"paymentJobReference":"1 OR 1=1","paymentReference":"2"}', "must be digits"],
    ["a body that is not JSON", "paymentJobReference=1", "not JSON"],
  ])("refuses %s", (_name, text, reason) => {
    const reading = readCashflowsNotification({ rawData: Buffer.from(text), data: {} })
    expect(reading).toEqual({ ok: false, reason: expect.stringContaining(reason) })
  })

  it("acknowledges with exactly the two references", () => {
    const reading = readCashflowsNotification(raw(JSON.stringify(cashflowsNotification())))
    if (!reading.ok) throw new Error(reading.reason)
    expect(cashflowsAcknowledgement(reading.notification)).toEqual({
      paymentJobReference: JOB_REFERENCE,
      paymentReference: PAYMENT_REFERENCE,
    })
  })
})

describe("matching a notification with the job Cashflows returned", () => {
  const notification = {
    notifyType: "PaymentStatusChange",
    paymentJobReference: JOB_REFERENCE,
    paymentReference: PAYMENT_REFERENCE,
  }

  it("finds the notified payment and the Medusa session in the order number", () => {
    expect(matchNotification(notification, job())).toMatchObject({
      outcome: "session",
      sessionId: SESSION,
      gatewayReference: JOB_REFERENCE,
      status: { gatewayPaymentReference: PAYMENT_REFERENCE },
    })
  })

  it("takes the job's word when it shows a payment paid, whichever payment the notification names", () => {
    const paid = job({ payments: [cashflowsPayment({ reference: "777", status: "Paid", amount: "25.00" })] })
    expect(matchNotification(notification, paid)).toMatchObject({
      outcome: "session",
      sessionId: SESSION,
      status: { gatewayPaymentReference: "777", gatewayStatus: "Paid" },
    })
  })

  it.each([
    ["another job", job({ reference: "999" }), "answered with job 999"],
    [
      "a pending job without that payment",
      job({ payments: [cashflowsPayment({ reference: "777", amount: "25.00" })] }),
      `has no payment ${PAYMENT_REFERENCE}`,
    ],
    ["a job made outside Medusa", job({ orderNumber: "INV-2024-001" }), "not created for a Medusa payment session"],
    ["a job Cashflows does not know", undefined, "Cashflows does not know payment job"],
  ])("refuses %s", (_name, answered, reason) => {
    expect(matchNotification(notification, answered)).toEqual({
      outcome: expect.stringMatching(/^(rejected|ignored)$/),
      ...(answered?.order?.orderNumber === "INV-2024-001" ? {} : { why: "unauthenticated" }),
      reason: expect.stringContaining(reason),
    })
  })
})
