/**
 * Preloaded (`--require`) into the `medusa exec` run of scripts/bench/scale-capture.ts by `npm run bench -- --scale`:
 * query logging at the driver. Every statement any `pg` client of the process sends (Medusa's ORM, its Query, the
 * plugin's own knex) is kept, with its parameters, under the label the capture script has set at the time
 * (`globalThis.__hppScaleLabel`); unlabelled statements (Medusa's boot) are not kept. The capture script writes
 * them out; the scale run then times exactly those statements.
 */
const path = require("node:path")

const captured = []
globalThis.__hppScaleCaptured = captured

function patch(Client) {
  if (!Client || Client.prototype.__hppScalePatched) return
  const query = Client.prototype.query
  Client.prototype.query = function (config, values, callback) {
    const label = globalThis.__hppScaleLabel
    if (label) {
      const text = typeof config === "string" ? config : config?.text
      const params = Array.isArray(values) ? values : Array.isArray(config?.values) ? config.values : []
      if (typeof text === "string") captured.push({ label, text, values: params })
    }
    return query.call(this, config, values, callback)
  }
  Client.prototype.__hppScalePatched = true
}

// Medusa's install holds two copies of the driver: knex's and MikroORM's.
for (const dir of ["pg", "@mikro-orm/postgresql/node_modules/pg"]) {
  try {
    patch(require(path.join(process.cwd(), "node_modules", dir)).Client)
  } catch {
    // not installed here
  }
}
