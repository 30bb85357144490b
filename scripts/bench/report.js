/** The benchmark's numbers: per-pair ratios with their intervals, the targets, and the table and page. */
const { median, quantile, medianWithInterval } = require("./stats")

const TARGETS = { session: 1.05, checkout: 1.02, cpu: 1.03, webhookMs: 1000 }

function summarize({ gateways, usable, pairs, webhooks }) {
  const rows = []
  for (const gateway of gateways) {
    if (!usable.includes(gateway)) {
      rows.push({ name: gateway.name, failure: gateway.failure ?? "not measured" })
      continue
    }
    const list = pairs[gateway.gateway]
    // The gateway's time as Medusa waits on it (scripts/bench/gateway-wait.js) is taken out; the plugin's own work
    // around each call stays in.
    const net = (c) => c.a + c.b - c.waitA - c.waitB
    const ratio = (values, target) => ({ ...medianWithInterval(values), target })
    const w = webhooks[gateway.gateway] ?? { plugin: [], core: [] }
    rows.push({
      name: gateway.name,
      // The zero-work provider storing a reference: Medusa's cost, with no gateway and no webhooks.
      medusaOnly: gateway.gateway === "reference",
      n: list.length,
      a: stat(list.map((p) => p.provider.a)),
      b: stat(list.map((p) => p.provider.b)),
      floorA: stat(list.map((p) => p.floor.a)),
      floorB: stat(list.map((p) => p.floor.b)),
      sandbox: stat(list.map((p) => p.provider.sandboxA + p.provider.sandboxB)),
      wait: stat(list.map((p) => p.provider.waitA + p.provider.waitB)),
      calls: median(list.map((p) => p.provider.calls)),
      callList: list[0]?.provider.callList ?? [],
      cpu: stat(list.map((p) => p.provider.cpu)),
      floorCpu: stat(list.map((p) => p.floor.cpu)),
      addedMs: medianWithInterval(list.map((p) => net(p.provider) - (p.floor.a + p.floor.b))),
      session: ratio(
        list.map((p) => (p.provider.a - p.provider.waitA) / p.floor.a),
        TARGETS.session
      ),
      checkout: ratio(
        list.map((p) => net(p.provider) / (p.floor.a + p.floor.b)),
        TARGETS.checkout
      ),
      cpuRatio: ratio(
        list.map((p) => p.provider.cpu / p.floor.cpu),
        TARGETS.cpu
      ),
      webhookPlugin: stat(w.plugin),
      webhookCore: stat(w.core),
      webhookStatuses: { plugin: w.pluginStatus, core: w.coreStatus },
      burst: w.burst,
    })
  }
  return rows
}

function stat(values) {
  return { median: median(values), p90: quantile(values, 0.9), max: Math.max(...values), n: values.length }
}

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : "–")
const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : "–")
const r3 = (x) => (Number.isFinite(x) ? x.toFixed(3) : "–")
const met = (r) => (r.high <= r.target ? "met" : "not met")
const ci = (r, judged = true) => `${r3(r.median)} [${r3(r.low)}, ${r3(r.high)}]${judged ? ` ${met(r)}` : ""}`
const ms = (s) => `${f1(s.median)} / ${f1(s.p90)}`
const webhookMet = (s) => (s.n && s.max < TARGETS.webhookMs ? "met" : "not met")

function checkoutRows(rows) {
  const head = [
    "provider",
    "a ms med/p90",
    "floor a",
    "b ms med/p90",
    "floor b",
    "gateway wait ms (sandbox's part)",
    "gw calls",
    `session ratio (≤ ${TARGETS.session})`,
    `a+b ratio (≤ ${TARGETS.checkout})`,
    "a+b added ms",
    "CPU ms",
    "floor CPU",
    `CPU ratio (≤ ${TARGETS.cpu})`,
  ]
  const body = rows.map((r) =>
    r.failure
      ? [r.name, `not measured: ${r.failure}`]
      : [
          r.name,
          ms(r.a),
          ms(r.floorA),
          ms(r.b),
          ms(r.floorB),
          `${f1(r.wait.median)} (${f1(r.sandbox.median)})`,
          String(r.calls),
          ci(r.session, !r.medusaOnly),
          ci(r.checkout, !r.medusaOnly),
          `${f1(r.addedMs.median)} [${f1(r.addedMs.low)}, ${f1(r.addedMs.high)}]`,
          f1(r.cpu.median),
          f1(r.floorCpu.median),
          ci(r.cpuRatio, !r.medusaOnly),
        ]
  )
  return [head, ...body]
}

function webhookRows(rows) {
  const head = [
    "provider",
    "plugin route ms med/p90/max",
    `< ${TARGETS.webhookMs} ms`,
    "core route ms med/max",
    "answers (plugin; core)",
    "burst of 50: orders",
    "burst answers",
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
      webhookMet(r.webhookPlugin),
      `${f0(r.webhookCore.median)} / ${f0(r.webhookCore.max)} (n=${r.webhookCore.n})`,
      `${tally(r.webhookStatuses.plugin)}; ${tally(r.webhookStatuses.core)}`,
      r.burst ? `${r.burst.orders}${r.burst.orders === 1 ? " (ok)" : " (WRONG)"}` : "–",
      r.burst ? tally(r.burst.statuses) : "–",
    ])
  return [head, ...body]
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
  return `${meta.date}, ${meta.mode} run (${meta.pairs} pairs per provider), ${meta.seconds.toFixed(0)} s; Node ${meta.node}, Medusa ${meta.medusa}, ${meta.postgres}; ${meta.machine}`
}

function renderTable(rows, meta) {
  return [
    "",
    metaLine(meta),
    "",
    "Checkout (a = create payment session, b = complete cart; ratios: median of per-pair ratios [95 % bootstrap])",
    plainTable(checkoutRows(rows)),
    "",
    "Webhook to order",
    plainTable(webhookRows(rows)),
    "",
  ].join("\n")
}

function renderMarkdown(rows, meta) {
  const calls = rows
    .filter((r) => !r.failure && !r.medusaOnly)
    .map((r) => `- ${r.name}: ${r.callList.join(", ")}`)
    .join("\n")
  return `# Benchmarks

What each payment provider costs a store, from \`npm run bench\` (\`--quick\` for a short run). A real Medusa runs in
its own process on the embedded PostgreSQL, the gateways stood in for by the sandbox (\`src/sandbox\`). Every
checkout through a provider is paired with one through a zero-work provider (\`scripts/bench/floor-provider.ts\`,
captures at once, no gateway), in random order, so that the machine's noise falls on both.

- **a**: \`POST /store/payment-collections/:id/payment-sessions\`; **b**: \`POST /store/carts/:id/complete\` (after
  paying on the sandbox's hosted page). Latencies are as the load generator sees them, in ms.
- **gateway wait ms**: how long Medusa waited on the gateway calls made within a and b, from the request being made
  to the answer's last byte (\`scripts/bench/gateway-wait.js\`, Node's HTTP diagnostics channel inside Medusa):
  the gateway's time as a store sees it, loopback trip and the sandbox's HTTP handling included. In brackets, the
  sandbox's own answer time, a part of it. The wait is wall time: Medusa's own work in the same process during a
  call (a parallel step, garbage collection) falls into it too, and the request is timed from when it is sent. The wait is taken out of the provider's a and b in the ratios and in
  "added ms"; the plugin's own work before each request and after each answer (building, signing, parsing,
  checking) stays in.
- **Zero work, storing a reference**: the same zero-work provider, but its session hands back a reference and a
  page address, as every hosted-page provider must. Medusa then writes the session's data once more (the floor
  adds nothing to the data the storefront sent, so Medusa finds no change and skips that write): this row is
  Medusa's cost of any provider that stores a session, measured against the floor, not the plugin's; its ratios
  are not judged against the targets.
- **ratios**: median of per-pair ratios (provider ÷ floor) with a 95 % bootstrap interval; a target is met when
  the interval's upper bound is within it. Session: (a − wait) ÷ floor a; a+b: (a + b − wait) ÷ floor (a + b);
  CPU: Medusa's CPU time (all its threads, from /proc) over a and b, each plus ${25} ms for work after the answer.
- **webhook to order**: from handing the sandbox's paid webhook to Medusa to the order existing in the database.
  The plugin's route answers once the order exists; Medusa's core route answers at once and processes later.
- **burst**: the same valid webhook 50 times at once through the plugin's route; exactly one order must result.

${metaLine(meta)}

## Checkout

${markdownTable(checkoutRows(rows))}

## Webhook to order

${markdownTable(webhookRows(rows))}

Gateway calls of one checkout:
${calls}
`
}

module.exports = { summarize, renderTable, renderMarkdown, TARGETS }
