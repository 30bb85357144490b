import { hmacSha256Hex, pythonCanonicalJson, secretsEqual, sha512Hex, signaturesEqual } from "../signing"
import { parse } from "lossless-json"

// Expected values below were computed with Python's hmac/hashlib/json, not with this code.
describe("signing", () => {
  it("computes HMAC-SHA256 as lowercase hex (RFC 4231 test case 2)", () => {
    expect(hmacSha256Hex("Jefe", "what do ya want for nothing?")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
  })

  it("computes SHA-512 of key + body in the case asked for", () => {
    const upper = sha512Hex('api-key-123{"amountToCollect":"10.99"}', "upper")
    expect(upper).toBe(
      "3680828BA9CF59408B3D510A9EC00406CE676C200F934AB0FD9DC93BF46E1D6F1B7A9BB04F13A89BC668F5EA4F8C1D16CEA2C8D8DA7768B5975F2D13054D4F51"
    )
    expect(sha512Hex('api-key-123{"amountToCollect":"10.99"}')).toBe(upper.toLowerCase())
  })

  it("compares signatures in constant time, case-insensitively, refusing other lengths and types", () => {
    const sig = hmacSha256Hex("k", "m")
    expect(signaturesEqual(sig, sig)).toBe(true)
    expect(signaturesEqual(sig, sig.toUpperCase())).toBe(true)
    expect(signaturesEqual(sig, sig.slice(0, -1))).toBe(false)
    expect(signaturesEqual(sig, sig.slice(0, -1) + (sig.endsWith("0") ? "1" : "0"))).toBe(false)
    expect(signaturesEqual(sig, "")).toBe(false)
    expect(signaturesEqual(sig, undefined)).toBe(false)
    expect(signaturesEqual(sig, ["x"])).toBe(false)
  })

  it("compares shared secrets exactly", () => {
    expect(secretsEqual("s3cret", "s3cret")).toBe(true)
    expect(secretsEqual("s3cret", "S3cret")).toBe(false)
    expect(secretsEqual("s3cret", "s3cret ")).toBe(false)
    expect(secretsEqual("s3cret", undefined)).toBe(false)
  })

  describe("pythonCanonicalJson", () => {
    it("writes what json.dumps(sort_keys=True, separators=(',', ':')) writes, non-ASCII escaped", () => {
      const payload = {
        session_token: "ps_abc",
        status: "COMPLETED",
        amount: "29.99",
        currency: "EUR",
        customer_name: "Zoë Müller-Łukasiewicz",
        lead: { last_name: "Łukasiewicz", first_name: "Zoë", tags: ["a", "é", { z: 1, a: null }] },
      }
      const canonical = pythonCanonicalJson(payload)
      expect(canonical).toBe(
        '{"amount":"29.99","currency":"EUR","customer_name":"Zo\\u00eb M\\u00fcller-\\u0141ukasiewicz","lead":{"first_name":"Zo\\u00eb","last_name":"\\u0141ukasiewicz","tags":["a","\\u00e9",{"a":null,"z":1}]},"session_token":"ps_abc","status":"COMPLETED"}'
      )
      expect(hmacSha256Hex("whsec_test", canonical)).toBe(
        "b7826277a2c6053f17b9d7d7be81d229d68ed32b2a80a0fbfbd1d7fbacd8c08d"
      )
    })

    it("escapes characters beyond the BMP as surrogate pairs, and DEL, as Python does", () => {
      expect(pythonCanonicalJson({ e: "😀\u007f" })).toBe('{"e":"\\ud83d\\ude00\\u007f"}')
    })

    it("writes numbers as Python does", () => {
      expect(pythonCanonicalJson({ n: -3, f: 0.1, e: 1e-7, big: 1e21 })).toBe('{"big":1e+21,"e":1e-07,"f":0.1,"n":-3}')
    })

    it("sorts keys by code point, not by UTF-16 unit", () => {
      expect(pythonCanonicalJson({ "\uffff": 1, "😀": 2, a: 3 })).toBe('{"a":3,"\\uffff":1,"\\ud83d\\ude00":2}')
    })
  })
})

describe("pythonCanonicalJson and number tokens", () => {
  // Made by python3 from fixtures/python-numbers.py: what json.dumps(json.loads(token)) writes.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const table: { token: string; python: string }[] = require("./fixtures/python-numbers.json")

  it.each(table.map((row) => [row.token, row.python]))("writes the token %s as Python does: %s", (token, python) => {
    const parsed = parse(`{"n":${token}}`)
    expect(pythonCanonicalJson(parsed)).toBe(`{"n":${python}}`)
  })

  it("covers the cases the signer is known to write differently from JavaScript", () => {
    const byToken = Object.fromEntries(table.map((row) => [row.token, row.python]))
    expect(byToken).toMatchObject({
      "2.50": "2.5",
      "0.00001": "1e-05",
      "1e16": "1e+16",
      "-0.0": "-0.0",
      "9007199254740993": "9007199254740993",
    })
  })
})
