#!/usr/bin/env node
/**
 * `npm run demo`: a Medusa store taking payments through the four providers, every gateway stood in by the
 * plugin's local sandbox. Boots PostgreSQL (embedded unless DB_HOST is set), the sandbox, Medusa from this
 * repository's medusa-config.ts, seeds a region per gateway currency, and serves a small storefront.
 *
 * Serves Medusa Admin too (built once, rebuilt only when src/admin or a package changed) with an admin user whose
 * e-mail and password it prints.
 *
 * `npm run demo -- --check`: the same, then one paid checkout per gateway without a browser, and the Admin API
 * signed in as the demo's admin; prints a line per gateway and check, and exits non-zero on any failure.
 * `--no-admin` leaves Medusa Admin out (no build, and the store starts as the tests boot it).
 */
const { spawn } = require("node:child_process")
const fs = require("node:fs")
const path = require("node:path")
const { ensureDatabase, freePort } = require("./database")
const { startStorefront } = require("./demo/storefront-server")
const { gatewayEnv, sandboxCredentials } = require("./demo/gateways")
const { adminCredentials, ensureAdminBuild } = require("./demo/admin")

const root = path.resolve(__dirname, "..")
const check = process.argv.includes("--check")
const medusaBin = path.join(root, "node_modules", ".bin", "medusa")

/** The sandbox is TypeScript in src/sandbox; the demo runs it from source. */
function loadSandbox() {
  require("ts-node").register({ transpileOnly: true, swc: true, project: path.join(root, "tsconfig.json") })
  return require("../src/sandbox")
}

function log(message) {
  console.log(`[demo] ${message}`)
}

function run(args, env, { quiet = true } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(medusaBin, args, { cwd: root, env, stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit" })
    let output = ""
    child.stdout?.on("data", (d) => (output += d))
    child.stderr?.on("data", (d) => (output += d))
    child.on("error", reject)
    child.on("exit", (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`medusa ${args.join(" ")} failed (exit ${code}):\n${output.slice(-4000)}`))
    )
  })
}

/** `medusa start` on `port`, ready once /health answers (a worker answers it too); output to `logFile`. */
async function startMedusa(port, env, cleanups, { logFile = path.join(root, ".tmp", "demo", "medusa.log") } = {}) {
  const child = spawn(medusaBin, ["start", "--port", String(port)], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  })
  cleanups.push(
    () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once("exit", resolve)
        child.kill("SIGTERM")
        setTimeout(() => child.kill("SIGKILL"), 5000).unref()
      })
  )
  const log = fs.createWriteStream(logFile)
  child.stdout.pipe(log)
  child.stderr.pipe(log)
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`Medusa exited (${child.exitCode}); see ${path.relative(root, logFile)}`)
    const ok = await fetch(`http://localhost:${port}/health`).then(
      (r) => r.ok,
      () => false
    )
    if (ok) return child
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`Medusa did not start within 2 minutes; see ${path.relative(root, logFile)}`)
}

async function createDatabase(name) {
  const { Client } = require("pg")
  const client = new Client({
    host: process.env.DB_HOST,
    port: Number(process.env.DB_PORT),
    user: process.env.DB_USERNAME,
    password: process.env.DB_PASSWORD || undefined,
    database: "postgres",
  })
  await client.connect()
  // Only the demo's own database is ever dropped.
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  await client.query(`CREATE DATABASE "${name}"`)
  await client.end()
  const auth = `${encodeURIComponent(process.env.DB_USERNAME)}${process.env.DB_PASSWORD ? `:${encodeURIComponent(process.env.DB_PASSWORD)}` : ""}`
  return `postgres://${auth}@${process.env.DB_HOST}:${process.env.DB_PORT}/${name}`
}

/**
 * Starts everything and returns the URLs, the seed, the Medusa process and `stop()`. `freePorts` picks unused
 * ports (tests, --check); otherwise DEMO_BACKEND_PORT / DEMO_STOREFRONT_PORT / DEMO_SANDBOX_PORT or 9000 / 8000 /
 * 4010. The benchmark also passes `webhookBaseUrl` (where gateways send webhooks; default Medusa's URL), `env`
 * (added to Medusa's environment), `seedScript` (instead of the demo's),
 * `sandboxOptions` (per gateway, over the demo's credentials), `sandboxMaxLoggedCalls` (the sandbox's call log) and
 * `storefront: false`. `admin: true` (what
 * `npm run demo` passes) builds and serves Medusa Admin and creates its user; the default leaves it out.
 */
async function startDemo(options = {}) {
  const cleanups = []
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {})
  }
  try {
    return { ...(await boot({ freePorts: false, storefront: true, admin: false, ...options, cleanups })), stop }
  } catch (error) {
    await stop()
    throw error
  }
}

async function boot(options) {
  const {
    freePorts,
    sandboxFaults,
    sandboxOptions,
    sandboxMaxLoggedCalls,
    cleanups,
    webhookBaseUrl,
    env: extraEnv,
    seedScript,
    storefront,
    admin,
  } = options
  fs.mkdirSync(path.join(root, ".tmp", "demo"), { recursive: true })
  const ports = {
    backend: freePorts ? await freePort() : Number(process.env.DEMO_BACKEND_PORT || 9000),
    storefront: freePorts ? await freePort() : Number(process.env.DEMO_STOREFRONT_PORT || 8000),
    sandbox: freePorts ? await freePort() : Number(process.env.DEMO_SANDBOX_PORT || 4010),
  }
  const backendUrl = `http://localhost:${ports.backend}`
  const storefrontUrl = `http://127.0.0.1:${ports.storefront}`
  const hooksUrl = webhookBaseUrl ?? backendUrl

  const db = await ensureDatabase({ log })
  cleanups.push(db.stop)
  const databaseUrl = await createDatabase("medusa_payment_hpp_demo")

  const { startSandbox } = loadSandbox()
  const gateways = sandboxCredentials({ backendUrl: hooksUrl, storefrontUrl })
  for (const [gateway, extra] of Object.entries(sandboxOptions ?? {}))
    gateways[gateway] = { ...gateways[gateway], ...extra }
  const sandbox = await startSandbox({
    port: ports.sandbox,
    faults: sandboxFaults,
    ...(sandboxMaxLoggedCalls ? { maxLoggedCalls: sandboxMaxLoggedCalls } : {}),
    ...gateways,
  })
  cleanups.push(() => sandbox.close())
  log(`Gateway sandbox on ${sandbox.url}`)

  const env = {
    ...process.env,
    NODE_ENV: "development",
    DATABASE_URL: databaseUrl,
    STORE_CORS: `${storefrontUrl},http://localhost:${ports.storefront}`,
    ADMIN_CORS: backendUrl,
    AUTH_CORS: backendUrl,
    MEDUSA_DISABLE_TELEMETRY: "true",
    ...gatewayEnv({ sandboxUrl: sandbox.url, backendUrl: hooksUrl, storefrontUrl }),
    ...extraEnv,
  }
  const adminUser = admin ? adminCredentials() : null
  const timings = {}
  const since = (started) => Math.round((Date.now() - started) / 1000)
  // The admin build and the database's migration and seed run side by side; both end before Medusa starts.
  const building = admin ? ensureAdminBuild({ run, env, log }) : Promise.resolve({ seconds: 0 })
  const preparing = (async () => {
    const started = Date.now()
    log("Migrating the database (about 20 s on a fresh database)…")
    await run(["db:migrate"], env)
    // The seed creates the admin user when it is given one (only the seed's process sees the password).
    const seedEnv = adminUser
      ? { ...env, DEMO_ADMIN_EMAIL: adminUser.email, DEMO_ADMIN_PASSWORD: adminUser.password }
      : env
    await run(["exec", seedScript ?? "./scripts/demo/seed.ts"], seedEnv)
    timings.databaseSeconds = since(started)
  })()
  const [built, prepared] = await Promise.allSettled([building, preparing])
  for (const outcome of [built, prepared]) if (outcome.status === "rejected") throw outcome.reason
  timings.adminBuildSeconds = built.value.seconds
  const seed = JSON.parse(fs.readFileSync(path.join(root, ".tmp", "demo", "seed.json"), "utf8"))
  // With the admin, medusa-config enables it (DEMO_ADMIN), and NODE_ENV is neither "development" (Medusa would
  // then serve the admin through Vite's dev server, compiling it on the first visit instead of serving the build)
  // nor "production" (its session cookie is Secure, which a browser never sends back over plain http).
  const medusaEnv = admin ? { ...env, DEMO_ADMIN: "true", NODE_ENV: "demo" } : env
  const medusaStarted = Date.now()
  const medusa = await startMedusa(ports.backend, medusaEnv, cleanups)
  timings.medusaStartSeconds = since(medusaStarted)
  log(
    `Medusa on ${backendUrl} (migration and seed ${timings.databaseSeconds} s, start ${timings.medusaStartSeconds} s)`
  )
  const adminUrl = admin ? `${backendUrl}/app` : null

  if (storefront) {
    const server = await startStorefront({ port: ports.storefront, backendUrl, seed })
    cleanups.push(() => server.close())
  }

  return { backendUrl, storefrontUrl, sandbox, seed, databaseUrl, medusa, medusaEnv, adminUrl, adminUser, timings }
}

async function main() {
  const demo = await startDemo({
    freePorts: check || process.argv.includes("--free-ports"),
    admin: !process.argv.includes("--no-admin"),
  })
  const stopAndExit = async (code) => {
    await demo.stop()
    process.exit(code)
  }
  process.on("SIGINT", () => stopAndExit(130))
  process.on("SIGTERM", () => stopAndExit(143))
  if (check) {
    const { checkEveryGateway } = require("./demo/check")
    const ok = await checkEveryGateway({ ...demo, log })
    return stopAndExit(ok ? 0 : 1)
  }
  // A test that drives the demo (the browser test) reads where everything runs from this file.
  if (process.env.DEMO_READY_FILE) {
    const { backendUrl, storefrontUrl, seed, databaseUrl, adminUrl, adminUser, timings } = demo
    fs.writeFileSync(
      process.env.DEMO_READY_FILE,
      JSON.stringify({
        backendUrl,
        storefrontUrl,
        sandboxUrl: demo.sandbox.url,
        seed,
        databaseUrl,
        adminUrl,
        adminUser,
        timings,
      })
    )
  }
  const adminLines = demo.adminUrl
    ? `
    admin       ${demo.adminUrl}
                e-mail ${demo.adminUser.email}   password ${demo.adminUser.password}`
    : ""
  console.log(`
  Demo store ready:
    storefront  ${demo.storefrontUrl}
    Medusa      ${demo.backendUrl}   (publishable key ${demo.seed.publishableKey})${adminLines}
    sandbox     ${demo.sandbox.url}
  Pick a gateway on the storefront, pay on the sandbox's hosted page, and come back to your order.${
    demo.adminUrl
      ? `
  In Medusa Admin: the order's hosted payment (Orders), and Settings → Hosted payments.`
      : ""
  }
  Ctrl-C stops everything.`)
}

module.exports = { startDemo, startMedusa, runMedusa: run, createDatabase }

if (require.main === module) {
  main().catch((error) => {
    console.error(`[demo] ${error.message}`)
    process.exit(1)
  })
}
