import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max"

/**
 * A buyer's phone number in the form the 3-D Secure mandate wants, `+<country code><number>`
 * (E.164: "+6581234567"), read with the buyer's country when the number has no international prefix.
 * A number that is not valid for its country is left out (undefined) rather than sent wrong; the full
 * metadata is used so that validity means the real numbering plan, not just a plausible length.
 */
export function toE164Phone(raw: string | undefined, countryCode?: string): string | undefined {
  if (!raw?.trim()) {
    return undefined
  }
  const country = countryCode?.trim().toUpperCase() as CountryCode | undefined
  const parsed = parsePhoneNumberFromString(raw, country ? { defaultCountry: country } : undefined)
  return parsed?.isValid() ? parsed.number : undefined
}
