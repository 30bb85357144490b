import { createHmac } from "node:crypto"
import {
  canonicalPythonJson,
  parseJsonKeepingNumberText,
  pythonJsonDumps,
  stringifyWithDecimals,
  DecimalText,
} from "../json"

// Computed with python3 on this machine:
//   c = json.dumps(payload, sort_keys=True, separators=(",", ":"))
//   hmac.new(b"whsec_test_secret", c.encode(), hashlib.sha256).hexdigest()
//   json.dumps(payload)   (Python's defaults, for the body as sent)
const PAYLOAD = {
  session_token: "ps_abc123def456ghi789jkl012mno345",
  status: "COMPLETED",
  order_number: "ORD-a1b2c3d4",
  amount: "29.99",
  currency: "EUR",
  email: "zoe@example.com",
  customer_name: "Zoë Müller-Łukasiewicz",
  meta: {
    z: [1, 2.5, { b: null, a: true }],
    a: 'tab\tquote"back\\slash/ctrl\u0001del\u007f',
    emoji: "😀 €",
    nested: { y: 1e-5, x: 1e16, w: -0.5, v: 100, u: 0.1 },
  },
}
const PYTHON_CANONICAL =
  '{"amount":"29.99","currency":"EUR","customer_name":"Zo\\u00eb M\\u00fcller-\\u0141ukasiewicz","email":"zoe@example.com",' +
  '"meta":{"a":"tab\\tquote\\"back\\\\slash/ctrl\\u0001del\\u007f","emoji":"\\ud83d\\ude00 \\u20ac",' +
  '"nested":{"u":0.1,"v":100,"w":-0.5,"x":1e+16,"y":1e-05},"z":[1,2.5,{"a":true,"b":null}]},' +
  '"order_number":"ORD-a1b2c3d4","session_token":"ps_abc123def456ghi789jkl012mno345","status":"COMPLETED"}'
const PYTHON_HMAC = "5650a07668d2ca619f0472fa21f75e4156ab47be8f893b106d1a0abc1f663b5c"
const PYTHON_DEFAULT =
  '{"session_token": "ps_abc123def456ghi789jkl012mno345", "status": "COMPLETED", "order_number": "ORD-a1b2c3d4", ' +
  '"amount": "29.99", "currency": "EUR", "email": "zoe@example.com", "customer_name": "Zo\\u00eb M\\u00fcller-\\u0141ukasiewicz", ' +
  '"meta": {"z": [1, 2.5, {"b": null, "a": true}], "a": "tab\\tquote\\"back\\\\slash/ctrl\\u0001del\\u007f", ' +
  '"emoji": "\\ud83d\\ude00 \\u20ac", "nested": {"y": 1e-05, "x": 1e+16, "w": -0.5, "v": 100, "u": 0.1}}}'

describe("Python json.dumps, as CatalystPay signs it", () => {
  it("matches Python's sort_keys=True, compact, ensure_ascii output byte for byte", () => {
    expect(canonicalPythonJson(PAYLOAD)).toBe(PYTHON_CANONICAL)
  })

  it("gives the HMAC Python computes", () => {
    expect(createHmac("sha256", "whsec_test_secret").update(canonicalPythonJson(PAYLOAD)).digest("hex")).toBe(
      PYTHON_HMAC
    )
  })

  it("matches Python's default json.dumps (insertion order, spaced separators)", () => {
    expect(pythonJsonDumps(PAYLOAD)).toBe(PYTHON_DEFAULT)
  })

  it("differs from the guide's JavaScript (JSON.stringify keeps non-ASCII raw)", () => {
    expect(canonicalPythonJson({ n: "Zoë" })).toBe('{"n":"Zo\\u00eb"}')
    expect(JSON.stringify({ n: "Zoë" })).not.toBe(canonicalPythonJson({ n: "Zoë" }))
  })

  it("refuses NaN and infinities as allow_nan=False would", () => {
    expect(() => canonicalPythonJson({ a: NaN })).toThrow(RangeError)
  })
})

describe("number text", () => {
  it("remembers how each number was written", () => {
    const parsed = parseJsonKeepingNumberText('{"amount": 44.00, "data": {"amount": 44, "list": [1.50]}}')
    expect(parsed.value).toEqual({ amount: 44, data: { amount: 44, list: [1.5] } })
    expect(parsed.numberText("amount")).toBe("44.00")
    expect(parsed.numberText("data.amount")).toBe("44")
    expect(parsed.numberText("data.list.0")).toBe("1.50")
  })

  it("rejects bad JSON", () => {
    expect(() => parseJsonKeepingNumberText('{"amount": 44.00')).toThrow(SyntaxError)
    expect(() => parseJsonKeepingNumberText('{"a":1} x')).toThrow(SyntaxError)
  })

  it("writes decimals back with their digits", () => {
    expect(stringifyWithDecimals({ amount: new DecimalText("44.00"), n: "x" })).toBe('{"amount":44.00,"n":"x"}')
  })
})
