import { createServer, IncomingMessage, ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { CashflowsOptions, CashflowsStoredJob, createCashflows } from "./cashflows"
import { CatalystPayOptions, CatalystPayStoredSession, createCatalystPay } from "./catalystpay"
import { GatewayContext, SandboxGateway, Timers } from "./gateway"
import { createHitPay, HitPayOptions, HitPayStoredRequest } from "./hitpay"
import { Reply, Route, SandboxRequest } from "./http"
import { createNetValve, NetValveOptions, NetValveStoredOrder } from "./netvalve"
import { GatewayName, GATEWAYS, SandboxApiCall, SandboxFaults } from "./types"
import { DEFAULT_WEBHOOK_POLICY, WebhookDelivery, WebhookPolicy, WebhookQueue } from "./webhooks"

/**
 * A local stand-in for HitPay, Cashflows, NetValve and CatalystPay: their APIs, hosted pages and
 * webhooks on one HTTP server, each under its own path prefix, so a store can take payments with no
 * gateway reachable. Independent of the providers in src/providers: it implements each gateway's side
 * from the gateways' documents, so a bug shared by both sides cannot hide.
 */

export type { GatewayName, SandboxApiCall, SandboxFaults } from "./types"
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
  /** How many API calls `apiCalls()` keeps, the latest (default 10,000). */
  maxLoggedCalls?: number
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
  /** Every API call the providers made so far, oldest first (the last 10,000). */
  apiCalls(): SandboxApiCall[]
  /** Resolves when no webhook is queued, waiting for a retry or in flight. */
  webhooksIdle(): Promise<void>
  /** Stops the server, every timer and every delivery. */
  close(): Promise<void>
}

const MAX_BODY_BYTES = 1_000_000
const MAX_LOGGED_CALLS = 10_000

/**
 * `/__sandbox/*`: the same switches and logs for a test or benchmark running in another process.
 *   GET  /__sandbox/faults       the live faults
 *   PUT  /__sandbox/faults       merge a JSON object into them (`{"latencyMs": 3000, "failNext": {"hitpay": 2}}`)
 *   GET  /__sandbox/api-calls    every API call so far (`?since=<ms epoch>` for the newer ones)
 *   DELETE /__sandbox/api-calls  forget them
 *   GET  /__sandbox/deliveries   every webhook delivery attempt so far
 *   GET  /__sandbox/payments/<gateway>[?id=<gateway's id>]   what the gateway keeps (all, or one: 404 if unknown)
 *   POST /__sandbox/notify       `{"gateway": "hitpay", "id": "<gateway's id>", "outcome": "failed"}`: the gateway's
 *                                webhook for that payment at that outcome, the payment unchanged (a late delivery)
 */
function controlRoute(
  req: IncomingMessage,
  faults: SandboxFaults,
  calls: SandboxApiCall[],
  webhooks: WebhookQueue,
  gateways: Partial<Record<GatewayName, SandboxGateway<unknown>>>
): Promise<Reply> | undefined {
  const target = new URL(req.url ?? "/", "http://sandbox.local")
  if (!target.pathname.startsWith("/__sandbox/")) return undefined
  const ok = (value: unknown): Reply => ({
    status: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(value),
  })
  return (async (): Promise<Reply> => {
    const route = `${req.method} ${target.pathname}`
    if (route === "GET /__sandbox/faults") return ok(faults)
    if (route === "PUT /__sandbox/faults") {
      const raw = await readBody(req)
      let change: unknown
      try {
        change = JSON.parse(raw?.toString("utf8") || "{}")
      } catch {
        return { status: 400, headers: { "content-type": "text/plain" }, body: "faults must be a JSON object" }
      }
      if (!change || typeof change !== "object" || Array.isArray(change))
        return { status: 400, headers: { "content-type": "text/plain" }, body: "faults must be a JSON object" }
      const { failNext, latencyMsFor, writeLatencyMsFor, ...rest } = change as SandboxFaults
      Object.assign(faults, rest)
      if (failNext) faults.failNext = { ...faults.failNext, ...failNext }
      if (latencyMsFor) faults.latencyMsFor = { ...faults.latencyMsFor, ...latencyMsFor }
      if (writeLatencyMsFor) faults.writeLatencyMsFor = { ...faults.writeLatencyMsFor, ...writeLatencyMsFor }
      return ok(faults)
    }
    const refuse = (status: number, text: string): Reply => ({
      status,
      headers: { "content-type": "text/plain" },
      body: text,
    })
    const payments = /^\/__sandbox\/payments\/([a-z]+)$/.exec(target.pathname)
    if (req.method === "GET" && payments) {
      const gateway = gateways[payments[1] as GatewayName]
      if (!gateway) return refuse(404, `no gateway ${payments[1]}`)
      const id = target.searchParams.get("id")
      if (id === null) return ok(gateway.payments())
      const payment = gateway.payment(id)
      return payment ? ok(payment) : refuse(404, `${payments[1]} has no payment ${id}`)
    }
    if (route === "POST /__sandbox/notify") {
      let body: { gateway?: unknown; id?: unknown; outcome?: unknown }
      try {
        body = JSON.parse((await readBody(req))?.toString("utf8") || "{}") as typeof body
      } catch {
        return refuse(400, "notify takes a JSON object")
      }
      const gateway = typeof body.gateway === "string" ? gateways[body.gateway as GatewayName] : undefined
      if (!gateway) return refuse(404, `no gateway ${String(body.gateway)}`)
      if (body.outcome !== "paid" && body.outcome !== "failed") return refuse(400, 'outcome must be "paid" or "failed"')
      const sent = gateway.notify(String(body.id ?? ""), body.outcome)
      return sent ? ok({ sent: true }) : refuse(404, `${gateway.name} has no payment ${String(body.id)}`)
    }
    if (route === "GET /__sandbox/api-calls") {
      const since = Number(target.searchParams.get("since") ?? 0) || 0
      return ok(calls.filter((call) => call.at >= since))
    }
    if (route === "DELETE /__sandbox/api-calls") {
      calls.length = 0
      return ok([])
    }
    if (route === "GET /__sandbox/deliveries") return ok(webhooks.deliveries())
    return { status: 404, headers: { "content-type": "text/plain" }, body: `no control route ${route}` }
  })()
}

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

  const calls: SandboxApiCall[] = []
  const log = (call: SandboxApiCall) => {
    calls.push(call)
    const keep = options.maxLoggedCalls ?? MAX_LOGGED_CALLS
    if (calls.length > keep) calls.splice(0, calls.length - keep)
  }

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const control = controlRoute(req, faults, calls, webhooks, gateways)
    const reply = control ?? handle(req, gateways, faults, log)
    reply
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
    apiCalls: () => calls.map((call) => ({ ...call })),
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
  faults: SandboxFaults,
  log: (call: SandboxApiCall) => void
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
    if (route.kind === "page") return route.handle(request, match.slice(1))
    const at = Date.now()
    const started = performance.now()
    const reply = await answerApi(gateway, route, request, match.slice(1), faults)
    log({
      gateway: gateway.name,
      method: request.method,
      path,
      status: reply.status,
      at,
      ms: performance.now() - started,
    })
    return reply
  }
  return matchedPath
    ? { status: 405, headers: { "content-type": "text/plain" }, body: "method not allowed" }
    : gateway.notFound()
}

async function answerApi(
  gateway: SandboxGateway<unknown>,
  route: Route,
  request: SandboxRequest,
  params: string[],
  faults: SandboxFaults
): Promise<Reply> {
  const latency =
    (faults.latencyMs ?? 0) +
    (faults.latencyMsFor?.[gateway.name] ?? 0) +
    (request.method === "GET" ? 0 : (faults.writeLatencyMsFor?.[gateway.name] ?? 0))
  if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency))
  const failNext = faults.failNext ?? (faults.failNext = {})
  if ((failNext[gateway.name] ?? 0) > 0) {
    failNext[gateway.name]!--
    return gateway.internalError()
  }
  const refused = gateway.authenticate(request)
  if (refused) return refused
  return route.handle(request, params)
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
