/** The part of `proxy-addr` (Express's own, which computes `req.ip`) the webhook routes use. */
declare module "proxy-addr" {
  import type { IncomingMessage } from "node:http"

  /** Whether an address (at `hop` proxies from this server, 0 being the connection's peer) is trusted. */
  type Trust = (address: string, hop: number) => boolean

  /** The request's address: the first address, walking X-Forwarded-For from the connection leftwards, that `trust` does not trust. */
  function proxyaddr(req: IncomingMessage, trust: Trust | string | string[]): string

  namespace proxyaddr {
    /** A trust function for addresses and CIDR ranges (IPv4-mapped IPv6 addresses compare as IPv4); throws on a malformed one. */
    function compile(ranges: string | string[]): Trust
  }

  export = proxyaddr
}
