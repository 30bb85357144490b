/** The four gateways the sandbox stands in for; each lives under `/<name>` on the sandbox's server. */
export const GATEWAYS = ["hitpay", "cashflows", "netvalve", "catalystpay"] as const
export type GatewayName = (typeof GATEWAYS)[number]

/** Switches for trouble a real gateway can cause; change them on `sandbox.faults` while it runs. */
export type SandboxFaults = {
  /** Delay every API answer by this many ms (hosted pages are not delayed). */
  latencyMs?: number
  /** Delay one gateway's API answers by this many ms (on top of latencyMs): a slow or hanging gateway. */
  latencyMsFor?: Partial<Record<GatewayName, number>>
  /**
   * Delay one gateway's writes (API calls other than GET) by this many ms, reads answering at once: a refund
   * or capture the gateway makes after the provider stopped waiting, while its status API still answers.
   */
  writeLatencyMsFor?: Partial<Record<GatewayName, number>>
  /** Answer HTTP 500 to the next N API calls of a gateway (counted down per call, nothing is changed). */
  failNext?: Partial<Record<GatewayName, number>>
  /** Deliver every webhook twice. */
  duplicateWebhooks?: boolean
  /**
   * Deliver webhooks queued together newest first. For NetValve a paid order also queues the failure
   * event of an earlier attempt, which then arrives after the success event.
   */
  reorderWebhooks?: boolean
}

/** One API call a provider made (hosted pages and the control routes are not logged). */
export type SandboxApiCall = {
  gateway: GatewayName
  method: string
  /** The path below the gateway's prefix, without the query. */
  path: string
  status: number
  /** When the request arrived (ms since the epoch) and how long the sandbox took to answer it, latency fault included. */
  at: number
  ms: number
}
