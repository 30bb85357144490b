/**
 * Amounts inside the sandbox: whole hundredths (cents) as integers, so refunds and captures add up
 * exactly. All four gateways take major-unit decimals with at most two decimals in their examples.
 */

/** "10.5" or "10.50" -> 1050; undefined when it is not a plain non-negative decimal with at most two decimals. */
export function parseCents(value: unknown): number | undefined {
  const text = typeof value === "number" && Number.isFinite(value) ? String(value) : value
  if (typeof text !== "string" || !/^\d{1,13}(\.\d{1,2})?$/.test(text.trim())) {
    return undefined
  }
  const [whole, fraction = ""] = text.trim().split(".")
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"))
}

/** 1050 -> "10.50". */
export function formatCents(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`
}
