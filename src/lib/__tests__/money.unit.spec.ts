import { BigNumber } from "@medusajs/framework/utils"
import { currencyExponent, sameAmount, sameCurrency, toGatewayAmount } from "../money"

describe("money", () => {
  it("knows ISO 4217 exponents", () => {
    expect(currencyExponent("sgd")).toBe(2)
    expect(currencyExponent("JPY")).toBe(0)
    expect(currencyExponent("kwd")).toBe(3)
    expect(() => currencyExponent("zzz")).toThrow('Unknown ISO 4217 currency code "zzz"')
  })

  it.each([
    [25, "sgd", "25.00"],
    ["10.5", "sgd", "10.50"],
    [0.1 + 0.2, "sgd", "0.30"],
    [1000, "jpy", "1000"],
    ["1999.5", "jpy", "2000"],
    [1.2345, "kwd", "1.235"],
    ["12", "kwd", "12.000"],
    [{ value: "44", precision: 20 }, "sgd", "44.00"],
    [new BigNumber("19.999"), "eur", "20.00"],
  ])("formats %p %s as %s", (amount, currency, expected) => {
    expect(toGatewayAmount(amount as any, currency)).toBe(expected)
  })

  it("refuses what is not an amount", () => {
    expect(() => toGatewayAmount("abc", "sgd")).toThrow()
  })

  it("compares a gateway's amount with ours exactly at the currency's precision", () => {
    expect(sameAmount("25.00", 25, "sgd")).toBe(true)
    expect(sameAmount("25", "25.00", "sgd")).toBe(true)
    expect(sameAmount(25, { value: "25", precision: 20 }, "sgd")).toBe(true)
    expect(sameAmount("24.99", 25, "sgd")).toBe(false)
    expect(sameAmount("1000", 1000, "jpy")).toBe(true)
    expect(sameAmount("1.235", "1.235", "kwd")).toBe(true)
    expect(sameAmount("1.23", "1.235", "kwd")).toBe(false)
    expect(sameAmount("25.00 SGD", 25, "sgd")).toBe(false)
    expect(sameAmount(undefined, 25, "sgd")).toBe(false)
    expect(sameAmount("", 25, "sgd")).toBe(false)
  })

  it("compares currencies whatever their case", () => {
    expect(sameCurrency("SGD", "sgd")).toBe(true)
    expect(sameCurrency("usd", "sgd")).toBe(false)
    expect(sameCurrency(undefined, "sgd")).toBe(false)
  })
})
