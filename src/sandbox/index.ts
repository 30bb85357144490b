import { createServer, IncomingMessage, ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { CashflowsOptions, CashflowsStoredJob, createCashflows } from "./cashflows"
import { CatalystPayOptions, CatalystPayStoredSession, createCatalystPay } from "./catalystpay"
import { GatewayContext, SandboxGateway, Timers } from "./gateway"
import { createHitPay, HitPayOptions, HitPayStoredRequest } from "./hitpay"
import { Reply, SandboxRequest } from "./http"
import { createNetValve, NetValveOptions, NetValveStoredOrder } from "./netvalve"
import { GatewayName, GATEWAYS, SandboxFaults } from "./types"
import { DEFAULT_WEBHOOK_POLICY, WebhookDelivery, WebhookPolicy, WebhookQueue } from "./webhooks"

/**
 * A local stand-in for HitPay, Cashflows, NetValve and CatalystPay: their APIs, hosted pages and
 * webhooks on one HTTP server, each under its own path prefix, so a store can take payments with no
 * gateway reachable. Independent of the providers in src/providers: it implements each gateway's side
 * from the gateways' documents, so a bug shared by both sides cannot hide.
 */

export type { GatewayName, SandboxFaults } from "./types"
export type { WebhookDelivery, WebhookPolicy } from "./webhooks"
export type { HitPayOptions, HitPayStoredRequest } from "./hitpay"
export type { CashflowsOptions, CashflowsStoredJob } from "./cashflows"
export type { NetValveOptions, NetValveStoredOrder } from "./netvalve"
export type { CatalystPayOptions, CatalystPayStoredSession } from "./catalystpay"
export { canonicalPythonJson, pythonJsonDumps } from "./json"

export type SandboxOptions = {
  /** 0 picks a free port. Default 0. */
  port?: number
  /** Default 127.0.0.1: reachable from this machine only. */
  host?: string
  /** The base URL buyers' browsers use for hosted pages; default the listen URL. */
  publicUrl?: string
  /** Shown on every hosted page. Default "Sandbox Store". */
  merchantName?: string
  /** Unconfigured gateways answer 404. */
  hitpay?: HitPayOptions
  cashflows?: CashflowsOptions
  netvalve?: NetValveOptions
  catalystpay?: CatalystPayOptions
  faults?: SandboxFaults
  /** Webhook retries and timeouts (compressed: the gateways wait minutes to days). */
  webhooks?: Partial<WebhookPolicy>
}

/** What each gateway keeps, by gateway. */
export type StoredPayments = {
  hitpay: HitPayStoredRequest
  cashflows: CashflowsStoredJob
  netvalve: NetValveStoredOrder
  catalystpay: CatalystPayStoredSession
}

/** The base URLs to give the providers (`apiBaseUrl`, `hppApiBaseUrl`, ...). */
export type SandboxBaseUrls = {
  hitpay: string
  cashflows: string
  netvalveHpp: string
  netvalvePayment: string
  catalystpay: string
}

export type Sandbox = {
  /** Where the server listens, e.g. http://127.0.0.1:4010. */
  url: string
  /** Where hosted-page links point. */
  publicUrl: string
  baseUrls: SandboxBaseUrls
  /** Live switches: change them at any time. */
  faults: SandboxFaults
  /** Copies of what a gateway keeps (payment requests, jobs, orders, sessions). */
  payments<G extends GatewayName>(gateway: G): StoredPayments[G][]
  /** One payment by the gateway's id (NetValve also by clientOrderId). */
  payment<G extends GatewayName>(gateway: G, id: string): StoredPayments[G] | undefined
  /** Lets a pending payment expire as the gateway would; false if unknown or already final. */
  expire(gateway: GatewayName, id: string): boolean
  /** Every webhook delivery attempt so far. */
  deliveries(): WebhookDelivery[]
  /** Resolves when no webhook is queued, waiting for a retry or in flight. */
  webhooksIdle(): Promise<void>
  /** Stops the server, every timer and every delivery. */
  close(): Promise<void>
}

const MAX_BODY_BYTES = 1_000_000

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? "127.0.0.1"
  const faults: SandboxFaults = { failNext: {}, ...options.faults }
  faults.failNext = { ...faults.failNext }
  const webhooks = new WebhookQueue({ ...DEFAULT_WEBHOOK_POLICY, ...options.webhooks }, faults)
  const timers = new Timers()

  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`
  const publicUrl = (options.publicUrl ?? url).replace(/\/+$/, "")

  const ctx: GatewayContext = {
    publicUrl,
    merchantName: options.merchantName ?? "Sandbox Store",
    webhooks,
    faults,
    timers,
  }
  const gateways: Partial<{ [G in GatewayName]: SandboxGateway<StoredPayments[G]> }> = {
    hitpay: options.hitpay && createHitPay(options.hitpay, ctx),
    cashflows: options.cashflows && createCashflows(options.cashflows, ctx),
    netvalve: options.netvalve && createNetValve(options.netvalve, ctx),
    catalystpay: options.catalystpay && createCatalystPay(options.catalystpay, ctx),
  }

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    handle(req, gateways, faults)
      .then((reply) => send(res, reply))
      .catch((error: unknown) =>
        send(res, { status: 500, headers: { "content-type": "text/plain" }, body: `sandbox error: ${String(error)}` })
      )
  })

  let closing: Promise<void> | undefined
  const gatewayOf = <G extends GatewayName>(name: G) => gateways[name] as SandboxGateway<StoredPayments[G]> | undefined

  return {
    url,
    publicUrl,
    baseUrls: {
      hitpay: `${url}/hitpay/v1`,
      cashflows: `${url}/cashflows`,
      netvalveHpp: `${url}/netvalve/hpp`,
      netvalvePayment: `${url}/netvalve/payment`,
      catalystpay: `${url}/catalystpay/api/v1`,
    },
    faults,
    payments: (gateway) => gatewayOf(gateway)?.payments() ?? [],
    payment: (gateway, id) => gatewayOf(gateway)?.payment(id),
    expire: (gateway, id) => gatewayOf(gateway)?.expire(id) ?? false,
    deliveries: () => webhooks.deliveries(),
    webhooksIdle: () => webhooks.idle(),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        webhooks.close()
        timers.close()
        server.close(() => resolve())
        server.closeAllConnections()
      })),
  }
}

async function handle(
  req: IncomingMessage,
  gateways: Partial<Record<GatewayName, SandboxGateway<unknown>>>,
  faults: SandboxFaults
): Promise<Reply> {
  const target = new URL(req.url ?? "/", "http://sandbox.local")
  const [, prefix = "", ...rest] = target.pathname.split("/")
  const path = "/" + rest.join("/")
  if (target.pathname === "/" || target.pathname === "") {
    return {
      status: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sandbox: "medusa-payment-hpp", gateways: GATEWAYS.filter((g) => gateways[g]) }),
    }
  }
  const gateway = (GATEWAYS as readonly string[]).includes(prefix) ? gateways[prefix as GatewayName] : undefined
  if (!gateway) {
    return {
      status: 404,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ error: `no gateway configured at /${prefix}` }),
    }
  }
  const raw = await readBody(req)
  if (raw === undefined) return { status: 413, body: "request body too large" }
  const request: SandboxRequest = {
    method: req.method ?? "GET",
    path,
    query: target.searchParams,
    headers: req.headers,
    raw,
    text: raw.toString("utf8"),
  }

  let matchedPath = false
  for (const route of gateway.routes) {
    const match = route.pattern.exec(path)
    if (!match) continue
    matchedPath = true
    if (route.method !== request.method) continue
    if (route.kind === "api") {
      if (faults.latencyMs && faults.latencyMs > 0)
        await new Promise((resolve) => setTimeout(resolve, faults.latencyMs))
      const failNext = faults.failNext ?? (faults.failNext = {})
      if ((failNext[gateway.name] ?? 0) > 0) {
        failNext[gateway.name]!--
        return gateway.internalError()
      }
      const refused = gateway.authenticate(request)
      if (refused) return refused
    }
    return route.handle(request, match.slice(1))
  }
  return matchedPath
    ? { status: 405, headers: { "content-type": "text/plain" }, body: "method not allowed" }
    : gateway.notFound()
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY_BYTES) chunks.push(chunk)
    })
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)))
    req.on("error", reject)
  })
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent) return
  const body = reply.body ?? ""
  res.writeHead(reply.status, { ...reply.headers, "content-length": String(Buffer.byteLength(body)) })
  res.end(res.req.method === "HEAD" ? undefined : body)
}
