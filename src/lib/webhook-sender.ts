import type { IncomingMessage } from "node:http"
import { isIP } from "node:net"
import proxyaddr from "proxy-addr"

/** Who may post a provider's webhooks, and where the sender's address is read: two options of every provider. */
export type SenderRule = {
  /** Addresses and CIDR ranges; empty lets every sender post (the default). */
  webhookAllowedIps: string[]
  /** How many proxies in front of Medusa are trusted to write X-Forwarded-For; 0 reads the connection's address. */
  webhookTrustedProxies: number
}

export type SenderVerdict =
  | { allowed: true }
  | {
      allowed: false
      /** The sender's address as the rule reads it, or a note that it is not an IP address. */
      address: string
      /** Where that address was read, for the log. */
      source: string
    }

/**
 * The address a request comes from, read as the rule says: the connection's peer with no trusted proxy; with N,
 * the address the outermost trusted proxy saw, which is X-Forwarded-For's Nth entry from the right (each proxy
 * appends the address it saw). Medusa's own `req.ip` always trusts one proxy (Express's `trust proxy` is fixed at
 * 1), so without a proxy in front a sender chooses its own `req.ip` by writing the header itself.
 */
export function senderAddress(req: IncomingMessage, trustedProxies: number): string {
  return proxyaddr(req, (_address, hop) => hop < trustedProxies) ?? ""
}

/** Whether the rule lets the request's sender post: an empty allow-list lets everyone. */
export function judgeSender(req: IncomingMessage, rule: SenderRule): SenderVerdict {
  if (rule.webhookAllowedIps.length === 0) return { allowed: true }
  const address = senderAddress(req, rule.webhookTrustedProxies)
  if (isIP(address) && proxyaddr.compile(rule.webhookAllowedIps)(address, 0)) return { allowed: true }
  const proxies = rule.webhookTrustedProxies
  const trusted = `${proxies} trusted ${proxies === 1 ? "proxy" : "proxies"} in front`
  return {
    allowed: false,
    address: isIP(address) ? address : "(not an IP address)",
    source:
      proxies === 0
        ? "the connection's address"
        : req.headers["x-forwarded-for"] === undefined
          ? `the connection's address: no X-Forwarded-For, though ${trusted}`
          : `X-Forwarded-For, ${trusted}`,
  }
}

/** Whether `entry` is an address or a CIDR range (`10.0.0.0/8`, `2001:db8::/32`) the allow-list can hold. */
export function isAddressOrRange(entry: string): boolean {
  // proxy-addr also takes names ("loopback"); the option documents addresses and ranges only.
  if (!/\d/.test(entry)) return false
  try {
    proxyaddr.compile(entry)
    return true
  } catch {
    return false
  }
}
