import { toE164Phone } from "../phone"

describe("toE164Phone: the 3-D Secure form +<country code><number>", () => {
  it.each([
    ["+65 8123 4567", undefined, "+6581234567"],
    ["8123 4567", "sg", "+6581234567"],
    ["+91 99000 00000", undefined, "+919900000000"],
    ["099000 00000", "IN", "+919900000000"],
    ["(020) 7946 0958", "gb", "+442079460958"],
    ["0044 20 7946 0958", "gb", "+442079460958"],
    ["202-555-0143", "us", "+12025550143"],
    ["+6581234567", "gb", "+6581234567"],
    ["tel:+65-8123-4567", undefined, "+6581234567"],
  ])("normalises %s (country %s) to %s", (raw, country, expected) => {
    expect(toE164Phone(raw, country)).toBe(expected)
  })

  it.each([
    ["a number too short for its country", "12345", "sg"],
    ["a national number without a country", "8123 4567", undefined],
    ["a number the country's plan does not have", "800-1234567", "us"],
    ["a number with an unknown country", "8123 4567", "zz"],
    ["letters", "call me", "sg"],
    ["an empty string", "  ", "sg"],
    ["nothing", undefined, "sg"],
  ])("leaves out %s", (_name, raw, country) => {
    expect(toE164Phone(raw, country)).toBeUndefined()
  })
})
