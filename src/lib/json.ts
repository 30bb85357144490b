import { LosslessNumber, stringify } from "lossless-json"

/**
 * A JSON string (its closing quote optional, so that a broken one is read to the end once, never again from each
 * quote inside it), or an integer token of 16 digits or more outside any string: the only tokens that can be
 * beyond 2^53. Both alternatives are linear: no input makes the scan go back over itself.
 */
const STRING_OR_LONG_INTEGER = /"(?:[^"\\]|\\.)*"?|(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/g

/**
 * JSON.parse, except that an integer too large for a JS number (Cashflows' int64 job and payment
 * references, NetValve's ids) is kept as its exact digits, as a string. JSON.parse alone would turn
 * 210121017238589452 into 210121017238589440. Every other number is an ordinary JS number.
 *
 * Such integers are quoted in the text and the rest is left to JSON.parse: a gateway's answer is parsed a few
 * times per checkout, too rarely for a parser written in JavaScript (lossless-json) to be compiled hot, and
 * lossless-json took some tenths of a millisecond per answer where JSON.parse takes some microseconds
 * (the benchmark's profile, docs/benchmarks.md).
 */
export function parseJsonKeepingBigIntegers(text: string): unknown {
  if (!/\d{16}/.test(text)) return JSON.parse(text)
  return JSON.parse(
    text.replace(STRING_OR_LONG_INTEGER, (token) =>
      token[0] === '"' || Number.isSafeInteger(Number(token)) ? token : `"${token}"`
    )
  )
}

/**
 * JSON.stringify, except that the named top-level fields, given as decimal strings, are written as JSON
 * number tokens exactly as given: `{ amount: "44.00" }` becomes `{"amount":44.00}` (JSON.stringify would
 * write 44), and an id of more than 53 bits keeps every digit.
 */
export function stringifyWithNumberTokens<T extends Record<string, unknown>>(body: T, fields: (keyof T)[]): string {
  const written: Record<string, unknown> = { ...body }
  for (const field of fields) {
    const value = body[field]
    if (value === undefined || value === null) continue
    const token = String(value)
    if (!/^-?\d+(\.\d+)?$/.test(token)) {
      throw new Error(`${String(field)} must be a plain decimal number, not "${token}"`)
    }
    written[field as string] = new LosslessNumber(token)
  }
  return stringify(written) as string
}
