import { createHash, createHmac, timingSafeEqual } from "node:crypto"

/** HMAC-SHA256 of `message` keyed with `secret`, lowercase hex. */
export function hmacSha256Hex(secret: string, message: string | Buffer): string {
  return createHmac("sha256", secret).update(message).digest("hex")
}

/** SHA-512 of `message`, hex in the case the gateway wants. */
export function sha512Hex(message: string | Buffer, casing: "upper" | "lower" = "lower"): string {
  const hex = createHash("sha512").update(message).digest("hex")
  return casing === "upper" ? hex.toUpperCase() : hex
}

/**
 * Constant-time comparison of two signatures. Hex is compared case-insensitively, since gateways
 * differ in the case they send. A length mismatch returns false without leaking where they differ.
 */
export function signaturesEqual(expected: string, received: unknown): boolean {
  if (typeof received !== "string" || received.length === 0) {
    return false
  }
  const a = Buffer.from(expected.toLowerCase(), "utf8")
  const b = Buffer.from(received.trim().toLowerCase(), "utf8")
  if (a.length !== b.length) {
    return false
  }
  return timingSafeEqual(a, b)
}

/** Constant-time equality of two secrets that are not hex (e.g. an agreed header value). */
export function secretsEqual(expected: string, received: unknown): boolean {
  if (typeof received !== "string") {
    return false
  }
  const a = createHash("sha256").update(expected, "utf8").digest()
  const b = createHash("sha256").update(received, "utf8").digest()
  return timingSafeEqual(a, b) && expected.length === received.length
}

/**
 * JSON as Python's `json.dumps(value, sort_keys=True, separators=(",", ":"))` writes it: keys sorted
 * at every depth (by code point, as Python sorts str), no spaces, and every non-ASCII character escaped
 * as `\uXXXX` (characters beyond the BMP as their UTF-16 surrogate pair, as Python does).
 */
export function pythonCanonicalJson(value: unknown): string {
  return serialize(value)
}

function serialize(value: unknown): string {
  if (value === null || value === undefined) {
    return "null"
  }
  if (typeof value === "string") {
    return escapeNonAscii(JSON.stringify(value))
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new TypeError("pythonCanonicalJson: non-finite numbers have no JSON form")
    }
    return Number.isSafeInteger(value) ? String(value) : pythonFloat(value)
  }
  if (isLosslessNumber(value)) {
    return pythonNumberToken(value.value)
  }
  if (typeof value === "boolean") {
    return value ? "true" : "false"
  }
  if (Array.isArray(value)) {
    return `[${value.map(serialize).join(",")}]`
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compareCodePoints(a, b))
    return `{${entries.map(([k, v]) => `${escapeNonAscii(JSON.stringify(k))}:${serialize(v)}`).join(",")}}`
  }
  throw new TypeError(`pythonCanonicalJson: cannot serialize a ${typeof value}`)
}

/** A number token as the JSON parser kept it (lossless-json's LosslessNumber): its text, unrounded. */
function isLosslessNumber(value: unknown): value is { value: string; isLosslessNumber: true } {
  return (
    typeof value === "object" && value !== null && (value as { isLosslessNumber?: unknown }).isLosslessNumber === true
  )
}

/**
 * A JSON number token as Python writes it back after `json.loads`: a token without a fraction or an
 * exponent is an int and keeps every digit (also beyond 2^53); any other is a float, written as `repr`
 * writes it (`2.50` → `2.5`, `0.00001` → `1e-05`, `1e16` → `1e+16`, `-0.0` → `-0.0`, `1e400` → `Infinity`).
 */
export function pythonNumberToken(token: string): string {
  const text = token.trim()
  if (/^-?\d+$/.test(text)) return pythonInteger(text)
  const value = Number(text)
  if (Number.isNaN(value)) throw new TypeError(`pythonCanonicalJson: "${token}" is not a JSON number`)
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity"
  return pythonFloat(value)
}

/** Python's int: every digit, no sign on zero. */
function pythonInteger(text: string): string {
  return BigInt(text).toString()
}

/**
 * Python's `repr` of a float: the shortest digits that read back to the same double (JavaScript finds the
 * same ones), written in positional notation when the decimal exponent is from -4 to 15, else as
 * `d.ddde±XX`; a whole number keeps `.0`.
 */
function pythonFloat(value: number): string {
  const sign = value < 0 || Object.is(value, -0) ? "-" : ""
  const [mantissa, exp] = Math.abs(value).toExponential().split("e")
  const digits = mantissa.replace(".", "")
  const exponent = Number(exp)
  if (exponent < -4 || exponent >= 16) {
    const rest = digits.slice(1)
    const written = Math.abs(exponent).toString().padStart(2, "0")
    return `${sign}${digits[0]}${rest ? `.${rest}` : ""}e${exponent < 0 ? "-" : "+"}${written}`
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0")
  const fraction = digits.slice(exponent + 1)
  return `${sign}${whole}.${fraction || "0"}`
}

function escapeNonAscii(json: string): string {
  // JSON.stringify leaves non-ASCII as is; Python's ensure_ascii escapes each UTF-16 code unit outside
  // printable ASCII, DEL included (JSON.stringify already escapes the control characters below 0x20).
  return json.replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`)
}

function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a)
  const y = Array.from(b)
  const n = Math.min(x.length, y.length)
  for (let i = 0; i < n; i++) {
    const d = (x[i].codePointAt(0) as number) - (y[i].codePointAt(0) as number)
    if (d !== 0) {
      return d
    }
  }
  return x.length - y.length
}
