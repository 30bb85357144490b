/**
 * How the benchmark's profile attributes Medusa's CPU to the plugin (scripts/bench/profile-summary.js): on a profile
 * whose stacks are those a checkout has, which samples count as the plugin's and under which entry point.
 */
const fs = require("node:fs")
const os = require("node:os")
const path = require("node:path")
const { load } = require("../bench/profile-summary")

const root = path.resolve(__dirname, "..", "..")
const frame = (functionName, file) => ({
  functionName,
  url: file ? `file://${file.startsWith("node_modules") || file.startsWith("src") ? path.join(root, file) : file}` : "",
  lineNumber: 0,
})

/** A profile of one stack per leaf, each leaf sampled once (1 ms). */
function profileOf(stacks) {
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
      endTime: 1000 * leaves.length,
      samples: leaves,
      timeDeltas: leaves.map(() => 1000),
    })
  )
  return load(file).samples.map((s) => ({ plugin: s.plugin, entry: s.pluginEntry, record: s.record }))
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
      { plugin: true, entry: "fillBuyerFromCart src/api/fill-buyer-from-cart.ts", record: false },
      { plugin: false, entry: null, record: false },
    ])
  })

  it("counts a plugin route's answer (Express's response, not its router) as the plugin's", () => {
    const route = ["POST", "src/api/hooks/hitpay/[id]/route.ts"]
    const samples = profileOf([[handle, route, ["json", "node_modules/express/lib/response.js"], ["stringify", ""]]])
    expect(samples).toEqual([{ plugin: true, entry: "POST src/api/hooks/hitpay/[id]/route.ts", record: false }])
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
      { plugin: true, entry: "initiatePayment src/lib/hosted-provider.ts", record: false },
      { plugin: false, entry: null, record: false },
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
})
