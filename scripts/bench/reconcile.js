/**
 * `npm run bench -- --reconcile [--sessions=N]`: the reconciliation at a store's scale. A real Medusa on the
 * embedded PostgreSQL and the sandbox (its webhooks go to the benchmark's inbox, so they are all lost): one HitPay
 * checkout paid on the hosted page, then N (default 10,000) abandoned HitPay checkouts, their pages made at the
 * sandbox (pending) and their sessions written straight into Medusa's tables, created over the 70 hours before.
 * Then the reconciliation's runs, through `medusa exec` (scripts/bench/reconcile-run.ts), with the sandbox counting
 * the questions; and the plans and times of its two reads at that size. Writes the section between
 * `<!-- reconcile:start -->` and `<!-- reconcile:end -->` of docs/benchmarks.md (a --quick run: .tmp/bench/).
 */
const fs = require("node:fs")
const os = require("node:os")
const path = require("node:path")
const { Pool } = require("pg")
const { startDemo, runMedusa } = require("../demo")
const { newCart, payOnHostedPage, storeApi } = require("../demo/check")
const { startInbox } = require("./inbox")
const { writeSection } = require("./sections")

const root = path.resolve(__dirname, "..", "..")

async function main(args) {
  const quick = args.includes("--quick")
  const sessionsArg = args.find((a) => a.startsWith("--sessions="))
  const N = sessionsArg ? Number(sessionsArg.split("=")[1]) : quick ? 1000 : 10_000
  const t0 = Date.now()
  const log = (m) => console.error(`[bench --reconcile ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${m}`)
  const inbox = await startInbox()
  const demo = await startDemo({
    freePorts: true,
    storefront: false,
    webhookBaseUrl: inbox.url,
    // The benchmark runs the reconciliation itself, at the times it chooses: the server's own job stays off.
    env: { HPP_RECONCILIATION: "off", NODE_ENV: "production" },
    // Every question of the runs counted: the sandbox's log of calls is longer than its default 10,000.
    sandboxMaxLoggedCalls: 200_000,
  })
  const db = new Pool({ connectionString: demo.databaseUrl, max: 4 })
  try {
    const gateway = demo.seed.gateways.find((g) => g.gateway === "hitpay")
    const ctx = { ...demo }
    // One checkout paid at the gateway whose webhooks are all lost (they went to the inbox).
    const { cart, payment_collection } = await newCart(ctx, gateway)
    const { payment_collection: pc } = await storeApi(
      ctx,
      `/store/payment-collections/${payment_collection.id}/payment-sessions`,
      { provider_id: gateway.providerId, data: { return_url: `${ctx.storefrontUrl}/return?cart_id=${cart.id}` } }
    )
    const paid = pc.payment_sessions.find((s) => s.provider_id === gateway.providerId)
    await payOnHostedPage(paid.data.checkout_url, new URL(ctx.storefrontUrl).origin)
    log(`paid session ${paid.id} (its webhook went to the inbox: lost)`)
    const { rows } = await db.query(`select created_at from payment_session where id = $1`, [paid.id])
    const madeAt = new Date(rows[0].created_at).getTime()

    // N abandoned pages at the sandbox, and their sessions straight into Medusa's tables.
    const started = Date.now()
    const ids = await makePages(ctx, gateway, paid, N)
    await ts("./abandoned-sessions").abandonSessions(numbered(db), {
      template: paid.id,
      now: new Date(madeAt),
      count: N,
      oldestHoursAgo: 70,
      newestHoursAgo: 1,
      pageIds: ids,
    })
    await db.query("analyze payment_session")
    log(`${N} abandoned sessions seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    const callsBefore = demo.sandbox.apiCalls().length

    const out = path.join(root, ".tmp", "bench", "reconcile.json")
    fs.mkdirSync(path.dirname(out), { recursive: true })
    await runMedusa(["exec", "./scripts/bench/reconcile-run.ts"], {
      ...demo.medusaEnv,
      HPP_BENCH_RECONCILE: JSON.stringify({ paidSessionId: paid.id, madeAt, abandoned: N, out }),
    })
    const result = JSON.parse(fs.readFileSync(out, "utf8"))
    const calls = demo.sandbox.apiCalls().slice(callsBefore)
    const asks = calls.filter((c) => c.method === "GET" && /\/v1\/payment-requests\//.test(c.path))
    const orders = await db.query(`select count(*)::int as n from cart where id = $1 and completed_at is not null`, [
      cart.id,
    ])
    const plans = await readPlans(db, gateway.providerId, madeAt)
    const section = render({ N, result, asks: asks.length, ordered: orders.rows[0].n === 1, plans, quick })
    console.log(section)
    const page = quick
      ? path.join(root, ".tmp", "bench", "benchmarks-quick.md")
      : path.join(root, "docs", "benchmarks.md")
    writeSection(page, "reconcile", section)
    log(`wrote the reconciliation's section of ${path.relative(root, page)}`)
  } finally {
    await db.end()
    await demo.stop()
    await inbox.close()
  }
}

/** N pending payment requests at the sandbox's HitPay, 16 at a time; their ids in order (1 = the newest). */
async function makePages(ctx, gateway, paid, N) {
  const key = ctx.medusaEnv.HITPAY_API_KEY
  const ids = new Array(N)
  let next = 0
  const worker = async () => {
    while (next < N) {
      const i = next++
      const response = await fetch(`${ctx.medusaEnv.HITPAY_API_BASE_URL}/payment-requests`, {
        method: "POST",
        headers: { "x-business-api-key": key, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          amount: String(paid.amount),
          currency: paid.currency_code,
          reference_number: ts("./abandoned-sessions").abandonedSessionId(i + 1),
        }),
      })
      if (!response.ok)
        throw new Error(`the sandbox refused a payment request: ${response.status} ${await response.text()}`)
      ids[i] = (await response.json()).id
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker))
  return ids
}

/**
 * The plans and times of the run's two reads at this size (after the runs: the asked table is full): the SQL of
 * src/reconciliation/asks.ts's own functions, as they send it, explained and timed.
 */
async function readPlans(db, provider, madeAt) {
  const { neverAsked, dueAgain } = ts("../../src/reconciliation/asks")
  const now = new Date(madeAt + 24 * 3_600_000)
  const window = { provider, from: new Date(now.getTime() - 72 * 3_600_000), to: new Date(now.getTime() - 10 * 60_000) }
  const reads = {
    "never asked, newest first (src/reconciliation/asks.ts neverAsked)": (pg) => neverAsked(pg, window, 50),
    "due again, longest overdue first (dueAgain)": (pg) => dueAgain(pg, window, now, 50, []),
  }
  const out = []
  for (const [name, read] of Object.entries(reads)) {
    let sent
    await read({ raw: async (sql, bindings) => ((sent = { sql, bindings }), { rows: [] }) })
    const times = []
    let plan = ""
    for (let i = 0; i < 30; i++) {
      const { rows } = await numbered(db)(`explain (analyze, format json) ${sent.sql}`, sent.bindings)
      const p = rows[0]["QUERY PLAN"][0]
      times.push(p["Execution Time"])
      if (i === 0) plan = scans(p.Plan).join(", ")
    }
    times.sort((a, b) => a - b)
    out.push({ name, median: times[15], p95: times[Math.floor(times.length * 0.95)], plan })
  }
  return out
}

/** `pg`'s query with knex's `?` placeholders (what the plugin's SQL and the shared seeder write). */
const numbered = (db) => (sql, bindings) => {
  let n = 0
  return db.query(
    sql.replace(/\?/g, () => `$${++n}`),
    bindings
  )
}

function scans(node, list = []) {
  if (/Scan/.test(node["Node Type"]))
    list.push(`${node["Node Type"]}${node["Index Name"] ? ` ${node["Index Name"]}` : ` on ${node["Relation Name"]}`}`)
  for (const child of node.Plans ?? []) scans(child, list)
  return list
}

function render({ N, result, asks, ordered, plans, quick }) {
  const { runs, reached } = result
  const first = runs[0]
  const rest = runs.slice(1)
  const asked = rest.reduce((sum, r) => sum + r.asked, 0)
  const ms = rest.reduce((sum, r) => sum + r.ms, 0)
  const cpus = os.cpus()
  const lines = [
    "## Reconciliation at 10,000 abandoned sessions".replace("10,000", N.toLocaleString("en")),
    "",
    `${new Date().toISOString().replace(/\.\d+Z$/, "Z")}, ${quick ? "quick" : "full"} run, \`npm run bench -- --reconcile\`; ` +
      `${cpus.length} × ${cpus[0]?.model.trim()}. One HitPay checkout paid on the sandbox's page with every webhook lost, ` +
      `and ${N.toLocaleString("en")} abandoned HitPay checkouts (pending pages at the sandbox, sessions written into ` +
      `Medusa's tables, created over the 70 hours before it). The runs are the scheduled job's function, through ` +
      "`medusa exec`, at store times 5 minutes apart; the sandbox counts the questions.",
    "",
    `- **The paid session:** the first run after its grace period (at HitPay's default 2 questions a second, cut to ` +
      `15 s) asked ${first.asked} sessions; the paid one came ${ordinal(first.paidPosition)}, decision ` +
      `"${first.paidDecision}"; its cart ${ordered ? "is an order, once" : "is NOT an order"}. Target (an order within two ` +
      `runs after its grace period): ${first.paidDecision === "order made" && ordered ? "met" : "not met"}.`,
    `- **Every session reached:** ${reached.toLocaleString("en")} of ${(N + 1).toLocaleString("en")} sessions asked at ` +
      `least once, in ${rest.length} more run${rest.length === 1 ? "" : "s"} at an unlimited rate (${asked.toLocaleString("en")} ` +
      `questions, ${(ms / Math.max(1, asked)).toFixed(1)} ms each on this machine: Medusa's reads and the plugin's ` +
      `work per session, and the sandbox's answer). At HitPay's default rate a run asks at most 480, so ` +
      `${N.toLocaleString("en")} new abandoned sessions are all reached within ${plural(Math.ceil(N / 480), "run")} ` +
      `(${((Math.ceil(N / 480) * 5) / 60).toFixed(1)} h); at CatalystPay's 0.5 a second, 120 a run.`,
    `- **Gateway calls counted by the sandbox:** ${asks.toLocaleString("en")} \`GET /v1/payment-requests/{id}\` for ` +
      `${(first.asked + asked).toLocaleString("en")} sessions asked (the paid one asked twice: its status, then Medusa's authorization).`,
    `- **Afterwards, on the schedule:** ${scheduleLine(N)}`,
    "",
    "| the run's read, at this size | median ms | p95 ms | plan |",
    "| --- | --- | --- | --- |",
    ...plans.map((p) => `| ${p.name} | ${p.median.toFixed(2)} | ${p.p95.toFixed(2)} | ${p.plan} |`),
    "",
    "Both are read after the runs, every session asked once: the never-asked read then walks the whole window's " +
      "open sessions on the index to find none (it stops at its 50th find while there are new ones). A run reads it " +
      "once per batch of 50 new sessions and once more to find no more, every 5 minutes: never for a request.",
    "",
    "| run | store time | rate | asked | ms | decisions |",
    "| --- | --- | --- | --- | --- | --- |",
    ...runs.map(
      (r) =>
        `| ${r.label} | +${r.minutes} min | ${r.ratePerSecond ? `${r.ratePerSecond}/s` : "default"} | ${r.asked} | ${r.ms} | ${Object.entries(
          r.decisions
        )
          .map(([d, n]) => `${d} ${n}`)
          .join(", ")} |`
    ),
  ]
  return lines.join("\n")
}

/** What the schedule costs a store with N abandoned sessions always in its window (src/reconciliation/schedule.ts). */
function scheduleLine(N) {
  const { nextAskAt } = ts("../../src/reconciliation/schedule")
  const asksOver = (hours) => {
    const created = new Date(0)
    let asks = 0
    for (let now = new Date(10 * 60_000); now.getTime() <= hours * 3_600_000; now = nextAskAt(created, now, hours))
      asks++
    return asks
  }
  const perRun = (hours) => Math.round((N * asksOver(hours)) / hours / 12)
  return (
    `an abandoned page is asked ${asksOver(72)} times over its 72 hours (every run would be 864), ${asksOver(336)} ` +
    `over CatalystPay's 14 days. A store that always has ${N.toLocaleString("en")} abandoned sessions in the window ` +
    `spends about ${perRun(72)} questions a run on them with a 72-hour window (HitPay's budget at 2 a second: 480) and ` +
    `${perRun(336)} with CatalystPay's 14 days (its budget at 0.5 a second: 120); past the budget, pages are asked ` +
    "less often than the schedule, the longest overdue first."
  )
}

/** A TypeScript module of the repository, loaded through ts-node (this script is plain Node). */
function ts(file) {
  if (!ts.registered) require("ts-node").register({ transpileOnly: true })
  ts.registered = true
  return require(file)
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`
const ordinal = (n) => (n === null ? "nowhere (not asked)" : n === 1 ? "first" : `${n}th`)

module.exports = { main }
