/**
 * Garbage: per gateway, generated and mutated webhooks (fast-check) sent to the plugin's routes on both servers
 * and to Medusa's core route. The seeds are real webhooks, signed by the sandbox as the gateway signs them: the
 * paid webhook of an order already made, and "paid" and "failed" webhooks over sessions nobody paid. From those:
 * truncated bodies, one byte changed, fields of the wrong type, huge fields, other gateways' bodies, headers
 * dropped or changed, random text and bytes, and the signed webhooks of the unpaid sessions as they are.
 *
 * Nothing may come of it: no 5xx but the plugin's documented 503, no order, capture or refund anywhere in the
 * store, no unhandled rejection in any process (checked at the end of the rig).
 */
const fc = require("fast-check")
const { openCheckout } = require("../demo/check")
const { paidCheckout, DOCUMENTED } = require("./races")
const { eventsSettled } = require("./redis")
const { buyerEmail, cartOutcome, coreRoute, deliver, pluginRoute, storeTotals } = require("./store")

/** Medusa's JSON and form body limit (100 KB), with room for the headers' share. */
const OVERSIZE_BYTES = 100_000

const CONTENT_TYPES = [
  "application/json",
  "application/x-www-form-urlencoded",
  "text/plain",
  "application/octet-stream",
  "application/json; charset=utf-16",
  undefined,
]

/** The fields of a body as the gateway sends it (JSON object, or form fields), or undefined. */
function fieldsOf(body) {
  try {
    const value = JSON.parse(body)
    if (value && typeof value === "object" && !Array.isArray(value)) return { kind: "json", value }
  } catch {
    /* not JSON */
  }
  const form = Object.fromEntries(new URLSearchParams(body))
  return Object.keys(form).length ? { kind: "form", value: form } : undefined
}

const write = (kind, value) =>
  kind === "json"
    ? JSON.stringify(value)
    : new URLSearchParams(
        Object.entries(value).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])
      ).toString()

/** Sets `path` (a key, or a key inside `data` for nested bodies) to `replacement`. */
function replaceField(fields, pick, replacement) {
  const value = structuredClone(fields.value)
  const nested = value.data && typeof value.data === "object" ? value.data : undefined
  const keys = [...Object.keys(value), ...(nested ? Object.keys(nested).map((k) => `data.${k}`) : [])]
  const key = keys[pick % keys.length]
  if (key.startsWith("data.")) nested[key.slice(5)] = replacement
  else value[key] = replacement
  return write(fields.kind, value)
}

/** The arbitrary of one garbage webhook for `gateway`, from the seeds of every gateway. */
function garbage(gateway, seeds) {
  const own = seeds[gateway]
  const others = Object.entries(seeds)
    .filter(([g]) => g !== gateway)
    .flatMap(([, hooks]) => hooks)
  const seed = fc.constantFrom(...own)
  const headerSets = fc.constantFrom(...own.map((h) => h.headers))

  const mutated = fc.oneof(
    // Truncated.
    fc.tuple(seed, fc.nat()).map(([h, n]) => ({ ...h, body: h.body.slice(0, n % Math.max(1, h.body.length)) })),
    // One byte changed.
    fc.tuple(seed, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([h, at, by]) => {
      const bytes = Buffer.from(h.body)
      if (bytes.length) bytes[at % bytes.length] = (bytes[at % bytes.length] + by) % 256
      return { ...h, body: bytes.toString("latin1") }
    }),
    // A field of the wrong type.
    fc.tuple(seed, fc.nat(), fc.jsonValue()).map(([h, pick, value]) => {
      const fields = fieldsOf(h.body)
      return { ...h, body: fields ? replaceField(fields, pick, value) : h.body }
    }),
    // A huge field.
    fc
      .tuple(seed, fc.nat(), fc.integer({ min: 10_000, max: 400_000 }), fc.string({ minLength: 1, maxLength: 8 }))
      .map(([h, pick, size, unit]) => {
        const fields = fieldsOf(h.body)
        const huge = unit.repeat(Math.ceil(size / unit.length)).slice(0, size)
        return { ...h, body: fields ? replaceField(fields, pick, huge) : h.body + huge }
      }),
    // The right body, a header dropped or changed.
    fc
      .tuple(seed, fc.nat(), fc.option(fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), maxLength: 80 })))
      .map(([h, pick, value]) => {
        const headers = { ...h.headers }
        const names = Object.keys(headers)
        const name = names[pick % names.length]
        if (value === null) delete headers[name]
        else headers[name] = value
        return { ...h, headers }
      }),
    // Another gateway's webhook, as it was or under this gateway's headers.
    fc.tuple(fc.constantFrom(...others), fc.boolean(), headerSets).map(([h, keep, headers]) => ({
      ...h,
      headers: keep ? h.headers : headers,
    })),
    // A valid signature over a session nobody paid (or a replay of the paid order's webhook), as it is.
    seed
  )
  const random = fc
    .tuple(
      fc.oneof(
        fc.string({ maxLength: 2000 }),
        fc.json({ maxDepth: 4 }),
        fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes).toString("latin1"))
      ),
      fc.constantFrom(...CONTENT_TYPES)
    )
    .map(([body, type]) => ({ body, headers: type ? { "content-type": type } : {} }))
  return fc.oneof({ arbitrary: mutated, weight: 4 }, { arbitrary: random, weight: 1 })
}

/**
 * The seeds of one gateway: the paid webhook of a cart that became an order, and "paid" and "failed" webhooks
 * over two sessions nobody paid (the sandbox signs them; the payments stay unpaid).
 */
async function seedsFor(ctx, gateway) {
  const g = gateway.gateway
  const paid = await paidCheckout(ctx, gateway, ctx.a)
  paid.claim.release()
  const made = await deliver(pluginRoute(ctx.a, g), paid.paid)
  if (made.status !== 200) throw new Error(`${gateway.name}'s paid webhook made no order: ${made.status} ${made.text}`)
  const unpaid = []
  const hooks = [paid.paid]
  for (let i = 0; i < 2; i++) {
    const { cart, session } = await openCheckout(
      { backendUrl: ctx.b.url, seed: ctx.seed, storefrontUrl: ctx.shopUrl, email: buyerEmail() },
      gateway
    )
    const reference = session.data.gateway_reference
    const claim = ctx.relay.claim(g, [session.id, reference])
    try {
      for (const outcome of ["paid", "failed"]) {
        await ctx.sandbox.notify(g, reference, outcome)
        hooks.push(await claim.next())
      }
    } finally {
      claim.release()
    }
    unpaid.push(cart.id)
  }
  return { hooks: hooks.map(({ body, headers }) => ({ body, headers })), unpaid, paidCart: paid.cart.id }
}

/** Sends `bodies` with at most `concurrency` in flight; resolves with every answer. */
async function sendAll(bodies, targetOf, concurrency = 6) {
  const answers = []
  let resent = 0
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const i = next++
        const target = targetOf(i)
        const bytes = Buffer.byteLength(bodies[i].body)
        let answer = await deliver(target.url, bodies[i], { timeoutMs: 60_000 })
        // A kept-alive connection the server closed just as this request went out (the client's race, not an
        // answer): sent once more, as a gateway would redeliver. A route that drops it again still fails.
        if (answer.status === 0 && bytes <= OVERSIZE_BYTES) {
          resent++
          answer = await deliver(target.url, bodies[i], { timeoutMs: 60_000 })
        }
        answers.push({ ...answer, core: target.core, bytes })
      }
    })
  )
  return { answers, resent }
}

async function runFuzz(ctx, { perGateway, record }) {
  const seed = Number(process.env.FUZZ_SEED || Math.floor(Math.random() * 2 ** 31))
  ctx.log(`fuzz seed ${seed} (FUZZ_SEED=${seed} repeats these bodies)`)
  const setup = {}
  for (const gateway of ctx.seed.gateways) setup[gateway.gateway] = await seedsFor(ctx, gateway)
  await eventsSettled(ctx.redisUrl, { timeoutMs: 60_000 })
  const before = await storeTotals(ctx.db)
  const paidBefore = {}
  for (const [g, s] of Object.entries(setup)) paidBefore[g] = await cartOutcome(ctx.db, s.paidCart)
  const seeds = Object.fromEntries(Object.entries(setup).map(([g, s]) => [g, s.hooks]))

  const summaries = await Promise.all(
    ctx.seed.gateways.map(async (gateway, index) => {
      const g = gateway.gateway
      const bodies = fc.sample(garbage(g, seeds), { numRuns: perGateway, seed: seed + index })
      // Seven of ten to the plugin's routes (both servers), three to the core route (processed by the worker).
      const targets = [
        ...[ctx.a, ctx.b, ctx.a, ctx.b, ctx.a, ctx.b, ctx.a].map((s) => ({ url: pluginRoute(s, g), core: false })),
        ...[ctx.a, ctx.b, ctx.a].map((s) => ({ url: coreRoute(s, g), core: true })),
      ]
      const { answers, resent } = await sendAll(bodies, (i) => targets[i % targets.length])
      return { gateway, sent: bodies.length, answers, resent }
    })
  )
  const settled = await eventsSettled(ctx.redisUrl, { timeoutMs: 180_000 })
  const after = await storeTotals(ctx.db)

  for (const { gateway, sent, answers, resent } of summaries) {
    const tally = {}
    for (const a of answers)
      tally[`${a.core ? "core" : "plugin"} ${a.status}`] = (tally[`${a.core ? "core" : "plugin"} ${a.status}`] ?? 0) + 1
    // Medusa refuses a body over its 100 KB limit with 413, and may close the connection while the rig still
    // sends the rest (the rig sees no status): both mean "refused", never a crash (the processes are checked).
    const refusedOversize = (a) => a.status === 413 || (a.status === 0 && a.bytes > OVERSIZE_BYTES)
    const bad = answers.filter((a) =>
      refusedOversize(a) ? false : a.core ? a.status >= 500 || a.status === 0 : !DOCUMENTED.has(a.status)
    )
    const s = setup[gateway.gateway]
    const unpaidOrders = (await Promise.all(s.unpaid.map((cart) => cartOutcome(ctx.db, cart)))).reduce(
      (n, o) => n + o.orders.length + o.captures.length,
      0
    )
    const paidNow = await cartOutcome(ctx.db, s.paidCart)
    const paidChanged =
      paidNow.orders.length !== paidBefore[gateway.gateway].orders.length ||
      paidNow.captures.length !== paidBefore[gateway.gateway].captures.length ||
      paidNow.refunds.length !== paidBefore[gateway.gateway].refunds.length
    const problems = []
    if (bad.length)
      problems.push(
        `${bad.length} undocumented answers, e.g. ${bad[0].status} ${bad[0].text.slice(0, 160)} (a ${bad[0].bytes}-byte body)`
      )
    if (unpaidOrders) problems.push(`${unpaidOrders} orders or captures on carts nobody paid`)
    if (paidChanged) problems.push("the paid order's captures or refunds changed")
    record(
      problems.length === 0 && sent >= perGateway,
      `${gateway.name.padEnd(12)} fuzz: ${sent} bodies sent (${Object.entries(tally)
        .sort()
        .map(([k, v]) => `${k}: ${v}`)
        .join(
          ", "
        )}${resent ? `; ${resent} resent after a closed connection` : ""})${problems.length ? `: ${problems.join("; ")}` : ""}`
    )
  }
  const changed = ["orders", "captures", "refunds"].filter((k) => after[k] !== before[k])
  record(
    settled && changed.length === 0,
    `fuzz: no order, capture or refund created in the store (orders ${before.orders}→${after.orders}, captures ${before.captures}→${after.captures}, refunds ${before.refunds}→${after.refunds})${settled ? "" : "; the worker had not finished its events"}`
  )
}

module.exports = { runFuzz }
