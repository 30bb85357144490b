/**
 * Preloaded into Medusa by `npm run bench` (`--require`): how long Medusa waits on each HTTP call it makes, from
 * the request being made (Node's `http.client.request.start`) to the answer's last byte, before any of the
 * plugin's own reading of it. That is the gateway's time as a store sees it (the sandbox's work, its HTTP
 * parsing and the trip over the loopback), and what the benchmark takes out of a provider's latency; the
 * plugin's own work before the request and after the answer stays in. Lines "<epoch ms> <ms> <METHOD> <host><path>"
 * go to HPP_BENCH_WAIT_LOG, written a few at a time (the file is read after the checkouts).
 */
const file = process.env.HPP_BENCH_WAIT_LOG
if (file && process.argv.includes("start")) {
  const fs = require("node:fs")
  const dc = require("node:diagnostics_channel")
  const started = new WeakMap()
  let lines = []
  const flush = () => {
    if (lines.length === 0) return
    fs.appendFileSync(file, lines.join(""))
    lines = []
  }
  setInterval(flush, 200).unref()
  process.on("exit", flush)
  dc.subscribe("http.client.request.start", ({ request }) => {
    started.set(request, { at: Date.now(), t: performance.now() })
  })
  // Published when the answer's headers arrive, before the caller sees the response: our 'end' listener runs first.
  dc.subscribe("http.client.response.finish", ({ request, response }) => {
    const start = started.get(request)
    if (!start) return
    response.once("end", () => {
      const ms = performance.now() - start.t
      lines.push(`${start.at} ${ms.toFixed(3)} ${request.method} ${request.getHeader("host")}${request.path}\n`)
    })
  })
}
