import type { IncomingMessage } from "node:http"
import { isAddressOrRange, judgeSender, senderAddress } from "../webhook-sender"

/** A request as Node hands it to Medusa: the connection's peer, and the headers the sender (or a proxy) wrote. */
const request = (peer: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor },
  }) as unknown as IncomingMessage

const CASHFLOWS = ["54.74.58.255", "52.215.48.101", "54.75.5.171", "54.73.83.234"]

describe("the sender of a webhook", () => {
  it("is the connection's peer with no trusted proxy, whatever X-Forwarded-For says", () => {
    expect(senderAddress(request("203.0.113.7", "54.74.58.255"), 0)).toBe("203.0.113.7")
  })

  it("is the entry the outermost trusted proxy wrote, counted from the right of X-Forwarded-For", () => {
    const req = request("10.0.0.2", "6.6.6.6, 54.74.58.255, 10.0.0.1")
    expect(senderAddress(req, 1)).toBe("10.0.0.1")
    expect(senderAddress(req, 2)).toBe("54.74.58.255")
    // More proxies trusted than the header holds: its first entry, as Express reads it.
    expect(senderAddress(req, 9)).toBe("6.6.6.6")
    // A proxy that adds nothing: the connection's peer.
    expect(senderAddress(request("54.74.58.255"), 1)).toBe("54.74.58.255")
  })
})

describe("judgeSender", () => {
  const rule = (webhookAllowedIps: string[], webhookTrustedProxies = 0) => ({
    webhookAllowedIps,
    webhookTrustedProxies,
  })

  it("lets everyone post while the allow-list is empty (the default)", () => {
    expect(judgeSender(request("203.0.113.7", "garbage"), rule([]))).toEqual({ allowed: true })
  })

  it("lets a listed address post, also as an IPv4-mapped IPv6 peer (a dual-stack server's view of IPv4)", () => {
    expect(judgeSender(request("54.74.58.255"), rule(CASHFLOWS))).toEqual({ allowed: true })
    expect(judgeSender(request("::ffff:54.74.58.255"), rule(CASHFLOWS))).toEqual({ allowed: true })
    expect(judgeSender(request("54.74.58.255"), rule(["::ffff:54.74.58.255"]))).toEqual({ allowed: true })
  })

  it("matches CIDR ranges, IPv4 and IPv6", () => {
    const ranges = rule(["54.74.58.0/24", "2001:db8::/32"])
    expect(judgeSender(request("54.74.58.17"), ranges).allowed).toBe(true)
    expect(judgeSender(request("54.74.59.17"), ranges).allowed).toBe(false)
    expect(judgeSender(request("2001:db8:1::5"), ranges).allowed).toBe(true)
    expect(judgeSender(request("2001:db9::5"), ranges).allowed).toBe(false)
  })

  it("refuses a forged X-Forwarded-For when the connection's address counts, and says where the address came from", () => {
    expect(judgeSender(request("::ffff:127.0.0.2", "54.74.58.255"), rule(CASHFLOWS))).toEqual({
      allowed: false,
      address: "::ffff:127.0.0.2",
      source: "the connection's address",
    })
  })

  it("with a trusted proxy, judges the address the proxy saw, not what the sender wrote before it", () => {
    expect(judgeSender(request("10.0.0.2", "54.74.58.255"), rule(CASHFLOWS, 1))).toEqual({ allowed: true })
    expect(judgeSender(request("10.0.0.2", "54.74.58.255, 203.0.113.7"), rule(CASHFLOWS, 1))).toEqual({
      allowed: false,
      address: "203.0.113.7",
      source: "X-Forwarded-For, 1 trusted proxy in front",
    })
    expect(judgeSender(request("10.0.0.2"), rule(CASHFLOWS, 1))).toEqual({
      allowed: false,
      address: "10.0.0.2",
      source: "the connection's address: no X-Forwarded-For, though 1 trusted proxy in front",
    })
    expect(judgeSender(request("10.0.0.2", "not-an-address"), rule(CASHFLOWS, 1))).toMatchObject({
      allowed: false,
      address: "(not an IP address)",
    })
  })
})

describe("isAddressOrRange", () => {
  it.each(["54.74.58.255", "54.74.58.0/24", "::1", "2001:db8::/32", "::ffff:54.74.58.255", "10.0.0.0/255.0.0.0"])(
    "takes %s",
    (entry) => expect(isAddressOrRange(entry)).toBe(true)
  )

  it.each(["54.74.58.256", "54.74.58.0/33", "54.74.58.0/", "cashflows.com", "loopback", ""])("refuses %s", (entry) =>
    expect(isAddressOrRange(entry)).toBe(false)
  )
})
