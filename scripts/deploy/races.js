/**
 * The races, as a multi-instance store meets them. The buyer pays on the gateway's hosted page; the gateway's
 * paid webhook (captured by the relay, signed by the sandbox as the gateway signs it) is then delivered by the
 * rig 10 times at once to both servers, and the buyer's return completes the cart on a server at the moment the
 * worker processes the core route's deliveries (Medusa waits about 5 s). Runs alternate between a mix of the
 * plugin's route and the core route and the core route alone, and between the servers for the return.
 *
 * Out of order: a late failure webhook after the success, and a failure before the success.
 * A run counts when the cart became exactly one live order with one payment captured once for the cart's total,
 * nothing refunded or canceled in Medusa, and the gateway still holding the payment as paid.
 */
const { openCheckout, payOnHostedPage } = require("../demo/check")
const { eventsSettled } = require("./redis")
const { api, buyerEmail, cartOutcome, coreRoute, deliver, paidCartProblems, pluginRoute, sleep } = require("./store")

/** The webhook route answers a gateway may see: the plugin's documented ones, the core route's 200. */
const DOCUMENTED = new Set([200, 400, 401, 404, 422, 503])

/** A cart on `server`, paid on the hosted page; resolves once the gateway's webhook reached the relay. */
async function paidCheckout(ctx, gateway, server) {
  const { cart, session } = await openCheckout(
    { backendUrl: server.url, seed: ctx.seed, storefrontUrl: ctx.shopUrl, email: buyerEmail() },
    gateway
  )
  const reference = session.data.gateway_reference
  const claim = ctx.relay.claim(gateway.gateway, [session.id, reference])
  try {
    await payOnHostedPage(session.data.checkout_url, new URL(ctx.shopUrl).origin)
    const paid = await claim.next()
    return { cart, session, reference, claim, paid }
  } catch (error) {
    claim.release()
    throw error
  }
}

/**
 * A run waits until just past the moment the worker takes up the core route's deliveries, then the next run
 * starts; every run is judged once the whole series is over and the worker has finished every event.
 */
const RUN_GAP_MS = 5800

async function verdict(ctx, gateway, checkout, answers) {
  const outcome = await cartOutcome(ctx.db, checkout.cart.id)
  const gatewayPayment = await ctx.sandbox.payment(gateway.gateway, checkout.reference)
  const problems = paidCartProblems(outcome, {
    total: checkout.cart.total,
    gatewayPayment,
    gateway: gateway.gateway,
  })
  const undocumented = answers.filter((a) => !DOCUMENTED.has(a.status))
  if (undocumented.length)
    problems.push(`webhook answers ${undocumented.map((a) => `${a.status} ${a.text.slice(0, 120)}`).join("; ")}`)
  return problems
}

/** One race: 10 deliveries at once to both servers, the buyer's return as the worker processes. */
async function raceOnce(ctx, gateway, run, checkout) {
  const g = gateway.gateway
  try {
    const { a, b } = ctx
    const coreOnly = run % 2 === 1
    const targets = coreOnly
      ? [...Array(5).fill(coreRoute(a, g)), ...Array(5).fill(coreRoute(b, g))]
      : [
          ...Array(3).fill(pluginRoute(a, g)),
          ...Array(2).fill(pluginRoute(b, g)),
          ...Array(3).fill(coreRoute(a, g)),
          ...Array(2).fill(coreRoute(b, g)),
        ]
    const returnServer = run % 4 < 2 ? b : a
    // Medusa processes the core route's deliveries 5 s after they arrive: the return lands around then.
    const offset = 5000 + ((run * 137) % 800) - 400
    const returned = sleep(offset).then(() =>
      api(returnServer.url, `/store/carts/${checkout.cart.id}/complete`, {
        body: {},
        publishableKey: ctx.seed.publishableKey,
      })
    )
    const started = Date.now()
    const answers = await Promise.all(targets.map((url) => deliver(url, checkout.paid)))
    const back = await returned
    await sleep(Math.max(0, started + RUN_GAP_MS - Date.now()))
    return {
      seen: [
        ...answers.map((answer, i) => `${targets[i].includes("/hooks/payment/") ? "core" : "plugin"} ${answer.status}`),
        `return ${back.body.type ?? back.status}`,
      ],
      how: `${coreOnly ? "core route x10" : "plugin x5 + core x5"}, return on ${returnServer === a ? "A" : "B"} at +${offset} ms`,
      verify: async () => {
        const problems = await verdict(ctx, gateway, checkout, answers)
        if (back.status >= 500) problems.push(`the buyer's return got ${back.status}: ${back.body.message}`)
        return problems
      },
    }
  } finally {
    checkout.claim.release()
  }
}

/**
 * Out of order: `late` delivers the success (plugin route on A) and then the failure to both routes of B;
 * otherwise the failure first (both routes of A), then the success (plugin route on B).
 */
async function outOfOrderOnce(ctx, gateway, late, checkout) {
  const g = gateway.gateway
  try {
    await ctx.sandbox.notify(g, checkout.reference, "failed")
    const failed = await checkout.claim.next()
    const { a, b } = ctx
    const answers = []
    if (late) {
      answers.push(await deliver(pluginRoute(a, g), checkout.paid))
      answers.push(...(await Promise.all([deliver(pluginRoute(b, g), failed), deliver(coreRoute(b, g), failed)])))
    } else {
      answers.push(...(await Promise.all([deliver(pluginRoute(a, g), failed), deliver(coreRoute(a, g), failed)])))
      answers.push(await deliver(pluginRoute(b, g), checkout.paid))
    }
    await sleep(1000)
    return { verify: () => verdict(ctx, gateway, checkout, answers) }
  } finally {
    checkout.claim.release()
  }
}

/**
 * Runs `once(run, paid)` `runs` times in a row, each on a cart `prepare()` paid (the next one is paid while the
 * run before it waits for the worker); resolves with what each run left to verify (or its error).
 */
async function repeat(runs, prepare, once) {
  const results = []
  const settled = (promise) =>
    promise.then(
      (paid) => ({ paid }),
      (error) => ({ error })
    )
  let next = settled(prepare())
  for (let run = 0; run < runs; run++) {
    const { paid, error } = await next
    next = run + 1 < runs ? settled(prepare()) : undefined
    try {
      if (error) throw error
      results.push({ run, ...(await once(run, paid)) })
    } catch (error) {
      results.push({ run, error })
    }
  }
  return results
}

/** How many runs gave exactly one good order, and what went wrong in the others. */
async function judge(results) {
  let passed = 0
  const failures = []
  const seen = {}
  for (const { run, how, verify, error, seen: answers = [] } of results) {
    const problems = error ? [error.message] : await verify()
    if (problems.length === 0) passed++
    else failures.push(`run ${run + 1}${how ? ` (${how})` : ""}: ${problems.join(", ")}`)
    for (const answer of answers) seen[answer] = (seen[answer] ?? 0) + 1
  }
  const tally = Object.entries(seen)
    .sort()
    .map(([what, n]) => `${what}: ${n}`)
    .join(", ")
  return { passed, runs: results.length, failures, tally }
}

const SERIES = [
  ["race: paid webhook x10 on both servers + return", (ctx, g, run, paid) => raceOnce(ctx, g, run, paid)],
  ["late failure webhook after success", (ctx, g, _run, paid) => outOfOrderOnce(ctx, g, true, paid)],
  ["success after a failure webhook", (ctx, g, _run, paid) => outOfOrderOnce(ctx, g, false, paid)],
]

/** Every gateway and every series at once (independent carts), each series `runs` runs in a row. */
async function runRaces(ctx, { runs, report }) {
  const series = await Promise.all(
    ctx.seed.gateways.flatMap((gateway) =>
      SERIES.map(async ([name, once]) => ({
        gateway,
        name,
        results: await repeat(
          runs,
          () => paidCheckout(ctx, gateway, ctx.a),
          (run, paid) => once(ctx, gateway, run, paid)
        ),
      }))
    )
  )
  // Judge only once the worker has processed every delivery: a late duplicate order must count.
  if (!(await eventsSettled(ctx.redisUrl, { timeoutMs: 120_000 })))
    ctx.log("the worker still had events after 2 minutes")
  for (const { gateway, name, results } of series) report(gateway, name, await judge(results))
}

module.exports = { runRaces, paidCheckout, DOCUMENTED }
