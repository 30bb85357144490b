/**
 * Faults, with the sandbox's switches (failNext: HTTP 500s; latencyMsFor: one gateway slower than the providers'
 * timeout) and the rig's own database cut. Every gateway's cases run at once (the switches are per gateway);
 * the database cut ends every connection of the rig's database, so it runs alone, one gateway after another.
 */
const { openCheckout, payOnHostedPage } = require("../demo/check")
const { paidCheckout } = require("./races")
const { api, buyerEmail, cartOutcome, deliver, paidCartProblems, pluginRoute, sleep } = require("./store")

/**
 * Waits until the gateway's delivery was acknowledged (a 2xx from the plugin's route) and the cart has an order,
 * or `timeoutMs` passes. An order seen while a delivery is still in work may yet be rolled back.
 */
async function acknowledgedWithOrder(ctx, cartId, answers, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (answers.some((a) => a.status >= 200 && a.status < 300) && (await cartOutcome(ctx.db, cartId)).orders.length)
      return true
    await sleep(300)
  }
  return false
}

/** A cart with an unpaid session of the gateway (or only its payment collection), on server A. */
const open = (ctx, gateway, options) =>
  openCheckout(
    { backendUrl: ctx.a.url, seed: ctx.seed, storefrontUrl: ctx.shopUrl, email: buyerEmail() },
    gateway,
    options
  )

const createSession = (ctx, gateway, collection) =>
  api(ctx.a.url, `/store/payment-collections/${collection.id}/payment-sessions`, {
    body: { provider_id: gateway.providerId, data: { return_url: `${ctx.shopUrl}/return` } },
    publishableKey: ctx.seed.publishableKey,
  })

/** The error a storefront or an admin sees must name the gateway and what failed. */
function namesGatewayAndOperation(gateway, answer, operation) {
  const message = String(answer.body?.message ?? "")
  return answer.status >= 400 && message.includes(gateway.name) && operation.test(message) ? undefined : message
}

/**
 * Pays a new checkout while `during` is in force; the gateway's webhook goes to the plugin's route on `server`.
 * `afterFirst` runs once the first delivery was answered. Resolves with the cart, the answers and the outcome.
 */
async function paidWhile(ctx, gateway, { server, fault, cut = false }) {
  const { cart, session } = await open(ctx, gateway)
  const reference = session.data.gateway_reference
  const answers = []
  const claim = ctx.relay.claim(gateway.gateway, [session.id, reference], {
    forward: async (hook, attempt) => {
      const delivery = deliver(pluginRoute(server, gateway.gateway), hook)
      if (attempt === 1 && cut) await cutDatabaseUntil(ctx, delivery)
      const answer = await delivery
      answers.push(answer)
      // The gateway is back once it has been seen failing.
      if (attempt === 1 && fault) await ctx.sandbox.faults(fault.clear)
      return answer
    },
  })
  try {
    if (fault) await ctx.sandbox.faults(fault.set)
    await payOnHostedPage(session.data.checkout_url, new URL(ctx.shopUrl).origin)
    const ordered = await acknowledgedWithOrder(ctx, cart.id, answers, 60_000)
    await sleep(1500) // a redelivery in flight must not make a second order unseen
    return { cart, reference, answers, ordered }
  } finally {
    claim.release()
    if (fault) await ctx.sandbox.faults(fault.clear)
  }
}

/**
 * Ends every connection to the rig's own database (never another database's), every 40 ms until the webhook
 * in work is answered (at most 25 times): whatever the route was doing, its connection is cut under it.
 */
async function cutDatabaseUntil(ctx, delivery) {
  const name = new URL(ctx.databaseUrl).pathname.slice(1)
  const { Client } = require("pg")
  const admin = new Client({ connectionString: ctx.databaseUrl.replace(/\/[^/]*$/, "/postgres") })
  await admin.connect()
  let answered = false
  delivery.then(() => (answered = true))
  try {
    for (let cut = 0; cut < 25 && !answered; cut++) {
      await sleep(40)
      await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
        [name]
      )
    }
  } finally {
    await admin.end()
  }
}

/** The gateway's delivery attempts for the payment, for a failure's report. */
async function deliveriesOf(ctx, paid) {
  const all = await fetch(`${ctx.sandboxUrl}/__sandbox/deliveries`).then((r) => r.json())
  const own = all.filter((d) => String(d.paymentId) === String(paid.reference))
  return own.length
    ? `deliveries: ${own.map((d) => `#${d.attempt} ${d.status ?? d.error}`).join(", ")}`
    : "the gateway sent no webhook"
}

/** The plugin's route answers once the work is done; the core route is not used here, so no wait for the worker. */
async function judgePaid(ctx, gateway, paid) {
  const gatewayPayment = await ctx.sandbox.payment(gateway.gateway, paid.reference)
  return paidCartProblems(await cartOutcome(ctx.db, paid.cart.id), {
    total: paid.cart.total,
    gatewayPayment,
    gateway: gateway.gateway,
  })
}

async function gatewayFaults(ctx, gateway, record) {
  const g = gateway.gateway
  const timeout = ctx.gatewayTimeoutMs
  const line = (text) => `${gateway.name.padEnd(12)} ${text}`
  const only = (value) => Object.fromEntries([[g, value]])
  const slow = (ms) => ({ set: { latencyMsFor: only(ms) }, clear: { latencyMsFor: only(0) } })
  const down = (count) => ({ set: { failNext: only(count) }, clear: { failNext: only(0) } })
  const slowWrites = (ms) => ({ set: { writeLatencyMsFor: only(ms) }, clear: { writeLatencyMsFor: only(0) } })

  // Create: down, then slow past the timeout; the same collection takes a session once the gateway is back.
  {
    const { paymentCollection } = await open(ctx, gateway, { withSession: false })
    await ctx.sandbox.faults(down(1).set)
    const refused = await createSession(ctx, gateway, paymentCollection)
    await ctx.sandbox.faults(down(1).clear)
    const wrong = namesGatewayAndOperation(gateway, refused, /fail/i)
    const again = await createSession(ctx, gateway, paymentCollection)
    const fine = again.status === 200 && again.body.payment_collection?.payment_sessions?.length === 1
    record(
      !wrong && fine,
      line(
        `create, gateway answers 500: ${refused.status} "${refused.body.message}"${fine ? "; a retry gets a session" : `; retry ${again.status}`}`
      )
    )

    const fresh = await open(ctx, gateway, { withSession: false })
    await ctx.sandbox.faults(slow(timeout + 3000).set)
    const hung = await createSession(ctx, gateway, fresh.paymentCollection)
    await ctx.sandbox.faults(slow(0).clear)
    const hungWrong = namesGatewayAndOperation(gateway, hung, /timeout|no answer/i)
    record(
      !hungWrong && hung.ms < timeout + 1500,
      line(
        `create, gateway slower than the ${timeout} ms timeout: ${hung.status} after ${hung.ms} ms "${hung.body.message}"`
      )
    )
  }

  // Status: the webhook's check fails (500s, then too slow); the gateway redelivers; one order.
  let order
  for (const [what, fault, bound] of [
    ["status, gateway answers 500", down(9), timeout + 2000],
    ["status, gateway slower than the timeout", slow(timeout + 1000), 4 * timeout + 2000],
  ]) {
    const paid = await paidWhile(ctx, gateway, { server: what.includes("slow") ? ctx.b : ctx.a, fault })
    const first = paid.answers[0]
    const problems = paid.ordered
      ? await judgePaid(ctx, gateway, paid)
      : [`no order (${await deliveriesOf(ctx, paid)})`]
    if (!first || first.status !== 503) problems.push(`first delivery answered ${first?.status} ${first?.text}`)
    else if (first.ms > bound) problems.push(`first delivery took ${first.ms} ms`)
    record(
      problems.length === 0,
      line(
        `${what}: webhook 503 after ${first?.ms} ms, redelivered ${paid.answers.length - 1}x, ${problems.length ? problems.join(", ") : "one order"}`
      )
    )
    order ??= paid
  }

  // The buyer returns while the gateway cannot be asked: a clear error, and the webhook makes the order later.
  {
    const paid = await paidCheckout(ctx, gateway, ctx.b)
    try {
      await ctx.sandbox.faults(down(9).set)
      const back = await api(ctx.b.url, `/store/carts/${paid.cart.id}/complete`, {
        body: {},
        publishableKey: ctx.seed.publishableKey,
      })
      await ctx.sandbox.faults(down(9).clear)
      const message = back.body.error?.message ?? back.body.message ?? ""
      const clear = back.body.type !== "order" && message.includes(gateway.name)
      const later = await deliver(pluginRoute(ctx.a, g), paid.paid)
      const problems = later.status === 200 ? await judgePaid(ctx, gateway, paid) : [`webhook then ${later.status}`]
      if (!clear) problems.push(`the return got ${back.status} ${JSON.stringify(back.body).slice(0, 200)}`)
      if (back.ms > timeout + 3000) problems.push(`the return took ${back.ms} ms`)
      record(
        problems.length === 0,
        line(
          `return, gateway answers 500: ${back.status} after ${back.ms} ms "${message}"; the next webhook: ${problems.length ? problems.join(", ") : "one order"}`
        )
      )
    } finally {
      paid.claim.release()
      await ctx.sandbox.faults(down(9).clear)
    }
  }

  // Refund: down, then slow; Medusa records no refund the gateway did not make, and an admin sees why.
  const outcome = await cartOutcome(ctx.db, order.cart.id)
  const payment = outcome.payments[0]
  if (!payment) return record(false, line("refund cases: no paid order to refund"))
  const refund = () =>
    api(ctx.a.url, `/admin/payments/${payment.id}/refund`, { body: { amount: 1 }, token: ctx.adminToken })
  const refunds = async () => sumOf((await cartOutcome(ctx.db, order.cart.id)).refunds)
  const gatewayRefunds = async () => refundedAtGateway(await ctx.sandbox.payment(g, order.reference))

  // Every call fails: the provider reads the payment before it refunds (and retries a read), so one 500 is absorbed.
  await ctx.sandbox.faults(down(9).set)
  const refused = await refund()
  await ctx.sandbox.faults(down(9).clear)
  const refusedWrong = namesGatewayAndOperation(gateway, refused, /refund|fail/i)
  record(
    !refusedWrong && (await refunds()) === 0 && (await gatewayRefunds()) === 0,
    line(
      `refund, gateway answers 500: ${refused.status} "${refused.body.message}", ${await refunds()} refunded in Medusa`
    )
  )

  // The refund itself is slower than the timeout (reads answer at once): the gateway makes it after the
  // provider stopped waiting. The admin gets a clear error in time; Medusa never shows more than the gateway.
  const refundBound = 4 * timeout + 2000
  await ctx.sandbox.faults(slowWrites(timeout + 3000).set)
  const hung = await refund()
  await ctx.sandbox.faults(slowWrites(0).clear)
  const hungWrong = namesGatewayAndOperation(gateway, hung, /refund|timeout|no answer/i)
  await sleep(timeout + 4000) // the gateway finishes what it was asked, late
  const inMedusa = await refunds()
  const atGateway = await gatewayRefunds()
  record(
    !hungWrong && hung.ms < refundBound && inMedusa <= atGateway && atGateway <= 1,
    line(
      `refund, gateway slower than the timeout: ${hung.status} after ${hung.ms} ms "${hung.body.message}"; refunded: ${inMedusa} in Medusa, ${atGateway} at the gateway`
    )
  )

  // The admin tries again once the gateway is fast: the buyer must get 1.00 back once, and Medusa must say so.
  const retried = await refund()
  await sleep(500)
  const finalMedusa = await refunds()
  const finalGateway = await gatewayRefunds()
  const expected = gateway.gateway === "catalystpay" ? 0 : 1
  record(
    finalMedusa === finalGateway && finalGateway === expected,
    line(
      `refund retried after the timeout: ${retried.status}${retried.status >= 400 ? ` "${retried.body.message}"` : ""}; refunded: ${finalMedusa} in Medusa, ${finalGateway} at the gateway (1 asked for)`
    )
  )
}

const sumOf = (rows) => rows.reduce((a, r) => a + Number(r.amount), 0)

/** How much the gateway refunded of a payment, from what the sandbox keeps. */
function refundedAtGateway(p) {
  const sum = (values) => values.reduce((a, b) => a + Number(b || 0), 0)
  if (!p) return 0
  if (p.charges) return sum(p.charges.map((c) => c.refunded_amount)) // HitPay
  if (p.refundedAmount !== undefined) return Number(p.refundedAmount) // NetValve
  if (p.payments) return sum(p.payments.flatMap((x) => (x.refunds ?? []).map((r) => r.amountToRefund))) // Cashflows
  return 0 // CatalystPay refunds in its dashboard only
}

async function databaseCut(ctx, gateway, record) {
  const paid = await paidWhile(ctx, gateway, { server: ctx.a, cut: true })
  const first = paid.answers[0]
  const problems = paid.ordered ? await judgePaid(ctx, gateway, paid) : [`no order (${await deliveriesOf(ctx, paid)})`]
  if (!first || first.status !== 503)
    problems.push(`the cut webhook answered ${first?.status} ${first?.text?.slice(0, 100)}`)
  record(
    problems.length === 0,
    `${gateway.name.padEnd(12)} database cut mid-webhook: answered ${first?.status}, redelivered ${paid.answers.length - 1}x, ${problems.length ? problems.join(", ") : "one order"}`
  )
}

async function runFaults(ctx, { record }) {
  await Promise.all(
    ctx.seed.gateways.map((gateway) =>
      gatewayFaults(ctx, gateway, record).catch((error) =>
        record(false, `${gateway.name}: faults stopped: ${error.message}`)
      )
    )
  )
  for (const gateway of ctx.seed.gateways) {
    await databaseCut(ctx, gateway, record).catch((error) =>
      record(false, `${gateway.name}: database cut stopped: ${error.message}`)
    )
  }
}

module.exports = { runFaults }
