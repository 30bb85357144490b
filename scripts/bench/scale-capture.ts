/**
 * `npm run bench -- --scale`'s capture (through `medusa exec`, with scripts/bench/scale-sql-log.js preloaded): runs
 * each way the plugin finds a payment session once, through the plugin's own code on a booted Medusa, and writes the
 * SQL every `pg` client sent meanwhile, labelled by lookup. The scale run then times exactly those statements with
 * other keys. HPP_SCALE_KEYS names a JSON file of one key per kind (the capture's), HPP_SCALE_OUT where to write.
 */
import fs from "node:fs"
import { EventEmitter } from "node:events"
import type { ExecArgs, IPaymentModuleService } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { hostedProvider } from "../../src/lib/provider-access"
import { paidWithAnotherSession, payerOf, paymentRecorded } from "../../src/lib/orders"
import { isPageToClose, pagesDue } from "../../src/lib/pages-to-close"
import { dueAgain, neverAsked, settledUnsaid, windowCounts } from "../../src/reconciliation/asks"
import { recordBuyerReturn } from "../../src/api/record-buyer-return"
import { fillBuyerFromCart } from "../../src/api/fill-buyer-from-cart"
import { GET as getEvents } from "../../src/api/admin/hpp/events/route"
import { GET as getAttention } from "../../src/api/admin/hpp/attention/route"
import { GET as getProviders } from "../../src/api/admin/hpp/providers/route"
import { GET as getOrderPayments } from "../../src/api/admin/hpp/orders/[id]/payments/route"

type Captured = { label: string; text: string; values: unknown[] }
type Keys = Record<string, Record<string, string>>

const g = globalThis as { __hppScaleLabel?: string; __hppScaleCaptured?: Captured[] }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export default async function capture({ container }: ExecArgs) {
  const keys = JSON.parse(fs.readFileSync(process.env.HPP_SCALE_KEYS!, "utf8")) as Keys
  if (!g.__hppScaleCaptured) throw new Error("scripts/bench/scale-sql-log.js is not preloaded (NODE_OPTIONS)")
  const pg = container.resolve(ContainerRegistrationKeys.PG_CONNECTION)
  const payment = container.resolve<IPaymentModuleService>(Modules.PAYMENT)
  // Boot work (the providers' first reads, the pages-to-close table made on first use) before anything is labelled.
  await payment.listPaymentProviders({})
  await pagesDue(pg, "hitpay", new Date())

  const run = async (label: string, work: () => Promise<unknown>, until?: () => boolean) => {
    g.__hppScaleLabel = label
    try {
      await work()
      // Work a middleware leaves running after its `next()`: wait for its statements.
      for (let i = 0; until && !until() && i < 100; i++) await sleep(50)
      if (until) await sleep(200)
    } finally {
      g.__hppScaleLabel = undefined
    }
  }
  const seen = (label: string, table: string) => () =>
    g.__hppScaleCaptured!.some((q) => q.label === label && q.text.includes(table))
  // The lookup a webhook makes: the provider's own SessionLookup (private to it: reached as the webhook reaches it).
  const lookupOf = (providerId: string) => {
    const provider = hostedProvider(container, providerId) as unknown as {
      sessions: { find(found: { sessionId?: string; gatewayReference?: string }): Promise<unknown> }
    }
    if (!provider?.sessions) throw new Error(`${providerId} is not registered`)
    return provider.sessions
  }
  const request = (extra: Record<string, unknown>) =>
    ({ scope: container, params: {}, query: {}, protocol: "http", get: () => "localhost:9000", ...extra }) as never
  const response = () => Object.assign(new EventEmitter(), { statusCode: 200, json: () => undefined }) as never

  const k = keys
  await run("session-id", () => lookupOf(k.catalyst.providerId).find({ sessionId: k.catalyst.sessionId }))
  await run("reference", () => lookupOf(k.catalyst.providerId).find({ gatewayReference: k.catalyst.reference }))
  await run("legacy-reference", () => lookupOf(k.legacy.providerId).find({ gatewayReference: k.legacy.reference }))
  await run(
    "buyer-return",
    async () => {
      const res = response() as EventEmitter
      recordBuyerReturn(request({ params: { id: k.cart.cartId } }), res as never, () => undefined)
      res.emit("finish")
    },
    seen("buyer-return", "order_cart")
  )
  await run(
    "fill-buyer",
    async () => {
      const res = response() as EventEmitter
      fillBuyerFromCart(
        request({ params: { id: k.cart.collectionId }, body: { provider_id: k.cart.providerId, data: {} } }),
        res as never,
        () => undefined
      )
      await sleep(0)
      res.emit("finish")
    },
    seen("fill-buyer", "cart_payment_collection")
  )
  const cartSession = { id: k.cart.sessionId, payment_collection_id: k.cart.collectionId }
  const orderSession = { id: k.order.sessionId, payment_collection_id: k.order.collectionId }
  await run("payer-of", () => payerOf(container, k.cart.collectionId))
  await run("recorded-cart", () => paymentRecorded(container, cartSession))
  await run("recorded-order", () => paymentRecorded(container, orderSession))
  await run("another-cart", () => paidWithAnotherSession(container, cartSession))
  await run("another-order", () => paidWithAnotherSession(container, orderSession))
  await run("pages-due", () => pagesDue(pg, k.gateway.gateway, new Date()))
  await run("page-to-close", () => isPageToClose(pg, k.gateway.gateway, k.gateway.reference))
  // The reconciliation's reads of one provider's window (the job's run, src/reconciliation/index.ts).
  const w = k.window
  const window = { provider: w.providerId, from: w.after, to: w.before } as never
  await run("job-never-asked", () => neverAsked(pg, window, 50))
  await run("job-due-again", () => dueAgain(pg, window, w.now as never, 50, []))
  await run("job-counts", () => windowCounts(pg, window, w.now as never))
  await run("job-settled-unsaid", () => settledUnsaid(pg, window, 100))
  await run("events-of-session", () =>
    getEvents(request({ query: { payment_session_id: k.events.sessionId } }), response())
  )
  await run("events-of-provider", () =>
    getEvents(request({ query: { provider_id: k.provider.providerId } }), response())
  )
  await run("attention", () => getAttention(request({}), response()))
  await run("providers", () => getProviders(request({}), response()))
  await run("order-payments", () => getOrderPayments(request({ params: { id: k.order.orderId } }), response()))

  fs.writeFileSync(process.env.HPP_SCALE_OUT!, JSON.stringify(g.__hppScaleCaptured, null, 1))
}
