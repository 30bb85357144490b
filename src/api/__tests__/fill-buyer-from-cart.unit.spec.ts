import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
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

async function run(req: MedusaRequest) {
  const next = jest.fn()
  await fillBuyerFromCart(req, {} as MedusaResponse, next as unknown as MedusaNextFunction)
  expect(next).toHaveBeenCalledTimes(1)
  return req.body as { data: Record<string, unknown> }
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
    expect(raw.mock.calls[0][1]).toEqual(["pay_col_1"])
    expect(body.data).toEqual({
      return_url: "https://shop.example/return",
      email: "ada@example.com",
      billing_address: { first_name: "Ada", last_name: "Lovelace", country_code: "gb" },
      shipping_address: undefined,
      customer_ip: "203.0.113.9",
    })
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
    expect((await run(other.req)).data).toBeUndefined()
    expect(raw).not.toHaveBeenCalled()

    const failing = request({}, { provider_id: "pp_hitpay_hitpay", data: { email: "sent@example.com" } })
    expect((await run(failing.req)).data).toEqual({ email: "sent@example.com" })
    expect(failing.warnings[0]).toContain("could not read buyer details from the cart")
  })
})
