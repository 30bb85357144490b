/**
 * JSON as the gateways write it, where JavaScript's own JSON differs:
 * - `pythonJsonDumps`: Python's `json.dumps`, which CatalystPay signs (`sort_keys=True`, compact separators,
 *   non-ASCII escaped as \uXXXX). Written here, not shared with the providers, so that a serializer bug on
 *   one side cannot cancel out the same bug on the other.
 * - `parseJsonKeepingNumberText`: JSON.parse that also remembers how each number was written, because
 *   NetValve refuses an amount not written with exactly two decimals ("44.00", never "44").
 * - `DecimalText` + `stringifyWithDecimals`: write such numbers back with their decimals.
 */

export type PythonDumpsOptions = {
  sortKeys?: boolean
  /** Python's `separators=(item, key)`; its default is (", ", ": "). */
  separators?: [item: string, key: string]
  /** Python's default `ensure_ascii=True`: everything outside space..tilde becomes \uXXXX. */
  ensureAscii?: boolean
}

/** `json.dumps(payload, sort_keys=True, separators=(",", ":"))`: what CatalystPay signs. */
export function canonicalPythonJson(value: unknown): string {
  return pythonJsonDumps(value, { sortKeys: true, separators: [",", ":"], ensureAscii: true })
}

/**
 * Python's `json.dumps`. JavaScript integers are written as Python ints, other numbers as Python's float
 * `repr` (1e-05, 1e+16, 0.1); NaN and infinities are refused, as `allow_nan=False` would.
 */
export function pythonJsonDumps(value: unknown, options: PythonDumpsOptions = {}): string {
  const [item, key] = options.separators ?? [", ", ": "]
  const ensureAscii = options.ensureAscii ?? true
  const write = (v: unknown): string => {
    if (v === null) return "null"
    if (v === true) return "true"
    if (v === false) return "false"
    if (typeof v === "string") return pythonString(v, ensureAscii)
    if (typeof v === "bigint") return v.toString()
    if (typeof v === "number") return pythonNumber(v)
    if (v instanceof DecimalText) return v.text
    if (Array.isArray(v)) return "[" + v.map(write).join(item) + "]"
    if (typeof v === "object") {
      let keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      if (options.sortKeys) keys = keys.sort(compareCodePoints)
      return (
        "{" +
        keys.map((k) => pythonString(k, ensureAscii) + key + write((v as Record<string, unknown>)[k])).join(item) +
        "}"
      )
    }
    throw new TypeError(`Object of type ${typeof v} is not JSON serializable`)
  }
  return write(value)
}

/** Python sorts str keys by code point; JavaScript's default sort compares UTF-16 units (differs past U+FFFF). */
function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a)
  const y = Array.from(b)
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!
    if (d !== 0) return d
  }
  return x.length - y.length
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
}

function pythonString(s: string, ensureAscii: boolean): string {
  let out = '"'
  // UTF-16 code units: an astral character becomes its surrogate pair, exactly as Python writes it.
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]
    const code = s.charCodeAt(i)
    if (SHORT_ESCAPES[ch]) out += SHORT_ESCAPES[ch]
    else if (code < 0x20 || (ensureAscii && code > 0x7e)) out += "\\u" + code.toString(16).padStart(4, "0")
    else out += ch
  }
  return out + '"'
}

function pythonNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`Out of range float values are not JSON compliant: ${n}`)
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n)
  // Python's float repr: the shortest round-trip digits, fixed notation for 1e-4 <= |n| < 1e16.
  const [mantissa, exp] = n.toExponential().split("e")
  const exponent = Number(exp)
  const negative = mantissa.startsWith("-")
  const digits = mantissa.replace("-", "").replace(".", "")
  let body: string
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) body = "0." + "0".repeat(-exponent - 1) + digits
    else if (digits.length > exponent + 1) body = digits.slice(0, exponent + 1) + "." + digits.slice(exponent + 1)
    else body = digits + "0".repeat(exponent + 1 - digits.length) + ".0"
  } else {
    const m = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits
    body = m + "e" + (exponent < 0 ? "-" : "+") + String(Math.abs(exponent)).padStart(2, "0")
  }
  return (negative ? "-" : "") + body
}

/** A number to be written exactly as `text` (e.g. 44.00), where JSON.stringify would write 44. */
export class DecimalText {
  constructor(readonly text: string) {
    if (!/^-?\d+(\.\d+)?$/.test(text)) throw new Error(`not a decimal: ${text}`)
  }
}

/** JSON.stringify, but `DecimalText` values are written as bare numbers with their own digits. */
export function stringifyWithDecimals(value: unknown): string {
  const texts: string[] = []
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof DecimalText) {
      texts.push(v.text)
      return `\u0000decimal${texts.length - 1}\u0000`
    }
    return v
  })
  return json.replace(/"\\u0000decimal(\d+)\\u0000"/g, (_m, i: string) => texts[Number(i)])
}

export type ParsedJson = {
  value: unknown
  /** How the number at a path (keys joined with ".", e.g. "amount") was written, if it was a number. */
  numberText(path: string): string | undefined
}

/** JSON.parse that remembers the source text of every number. Throws SyntaxError on bad JSON. */
export function parseJsonKeepingNumberText(text: string): ParsedJson {
  const numbers = new Map<string, string>()
  let i = 0
  const fail = (): never => {
    throw new SyntaxError(`Unexpected token at position ${i} in JSON`)
  }
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++
  }
  const parseValue = (path: string): unknown => {
    ws()
    const ch = text[i]
    if (ch === "{") {
      i++
      const obj: Record<string, unknown> = {}
      ws()
      if (text[i] === "}") return (i++, obj)
      for (;;) {
        ws()
        if (text[i] !== '"') fail()
        const key = parseString()
        ws()
        if (text[i++] !== ":") fail()
        obj[key] = parseValue(path ? `${path}.${key}` : key)
        ws()
        if (text[i] === ",") i++
        else if (text[i] === "}") return (i++, obj)
        else fail()
      }
    }
    if (ch === "[") {
      i++
      const arr: unknown[] = []
      ws()
      if (text[i] === "]") return (i++, arr)
      for (;;) {
        arr.push(parseValue(path ? `${path}.${arr.length}` : String(arr.length)))
        ws()
        if (text[i] === ",") i++
        else if (text[i] === "]") return (i++, arr)
        else fail()
      }
    }
    if (ch === '"') return parseString()
    for (const [word, value] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (text.startsWith(word, i)) return ((i += word.length), value)
    }
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400))
    if (!match) fail()
    i += match![0].length
    numbers.set(path, match![0])
    return Number(match![0])
  }
  const parseString = (): string => {
    const start = i
    i++
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1
    if (i >= text.length) fail()
    i++
    return JSON.parse(text.slice(start, i)) as string
  }
  const value = parseValue("")
  ws()
  if (i !== text.length) fail()
  return { value, numberText: (path) => numbers.get(path) }
}
