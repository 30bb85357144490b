/**
 * What the rig reads and does as a shop's people would: the orders, payments, captures and refunds of a cart
 * (read from the store's database, as an admin's order page shows them), what the gateway keeps for a payment
 * (from the sandbox's control routes), and webhook deliveries to the plugin's route and to Medusa's core route.
 */
const { Pool } = require("pg")
const { post } = require("./relay")

/** The gateway states that mean "paid, nothing voided or refunded" in the sandbox's records. */
const PAID_AT_GATEWAY = {
  hitpay: (p) => p.status === "completed" && p.charges.some((c) => c.status === "succeeded"),
  cashflows: (p) => p.paymentStatus === "Paid",
  netvalve: (p) => p.orderState === "PAID",
  catalystpay: (p) => p.status === "COMPLETED",
}

function openDatabase(databaseUrl) {
  const pool = new Pool({ connectionString: databaseUrl, max: 4 })
  pool.on("error", () => {}) // the DB-cut fault ends the rig's own idle connections too
  return pool
}

/** The orders, payments, captures and refunds that came of one cart. */
async function cartOutcome(pool, cartId) {
  const orders = (
    await pool.query(
      `select o.id, o.status, o.canceled_at from "order" o join order_cart oc on oc.order_id = o.id
       where oc.cart_id = $1 and oc.deleted_at is null and o.deleted_at is null`,
      [cartId]
    )
  ).rows
  const payments = (
    await pool.query(
      `select p.id, p.amount, p.captured_at, p.canceled_at from payment p
       join cart_payment_collection cpc on cpc.payment_collection_id = p.payment_collection_id
       where cpc.cart_id = $1 and p.deleted_at is null`,
      [cartId]
    )
  ).rows
  const ids = payments.map((p) => p.id)
  const captures = ids.length
    ? (await pool.query(`select amount from capture where payment_id = any($1) and deleted_at is null`, [ids])).rows
    : []
  const refunds = ids.length
    ? (await pool.query(`select amount from refund where payment_id = any($1) and deleted_at is null`, [ids])).rows
    : []
  return { orders, payments, captures, refunds }
}

/** How many orders, captures and refunds the whole store has (the fuzzer must change none). */
async function storeTotals(pool) {
  const count = async (table) =>
    Number((await pool.query(`select count(*) from "${table}" where deleted_at is null`)).rows[0].count)
  return { orders: await count("order"), captures: await count("capture"), refunds: await count("refund") }
}

/**
 * What is wrong with a paid cart's outcome; empty when it is exactly one live order, one payment, captured once
 * for the cart's total, nothing refunded, and the gateway still holding the payment as paid.
 */
function paidCartProblems(outcome, { total, gatewayPayment, gateway }) {
  const problems = []
  const live = outcome.orders.filter((o) => !o.canceled_at && o.status !== "canceled")
  if (outcome.orders.length !== 1) problems.push(`${outcome.orders.length} orders`)
  else if (live.length !== 1) problems.push("the order was canceled")
  if (outcome.payments.length !== 1) problems.push(`${outcome.payments.length} payments`)
  for (const p of outcome.payments) {
    if (p.canceled_at) problems.push(`payment ${p.id} canceled`)
    if (!p.captured_at) problems.push(`payment ${p.id} not captured`)
    if (Number(p.amount) !== Number(total)) problems.push(`payment for ${p.amount}, cart total ${total}`)
  }
  if (outcome.captures.length !== 1) problems.push(`${outcome.captures.length} captures`)
  else if (Number(outcome.captures[0].amount) !== Number(total))
    problems.push(`captured ${outcome.captures[0].amount}, cart total ${total}`)
  if (outcome.refunds.length) problems.push(`${outcome.refunds.length} refunds`)
  if (!gatewayPayment) problems.push("the gateway has no such payment")
  else if (!PAID_AT_GATEWAY[gateway](gatewayPayment))
    problems.push(`the gateway holds it as ${JSON.stringify(stateOf(gatewayPayment))}`)
  return problems
}

const stateOf = (p) => ({
  status: p.status ?? p.paymentStatus ?? p.orderState,
  charges: p.charges?.map((c) => c.status),
})

/** The sandbox's control routes. */
function sandboxControl(sandboxUrl) {
  const json = async (response) => {
    if (!response.ok) throw new Error(`sandbox ${response.url}: ${response.status} ${await response.text()}`)
    return response.json()
  }
  return {
    faults: (change) =>
      fetch(`${sandboxUrl}/__sandbox/faults`, { method: "PUT", body: JSON.stringify(change) }).then(json),
    payment: (gateway, id) =>
      fetch(`${sandboxUrl}/__sandbox/payments/${gateway}?id=${encodeURIComponent(id)}`).then((r) =>
        r.status === 404 ? undefined : json(r)
      ),
    notify: (gateway, id, outcome) =>
      fetch(`${sandboxUrl}/__sandbox/notify`, {
        method: "POST",
        body: JSON.stringify({ gateway, id, outcome }),
      }).then(json),
    apiCalls: (since) => fetch(`${sandboxUrl}/__sandbox/api-calls?since=${since}`).then(json),
  }
}

/** The plugin's webhook route and Medusa's core route of a gateway, on one server. */
const pluginRoute = (server, gateway) => `${server.url}/hooks/${gateway}/${gateway}`
const coreRoute = (server, gateway) => `${server.url}/hooks/payment/${gateway}_${gateway}`

const deliver = (url, hook, options) => post(url, { body: hook.body, headers: hook.headers }, options)

/** A JSON call to the store or admin API; resolves with status, body and time taken (never rejects on HTTP). */
async function api(baseUrl, route, { body, token, publishableKey, method } = {}) {
  const started = Date.now()
  const headers = { "content-type": "application/json" }
  if (token) headers.authorization = `Bearer ${token}`
  if (publishableKey) headers["x-publishable-api-key"] = publishableKey
  try {
    const response = await fetch(`${baseUrl}${route}`, {
      method: method ?? (body === undefined ? "GET" : "POST"),
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    })
    const text = await response.text()
    let json
    try {
      json = JSON.parse(text)
    } catch {
      json = { message: text }
    }
    return { status: response.status, body: json, ms: Date.now() - started }
  } catch (error) {
    return { status: 0, body: { message: String(error?.message ?? error) }, ms: Date.now() - started }
  }
}

/**
 * A new guest's email per checkout: Medusa 2.21 refuses a second cart created at the same moment for the same new
 * guest email ("Customer with email … already exists"), which is not what the rig tests.
 */
let buyers = 0
const buyerEmail = () => `buyer-${process.pid}-${++buyers}@deploy-rig.local`

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

module.exports = {
  openDatabase,
  cartOutcome,
  storeTotals,
  paidCartProblems,
  sandboxControl,
  pluginRoute,
  coreRoute,
  deliver,
  api,
  buyerEmail,
  sleep,
  PAID_AT_GATEWAY,
}
