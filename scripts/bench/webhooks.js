/**
 * Webhook to order: a buyer pays on the sandbox's hosted page, the sandbox delivers the paid webhook (to the
 * benchmark's inbox), and the benchmark hands exactly that delivery to Medusa, through the plugin's route
 * `/hooks/<gateway>/<id>` or Medusa's core route `/hooks/payment/<identifier>_<id>`, timing it until the order
 * exists in the database. Each delivery through the plugin's route is paired with Medusa's own cart completion (a
 * checkout through the floor provider, its b) measured beside it, in random order, so that both meet the same
 * machine: the verdict is on the per-pair difference. Then bursts: the same valid webhook 50 times at once must
 * give exactly one order, every delivery answered within a second (each answer's time is kept); three per gateway.
 */
const { Pool } = require("pg")
const { shuffle } = require("./stats")

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function orderCounter(databaseUrl) {
  const db = new Pool({ connectionString: databaseUrl, max: 4 })
  // Medusa's link table between carts and orders (its name is Medusa's business: found by its columns).
  const { rows } = await db.query(`
    select table_name from information_schema.columns
    where table_schema = 'public' and column_name in ('cart_id', 'order_id') and table_name <> 'order'
    group by table_name having count(*) = 2`)
  if (!rows.length) throw new Error("found no link table between carts and orders")
  const table = rows[0].table_name
  return {
    orders: async (cartId) =>
      Number(
        (await db.query(`select count(*) from "${table}" where cart_id = $1 and deleted_at is null`, [cartId])).rows[0]
          .count
      ),
    close: () => db.end(),
  }
}

function deliver(ctx, route, webhook) {
  return fetch(`${ctx.backendUrl}${route}`, { method: "POST", headers: webhook.headers, body: webhook.body })
}

async function untilOrder(counter, cartId, { pollMs, timeoutMs }) {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    if ((await counter.orders(cartId)) > 0) return true
    await sleep(pollMs)
  }
  return false
}

/**
 * Time from handing the webhook to Medusa to the order existing, or undefined when no order came. The plugin's
 * route answers once the order exists: where the order is there at the answer, the answer's time is the figure
 * (no polling step in it); otherwise the database is polled until it is.
 */
async function webhookToOrder(ctx, counter, gateway, route, { pollMs, timeoutMs }) {
  const { cart, webhook } = await ctx.checkoutUntilPaid(ctx, gateway)
  const start = performance.now()
  const response = await deliver(ctx, route, webhook)
  await response.arrayBuffer()
  const answered = performance.now() - start
  if ((await counter.orders(cart.id)) > 0) return { ms: answered, status: response.status }
  const ok = await untilOrder(counter, cart.id, { pollMs, timeoutMs })
  return { ms: ok ? performance.now() - start : undefined, status: response.status }
}

/** Bursts per gateway in a full run (one with --quick). */
const BURSTS = 3

/** The same valid webhook `copies` times at once: the orders it made, and each delivery's answer and its time. */
async function burst(ctx, counter, gateway, route, copies = 50) {
  const { cart, webhook } = await ctx.checkoutUntilPaid(ctx, gateway)
  const start = performance.now()
  const answers = await Promise.all(
    Array.from({ length: copies }, () =>
      deliver(ctx, route, webhook).then(
        async (r) => (await r.arrayBuffer(), { status: r.status, ms: performance.now() - start }),
        () => ({ status: "error", ms: performance.now() - start })
      )
    )
  )
  await untilOrder(counter, cart.id, { pollMs: 100, timeoutMs: route.startsWith("/hooks/payment/") ? 15_000 : 500 })
  await sleep(route.startsWith("/hooks/payment/") ? 2000 : 200) // a second order would be late, not absent
  const tally = {}
  for (const { status } of answers) tally[status] = (tally[status] ?? 0) + 1
  return { orders: await counter.orders(cart.id), statuses: tally, times: answers.map((a) => a.ms) }
}

/**
 * `completion()` is Medusa's own cart completion (the floor's b, ms), measured as a pair's other half.
 */
async function measureWebhooks(ctx, gateways, { quick, checkoutUntilPaid, completion }) {
  const counter = await orderCounter(ctx.databaseUrl)
  const c = { ...ctx, checkoutUntilPaid }
  const results = {}
  try {
    for (const gateway of gateways) {
      const plugin = `/hooks/${gateway.gateway}/${gateway.gateway}`
      const r = (results[gateway.gateway] = {
        plugin: [],
        completion: [],
        overCompletion: [],
        core: [],
        pluginStatus: {},
        coreStatus: {},
      })
      for (let i = 0; i < (quick ? 2 : 20); i++) {
        let hook
        let floorB
        for (const side of shuffle(["plugin", "floor"])) {
          if (side === "plugin")
            hook = await webhookToOrder(c, counter, gateway, plugin, { pollMs: 5, timeoutMs: 10_000 })
          else
            floorB = await completion().catch((error) => {
              // A pair without its other half: the delivery still counts in the route's own times.
              ctx.log(`a floor checkout beside ${gateway.name}'s webhook failed: ${error.message}`)
              return undefined
            })
        }
        r.pluginStatus[hook.status] = (r.pluginStatus[hook.status] ?? 0) + 1
        if (floorB !== undefined) r.completion.push(floorB)
        if (hook.ms !== undefined) r.plugin.push(hook.ms)
        if (hook.ms !== undefined && floorB !== undefined) r.overCompletion.push(hook.ms - floorB)
      }
      // Several bursts, judged on the worst: one burst's slowest answer swings with whatever else the machine does.
      r.bursts = []
      for (let i = 0; i < (quick ? 1 : BURSTS); i++) r.bursts.push(await burst(c, counter, gateway, plugin))
      ctx.log(`${gateway.name}: webhooks through the plugin's route measured`)
    }
    // Medusa's core route waits about 5 s before processing: these run side by side, one per gateway at a time.
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      await Promise.all(
        gateways.map(async (gateway) => {
          const core = `/hooks/payment/${gateway.gateway}_${gateway.gateway}`
          const r = results[gateway.gateway]
          const { ms, status } = await webhookToOrder(c, counter, gateway, core, { pollMs: 50, timeoutMs: 20_000 })
          r.coreStatus[status] = (r.coreStatus[status] ?? 0) + 1
          if (ms !== undefined) r.core.push(ms)
        })
      )
    }
    ctx.log("webhooks through Medusa's core route measured")
  } finally {
    await counter.close()
  }
  return results
}

module.exports = { measureWebhooks }
