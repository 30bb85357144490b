import { gatewayError, isGatewayUnavailable } from "../../lib/errors"
import {
  HostedPaymentError,
  hostedPaymentGateway,
  hostedPresentationOf,
  isHostedPaymentProvider,
  leaveFrame,
  startHostedPayment,
} from ".."

describe("medusa-payment-hpp/storefront", () => {
  it("knows the plugin's providers by their identifier, whatever id the store registered them under", () => {
    expect(
      ["pp_hitpay_hitpay", "pp_cashflows_shop-eu", "pp_netvalve_x", "pp_catalystpay_2"].map(isHostedPaymentProvider)
    ).toEqual([true, true, true, true])
    expect(
      ["pp_stripe_stripe", "pp_system_default", "hitpay_hitpay", "pp_hitpay_", "", null, undefined].map(
        isHostedPaymentProvider
      )
    ).toEqual([false, false, false, false, false, false, false])
    expect(hostedPaymentGateway("pp_cashflows_shop-eu")).toBe("cashflows")
    expect(hostedPaymentGateway("pp_stripe_stripe")).toBeUndefined()
  })

  /** The code a store answer becomes, as the module tells it (it cannot import the server's errors module). */
  async function codeOf(status: number, message: string) {
    const sdk = {
      client: {
        fetch: async () => {
          throw Object.assign(new Error(message), { status })
        },
      },
    }
    const error = await startHostedPayment(sdk, {
      cart: { id: "cart_1" },
      providerId: "pp_hitpay_hitpay",
      returnUrl: "https://shop.example/return",
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HostedPaymentError)
    expect((error as HostedPaymentError).detail).toBe(message)
    return (error as HostedPaymentError).code
  }

  it("calls a gateway unavailable in exactly the words the plugin's server uses for it", async () => {
    const failures = [
      { status: 503, message: "Service Unavailable" },
      { status: 429, message: "Too Many Requests" },
      { message: "no answer within 15000 ms (timeout)" },
      { message: "could not reach api.sandbox.hit-pay.com (ECONNREFUSED)" },
      { message: "lost the connection to api.sandbox.hit-pay.com before its answer (ECONNRESET)" },
      { status: 422, message: "The amount is invalid" },
      { status: 401, message: "Unauthenticated." },
    ]
    for (const failure of failures) {
      const message = gatewayError("HitPay", "create", failure).message
      const code = await codeOf(500, message)
      expect([message, code]).toEqual([message, isGatewayUnavailable(message) ? "gateway_unavailable" : "refused"])
    }
  })

  it("tells a refused return URL, an unreachable store and a storefront's mistake apart", async () => {
    expect(await codeOf(400, "HitPay: data.return_url origin https://evil.example is not allowed")).toBe(
      "return_url_refused"
    )
    expect(await codeOf(400, "Invalid request: cart is completed")).toBe("refused")
    const sdk = {
      client: {
        fetch: async () => {
          throw new TypeError("fetch failed")
        },
      },
    }
    const args = { cart: { id: "c" }, providerId: "pp_hitpay_hitpay", returnUrl: "https://shop.example/r" }
    await expect(startHostedPayment(sdk, args)).rejects.toMatchObject({ code: "store_unreachable" })
    await expect(startHostedPayment(sdk, { ...args, returnUrl: "/relative" })).rejects.toMatchObject({
      code: "return_url_refused",
    })
    await expect(startHostedPayment(sdk, { ...args, providerId: "pp_stripe_stripe" })).rejects.toMatchObject({
      code: "not_a_hosted_provider",
    })
  })

  it("reads how to present a session from its data, falling back to the redirect when a kind lacks what it needs", () => {
    const base = { checkout_url: "https://pay.example/p" }
    expect(hostedPresentationOf(base)).toEqual({
      kind: "redirect",
      url: base.checkout_url,
      checkoutUrl: base.checkout_url,
    })
    expect(hostedPresentationOf({ ...base, presentation: "frame" })).toEqual({
      kind: "frame",
      url: base.checkout_url,
      checkoutUrl: base.checkout_url,
    })
    expect(hostedPresentationOf({ ...base, presentation: "qr", qr_code: "000201" })).toEqual({
      kind: "qr",
      qrCode: "000201",
      checkoutUrl: base.checkout_url,
    })
    expect(
      hostedPresentationOf({
        ...base,
        presentation: "dropin",
        drop_in: { default_link: "L", payment_request_id: "R", script_url: "https://s.example/d.js" },
      })
    ).toEqual({
      kind: "dropin",
      defaultLink: "L",
      paymentRequestId: "R",
      scriptUrl: "https://s.example/d.js",
      checkoutUrl: base.checkout_url,
    })
    expect(hostedPresentationOf({ ...base, presentation: "qr" }).kind).toBe("redirect")
    expect(hostedPresentationOf({ ...base, presentation: "dropin", drop_in: { default_link: "L" } }).kind).toBe(
      "redirect"
    )
    expect(hostedPresentationOf(null)).toEqual({ kind: "redirect", url: "", checkoutUrl: "" })
  })

  it("leaves a frame only from inside one, taking the top window to the same page", () => {
    expect(leaveFrame()).toBe(false) // no window here (a server)
    const top = { location: { href: "https://shop.example/checkout" } }
    const framed = { top, self: {}, location: { href: "https://shop.example/api/hpp/return?cart_id=c" } }
    const g = globalThis as { window?: unknown }
    g.window = framed
    try {
      expect(leaveFrame()).toBe(true)
      expect(top.location.href).toBe("https://shop.example/api/hpp/return?cart_id=c")
      const alone = { location: { href: "x" } } as { top?: unknown; self?: unknown; location: { href: string } }
      alone.top = alone
      alone.self = alone
      g.window = alone
      expect(leaveFrame()).toBe(false)
    } finally {
      delete g.window
    }
  })
})
