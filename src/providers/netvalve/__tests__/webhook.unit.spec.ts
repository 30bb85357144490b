import { netvalveWebhook } from "../../../../integration-tests/fixtures/netvalve"
import { verifyNetValveWebhook } from "../webhook"

const HEADER = { name: "X-NetValve-Token", value: "nv-webhook-5f0c2a9e71d4b3c8" }
const DATA = { clientOrderId: "payses_01JABCDEF", orderId: 123445, transactionId: 39725, amount: 44 }

function delivery(header: { name: string; value: string } | null = HEADER, event = "PURCHASED") {
  const { body, headers } = netvalveWebhook(event, DATA, header ?? undefined)
  return { body, headers }
}

describe("NetValve webhook (unsigned, agreed custom header)", () => {
  it("accepts the agreed header, whatever its case, and reads the event from the raw body", () => {
    const { body, headers } = delivery()
    const result = verifyNetValveWebhook({ rawData: Buffer.from(body), headers }, HEADER)
    // The event names the session and the order, never the status: the provider asks NetValve.
    expect(result).toEqual({
      outcome: "session",
      event: "PURCHASED",
      sessionId: "payses_01JABCDEF",
      gatewayReference: "123445",
    })
    const upper = { "X-NETVALVE-TOKEN": HEADER.value }
    expect(verifyNetValveWebhook({ data: JSON.parse(body), headers: upper }, HEADER).outcome).toBe("session")
  })

  it("reads the parsed body when Medusa kept no raw bytes, and a body that went through a queue as JSON", () => {
    const { body, headers } = delivery()
    expect(verifyNetValveWebhook({ data: JSON.parse(body), headers }, HEADER).outcome).toBe("session")
    const queued = { type: "Buffer", data: [...Buffer.from(body)] }
    expect(verifyNetValveWebhook({ rawData: queued, headers }, HEADER)).toMatchObject({
      outcome: "session",
      event: "PURCHASED",
    })
  })

  it.each([
    ["no header", null, "no X-NetValve-Token header"],
    ["another value", { name: HEADER.name, value: "nv-webhook-5f0c2a9e71d4b3c9" }, "does not have the value agreed"],
    ["the value as a prefix", { name: HEADER.name, value: HEADER.value + "x" }, "does not have the value agreed"],
    ["an empty value", { name: HEADER.name, value: "" }, "does not have the value agreed"],
    ["the value under another header", { name: "X-Other", value: HEADER.value }, "no X-NetValve-Token header"],
  ])("rejects %s, before reading the body", (_name, header, reason) => {
    const { body, headers } = delivery(header)
    expect(verifyNetValveWebhook({ rawData: Buffer.from(body), data: JSON.parse(body), headers }, HEADER)).toEqual({
      outcome: "rejected",
      why: "unauthenticated",
      reason: expect.stringContaining(reason),
    })
  })

  it("never puts the agreed value in its reasons", () => {
    const { body } = delivery()
    const result = verifyNetValveWebhook({ rawData: Buffer.from(body), headers: { [HEADER.name]: "wrong" } }, HEADER)
    expect(JSON.stringify(result)).not.toContain(HEADER.value)
  })

  it("refuses as malformed, once the header holds, a body that is not NetValve's event", () => {
    const headers = { [HEADER.name]: HEADER.value }
    expect(verifyNetValveWebhook({ rawData: Buffer.from("not json"), headers }, HEADER)).toEqual({
      outcome: "rejected",
      why: "malformed",
      reason: "body is not JSON",
    })
    expect(verifyNetValveWebhook({ data: { eventName: "PURCHASED", data: { orderId: 1 } }, headers }, HEADER)).toEqual({
      outcome: "rejected",
      why: "malformed",
      reason: "body lacks data.clientOrderId",
    })
  })

  it("keeps an order id above 2^53 exact", () => {
    const headers = { [HEADER.name]: HEADER.value }
    const raw = Buffer.from(
      '{"eventName":"PURCHASED","data":{"clientOrderId":"payses_01JABCDEF","orderId":9007199254740993}}'
    )
    expect(verifyNetValveWebhook({ rawData: raw, headers }, HEADER)).toMatchObject({
      gatewayReference: "9007199254740993",
    })
  })

  it("only notes a failed refund, and names the session of a refund or chargeback so that NetValve is asked", () => {
    const headers = { [HEADER.name]: HEADER.value }
    const data = { clientOrderId: "payses_01JABCDEF", orderId: 1, transactionId: 2 }
    expect(verifyNetValveWebhook({ data: { eventName: "REFUND_FAILED", data }, headers }, HEADER)).toMatchObject({
      outcome: "ignored",
      reason: expect.stringContaining("REFUND_FAILED"),
    })
    for (const eventName of ["REFUNDED", "CHARGEBACK"]) {
      expect(verifyNetValveWebhook({ data: { eventName, data }, headers }, HEADER)).toMatchObject({
        outcome: "session",
        sessionId: "payses_01JABCDEF",
        event: eventName,
      })
    }
  })
})
