import { EventEmitter } from "node:events"
import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { withBuyerFromCart } from "../../lib/buyer"
import { fillBuyerFromCart } from "../fill-buyer-from-cart"

// The real read runs against Medusa and PostgreSQL in the integration tests; here, what the middleware does with it.
const CART = {
  email: "ada@example.com",
  billing_address: { first_name: "Ada", last_name: "Lovelace", phone: null, country_code: "gb" },
  shipping_address: null,
}

function request(services: Record<string, unknown>, body: Record<string, unknown>) {
  const warnings: string[] = []
  const scope = {
    resolve: (key: string) => {
      if (key === ContainerRegistrationKeys.LOGGER) return { warn: (m: string) => warnings.push(m) }
      if (!(key in services)) throw new Error(`no ${key}`)
      return services[key]
    },
  }
  const req = { scope, params: { id: "pay_col_1" }, ip: "203.0.113.9", body } as unknown as MedusaRequest
  return { req, warnings }
}

/** The request's response: it emits "finish" and "close" when it ends. */
const response = () => new EventEmitter() as unknown as MedusaResponse

/** Runs the middleware; `data` is what the provider of the same request reads (the rest of the request runs in `next`). */
async function run(req: MedusaRequest) {
  let provider: Promise<Record<string, unknown>> | undefined
  const next = jest.fn(() => {
    provider = withBuyerFromCart("pp_", (req.body as { data?: Record<string, unknown> }).data)
  })
  fillBuyerFromCart(req, response(), next as unknown as MedusaNextFunction)
  expect(next).toHaveBeenCalledTimes(1)
  // No buyer detail stays in what Medusa stores as the session's data, not even one the storefront sent.
  const stored = (req.body as { data?: Record<string, unknown> }).data ?? {}
  for (const key of ["email", "billing_address", "shipping_address", "customer_ip"])
    expect(stored).not.toHaveProperty(key)
  return { data: await provider! }
}

describe("fillBuyerFromCart", () => {
  it("fills the buyer from the cart in one database read through the payment collection's link", async () => {
    const raw = jest.fn().mockResolvedValue({ rows: [CART] })
    const { req } = request(
      { [ContainerRegistrationKeys.PG_CONNECTION]: { raw } },
      { provider_id: "pp_hitpay_hitpay", data: { return_url: "https://shop.example/return" } }
    )
    const body = await run(req)
    expect(raw).toHaveBeenCalledTimes(1)
    expect(raw.mock.calls[0][1]).toEqual({ collection: "pay_col_1" })
    expect(body.data).toEqual({
      return_url: "https://shop.example/return",
      email: "ada@example.com",
      billing_address: { first_name: "Ada", last_name: "Lovelace", country_code: "gb" },
      customer_ip: "203.0.113.9",
    })
  })

  it("lets the request go on while the cart is read; the provider waits for the read only when it needs it", async () => {
    let answer!: (rows: unknown) => void
    const raw = jest.fn(() => new Promise((resolve) => (answer = resolve)))
    const { req } = request(
      { [ContainerRegistrationKeys.PG_CONNECTION]: { raw } },
      { provider_id: "pp_netvalve_netvalve", data: { email: "sent@example.com" } }
    )
    let provider: Promise<Record<string, unknown>> | undefined
    let settled = false
    const next = jest.fn(() => {
      provider = withBuyerFromCart("pp_netvalve_", (req.body as { data: Record<string, unknown> }).data)
      provider.then(() => (settled = true))
    })
    fillBuyerFromCart(req, response(), next as unknown as MedusaNextFunction)
    expect(next).toHaveBeenCalledTimes(1)
    expect(raw).toHaveBeenCalledTimes(1)
    await new Promise((resolve) => setImmediate(resolve))
    expect(settled).toBe(false)
    answer({ rows: [{ email: null, billing_address: null, shipping_address: null }] })
    // A cart without details leaves what the storefront sent.
    await expect(provider).resolves.toEqual({ email: "sent@example.com", customer_ip: "203.0.113.9" })
  })

  it("hands the details to the provider the request names, once", async () => {
    const raw = jest.fn().mockResolvedValue({ rows: [CART] })
    const { req } = request(
      { [ContainerRegistrationKeys.PG_CONNECTION]: { raw } },
      { provider_id: "pp_hitpay_hitpay", data: { return_url: "https://shop.example/return" } }
    )
    let seen: Record<string, unknown>[] = []
    fillBuyerFromCart(req, response(), (async () => {
      const data = { return_url: "https://shop.example/return" }
      seen = [
        await withBuyerFromCart("pp_cashflows_", data), // another provider reached in the same request
        await withBuyerFromCart("pp_hitpay_", data),
        await withBuyerFromCart("pp_hitpay_", data), // a second page in the same request
      ]
    }) as unknown as MedusaNextFunction)
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(seen.map((d) => d.email)).toEqual([undefined, "ada@example.com", undefined])
  })

  it("ends the hand-over with the response: work the request started that runs later gets no buyer details", async () => {
    const raw = jest.fn().mockResolvedValue({ rows: [CART] })
    const { req } = request(
      { [ContainerRegistrationKeys.PG_CONNECTION]: { raw } },
      { provider_id: "pp_hitpay_hitpay", data: {} }
    )
    const res = response()
    let ended!: () => void
    const afterTheResponse = new Promise<void>((resolve) => (ended = resolve))
    let later: Promise<Record<string, unknown>> | undefined
    // The provider never took the details (it failed first); something the request started asks after the response.
    fillBuyerFromCart(req, res, (() => {
      later = afterTheResponse.then(() => withBuyerFromCart("pp_hitpay_", {}))
    }) as unknown as MedusaNextFunction)
    ;(res as unknown as EventEmitter).emit("finish")
    ended()
    await expect(later).resolves.toEqual({})
  })

  it("takes the keys the provider owns out of what the storefront sent, and keeps its choices", async () => {
    const raw = jest.fn().mockResolvedValue({ rows: [CART] })
    const sent = {
      return_url: "https://shop.example/return",
      gift_note: "for Ada",
      payment_id: "ch_forged", // HitPay's paid charge, as earlier releases named it
      payment_request_id: "pr_forged",
      hitpay_status: "completed",
      gateway_reference: "pr_forged",
      gateway_payment_reference: "ch_forged",
      gateway_status: "completed",
      checkout_url: "https://evil.example/pay",
      amount: "0.01",
      currency_code: "sgd",
      session_id: "payses_forged",
    }
    const { req } = request(
      { [ContainerRegistrationKeys.PG_CONNECTION]: { raw } },
      {
        provider_id: "pp_hitpay_hitpay",
        data: sent,
      }
    )
    const { data } = await run(req)
    expect((req.body as { data: unknown }).data).toEqual({
      return_url: "https://shop.example/return",
      gift_note: "for Ada",
    })
    expect(data).toMatchObject({ return_url: "https://shop.example/return", email: "ada@example.com" })
    expect(data).not.toHaveProperty("payment_id")
  })

  it("reads through Medusa's Query where the tables cannot be read directly", async () => {
    const graph = jest.fn().mockResolvedValue({ data: [{ cart: CART }] })
    const { req } = request(
      {
        [ContainerRegistrationKeys.PG_CONNECTION]: { raw: jest.fn().mockRejectedValue(new Error("no such table")) },
        [ContainerRegistrationKeys.QUERY]: { graph },
      },
      { provider_id: "pp_cashflows_cashflows", data: {} }
    )
    const body = await run(req)
    expect(graph).toHaveBeenCalledTimes(1)
    expect(body.data.email).toBe("ada@example.com")
  })

  it("leaves another provider's request alone, and never blocks checkout on a failed read", async () => {
    const raw = jest.fn()
    const other = request({ [ContainerRegistrationKeys.PG_CONNECTION]: { raw } }, { provider_id: "pp_system_default" })
    expect((await run(other.req)).data).toEqual({})
    expect(raw).not.toHaveBeenCalled()

    const failing = request({}, { provider_id: "pp_hitpay_hitpay", data: { email: "sent@example.com" } })
    expect((await run(failing.req)).data).toEqual({ email: "sent@example.com", customer_ip: "203.0.113.9" })
    expect(failing.warnings[0]).toContain("could not read buyer details from the cart")
  })
})
