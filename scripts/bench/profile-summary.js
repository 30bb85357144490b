#!/usr/bin/env node
/**
 * `node scripts/bench/profile-summary.js <file.cpuprofile> [filter] [--pairs=.tmp/bench/pairs.json]`: where Medusa's
 * CPU went in a profile that `npm run bench -- --profile` wrote. Prints self time by package (this plugin's files
 * by path) and the functions with the most inclusive time whose file matches `filter` (default: this repository's
 * own code). With the run's pairs, also each row's CPU per checkout within its checkouts' windows (see `byWindow`).
 *
 * How CPU is attributed to the plugin's own code: a sample counts as the plugin's when a frame on its stack is in
 * the plugin's files (`src/`, as Medusa loads them) and no frame of Express's router lies between it and the
 * sample, counted once however many such frames it has ("inclusive"). So it holds the plugin's own functions and
 * whatever they call while they run: zod, axios building a request, crypto, and Medusa's services that a plugin
 * function calls. It leaves out the rest of a request that a plugin middleware hands on with `next()` (Medusa's
 * route runs on top of the middleware's frame, through Express's router: Medusa's work), work that runs later in
 * callbacks with no plugin frame beneath it (axios reading an answer off the socket, a query's result being
 * mapped by the ORM), and Medusa's own work around a provider's calls (its workflow, its writes of what the
 * provider returned): those show as the difference between a provider's row and the reference row.
 */
const fs = require("node:fs")
const path = require("node:path")

const root = path.resolve(__dirname, "..", "..")
/** Work after an answer (events, subscribers) belongs to the checkout: as the CPU meter, each window plus this. */
const SETTLE_MS = 25

function where(url, name) {
  if (!url) return name.startsWith("(") ? name : "(native / V8)"
  const p = url.replace(/^file:\/\//, "")
  const nm = p.lastIndexOf("node_modules/")
  if (nm >= 0) {
    const rest = p.slice(nm + 13).split("/")
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]
  }
  if (p.startsWith(root)) return path.relative(root, p)
  if (p.startsWith("node:")) return "node"
  return p
}

/** The plugin's own files, as Medusa loads them (from src/, or a build's .medusa/server/src/). */
const isPlugin = (place) => place.startsWith("src/") || place.startsWith(".medusa/server/src/")

/** A frame of Express's router: what runs above it is the rest of a request a middleware handed on with next(). */
const isRouter = (node) => node.callFrame.url.includes("/node_modules/express/lib/router/")

/** The plugin's record: saying what happened, the subscriber, the writer, and the buyer's return being read for it. */
const RECORD_FILE =
  /src\/(lib\/record|subscribers\/hpp-record|modules\/hpp-record\/service|api\/record-buyer-return)\.[jt]s$/
const isRecord = (place) => isPlugin(place) && RECORD_FILE.test(place)

/** Where a gateway call's work runs: axios (and its retry), and Node's HTTP client (a request, its socket, its answer). */
const HTTP_CLIENT_PACKAGES = new Set(["axios", "axios-retry", "follow-redirects"])
const isHttpClient = (node) =>
  HTTP_CLIENT_PACKAGES.has(node.place) || /^node:_http_(client|agent)$/.test(node.callFrame.url)
/** The database driver, whoever's statement it runs: knex (and its pool) and pg. */
const DB_DRIVER_PACKAGES = new Set(["knex", "tarn", "pg", "pg-protocol", "pg-pool"])

/**
 * What a sample's CPU was spent on, one cause each, the first that applies: garbage collection; a gateway call's HTTP
 * client (an axios or Node HTTP client frame on the stack: building and sending a request, reading its answer, and
 * the callbacks they run: the plugin's answer handlers, the benchmark's wait meter); the plugin's own code (as
 * `plugin` below, less its calls' HTTP client: the statements it builds included); the database driver (a frame of
 * knex or pg with no plugin frame beneath: sending statements and reading their answers, Medusa's and the plugin's
 * alike); the rest (Medusa, its ORM, Node).
 */
const CAUSES = ["gc", "httpClient", "plugin", "dbDriver", "rest"]

/** A profile with each node's parent and place, and each sample's time (µs, V8's monotonic clock) and self ms. */
function load(file) {
  const profile = JSON.parse(fs.readFileSync(file, "utf8"))
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
  for (const n of profile.nodes) {
    n.place = where(n.callFrame.url, n.callFrame.functionName)
    for (const child of n.children ?? []) nodes.get(child).parent = n.id
  }
  // Who a node's stack works for, from the frame nearest to it: a plugin frame (the plugin's work; its entry point
  // is the outermost plugin frame below Express's router: a route's middleware, a provider method, a subscriber),
  // or a frame of Express's router, which runs the rest of a request when a plugin middleware hands it on with
  // next(): Medusa's route and everything it calls are then on the stack above the middleware, and are Medusa's
  // work, not the plugin's. Once per node, then per sample by lookup.
  const owner = new Map()
  const ownerOf = (id) => {
    if (owner.has(id)) return owner.get(id)
    const n = nodes.get(id)
    const above = n.parent === undefined ? { plugin: false, entry: null } : ownerOf(n.parent)
    let found = above
    if (isPlugin(n.place))
      found = {
        plugin: true,
        entry: above.plugin ? above.entry : `${n.callFrame.functionName || "(anonymous)"} ${n.place}`,
      }
    else if (isRouter(n)) found = { plugin: false, entry: null }
    owner.set(id, found)
    return found
  }
  // Whether a node works for the record: a frame of the record's files below it and no frame of Express's router
  // between (the buyer's return middleware hands the request on with next(): Medusa's route is not the record's).
  const inRecord = new Map()
  const recordOf = (id) => {
    if (inRecord.has(id)) return inRecord.get(id)
    const n = nodes.get(id)
    const found = isRecord(n.place) || (!isRouter(n) && n.parent !== undefined && recordOf(n.parent))
    inRecord.set(id, found)
    return found
  }
  // Whether a node's stack has a frame of the HTTP client, or of the database driver. Once per node.
  const onStack = (test) => {
    const memo = new Map()
    const has = (id) => {
      if (memo.has(id)) return memo.get(id)
      const n = nodes.get(id)
      const found = test(n) || (n.parent !== undefined && has(n.parent))
      memo.set(id, found)
      return found
    }
    return has
  }
  const inHttpClient = onStack(isHttpClient)
  const inDbDriver = onStack((n) => DB_DRIVER_PACKAGES.has(n.place))
  const causeOf = (node, plugin) =>
    node.place === "(garbage collector)"
      ? "gc"
      : inHttpClient(node.id)
        ? "httpClient"
        : plugin
          ? "plugin"
          : inDbDriver(node.id)
            ? "dbDriver"
            : "rest"
  const samples = []
  let t = profile.startTime
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0
    // A sample stands for the time until the next one.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000
    const node = nodes.get(profile.samples[i])
    const { plugin, entry } = ownerOf(node.id)
    samples.push({
      at: t,
      ms,
      node,
      idle: node.callFrame.functionName === "(idle)",
      plugin,
      pluginEntry: entry,
      record: recordOf(node.id),
      cause: causeOf(node, plugin),
    })
  }
  const clockFile = file.replace(/\.cpuprofile$/, ".clock.json")
  const clock = fs.existsSync(clockFile) ? JSON.parse(fs.readFileSync(clockFile, "utf8")) : undefined
  return { profile, nodes, samples, clock }
}

/**
 * Each row's CPU per checkout within its checkouts' windows (a and b, each plus SETTLE_MS), from the run's pairs
 * (`pairs[row] = [{ base, provider }]`, windows in the load generator's Date.now()): all of Medusa's sampled CPU,
 * the plugin's (see the top of this file), and self time by package. For the provider's checkouts and, apart, for
 * the row's base checkouts (the reference or the floor).
 */
function byWindow(loaded, pairs) {
  const { samples, clock } = loaded
  if (!clock) throw new Error("the profile has no .clock.json beside it: it was not written by this benchmark")
  const toEpoch = (us) => clock.epochMs + (us - clock.monotonicUs) / 1000
  const windows = []
  for (const [row, list] of Object.entries(pairs)) {
    for (const pair of list) {
      for (const which of ["provider", "base"]) {
        for (const [part, [from, to]] of Object.entries(pair[which].windows))
          windows.push({ row, which, part, from, to: to + SETTLE_MS })
      }
    }
  }
  windows.sort((x, y) => x.from - y.from)
  const tally = new Map()
  const entry = (row, which) => {
    const key = `${row} ${which}`
    if (!tally.has(key))
      tally.set(key, {
        cpu: 0,
        plugin: 0,
        pluginSelf: 0,
        record: 0,
        packages: new Map(),
        entries: new Map(),
        causes: { a: zeroCauses(), b: zeroCauses() },
      })
    return tally.get(key)
  }
  let w = 0
  for (const s of samples) {
    if (s.idle || !s.ms) continue
    const at = toEpoch(s.at)
    while (w < windows.length && windows[w].to < at) w++
    const win = windows[w]
    if (!win || at < win.from) continue
    const e = entry(win.row, win.which)
    e.cpu += s.ms
    if (s.plugin) {
      e.plugin += s.ms
      e.entries.set(s.pluginEntry, (e.entries.get(s.pluginEntry) ?? 0) + s.ms)
    }
    if (isPlugin(s.node.place)) e.pluginSelf += s.ms
    if (s.record) e.record += s.ms
    e.packages.set(s.node.place, (e.packages.get(s.node.place) ?? 0) + s.ms)
    const causes = e.causes[win.part]
    if (causes) {
      causes[s.cause] += s.ms
      causes.total += s.ms
    }
  }
  const result = {}
  for (const [row, list] of Object.entries(pairs)) {
    result[row] = {}
    for (const which of ["provider", "base"]) {
      const e = entry(row, which)
      const n = list.length
      result[row][which] = {
        n,
        cpu: e.cpu / n,
        plugin: e.plugin / n,
        pluginSelf: e.pluginSelf / n,
        record: e.record / n,
        packages: perCheckout(e.packages, n),
        entries: perCheckout(e.entries, n),
        causes: Object.fromEntries(
          Object.entries(e.causes).map(([part, c]) => [
            part,
            Object.fromEntries(Object.entries(c).map(([k, ms]) => [k, ms / n])),
          ])
        ),
      }
    }
    // What a provider's checkout costs beyond its base's, by where the time was spent (self time), whoever called:
    // the plugin's own files, and the packages whose work the provider adds to Medusa's (an HTTP client reading
    // answers, the ORM writing a larger session, the event bus carrying records). Largest addition first.
    const { provider, base } = result[row]
    const places = new Set([...Object.keys(provider.packages), ...Object.keys(base.packages)])
    result[row].beyondBase = Object.fromEntries(
      [...places].map((k) => [k, (provider.packages[k] ?? 0) - (base.packages[k] ?? 0)]).sort((x, y) => y[1] - x[1])
    )
    // The same difference by cause (see CAUSES), for the session (a) and the completion (b) apart.
    result[row].extraByCause = Object.fromEntries(
      ["a", "b"].map((part) => [
        part,
        Object.fromEntries([...CAUSES, "total"].map((k) => [k, provider.causes[part][k] - base.causes[part][k]])),
      ])
    )
  }
  return result
}

const zeroCauses = () => Object.fromEntries([...CAUSES, "total"].map((k) => [k, 0]))

/** A tally as { key: ms per checkout }, largest first. */
const perCheckout = (tally, n) =>
  Object.fromEntries([...tally].map(([k, ms]) => [k, ms / n]).sort((x, y) => y[1] - x[1]))

function main() {
  const args = process.argv.slice(2)
  const pairsArg = args.find((a) => a.startsWith("--pairs="))
  const [file, filter = "src/"] = args.filter((a) => !a.startsWith("--"))
  if (!file) {
    console.error("usage: profile-summary.js <file.cpuprofile> [filter] [--pairs=.tmp/bench/pairs.json]")
    process.exit(2)
  }
  const loaded = load(file)
  const { nodes, samples } = loaded
  const total = samples.reduce((a, s) => a + s.ms, 0)
  const idle = samples.filter((s) => s.idle).reduce((a, s) => a + s.ms, 0)
  const byPackage = new Map()
  for (const s of samples) byPackage.set(s.node.place, (byPackage.get(s.node.place) ?? 0) + s.ms)

  // Inclusive time per function, each counted once per stack (recursion not doubled).
  const self = new Map()
  for (const s of samples) self.set(s.node.id, (self.get(s.node.id) ?? 0) + s.ms)
  const inclusive = new Map()
  const keyOf = (n) =>
    `${n.callFrame.functionName || "(anonymous)"} ${where(n.callFrame.url, "")}:${n.callFrame.lineNumber + 1}`
  const walk = (id, onStack) => {
    const node = nodes.get(id)
    const key = keyOf(node)
    let ms = self.get(id) ?? 0
    const added = !onStack.has(key)
    if (added) onStack.add(key)
    for (const child of node.children ?? []) ms += walk(child, onStack)
    if (added) {
      onStack.delete(key)
      inclusive.set(key, (inclusive.get(key) ?? 0) + ms)
    }
    return ms
  }
  walk(loaded.profile.nodes[0].id, new Set())

  const pct = (ms) => `${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)} %`
  console.log(`${total.toFixed(0)} ms sampled, ${idle.toFixed(0)} ms of them idle\n\nSelf time by package or file:`)
  for (const [k, ms] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(ms)}  ${k}`)
  console.log(`\nInclusive time, functions in files matching "${filter}":`)
  for (const [k, ms] of [...inclusive]
    .filter(([k]) => k.split(" ")[1].startsWith(filter))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 30))
    console.log(`${pct(ms)}  ${k}`)

  if (pairsArg) {
    const rows = byWindow(loaded, JSON.parse(fs.readFileSync(pairsArg.split("=")[1], "utf8")))
    console.log(
      "\nPer checkout within the checkouts' windows (ms): Medusa's sampled CPU; the plugin's (inclusive; self)"
    )
    for (const [row, r] of Object.entries(rows)) {
      for (const which of ["provider", "base"]) {
        const e = r[which]
        const top = Object.entries(e.packages)
          .slice(0, 6)
          .map(([k, ms]) => `${k} ${ms.toFixed(1)}`)
          .join(", ")
        console.log(
          `${`${row} ${which}`.padEnd(22)} n=${e.n}  CPU ${e.cpu.toFixed(1).padStart(6)}  plugin ${e.plugin.toFixed(2)}; ${e.pluginSelf.toFixed(2)}  | ${top}`
        )
        const entries = Object.entries(e.entries)
          .map(([k, ms]) => `${k} ${ms.toFixed(2)}`)
          .join(", ")
        if (entries) console.log(`${"".padEnd(22)} the plugin's, by entry point: ${entries}`)
      }
    }
    console.log("\nA provider's checkout minus its base's, self time by package or file (ms per checkout)")
    for (const [row, r] of Object.entries(rows)) {
      console.log(
        `${row.padEnd(12)} ${(r.provider.cpu - r.base.cpu).toFixed(1).padStart(6)}  | ` +
          Object.entries(r.beyondBase)
            .slice(0, 10)
            .map(([k, ms]) => `${k} ${ms >= 0 ? "+" : ""}${ms.toFixed(2)}`)
            .join(", ")
      )
    }
  }
}

if (require.main === module) main()

module.exports = { load, byWindow, isPlugin, isRecord, SETTLE_MS, CAUSES }
