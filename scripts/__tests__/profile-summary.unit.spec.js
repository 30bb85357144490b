/**
 * How the benchmark's profile attributes Medusa's CPU to the plugin (scripts/bench/profile-summary.js): on a profile
 * whose stacks are those a checkout has, which samples count as the plugin's and under which entry point, and under
 * which cause a provider's CPU beyond its base's falls.
 */
const fs = require("node:fs")
const os = require("node:os")
const path = require("node:path")
const { load, byWindow } = require("../bench/profile-summary")

const root = path.resolve(__dirname, "..", "..")
const frame = (functionName, file) => ({
  functionName,
  url: !file
    ? ""
    : file.startsWith("node:")
      ? file // Node's own modules, as V8 names them
      : `file://${file.startsWith("node_modules") || file.startsWith("src") ? path.join(root, file) : file}`,
  lineNumber: 0,
})

/** A profile of one stack per leaf, each leaf sampled once (1 ms); its file, with the clock the benchmark writes. */
function profileFile(stacks, deltaUs = 1000) {
  const nodes = [{ id: 1, callFrame: frame("(root)"), children: [] }]
  const leaves = []
  for (const stack of stacks) {
    let parent = nodes[0]
    for (const [name, file] of stack) {
      const node = { id: nodes.length + 1, callFrame: frame(name, file), children: [] }
      parent.children.push(node.id)
      nodes.push(node)
      parent = node
    }
    leaves.push(parent.id)
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "profile-")), "1.cpuprofile")
  fs.writeFileSync(
    file,
    JSON.stringify({
      nodes,
      startTime: 0,
      endTime: deltaUs * leaves.length,
      samples: leaves,
      timeDeltas: leaves.map(() => deltaUs),
    })
  )
  // The profile's clock (µs) 0 is epoch ms EPOCH: sample i is at EPOCH + (i + 1) × deltaUs / 1000.
  fs.writeFileSync(file.replace(/\.cpuprofile$/, ".clock.json"), JSON.stringify({ epochMs: EPOCH, monotonicUs: 0 }))
  return file
}
const EPOCH = 1_000_000

function profileOf(stacks) {
  return load(profileFile(stacks)).samples.map((s) => ({
    plugin: s.plugin,
    entry: s.pluginEntry,
    record: s.record,
    cause: s.cause,
  }))
}

const router = ["next", "node_modules/express/lib/router/index.js"]
const handle = ["handle", "node_modules/express/lib/router/layer.js"]
const middleware = ["fillBuyerFromCart", "src/api/fill-buyer-from-cart.ts"]
const medusaRoute = ["POST", "node_modules/@medusajs/medusa/dist/api/store/payment-collections/route.js"]
const orm = ["find", "node_modules/@mikro-orm/core/EntityManager.js"]

describe("the profile's attribution to the plugin", () => {
  it("counts the plugin's middleware and what it calls, but not Medusa's route that it hands on to with next()", () => {
    const samples = profileOf([
      [handle, middleware, ["readBuyer", "src/api/fill-buyer-from-cart.ts"], ["raw", "node_modules/knex/lib/knex.js"]],
      [handle, middleware, ["run", "node:async_hooks"], router, handle, medusaRoute, orm],
    ])
    expect(samples).toEqual([
      expect.objectContaining({
        plugin: true,
        entry: "fillBuyerFromCart src/api/fill-buyer-from-cart.ts",
        record: false,
      }),
      expect.objectContaining({ plugin: false, entry: null, record: false }),
    ])
  })

  it("counts a plugin route's answer (Express's response, not its router) as the plugin's", () => {
    const route = ["POST", "src/api/hooks/hitpay/[id]/route.ts"]
    const samples = profileOf([[handle, route, ["json", "node_modules/express/lib/response.js"], ["stringify", ""]]])
    expect(samples).toEqual([
      expect.objectContaining({ plugin: true, entry: "POST src/api/hooks/hitpay/[id]/route.ts", record: false }),
    ])
  })

  it("counts a provider method Medusa calls from its route, under that method, and Medusa's work around it as Medusa's", () => {
    const provider = ["initiatePayment", "src/lib/hosted-provider.ts"]
    const samples = profileOf([
      [
        handle,
        medusaRoute,
        ["createPaymentSession", "node_modules/@medusajs/payment/dist/service.js"],
        provider,
        ["request", "node_modules/axios/lib/axios.js"],
      ],
      [handle, medusaRoute, ["createPaymentSession", "node_modules/@medusajs/payment/dist/service.js"], orm],
    ])
    expect(samples).toEqual([
      expect.objectContaining({ plugin: true, entry: "initiatePayment src/lib/hosted-provider.ts", record: false }),
      expect.objectContaining({ plugin: false, entry: null, record: false }),
    ])
  })

  it("counts as the record's what its files do and call, wherever called from, but not Medusa's route after the buyer's return middleware", () => {
    const provider = ["initiatePayment", "src/lib/hosted-provider.ts"]
    const say = ["record", "src/lib/record.ts"]
    const returnMiddleware = ["recordBuyerReturn", "src/api/record-buyer-return.ts"]
    const samples = profileOf([
      [handle, medusaRoute, provider, say, ["emit", "node_modules/@medusajs/event-bus-local/dist/service.js"]],
      [
        ["writeBatch", "src/modules/hpp-record/service.ts"],
        ["raw", "node_modules/knex/lib/knex.js"],
      ],
      [handle, returnMiddleware, router, handle, medusaRoute, orm],
      [handle, medusaRoute, provider, ["request", "node_modules/axios/lib/axios.js"]],
    ])
    expect(samples.map((s) => s.record)).toEqual([true, true, false, false])
  })

  it("puts each sample under one cause: garbage collection, a gateway call's HTTP client, the plugin, the database driver, the rest", () => {
    const provider = ["initiatePayment", "src/lib/hosted-provider.ts"]
    const socketRead = ["onStreamRead", "node:internal/stream_base_commons"]
    const samples = profileOf([
      [["(garbage collector)"]],
      // axios building the plugin's request, and Node's HTTP client reading the answer in a callback of its own
      [handle, medusaRoute, provider, ["request", "node_modules/axios/lib/axios.js"]],
      [socketRead, ["socketOnData", "node:_http_client"], ["parserOnIncomingClient", "node:_http_client"]],
      // the plugin's own code, and the statement it builds while it runs
      [handle, middleware, ["readBuyer", "src/api/fill-buyer-from-cart.ts"]],
      [handle, middleware, ["readBuyer", "src/api/fill-buyer-from-cart.ts"], ["raw", "node_modules/knex/lib/knex.js"]],
      // the driver reading a statement's answer (anyone's), Medusa's ORM, and Medusa's own HTTP server
      [socketRead, ["handleDataRow", "node_modules/pg/lib/client.js"]],
      [handle, medusaRoute, orm],
      [
        ["parserOnIncoming", "node:_http_server"],
        ["emit", "node:events"],
      ],
    ])
    expect(samples.map((s) => s.cause)).toEqual([
      "gc",
      "httpClient",
      "httpClient",
      "plugin",
      "plugin",
      "dbDriver",
      "rest",
      "rest",
    ])
  })

  it("gives a provider's CPU beyond its base's by cause, for the session and the completion apart", () => {
    // One sample every 100 ms, so that each window (its part plus 25 ms) holds the samples meant for it.
    const axios = [
      handle,
      medusaRoute,
      ["initiatePayment", "src/lib/hosted-provider.ts"],
      ["request", "node_modules/axios/lib/axios.js"],
    ]
    const plugin = [handle, middleware]
    const medusa = [handle, medusaRoute, orm]
    const pg = [["handleDataRow", "node_modules/pg/lib/client.js"]]
    const file = profileFile([axios, plugin, medusa, medusa, medusa, pg, medusa, medusa, medusa], 100_000)
    const at = (i) => EPOCH + (i + 1) * 100 // sample i's moment (epoch ms)
    const window = (i, j) => [at(i) - 1, at(j) + 1]
    const pairs = {
      hitpay: [
        {
          provider: { windows: { a: window(0, 2), b: window(5, 5) } },
          base: { windows: { a: window(3, 4), b: window(6, 6) } },
        },
      ],
    }
    const { extraByCause } = byWindow(load(file), pairs).hitpay
    // a: the provider's HTTP client, plugin and Medusa (3 samples) against the base's Medusa (2); b: the driver
    // against Medusa. Sample 7 falls in no window, and the last has no length.
    expect(extraByCause.a).toEqual({ gc: 0, httpClient: 100, plugin: 100, dbDriver: 0, rest: -100, total: 100 })
    expect(extraByCause.b).toEqual({ gc: 0, httpClient: 0, plugin: 0, dbDriver: 100, rest: -100, total: 0 })
  })
})
