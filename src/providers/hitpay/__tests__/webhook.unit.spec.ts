import { signHitPayV1, signHitPayV2, verifyHitPayWebhook } from "../webhook"

// Signatures below were computed with Python's hmac module following HitPay's guide, not with this code.
const SALT = "hitpay-salt-2f9c"
const FIELDS = {
  payment_id: "9f2a6c1f-0b3d-4f0e-8c55-2a7d9e4b1c22",
  payment_request_id: "9f2a6c1e-6a86-4a1e-9a8b-3c1f7d2e5b10",
  phone: "",
  amount: "25.00",
  currency: "SGD",
  status: "completed",
  reference_number: "payses_01JABCDEF",
}
const V1_HMAC = "535f2cb78d124c6b768db690ba1c855af51c511f390bbc4819b258b273b5d81b"
const V2_BODY =
  '{"id":"9f2a6c1e-6a86-4a1e-9a8b-3c1f7d2e5b10","status":"completed","amount":"25.00","currency":"sgd","reference_number":"payses_01JABCDEF"}'
const V2_SIGNATURE = "10d928974eeb3167e7d4624b34548502c744286ed61e51253485031b9f3f53b5"

const salts = { v1: SALT, v2: SALT }
const form = (fields: Record<string, string>) => Buffer.from(new URLSearchParams(fields).toString())

describe("HitPay webhook v1 (form fields + hmac)", () => {
  it("signs key+value pairs sorted by key, an empty field still contributing its key", () => {
    expect(signHitPayV1(FIELDS, SALT)).toBe(V1_HMAC)
    expect(signHitPayV1({ ...FIELDS, hmac: "ignored" }, SALT)).toBe(V1_HMAC)
  })

  it("signs a non-ASCII buyer name over its UTF-8 bytes", () => {
    expect(signHitPayV1({ ...FIELDS, name: "Zoë Müller-Łukasiewicz" }, SALT)).toBe(
      "5416e8eb0c9932cda1f5640b048415c6212d9030e95e75bed469ab5d1b227f73"
    )
  })

  it("verifies from the raw form body and reads the payment", () => {
    const result = verifyHitPayWebhook({ rawData: form({ ...FIELDS, hmac: V1_HMAC }), headers: {} }, salts)
    expect(result).toEqual({
      outcome: "session",
      sessionId: "payses_01JABCDEF",
      gatewayReference: FIELDS.payment_request_id,
      status: {
        status: "captured",
        paid: { amount: "25.00", currency: "SGD" },
        gatewayPaymentReference: FIELDS.payment_id,
        gatewayStatus: "completed",
        describe: `payment request ${FIELDS.payment_request_id}`,
        unknown: [],
      },
    })
  })

  it("verifies from the parsed body when no raw body was kept", () => {
    const result = verifyHitPayWebhook({ data: { ...FIELDS, hmac: V1_HMAC } }, salts)
    expect(result.outcome).toBe("session")
  })

  it.each([
    ["a tampered amount", { ...FIELDS, amount: "2500.00", hmac: V1_HMAC }, "hmac does not match"],
    [
      "a dropped empty field",
      (({ phone: _phone, ...rest }) => ({ ...rest, hmac: V1_HMAC }))(FIELDS),
      "hmac does not match",
    ],
    ["another salt", { ...FIELDS, hmac: signHitPayV1(FIELDS, "other-salt") }, "hmac does not match"],
    ["no hmac", { ...FIELDS }, "without an hmac field"],
  ])("rejects %s", (_name, fields, reason) => {
    const result = verifyHitPayWebhook({ rawData: form(fields as Record<string, string>), headers: {} }, salts)
    expect(result).toEqual({ outcome: "rejected", why: expect.any(String), reason: expect.stringContaining(reason) })
  })

  it("rejects a body that is neither format", () => {
    expect(verifyHitPayWebhook({ rawData: Buffer.from('{"a":1}'), data: { a: 1 }, headers: {} }, salts)).toMatchObject({
      outcome: "rejected",
      why: "malformed",
    })
  })
})

describe("HitPay webhook v2 (JSON + Hitpay-Signature)", () => {
  const headers = {
    "Hitpay-Signature": V2_SIGNATURE,
    "Hitpay-Event-Object": "payment_request",
    "Hitpay-Event-Type": "completed",
  }

  it("signs the exact raw body", () => {
    expect(signHitPayV2(V2_BODY, SALT)).toBe(V2_SIGNATURE)
  })

  it("verifies and reads a payment_request event", () => {
    const result = verifyHitPayWebhook({ rawData: Buffer.from(V2_BODY), data: JSON.parse(V2_BODY), headers }, salts)
    expect(result).toMatchObject({
      outcome: "session",
      sessionId: "payses_01JABCDEF",
      status: { status: "captured", gatewayStatus: "completed" },
    })
  })

  it("rejects a body re-serialized with other spacing: the signature covers the raw bytes", () => {
    const reformatted = JSON.stringify(JSON.parse(V2_BODY), null, 1)
    expect(verifyHitPayWebhook({ rawData: Buffer.from(reformatted), headers }, salts)).toMatchObject({
      outcome: "rejected",
      why: "unauthenticated",
    })
  })

  it("uses the v2 endpoint's own salt", () => {
    const body = { rawData: Buffer.from(V2_BODY), headers }
    expect(verifyHitPayWebhook(body, { v1: SALT, v2: "endpoint-salt" })).toMatchObject({
      outcome: "rejected",
      why: "unauthenticated",
    })
  })

  it("ignores, once verified, events about other objects", () => {
    const chargeHeaders = { ...headers, "Hitpay-Event-Object": "charge", "Hitpay-Event-Type": "updated" }
    expect(verifyHitPayWebhook({ rawData: Buffer.from(V2_BODY), headers: chargeHeaders }, salts)).toEqual({
      outcome: "ignored",
      reason: expect.stringContaining("charge.updated"),
    })
  })
})
