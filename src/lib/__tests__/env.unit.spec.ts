import { readFileSync } from "node:fs"
import path from "node:path"
import { HPP_GATEWAYS, hppProvidersFromEnv } from "../../env"
import type { ZodTypeAny } from "zod"
import { parseProviderOptions } from "../options"

const gateways = Object.entries(HPP_GATEWAYS)

describe("options from the environment", () => {
  it.each(gateways)(
    "%s: every option has the variable its boot errors name, and only real options are read",
    (_id, spec) => {
      const shape = (spec.schema as unknown as { shape: Record<string, unknown> }).shape
      expect(Object.keys(spec.env).sort()).toEqual(Object.keys(shape).sort())
    }
  )

  it.each(gateways)("%s: hppProvidersFromEnv reads each option from exactly that variable", (id, spec) => {
    const env = Object.fromEntries(Object.values(spec.env).map((variable) => [variable, `value of ${variable}`]))
    const [registration] = hppProvidersFromEnv(env)
    expect(registration).toEqual({
      resolve: `medusa-payment-hpp/providers/${id}`,
      id,
      options: Object.fromEntries(
        Object.entries(spec.env).map(([option, variable]) => [option, `value of ${variable}`])
      ),
    })
  })

  it("registers nothing for a gateway none of whose variables is set, and a gateway with any of them", () => {
    expect(hppProvidersFromEnv({})).toEqual([])
    const registered = hppProvidersFromEnv({ HITPAY_SALT: "s", NETVALVE_MID_ID: "1" }, (g) => `./src/providers/${g}`)
    expect(registered.map((r) => [r.id, r.resolve])).toEqual([
      ["hitpay", "./src/providers/hitpay"],
      ["netvalve", "./src/providers/netvalve"],
    ])
  })

  it("names the variable of a missing credential when only some are set", () => {
    const [hitpay] = hppProvidersFromEnv({
      HITPAY_SALT: "s",
      HITPAY_WEBHOOK_URL: "https://b.example/hooks/payment/hitpay_hitpay",
    })
    expect(() => parseProviderOptions(HPP_GATEWAYS.hitpay, hitpay.options)).toThrow(
      'option "apiKey" is missing (set HITPAY_API_KEY)'
    )
  })

  it("still reads the variables of the old option names, with a warning naming the new option and variable", () => {
    const env = {
      HITPAY_API_KEY: "k",
      HITPAY_SALT: "s",
      HITPAY_WEBHOOK_URL: "https://b.example/hooks/payment/hitpay_hitpay",
      HITPAY_PURPOSE: "Old purpose",
    }
    const [hitpay] = hppProvidersFromEnv(env)
    const parsed = parseProviderOptions(HPP_GATEWAYS.hitpay, hitpay.options)
    expect(parsed.options.description).toBe("Old purpose")
    expect(parsed.warnings).toEqual([
      'HitPay payment provider: option "purpose" (HITPAY_PURPOSE) is deprecated: use "description" (HITPAY_DESCRIPTION)',
    ])
  })

  it.each([
    [
      "cashflows",
      "integration",
      { configurationId: "1", apiKey: "k", webhookUrl: "https://b.example/hooks/cashflows/cashflows" },
    ],
    [
      "catalystpay",
      "staging",
      { apiKey: "rk_x", webhookSecret: "s", gatewayId: "f7e8d9c0-b1a2-3456-cdef-890123456789" },
    ],
  ] as const)("%s: takes the gateway's own word %s as sandbox, with a warning", (id, word, options) => {
    const parsed = parseProviderOptions<ZodTypeAny>(HPP_GATEWAYS[id], { ...options, environment: word })
    expect(parsed.options.environment).toBe("sandbox")
    expect(parsed.warnings).toEqual([expect.stringContaining(`environment "${word}" is deprecated: use "sandbox"`)])
  })

  it("is what this repository's medusa-config and the README's use", () => {
    const root = path.resolve(__dirname, "../../..")
    expect(readFileSync(path.join(root, "medusa-config.ts"), "utf8")).toContain("hppProvidersFromEnv(")
    expect(readFileSync(path.join(root, "README.md"), "utf8")).toContain(
      'import { hppProvidersFromEnv } from "medusa-payment-hpp/env"'
    )
  })
})
