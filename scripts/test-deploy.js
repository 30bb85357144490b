#!/usr/bin/env node
/**
 * `npm run test:deploy`: the plugin tested the way stores run Medusa. Three Medusa processes from this
 * repository on one database (two servers and a worker, `MEDUSA_WORKER_MODE`), Redis event bus, workflow engine,
 * cache and locking, and the gateway sandbox in its own process; then races, faults and garbage against them.
 * PostgreSQL as in `npm test` (DB_HOST's, else an embedded one); Redis from REDIS_URL
 * (default redis://127.0.0.1:6379, database 11 unless the URL names one).
 *
 *   npm run test:deploy -- [--races 20] [--fuzz 2000] [--only races,faults,fuzz] [--gateways hitpay,netvalve]
 *                          [--locking none]   (Medusa's per-process default: what the shared lock prevents)
 *
 * Prints per gateway the race figures, the fault cases and the fuzz count, and ends with `N passed, N failed`.
 * Logs of every process are in .tmp/deploy/.
 */
const path = require("node:path")
const { bootCluster } = require("./deploy/cluster")
const { startRelay } = require("./deploy/relay")
const { redisAnswers } = require("./deploy/redis")
const { runRaces } = require("./deploy/races")
const { runFaults } = require("./deploy/faults")
const { runFuzz } = require("./deploy/fuzz")
const { openDatabase, sandboxControl } = require("./deploy/store")
const { logDir } = require("./deploy/cluster")

function argument(name, fallback) {
  const at = process.argv.indexOf(`--${name}`)
  if (at === -1) return fallback
  const value = process.argv[at + 1]
  if (value === undefined || value.startsWith("--")) throw new Error(`--${name} needs a value`)
  return value
}

function count(name, fallback) {
  const value = argument(name, String(fallback))
  if (!/^\d+$/.test(value)) throw new Error(`--${name} must be a whole number, not "${value}"`)
  return Number(value)
}

function redisUrlFromEnv() {
  const url = new URL(process.env.REDIS_URL || "redis://127.0.0.1:6379")
  // Its own database number, so the rig's queues stay apart from whatever else uses this Redis.
  if (url.pathname === "" || url.pathname === "/") url.pathname = "/11"
  return url.toString()
}

const results = []
function record(ok, line) {
  results.push(ok)
  console.log(`${ok ? "ok  " : "FAIL"}  ${line}`)
}

async function main() {
  const started = Date.now()
  const races = count("races", 20)
  const fuzz = count("fuzz", 2000)
  const only = argument("only", "races,faults,fuzz").split(",")
  const wanted = argument("gateways", "")
  const locking = argument("locking", "redis")
  if (!["redis", "none"].includes(locking)) throw new Error(`--locking is "redis" or "none", not "${locking}"`)
  const log = (message) => console.log(`[deploy] ${message}`)

  const redisUrl = redisUrlFromEnv()
  if (!(await redisAnswers(redisUrl))) {
    console.log(
      `Redis does not answer at ${redisUrl}: start one (Debian: apt-get install redis-server, then redis-server --daemonize yes) or set REDIS_URL`
    )
    console.log("0 passed, 1 failed")
    process.exit(1)
  }

  const relay = await startRelay()
  const cluster = await bootCluster({ redisUrl, relayUrl: relay.url, log, sharedLock: locking === "redis" })
  const db = openDatabase(cluster.databaseUrl)
  const ctx = {
    ...cluster,
    seed: {
      ...cluster.seed,
      gateways: cluster.seed.gateways.filter((g) => !wanted || wanted.split(",").includes(g.gateway)),
    },
    redisUrl,
    relay,
    db,
    sandbox: sandboxControl(cluster.sandboxUrl),
    log,
  }
  const stop = async () => {
    await db.end().catch(() => {})
    await cluster.stop()
    await relay.close()
  }
  try {
    console.log("\n== Boot warning (no shared lock in a multi-instance store)")
    record(
      cluster.warnings.probe,
      "a server on Redis with Medusa's default locking logs the warning naming locking-redis"
    )
    if (locking === "redis") {
      record(
        !cluster.warnings.a && !cluster.warnings.b && !cluster.warnings.worker,
        "the servers and the worker with locking-redis log no warning"
      )
    } else {
      record(
        cluster.warnings.a && cluster.warnings.b && cluster.warnings.worker,
        "--locking none: the servers and the worker each log the warning"
      )
    }
    if (ctx.seed.gateways.length < (wanted ? wanted.split(",").length : 4))
      record(false, `only ${ctx.seed.gateways.map((g) => g.gateway).join(", ")} are registered`)

    let phaseStart = started
    const phaseDone = (name) => {
      log(`${name} took ${Math.round((Date.now() - phaseStart) / 1000)} s`)
      phaseStart = Date.now()
    }
    phaseDone("booting the cluster")
    if (only.includes("races")) {
      console.log(`\n== Races (${races} runs in a row per gateway and series; all gateways at once)`)
      await runRaces(ctx, {
        runs: races,
        report: (gateway, name, { passed, runs, failures, tally }) => {
          record(passed === runs && runs > 0, `${gateway.name.padEnd(12)} ${name}: ${passed}/${runs}`)
          if (tally) console.log(`        answers seen: ${tally}`)
          for (const failure of failures.slice(0, 5)) console.log(`        ${failure}`)
          if (failures.length > 5) console.log(`        … and ${failures.length - 5} more`)
        },
      })
      phaseDone("the races")
    }
    if (only.includes("faults")) {
      console.log("\n== Faults (sandbox switches: 500s, slow answers past the timeout, redeliveries, database cut)")
      await runFaults(ctx, { record })
      phaseDone("the faults")
    }
    if (only.includes("fuzz")) {
      console.log(`\n== Garbage (${fuzz} generated and mutated webhooks per gateway, plugin and core routes)`)
      await runFuzz(ctx, { perGateway: fuzz, record })
      phaseDone("the garbage")
    }
    console.log("\n== The processes")
    for (const name of ["a", "b", "worker"]) {
      const child = cluster.children[name]
      record(
        child.exitCode === null && child.signalCode === null,
        `${name === "worker" ? "the worker" : `server ${name.toUpperCase()}`} is still running`
      )
    }
    const { unhandled } = require("./deploy/logs")
    for (const [name, lines] of Object.entries(unhandled(cluster))) {
      record(
        lines.length === 0,
        `no unhandled rejection or exception in ${name}'s log${lines.length ? `: ${lines[0]}` : ""}`
      )
    }
  } finally {
    await stop()
  }
  const passed = results.filter(Boolean).length
  const failed = results.length - passed
  console.log(
    `\nlogs: ${path.relative(process.cwd(), logDir)}/; wall time ${Math.round((Date.now() - started) / 1000)} s`
  )
  console.log(`${passed} passed, ${failed} failed`)
  process.exit(failed > 0 || passed === 0 ? 1 : 0)
}

main().catch((error) => {
  console.error(`[deploy] ${error?.stack ?? error}`)
  console.log(`${results.filter(Boolean).length} passed, ${results.filter((r) => !r).length + 1} failed`)
  process.exit(1)
})
