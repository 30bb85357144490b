import { resolveReturnUrl, withQuery } from "../return-urls"

const options = {
  returnUrl: "https://shop.example.com/checkout/return",
  allowedReturnOrigins: ["https://m.shop.example.com"],
}

describe("return URLs", () => {
  it("uses the configured default when the storefront sends none", () => {
    expect(resolveReturnUrl("HitPay", undefined, options)).toBe("https://shop.example.com/checkout/return")
  })

  it("accepts a URL on the default's origin or an allow-listed one", () => {
    expect(resolveReturnUrl("HitPay", "https://shop.example.com/other?x=1", options)).toBe(
      "https://shop.example.com/other?x=1"
    )
    expect(resolveReturnUrl("HitPay", "https://m.shop.example.com/r", options)).toBe("https://m.shop.example.com/r")
  })

  it.each([
    ["https://evil.example.net/r", "origin https://evil.example.net is not allowed"],
    ["http://shop.example.com/r", "origin http://shop.example.com is not allowed"],
    ["https://shop.example.com.evil.net/r", "is not allowed"],
    ["javascript:alert(1)", "must be an http(s) URL"],
    ["/relative", "is not an absolute URL"],
  ])("refuses %s", (url, message) => {
    expect(() => resolveReturnUrl("HitPay", url, options)).toThrow(message)
  })

  it("asks for a return URL when there is neither one nor a default", () => {
    expect(() => resolveReturnUrl("HitPay", undefined, {})).toThrow("HitPay: the payment session needs data.return_url")
  })

  it("adds query parameters and keeps existing ones", () => {
    expect(withQuery("https://a.example/r?cart=1", { outcome: "paid" })).toBe("https://a.example/r?cart=1&outcome=paid")
  })
})
