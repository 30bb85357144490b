/**
 * `npm run bench -- --profile`: preloaded into Medusa (`--require`; Node 20 refuses --cpu-prof in NODE_OPTIONS).
 * In the `medusa start` process only, it runs V8's CPU profiler from the start; each SIGUSR2 writes what was
 * profiled so far to HPP_BENCH_PROFILE_DIR/<n>.cpuprofile (open it in Chrome DevTools) and starts afresh, so
 * the benchmark can cut the profile at the start and the end of its checkouts; once the benchmark has left a file
 * `last` in that folder, the profiler is not started again.
 *
 * Beside each profile, <n>.clock.json: the wall clock (Date.now(), ms) and the monotonic clock V8 stamps its
 * samples with (µs, the same CLOCK_MONOTONIC as process.hrtime) read at one moment, so that a sample can be
 * placed in a checkout's window as the load generator timed it (scripts/bench/profile-summary.js).
 */
const dir = process.env.HPP_BENCH_PROFILE_DIR
if (dir && process.argv.includes("start")) {
  const fs = require("node:fs")
  const path = require("node:path")
  const { Session } = require("node:inspector")
  const session = new Session()
  session.connect()
  const post = (method, params) =>
    new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))))
  const clock = () => ({ epochMs: Date.now(), monotonicUs: Number(process.hrtime.bigint() / 1000n) })
  let seq = 0
  post("Profiler.enable")
    .then(() => post("Profiler.setSamplingInterval", { interval: 200 }))
    .then(() => post("Profiler.start"))
  process.on("SIGUSR2", async () => {
    const { profile } = await post("Profiler.stop")
    const file = path.join(dir, `${++seq}.cpuprofile`)
    fs.writeFileSync(`${file.replace(/\.cpuprofile$/, "")}.clock.json`, JSON.stringify(clock()))
    fs.writeFileSync(`${file}.part`, JSON.stringify(profile))
    fs.renameSync(`${file}.part`, file)
    if (!fs.existsSync(path.join(dir, "last"))) await post("Profiler.start")
  })
}
