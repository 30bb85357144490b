/** The benchmark's numbers: per-pair ratios with their intervals, the targets and verdicts, and the table and page. */
const { median, quantile, medianWithInterval } = require("./stats")

/**
 * The targets (issue 25, "Speed, restated"), each against the zero-work provider that stores a reference:
 * ratios of a provider to the reference in the same pair; the plugin's CPU per checkout from the profile; webhook
 * to order against Medusa's own cart completion (the floor's b) measured beside each delivery; every answer of a
 * burst of 50; a+b with the plugin's record on against off.
 */
const TARGETS = {
  session: 1.02,
  checkout: 1.02,
  cpu: 1.02,
  pluginCpuMs: 1,
  webhookOverCompletionMs: 50,
  burstMs: 1000,
  recordMs: 1,
}

/** An interval against an upper target: met when wholly within it, not met when wholly past it, else undecided. */
function verdict(interval, target) {
  if (!Number.isFinite(interval.high) || !Number.isFinite(interval.low)) return "not measured"
  if (interval.high <= target) return "met"
  if (interval.low > target) return "not met"
  return "undecided"
}

function summarize({ gateways, usable, pairs, webhooks, profiled }) {
  const rows = []
  for (const gateway of gateways) {
    if (!usable.includes(gateway)) {
      rows.push({ name: gateway.name, failure: gateway.failure ?? "not measured" })
      continue
    }
    const list = pairs[gateway.gateway]
    const medusaOnly = gateway.gateway === "reference"
    // The gateway's time as Medusa waits on it (scripts/bench/gateway-wait.js) is taken out; the plugin's own work
    // around each call stays in.
    const net = (c) => c.a + c.b - c.waitA - c.waitB
    const ratio = (values, target) => {
      const r = { ...medianWithInterval(values), target }
      return { ...r, verdict: medusaOnly ? undefined : verdict(r, target) }
    }
    const w = webhooks[gateway.gateway] ?? { plugin: [], completion: [], overCompletion: [], core: [] }
    // Per pair: the delivery's time to order minus Medusa's own cart completion measured beside it.
    const overCompletion = {
      ...medianWithInterval(w.overCompletion),
      target: TARGETS.webhookOverCompletionMs,
    }
    overCompletion.verdict = verdict(overCompletion, overCompletion.target)
    const burst = burstSummary(w.bursts ?? (w.burst ? [w.burst] : []))
    const profile = profiled?.[gateway.gateway]
    rows.push({
      name: gateway.name,
      // The zero-work provider storing a reference, against the floor: Medusa's cost, with no gateway and no webhooks.
      medusaOnly,
      baseName: medusaOnly ? "floor" : "reference",
      n: list.length,
      a: stat(list.map((p) => p.provider.a)),
      b: stat(list.map((p) => p.provider.b)),
      baseA: stat(list.map((p) => p.base.a)),
      baseB: stat(list.map((p) => p.base.b)),
      sandbox: stat(list.map((p) => p.provider.sandboxA + p.provider.sandboxB)),
      wait: stat(list.map((p) => p.provider.waitA + p.provider.waitB)),
      calls: median(list.map((p) => p.provider.calls)),
      callList: list[0]?.provider.callList ?? [],
      cpu: stat(list.map((p) => p.provider.cpu)),
      baseCpu: stat(list.map((p) => p.base.cpu)),
      addedMs: medianWithInterval(list.map((p) => net(p.provider) - (p.base.a + p.base.b))),
      session: ratio(
        list.map((p) => (p.provider.a - p.provider.waitA) / p.base.a),
        TARGETS.session
      ),
      checkout: ratio(
        list.map((p) => net(p.provider) / (p.base.a + p.base.b)),
        TARGETS.checkout
      ),
      cpuRatio: ratio(
        list.map((p) => p.provider.cpu / p.base.cpu),
        TARGETS.cpu
      ),
      profile: profile && {
        ...profile,
        verdict: medusaOnly ? undefined : profile.provider.plugin <= TARGETS.pluginCpuMs ? "met" : "not met",
      },
      webhookPlugin: stat(w.plugin),
      webhookCore: stat(w.core),
      webhookStatuses: { plugin: w.pluginStatus, core: w.coreStatus },
      overCompletion,
      completion: stat(w.completion),
      burst,
    })
  }
  return rows
}

/** The judged ratios whose interval spans the target: what more pairs could still decide. */
function undecided(rows) {
  const open = []
  for (const r of rows) {
    if (r.failure || r.medusaOnly) continue
    for (const key of ["session", "checkout", "cpuRatio"])
      if (r[key].verdict === "undecided") open.push(`${r.name} ${key}`)
  }
  return open
}

function stat(values) {
  return { median: median(values), p90: quantile(values, 0.9), max: Math.max(...values), n: values.length }
}

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : "–")
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : "–")
const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : "–")
const r3 = (x) => (Number.isFinite(x) ? x.toFixed(3) : "–")
const ci = (r) => `${r3(r.median)} [${r3(r.low)}, ${r3(r.high)}]${r.verdict ? ` ${r.verdict}` : ""}`
const ciMs = (r, digits = f1) => `${digits(r.median)} [${digits(r.low)}, ${digits(r.high)}]`
const ms = (s) => `${f1(s.median)} / ${f1(s.p90)}`

/**
 * Several bursts of one webhook, judged on the worst: met only where every burst made exactly one order and every
 * delivery of every burst was acknowledged (a 2xx) within the target. Undefined where none ran.
 */
function burstSummary(bursts) {
  if (bursts.length === 0) return undefined
  const statuses = {}
  for (const b of bursts) for (const [k, v] of Object.entries(b.statuses)) statuses[k] = (statuses[k] ?? 0) + v
  const slowest = bursts.map((b) => Math.max(...b.times))
  const orders = bursts.map((b) => b.orders)
  const maxMs = Math.max(...slowest)
  const allAcknowledged = Object.keys(statuses).every((status) => /^2\d\d$/.test(status))
  const oneOrderEach = orders.every((o) => o === 1)
  return {
    n: bursts.length,
    orders,
    oneOrderEach,
    statuses,
    times: bursts.flatMap((b) => b.times),
    slowest,
    maxMs,
    allAcknowledged,
    verdict: oneOrderEach && allAcknowledged && maxMs <= TARGETS.burstMs ? "met" : "not met",
  }
}

/** "1 order" for one burst, "1 order each of 3 bursts", or the orders of each where one is wrong. */
function burstOrders(burst) {
  if (!burst.oneOrderEach) return `orders ${burst.orders.join(", ")} (WRONG)`
  return burst.n === 1 ? "1 order" : `1 order each of ${burst.n} bursts`
}

/** One line per provider: each target and its verdict. */
function verdictRows(rows) {
  const head = [
    "provider",
    `session (a − wait) ÷ reference a, ≤ ${TARGETS.session}`,
    `a+b − wait ÷ reference, ≤ ${TARGETS.checkout}`,
    `Medusa CPU ÷ reference, ≤ ${TARGETS.cpu}`,
    `plugin's own CPU per checkout (profile), ≤ ${TARGETS.pluginCpuMs} ms`,
    `webhook to order − Medusa's completion, ≤ ${TARGETS.webhookOverCompletionMs} ms`,
    `bursts of 50: one order each, every answer a 2xx ≤ ${TARGETS.burstMs} ms`,
  ]
  const body = rows
    .filter((r) => !r.failure && !r.medusaOnly)
    .map((r) => [
      r.name,
      ci(r.session),
      ci(r.checkout),
      ci(r.cpuRatio),
      r.profile ? `${f2(r.profile.provider.plugin)} ms ${r.profile.verdict}` : "not profiled (run with --profile)",
      `${ciMs(r.overCompletion, f0)} ms ${r.overCompletion.verdict}`,
      r.burst ? `${burstOrders(r.burst)}, slowest ${f0(r.burst.maxMs)} ms ${r.burst.verdict}` : "–",
    ])
  return [head, ...body]
}

function checkoutRows(rows) {
  const head = [
    "provider (against)",
    "a ms med/p90",
    "base a",
    "b ms med/p90",
    "base b",
    "gateway wait ms (sandbox's part)",
    "gw calls",
    "session ratio",
    "a+b ratio",
    "a+b added ms",
    "CPU ms",
    "base CPU",
    "CPU ratio",
  ]
  const body = rows.map((r) =>
    r.failure
      ? [r.name, `not measured: ${r.failure}`]
      : [
          `${r.name} (${r.baseName}, n=${r.n})`,
          ms(r.a),
          ms(r.baseA),
          ms(r.b),
          ms(r.baseB),
          `${f1(r.wait.median)} (${f1(r.sandbox.median)})`,
          String(r.calls),
          ci(r.session),
          ci(r.checkout),
          ciMs(r.addedMs),
          f1(r.cpu.median),
          f1(r.baseCpu.median),
          ci(r.cpuRatio),
        ]
  )
  return [head, ...body]
}

/** Where Medusa's CPU went within each row's checkouts, from the profile. */
function profileRows(rows) {
  const head = [
    "provider (against)",
    "sampled CPU per checkout ms (base)",
    "plugin's own, inclusive (base)",
    "plugin's own, self",
    "the record's (base)",
    "most self time beyond the base's, by package or file (ms per checkout)",
    "the plugin's, by entry point (ms per checkout)",
  ]
  const body = rows
    .filter((r) => !r.failure && r.profile)
    .map((r) => {
      const { provider, base } = r.profile
      const beyond = Object.entries(r.profile.beyondBase ?? {})
        .slice(0, 5)
        .map(([k, v]) => `${k} ${v >= 0 ? "+" : ""}${f2(v)}`)
        .join(", ")
      return [
        `${r.name} (${r.baseName})`,
        `${f1(provider.cpu)} (${f1(base.cpu)})`,
        `${f2(provider.plugin)} (${f2(base.plugin)})`,
        f2(provider.pluginSelf),
        `${f2(provider.record ?? 0)} (${f2(base.record ?? 0)})`,
        beyond,
        Object.entries(provider.entries ?? {})
          .slice(0, 5)
          .map(([k, v]) => `${k.replace(/ src\//, " (")}) ${f2(v)}`)
          .join(", "),
      ]
    })
  return [head, ...body]
}

const CAUSE_NOTE = `Each sample of a provider's checkout windows (each part plus 25 ms) minus its base's, per checkout, under the first cause that applies: garbage collection; the HTTP client of a gateway call (a frame of axios or of Node's HTTP client on the stack: building and sending the request, reading the answer, and what runs in their callbacks: the plugin's answer handlers that axios calls, and the benchmark's own wait meter, which listens on Node's HTTP client); the plugin's own code (its frames, as above, less the HTTP client it calls: this includes the statements it builds); the database driver (a frame of knex or pg with no plugin frame beneath: sending statements and reading their answers, Medusa's and the plugin's alike; a provider's extra here is mostly the round trips of its statements: the buyer's details, the record, a session looked up); the rest (Medusa, its ORM, Node). A sampled difference of two sets of checkouts: "the rest" and garbage collection move by some ms between runs; the HTTP client and the plugin's own code are steady.`

/** A provider's CPU beyond its base's, by cause (profile-summary's CAUSES), for the session (a) and the completion (b). */
function causeRows(rows) {
  const head = [
    "provider (against)",
    "part",
    "gateway calls' HTTP client (axios, Node)",
    "the plugin's own code",
    "database driver (knex, pg)",
    "garbage collection",
    "the rest (Medusa, its ORM, Node)",
    "all",
  ]
  const signed = (x) => (Number.isFinite(x) ? `${x >= 0 ? "+" : ""}${x.toFixed(2)}` : "–")
  const body = []
  for (const r of rows.filter((r) => !r.failure && r.profile?.extraByCause)) {
    for (const [part, label] of [
      ["a", "a: session"],
      ["b", "b: completion"],
    ]) {
      const c = r.profile.extraByCause[part]
      body.push([
        `${r.name} (${r.baseName})`,
        label,
        signed(c.httpClient),
        signed(c.plugin),
        signed(c.dbDriver),
        signed(c.gc),
        signed(c.rest),
        signed(c.total),
      ])
    }
  }
  return [head, ...body]
}

function webhookRows(rows) {
  const head = [
    "provider",
    "plugin route ms med/p90/max",
    "Medusa's completion beside it (floor b) ms med",
    "minus Medusa's completion, per pair, ms",
    "core route ms med/max",
    "answers (plugin; core)",
    "bursts of 50: orders",
    "burst answers",
    "each burst's slowest answer ms",
  ]
  const tally = (t) =>
    Object.entries(t ?? {})
      .map(([k, v]) => `${v}×${k}`)
      .join(" ")
  const body = rows
    .filter((r) => !r.failure && !r.medusaOnly)
    .map((r) => [
      r.name,
      `${f0(r.webhookPlugin.median)} / ${f0(r.webhookPlugin.p90)} / ${f0(r.webhookPlugin.max)} (n=${r.webhookPlugin.n})`,
      f0(r.completion.median),
      `${ciMs(r.overCompletion, f0)} ${r.overCompletion.verdict}`,
      `${f0(r.webhookCore.median)} / ${f0(r.webhookCore.max)} (n=${r.webhookCore.n})`,
      `${tally(r.webhookStatuses.plugin)}; ${tally(r.webhookStatuses.core)}`,
      r.burst ? `${r.burst.orders.join(", ")}${r.burst.oneOrderEach ? " (ok)" : " (WRONG)"}` : "–",
      r.burst ? tally(r.burst.statuses) : "–",
      r.burst
        ? `${r.burst.slowest.map(f0).join(", ")} (median answer ${f0(median(r.burst.times))}) ${r.burst.verdict}`
        : "–",
    ])
  return [head, ...body]
}

function recordingRows(recording) {
  const row = (name, f) => [name, f1(f.a), f1(f.b), f1(f.cpu), f1(f.cpuAll)]
  return [
    ["record", "a (ms)", "b (ms)", "Medusa CPU (ms)", "all CPU per checkout (ms)"],
    row("on", recording.on),
    row("off", recording.off),
  ]
}

const recordingVerdict = (recording) => verdict(recording.added, TARGETS.recordMs)

/** The record's own CPU per checkout in the profiled checkouts, where there was a profile. */
function recordCpu(rows) {
  const measured = rows.filter((r) => !r.failure && !r.medusaOnly && r.profile)
  if (!measured.length) return ""
  const list = measured.map((r) => `${r.name} ${f2(r.profile.provider.record ?? 0)}`).join(", ")
  return (
    ` The record's own CPU within the profiled checkouts (its frames, as "the record's" below): ${list} ms per ` +
    "checkout; the request never waits for it, so this is what it can take from a and b by sharing Medusa's " +
    "thread, less what runs in callbacks outside its frames."
  )
}

function plainTable(table) {
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => (row[i] ?? "").length)))
  return table.map((row) => row.map((cell, i) => (cell ?? "").padEnd(widths[i])).join("  ")).join("\n")
}

function markdownTable(table) {
  const line = (row) => `| ${row.map((c) => (c ?? "").replace(/\|/g, "\\|")).join(" | ")} |`
  return [line(table[0]), line(table[0].map(() => "---")), ...table.slice(1).map(line)].join("\n")
}

function metaLine(meta) {
  const pairs = meta.adaptive
    ? `${meta.pairs} pairs per provider: ${meta.adaptive.min}, then ${meta.adaptive.step} more at a time until every judged interval was on one side of its target${meta.pairs >= meta.adaptive.max ? ` (stopped at the most, ${meta.adaptive.max})` : ""}`
    : `${meta.pairs} pairs per provider`
  return `${meta.date}, ${meta.mode} run (${pairs}), ${meta.seconds.toFixed(0)} s, load average ${meta.load.toFixed(2)} at the end; Node ${meta.node}, Medusa ${meta.medusa}, ${meta.postgres}; ${meta.machine}`
}

function renderTable(rows, meta, recording) {
  return [
    "",
    metaLine(meta),
    "",
    "Verdicts (median [95 % interval]; met: the interval within the target; not met: wholly past it; undecided: it spans it)",
    plainTable(verdictRows(rows)),
    recording
      ? `record on − off, a+b per pair: ${ciMs(recording.added)} ms, ≤ ${TARGETS.recordMs} ms ${recordingVerdict(recording)}`
      : "",
    "",
    "Checkout (a = create payment session, b = complete cart; ratios: median of per-pair ratios [95 % bootstrap])",
    plainTable(checkoutRows(rows)),
    "",
    ...(rows.some((r) => r.profile) ? ["Profile, per checkout", plainTable(profileRows(rows)), ""] : []),
    "Webhook to order",
    plainTable(webhookRows(rows)),
    "",
  ].join("\n")
}

function renderMarkdown(rows, meta, recording) {
  const calls = rows
    .filter((r) => !r.failure && !r.medusaOnly)
    .map((r) => `- ${r.name}: ${r.callList.join(", ")}`)
    .join("\n")
  const profiled = rows.some((r) => r.profile)
  return `# Benchmarks

What each payment provider costs a store, from \`npm run bench\` (\`--quick\` for a short run, \`--profile\` for the
plugin's own CPU). A real Medusa runs in its own process on the embedded PostgreSQL, the gateways stood in for by
the sandbox (\`src/sandbox\`). Every checkout through a provider is paired with one through the **reference**: a
zero-work provider (\`scripts/bench/floor-provider.ts\`, captures at once, no gateway) whose session hands back a
reference and a page address, as every hosted-page provider must. Medusa then writes the session's data once more
than for a provider that adds nothing to it, so the reference is Medusa's own cost of any provider that stores a
session, and the plugin is judged against it. The reference is itself paired with the **floor** (the same provider
storing nothing), as a row of its own: Medusa's storing cost, not judged. Each pair runs in random order and the
rows are shuffled per round, so that the machine's noise falls on both sides of a pair.

- **a**: \`POST /store/payment-collections/:id/payment-sessions\`; **b**: \`POST /store/carts/:id/complete\` (after
  paying on the sandbox's hosted page). Latencies are as the load generator sees them, in ms.
- **gateway wait ms**: how long Medusa waited on the gateway calls made within a and b, from the request being made
  to the answer's last byte (\`scripts/bench/gateway-wait.js\`, Node's HTTP diagnostics channel inside Medusa):
  the gateway's time as a store sees it, loopback trip and the sandbox's HTTP handling included. In brackets, the
  sandbox's own answer time, a part of it. The wait is wall time: Medusa's own work in the same process during a
  call (a parallel step, garbage collection) falls into it too. The wait is taken out of the provider's a and b in
  the ratios and in "added ms"; the plugin's own work before each request and after each answer (building,
  signing, parsing, checking) stays in.
- **ratios**: median of per-pair ratios (provider ÷ reference) with a 95 % bootstrap interval. Session:
  (a − wait) ÷ reference a; a+b: (a + b − wait) ÷ reference (a + b); CPU: Medusa's CPU time (all its threads, from
  /proc) over a and b, each plus 25 ms for work after the answer. **met**: the interval's upper bound is within the
  target; **not met**: its lower bound is past it; **undecided**: the interval spans the target, and the run could
  not tell (a full run adds pairs until none is, up to a limit).
- **the plugin's own CPU** (\`--profile\`; V8's sampling profiler in Medusa every 0.2 ms,
  \`scripts/bench/profiler.js\`; attributed by \`scripts/bench/profile-summary.js\`): the samples that fall within
  a provider's checkout windows (a and b, each plus 25 ms) and have a frame of the plugin's files (\`src/\`) on their
  stack with no frame of Express's router between it and the sample, each counted once, divided by the provider's
  checkouts. That holds the plugin's functions and what they call while they run (zod, axios building a request,
  hashing, Medusa's services they call); it leaves out the rest of a request that a plugin middleware hands on to
  with \`next()\` (Medusa's route, run on top of the middleware's frame through Express's router), work that runs
  later in a callback with no plugin frame beneath it (axios reading an answer off the socket, the ORM mapping a
  query's rows) and Medusa's own work around the provider's calls: those show in the ratios against the reference.
  "Self" is the samples whose running function is the plugin's own. "By entry point" splits the plugin's by its
  outermost frame (a route's middleware, a provider method, the record's writer); the middlewares run on the
  reference's and the floor's checkouts too (the base column). "The record's": the samples with a frame of the
  record's files on their stack by the same rule (saying what happened, the subscriber, the writer, the buyer's
  return read for it; the event bus carrying a record to the subscriber and the driver reading the write's answer
  run in callbacks without one, and are not in it). "Beyond the base's": self time by package in the provider's
  checkouts minus the base's, whoever called it: where a provider's extra CPU goes, inside the plugin's frames or
  not (Node's HTTP client and axios reading answers, the ORM, garbage collection); a sampled difference, noisy
  to some tenths of a ms. The profiler slows Medusa by some per cent on both sides of every pair alike.
- **webhook to order**: from handing the sandbox's paid webhook to Medusa to the order existing in the database.
  The plugin's route answers once the order exists (that answer's time is the figure when the order is there
  then); Medusa's core route answers at once and processes later. Each delivery through the plugin's route is
  paired with Medusa's own cart completion (a checkout through the floor, its b) measured just before or after it,
  in random order: judged on the median of the per-pair differences, with a bootstrap interval.
- **burst**: the same valid webhook 50 times at once through the plugin's route: exactly one order must result,
  and every delivery be answered within ${TARGETS.burstMs} ms (from sending all 50). Three bursts per gateway (one
  with --quick), judged on the worst: every burst one order, every answer a 2xx, and the slowest of all within the
  target.

${metaLine(meta)}

## Verdicts

${markdownTable(verdictRows(rows))}
${recording ? `\nThe plugin's record (${recording.gateway}, ${recording.rounds} pairs): a+b with the record on minus off, per pair, ${ciMs(recording.added)} ms against ≤ ${TARGETS.recordMs} ms: **${recordingVerdict(recording)}**.${recordCpu(rows)}\n` : ""}${profiled ? "" : "\nThe plugin's own CPU is measured only in a profiled run (`--profile`).\n"}
## Checkout

${markdownTable(checkoutRows(rows))}
${profiled ? `\n## Where Medusa's CPU went (profile, per checkout)\n\n${markdownTable(profileRows(rows))}\n\n### A provider's CPU beyond its base's, by cause (profile, ms per checkout)\n\n${CAUSE_NOTE}\n\n${markdownTable(causeRows(rows))}\n` : ""}
## Webhook to order

${markdownTable(webhookRows(rows))}

Gateway calls of one checkout:
${calls}
${
  recording
    ? `
## The plugin's record, on and off

${recording.gateway} checkouts alternating between two new Medusa servers on the same database, alike but for \`HPP_RECORD=off\` (${recording.rounds} pairs, medians; a = creating the payment session, b = completing the cart, CPU = the server's CPU within a and b, each plus 25 ms). The plugin's subscriber queues each record, and the record's writer writes what is queued a moment later in one statement (100 ms in a store; 10 ms here, \`HPP_RECORD_WRITE_AFTER_MS\`, so that the write falls in the checkout's measured window); the request never waits for it. "All CPU" is the server's CPU over all its rounds, whenever it fell (the records written after the answers included, the cart's creation, and the scheduled jobs both servers run alike), per checkout. a+b on − off, per pair: ${ciMs(recording.added)} ms, ${recordingVerdict(recording)} (≤ ${TARGETS.recordMs} ms).

${markdownTable(recordingRows(recording))}
`
    : ""
}`
}

module.exports = { summarize, undecided, verdict, renderTable, renderMarkdown, burstSummary, TARGETS }
