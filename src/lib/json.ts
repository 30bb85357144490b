import { LosslessNumber, parse, stringify } from "lossless-json"

/**
 * JSON.parse, except that an integer too large for a JS number (Cashflows' int64 job and payment
 * references, NetValve's ids) is kept as its exact digits, as a string. JSON.parse alone would turn
 * 210121017238589452 into 210121017238589440. Every other number is an ordinary JS number.
 */
export function parseJsonKeepingBigIntegers(text: string): unknown {
  return parse(text, null, (token: string) =>
    /^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token)) ? token : Number(token)
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
