import { BigNumber, MathBN } from "@medusajs/framework/utils"
import type { BigNumberInput } from "@medusajs/framework/types"
import currencyCodes from "currency-codes"
import { invalidData } from "./errors"

/** The number of minor-unit digits ISO 4217 gives a currency (SGD 2, JPY 0, KWD 3). */
export function currencyExponent(currencyCode: string): number {
  const entry = currencyCodes.code(currencyCode.toUpperCase())
  if (!entry) {
    throw new Error(`Unknown ISO 4217 currency code "${currencyCode}"`)
  }
  return entry.digits
}

/**
 * A Medusa amount (number, string, raw `{ value, precision }` or BigNumber) as a major-unit decimal
 * string with exactly the currency's ISO 4217 number of decimals: 10.5 SGD -> "10.50", 1000 JPY -> "1000",
 * 1.2345 KWD -> "1.235". Rounds half up, as Medusa rounds to currency precision. Never goes through a float.
 */
export function toGatewayAmount(amount: BigNumberInput, currencyCode: string): string {
  const exponent = currencyExponent(currencyCode)
  const value = MathBN.convert(amount)
  if (value.isNaN() || !value.isFinite()) {
    throw new Error(`Not an amount: ${JSON.stringify(amount)}`)
  }
  return value.toFixed(exponent, 4 /* BigNumber.ROUND_HALF_UP */)
}

/**
 * Whether a gateway's amount equals ours, exactly, at the currency's precision. A gateway amount that
 * is not a plain decimal ("10.00", "10", 10) is never equal.
 */
export function sameAmount(gatewayAmount: unknown, ours: BigNumberInput, currencyCode: string): boolean {
  if (typeof gatewayAmount !== "string" && typeof gatewayAmount !== "number") {
    return false
  }
  const text = String(gatewayAmount).trim()
  if (!/^-?\d+(\.\d+)?$/.test(text)) {
    return false
  }
  const theirs = MathBN.convert(text)
  return theirs.isEqualTo(MathBN.convert(toGatewayAmount(ours, currencyCode)))
}

/** Same currency, whatever the case the gateway writes it in. */
export function sameCurrency(gatewayCurrency: unknown, ours: string): boolean {
  return typeof gatewayCurrency === "string" && gatewayCurrency.trim().toLowerCase() === ours.toLowerCase()
}

/** A Medusa amount as a BigNumber the rest of Medusa understands. */
export function toBigNumber(amount: BigNumberInput): BigNumber {
  return new BigNumber(amount)
}

/**
 * What a gateway's amount field can hold, beyond ISO 4217: NetValve takes exactly two decimals, CatalystPay
 * at most two. A currency outside the rule is refused, never rounded into a wrong amount.
 */
export type DecimalsRule = { exactly?: number; atMost?: number }

/**
 * `toGatewayAmount` for a provider: a currency or amount the conversion or the gateway's decimals rule
 * cannot take becomes the provider's INVALID_DATA error, naming the gateway, instead of a bare Error.
 */
export function gatewayAmountFor(
  gateway: string,
  amount: BigNumberInput,
  currencyCode: string,
  rule: DecimalsRule = {}
): string {
  let exponent: number
  let text: string
  try {
    exponent = currencyExponent(currencyCode)
    text = toGatewayAmount(amount, currencyCode)
  } catch (error) {
    throw invalidData(gateway, (error as Error).message)
  }
  const currency = currencyCode.toUpperCase()
  if (rule.exactly !== undefined && exponent !== rule.exactly) {
    throw invalidData(
      gateway,
      `amounts must have exactly ${inWords(rule.exactly)} decimals, and ${currency} has ${exponent} in ISO 4217; refused rather than sent as a wrong amount`
    )
  }
  if (rule.atMost !== undefined && exponent > rule.atMost) {
    throw invalidData(gateway, `${currency} has more decimals than ${gateway}'s amounts (${inWords(rule.atMost)})`)
  }
  return text
}

const inWords = (n: number) => ["no", "one", "two", "three", "four"][n] ?? String(n)
