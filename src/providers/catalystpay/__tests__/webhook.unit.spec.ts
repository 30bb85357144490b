import { signCatalystPayPayload, verifyCatalystPayWebhook } from "../webhook"

// Every signature below was computed with Python, as CatalystPay does:
//   hmac.new(secret, json.dumps(p, sort_keys=True, separators=(",", ":")).encode(), hashlib.sha256).hexdigest()
// never with the code under test. The seed's example also checks out with the guide's openssl command.
const SECRET = "your_signing_secret"
const TOKEN = "ps_abc123def456ghi789jkl012mno345"

/** The guide's `openssl dgst` example (its e-mail address is obfuscated on the page; this one is ours). */
const SEED_EXAMPLE = { amount: "29.99", currency: "EUR", email: "max.mustermann@example.com" }
const SEED_EXAMPLE_SIGNATURE = "60987d558a65cea55124fb7cd1b1950c6361da6717a66d3a4ad8dc775d940481"

/** The guide's typical `payment_session.completed` payload. */
const TYPICAL = {
  session_token: TOKEN,
  status: "COMPLETED",
  order_number: "ORD-a1b2c3d4",
  amount: "29.99",
  currency: "EUR",
  email: "max.mustermann@example.com",
  customer_name: "Max Mustermann",
}
const TYPICAL_SIGNATURE = "b9f577580ea1ac880910ca28487ac8d1ebc88037f9251067a29cb6dfb228d33a"
/** The same payload serialized without sorting keys: what a verifier that forgets sort_keys would expect. */
const TYPICAL_UNSORTED_SIGNATURE = "c1fdefd7643b2e7b0f81d0cbeaa79a88d2a38b14d85fea753b7a09709a4d19d4"

/** Objects and arrays inside, nulls and booleans: keys are sorted at every depth, array order is kept. */
const NESTED = {
  session_token: TOKEN,
  status: "COMPLETED",
  order: { order_number: "ORD-a1b2c3d4", total_amount: "29.99", currency: "EUR", status: "completed" },
  lead: { full_name: "Max Mustermann", email: "max.mustermann@example.com", phone: null },
  campaign: { name: "Premium Membership", id: "a1b2c3d4-e5f6-7890-abcd-ef1234567890" },
  attempts: [
    { status: "DECLINED", code: "AC04" },
    { status: "APPROVED", code: null },
  ],
  retry_allowed: false,
  attempts_remaining: 1,
}
const NESTED_SIGNATURE = "3cc0e7c6c1adb854dcb535f1675f71ca224dcf292896634d2488c7fc24f39379"

/** A buyer name outside ASCII: Python signs it as Zo\u00eb M\u00fcller-\u0141ukasiewicz. */
const ZOE = { ...TYPICAL, email: "zoe@example.com", customer_name: "Zoë Müller-Łukasiewicz" }
const ZOE_SIGNATURE = "d0a8923787998413cb65ca2ad318a865fdd7b6bc29ad61d14f5610f9f758cd21"
/** What the guide's JavaScript sample computes for it (raw UTF-8, no \u escapes): not CatalystPay's signature. */
const ZOE_UTF8_SIGNATURE = "00f77cf4ec813582b0ec40aa64ee703c019f775075539830edbdabbbf87ed406"

const headers = (signature: string, event = "payment_session.completed") => ({
  "Content-Type": "application/json",
  "X-CatalystPay-Event": event,
  "X-CatalystPay-Signature": signature,
})
const delivery = (body: unknown, signature: string, event?: string) => {
  const raw = JSON.stringify(body)
  return { rawData: Buffer.from(raw), data: JSON.parse(raw), headers: headers(signature, event) }
}

describe("CatalystPay webhook signature", () => {
  it.each([
    ["the seed's openssl example", SEED_EXAMPLE, SEED_EXAMPLE_SIGNATURE],
    ["the guide's typical payload", TYPICAL, TYPICAL_SIGNATURE],
    ["a payload with nested objects and arrays", NESTED, NESTED_SIGNATURE],
    ['a buyer named "Zoë Müller-Łukasiewicz"', ZOE, ZOE_SIGNATURE],
  ])("signs %s as Python does", (_name, payload, signature) => {
    expect(signCatalystPayPayload(payload, SECRET)).toBe(signature)
  })

  it("does not sign as the guide's JavaScript sample does (unescaped UTF-8)", () => {
    expect(signCatalystPayPayload(ZOE, SECRET)).not.toBe(ZOE_UTF8_SIGNATURE)
  })
})

describe("verifyCatalystPayWebhook", () => {
  it("verifies a payment_session.completed and reads the session token", () => {
    // The webhook's own status and amount are hints only: the provider asks CatalystPay.
    expect(verifyCatalystPayWebhook(delivery(TYPICAL, TYPICAL_SIGNATURE), SECRET)).toEqual({
      outcome: "session",
      event: "payment_session.completed",
      gatewayReference: TOKEN,
    })
  })

  it("verifies a payload with numbers as Python's signer re-serialises them (floats by repr, integers whole)", () => {
    // Body as Python's json.dumps sends it; signature computed with python3 over
    // {"amount":29.9,"big":1e+16,"fee":1e-05,"order_number":12345678901234567890,...} and the secret "whsec_test".
    const raw =
      '{"session_token": "ps_7Hq", "status": "COMPLETED", "amount": 29.90, "order_number": 12345678901234567890, "fee": 0.00001, "big": 1e16}'
    const signed = {
      rawData: Buffer.from(raw),
      data: JSON.parse(raw),
      headers: headers("5932a3055d6047f337d2b713e66ca88509351561ed162715dc0fb860eeb7c029"),
    }
    expect(verifyCatalystPayWebhook(signed, "whsec_test")).toMatchObject({
      outcome: "session",
      gatewayReference: "ps_7Hq",
    })
    const altered = { ...signed, rawData: Buffer.from(raw.replace("12345678901234567890", "12345678901234567891")) }
    expect(verifyCatalystPayWebhook(altered, "whsec_test")).toMatchObject({
      outcome: "rejected",
      why: "unauthenticated",
    })
  })

  it("verifies the non-ASCII buyer and the nested payload", () => {
    expect(verifyCatalystPayWebhook(delivery(ZOE, ZOE_SIGNATURE), SECRET).outcome).toBe("session")
    expect(verifyCatalystPayWebhook(delivery(NESTED, NESTED_SIGNATURE), SECRET)).toMatchObject({
      outcome: "session",
      gatewayReference: TOKEN,
    })
  })

  it("verifies whatever the body's key order and spacing: the signature covers the payload, not its bytes", () => {
    const reversed = Object.fromEntries(Object.entries(TYPICAL).reverse())
    const spaced = JSON.stringify(reversed, null, 2)
    const result = verifyCatalystPayWebhook(
      { rawData: Buffer.from(spaced), headers: headers(TYPICAL_SIGNATURE) },
      SECRET
    )
    expect(result.outcome).toBe("session")
  })

  it("verifies from the parsed body when no raw body was kept", () => {
    expect(verifyCatalystPayWebhook({ data: TYPICAL, headers: headers(TYPICAL_SIGNATURE) }, SECRET).outcome).toBe(
      "session"
    )
  })

  it.each([
    ["a tampered amount", delivery({ ...TYPICAL, amount: "0.01" }, TYPICAL_SIGNATURE), "does not match"],
    [
      "a tampered session token",
      delivery({ ...TYPICAL, session_token: "ps_someoneelse000000000000000" }, TYPICAL_SIGNATURE),
      "does not match",
    ],
    [
      "a nested field altered",
      delivery({ ...NESTED, order: { ...NESTED.order, total_amount: "2.99" } }, NESTED_SIGNATURE),
      "does not match",
    ],
    ["a signature over unsorted keys", delivery(TYPICAL, TYPICAL_UNSORTED_SIGNATURE), "does not match"],
    ["the JavaScript sample's signature of a non-ASCII name", delivery(ZOE, ZOE_UTF8_SIGNATURE), "does not match"],
    ["another secret", delivery(TYPICAL, signCatalystPayPayload(TYPICAL, "another-secret")), "does not match"],
    ["a truncated signature", delivery(TYPICAL, TYPICAL_SIGNATURE.slice(0, 32)), "does not match"],
    [
      "no signature",
      {
        rawData: Buffer.from(JSON.stringify(TYPICAL)),
        headers: { "X-CatalystPay-Event": "payment_session.completed" },
      },
      "no X-CatalystPay-Signature",
    ],
    [
      "a body that is not JSON",
      { rawData: Buffer.from("session_token=ps_x"), headers: headers(TYPICAL_SIGNATURE) },
      "not JSON",
    ],
  ])("rejects %s", (_name, payload, reason) => {
    expect(verifyCatalystPayWebhook(payload, SECRET)).toEqual({
      outcome: "rejected",
      why: expect.any(String),
      reason: expect.stringContaining(reason),
    })
  })

  it("ignores, once verified, events that do not complete a session", () => {
    expect(
      verifyCatalystPayWebhook(delivery(TYPICAL, TYPICAL_SIGNATURE, "transaction.status_changed"), SECRET)
    ).toEqual({
      outcome: "ignored",
      reason: expect.stringContaining("transaction.status_changed"),
    })
  })

  it("ignores, once verified, a completion without a session token", () => {
    const { session_token: _token, ...rest } = TYPICAL
    const result = verifyCatalystPayWebhook(delivery(rest, signCatalystPayPayload(rest, SECRET)), SECRET)
    expect(result).toEqual({ outcome: "ignored", reason: expect.stringContaining("lacks a session token") })
  })
})
