import { z } from "zod"
import {
  addressList,
  booleanish,
  optionalUrl,
  originList,
  parseProviderOptions,
  positiveInt,
  requiredString,
  stringList,
  wholeNumber,
} from "../options"

const schema = z
  .object({
    apiKey: requiredString(),
    baseUrl: optionalUrl(),
    origins: originList(),
    methods: stringList().default([]),
    live: booleanish(false),
    timeoutMs: positiveInt(1000),
    allowedIps: addressList(),
    proxies: wholeNumber(0),
  })
  .strict()
const env = {
  apiKey: "GW_API_KEY",
  baseUrl: "GW_BASE_URL",
  origins: "GW_ORIGINS",
  methods: "GW_METHODS",
  live: "GW_LIVE",
  timeoutMs: "GW_TIMEOUT_MS",
  allowedIps: "GW_ALLOWED_IPS",
  proxies: "GW_PROXIES",
}
const parse = (raw: unknown) => parseProviderOptions({ gateway: "Gateway", schema, env }, raw).options

describe("provider options", () => {
  it("names the provider, the missing option and its environment variable in one line", () => {
    expect(() => parse({})).toThrow('Gateway payment provider: option "apiKey" is missing (set GW_API_KEY)')
    expect(() => parse({ apiKey: "  " })).toThrow('option "apiKey" is missing')
  })

  it("names a mistyped option and suggests the right one", () => {
    expect(() => parse({ apiKey: "k", apikey: "k" })).toThrow('unknown option "apikey" (did you mean "apiKey"?)')
  })

  it("explains a malformed value", () => {
    expect(() => parse({ apiKey: "k", baseUrl: "not a url" })).toThrow(
      'option "baseUrl" must be an absolute URL (set GW_BASE_URL)'
    )
    expect(() => parse({ apiKey: "k", origins: "https://ok.example, ftp://x" })).toThrow(
      'has "ftp://x", which is not an http(s) origin'
    )
    expect(() => parse({ apiKey: "k", timeoutMs: "soon" })).toThrow('option "timeoutMs"')
    expect(() => parse({ apiKey: "k", allowedIps: "54.74.58.255, 54.74.58.300" })).toThrow(
      'Gateway payment provider: option "allowedIps.1" has "54.74.58.300", which is not an IP address or a CIDR range (set GW_ALLOWED_IPS)'
    )
    expect(() => parse({ apiKey: "k", proxies: "one" })).toThrow(
      'option "proxies" must be a whole number (set GW_PROXIES)'
    )
  })

  it("reads environment-variable strings: lists, switches, numbers; blanks as unset", () => {
    expect(
      parse({
        apiKey: "k",
        baseUrl: "",
        origins: "https://a.example/x, https://b.example",
        methods: "card, paynow_online",
        live: "true",
        timeoutMs: "2500",
        allowedIps: "54.74.58.255, 10.0.0.0/8, ::ffff:54.73.83.234, 2001:db8::/32",
        proxies: "2",
      })
    ).toEqual({
      apiKey: "k",
      baseUrl: undefined,
      origins: ["https://a.example", "https://b.example"],
      methods: ["card", "paynow_online"],
      live: true,
      timeoutMs: 2500,
      allowedIps: ["54.74.58.255", "10.0.0.0/8", "::ffff:54.73.83.234", "2001:db8::/32"],
      proxies: 2,
    })
    expect(parse({ apiKey: "k" })).toMatchObject({
      origins: [],
      methods: [],
      live: false,
      timeoutMs: 1000,
      allowedIps: [],
      proxies: 0,
    })
  })
})
