/**
 * The rig's store as stores run Medusa: two servers and a worker from this repository's medusa-config.ts on one
 * database, with Redis event bus, workflow engine, cache and locking, and the gateway sandbox in its own process.
 * Booting reuses the demo's steps (database, migrations, seed, `medusa start`); only the environment differs.
 */
const { spawn } = require("node:child_process")
const fs = require("node:fs")
const path = require("node:path")
const { ensureDatabase, freePort } = require("../database")
const { createDatabase, runMedusa, startMedusa } = require("../demo")
const { CREDENTIALS, gatewayEnv } = require("../demo/gateways")

const root = path.resolve(__dirname, "..", "..")
const logDir = path.join(root, ".tmp", "deploy")
const DATABASE_NAME = "medusa_payment_hpp_deploy"
const ADMIN = { email: "admin@deploy-rig.local", password: "deploy-rig-password" }
/** Every provider's per-request timeout to its gateway in the rig. */
const GATEWAY_TIMEOUT_MS = 1500
/** What the boot warning starts with (src/lib/deployment-check.ts). */
const WARNING = "medusa-payment-hpp: this store looks multi-instance"

/** The sandbox's SANDBOX_* variables: the demo's credentials, every webhook to the rig's relay. */
function sandboxEnv({ port, relayUrl, shopUrl }) {
  const c = CREDENTIALS
  return {
    SANDBOX_PORT: String(port),
    SANDBOX_HITPAY_API_KEY: c.hitpay.apiKey,
    SANDBOX_HITPAY_SALT: c.hitpay.salt,
    SANDBOX_CASHFLOWS_CONFIGURATION_ID: c.cashflows.configurationId,
    SANDBOX_CASHFLOWS_API_KEY: c.cashflows.apiKey,
    SANDBOX_NETVALVE_CLIENT_ID: c.netvalve.clientId,
    SANDBOX_NETVALVE_API_KEY: c.netvalve.apiKey,
    SANDBOX_NETVALVE_WEBHOOK_URL: `${relayUrl}/hooks/netvalve/netvalve`,
    SANDBOX_NETVALVE_WEBHOOK_HEADER_NAME: c.netvalve.webhookHeaderName,
    SANDBOX_NETVALVE_WEBHOOK_HEADER_VALUE: c.netvalve.webhookHeaderValue,
    SANDBOX_CATALYSTPAY_API_KEY: c.catalystpay.apiKey,
    SANDBOX_CATALYSTPAY_WEBHOOK_SECRET: c.catalystpay.webhookSecret,
    SANDBOX_CATALYSTPAY_WEBHOOK_URL: `${relayUrl}/hooks/catalystpay/catalystpay`,
    SANDBOX_CATALYSTPAY_SUCCESS_URL: `${shopUrl}/return?gateway=catalystpay&session_token={session_token}`,
    SANDBOX_CATALYSTPAY_FAILURE_URL: `${shopUrl}/return?gateway=catalystpay&session_token={session_token}&outcome=failed`,
    SANDBOX_CATALYSTPAY_VERIFICATION_DELAY_MS: "600",
    // Redeliveries come quickly here (the gateways wait minutes), and an attempt waits long enough to see a 503.
    SANDBOX_WEBHOOK_INITIAL_DELAY_MS: "500",
    SANDBOX_WEBHOOK_MAX_ATTEMPTS: "8",
    SANDBOX_WEBHOOK_TIMEOUT_MS: "20000",
  }
}

function startSandboxProcess(env, cleanups) {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "src/sandbox/cli.ts"], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  })
  const log = fs.createWriteStream(path.join(logDir, "sandbox.log"))
  child.stdout.pipe(log)
  child.stderr.pipe(log)
  cleanups.push(() => stopChild(child))
  return child
}

function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", resolve)
    child.kill("SIGTERM")
    setTimeout(() => child.kill("SIGKILL"), 5000).unref()
  })
}

async function waitFor(url, what, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode})`)
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false
      )
    )
      return
    await new Promise((r) => setTimeout(r, 300))
  }
  throw new Error(`${what} did not answer within ${timeoutMs / 1000} s`)
}

/**
 * Boots the store. `relayUrl` is where the gateways' webhooks go. Returns the processes' URLs, the seed, the
 * database URL, the admin's token, the boot-warning findings and `stop()`.
 */
async function bootCluster({ redisUrl, relayUrl, log, sharedLock = true }) {
  fs.mkdirSync(logDir, { recursive: true })
  const cleanups = []
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {})
  }
  try {
    return { ...(await boot({ redisUrl, relayUrl, log, cleanups, sharedLock })), stop }
  } catch (error) {
    await stop()
    throw error
  }
}

async function boot({ redisUrl, relayUrl, log, cleanups, sharedLock }) {
  const ports = { a: await freePort(), b: await freePort(), worker: await freePort(), probe: await freePort() }
  const sandboxPort = await freePort()
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`
  // The buyer's browser is sent back here; the rig stops at the redirect and never loads it.
  const shopUrl = `http://127.0.0.1:${await freePort()}`
  const url = (port) => `http://localhost:${port}`

  const db = await ensureDatabase({ log })
  cleanups.push(db.stop)
  const databaseUrl = await createDatabase(DATABASE_NAME)

  const sandbox = startSandboxProcess(sandboxEnv({ port: sandboxPort, relayUrl, shopUrl }), cleanups)
  await waitFor(sandboxUrl, "the sandbox", sandbox)
  log(`Gateway sandbox (own process) on ${sandboxUrl}`)

  const timeouts = Object.fromEntries(
    ["HITPAY", "CASHFLOWS", "NETVALVE", "CATALYSTPAY"].map((g) => [`${g}_TIMEOUT_MS`, String(GATEWAY_TIMEOUT_MS)])
  )
  const base = {
    ...process.env,
    NODE_ENV: "development",
    DATABASE_URL: databaseUrl,
    MEDUSA_DISABLE_TELEMETRY: "true",
    STORE_CORS: shopUrl,
    ADMIN_CORS: url(ports.a),
    AUTH_CORS: url(ports.a),
    ...gatewayEnv({ sandboxUrl, backendUrl: relayUrl, storefrontUrl: shopUrl }),
    ...timeouts,
    // Cashflows asks about a job once per window (30 s by default, under its one-minute redelivery). The sandbox
    // redelivers from 500 ms on, doubling, so the window shrinks with it: at 30 s, every Cashflows fault waited
    // out five refused redeliveries, about half a minute, before the one that is asked.
    CASHFLOWS_WEBHOOK_REPEAT_WINDOW_SECONDS: "5",
  }
  const shared = { ...base, MEDUSA_REDIS_URL: redisUrl, MEDUSA_LOCKING: sharedLock ? "redis" : "" }
  log("Migrating and seeding the rig's database…")
  await runMedusa(["db:migrate"], shared)
  await runMedusa(["exec", "./scripts/demo/seed.ts"], shared)
  await runMedusa(["user", "-e", ADMIN.email, "-p", ADMIN.password], shared)
  const seed = JSON.parse(fs.readFileSync(path.join(root, ".tmp", "demo", "seed.json"), "utf8"))

  const logFile = (name) => path.join(logDir, `${name}.log`)
  const processes = {
    a: { url: url(ports.a), log: logFile("server-a"), env: { ...shared, MEDUSA_WORKER_MODE: "server" } },
    b: { url: url(ports.b), log: logFile("server-b"), env: { ...shared, MEDUSA_WORKER_MODE: "server" } },
    worker: { url: url(ports.worker), log: logFile("worker"), env: { ...shared, MEDUSA_WORKER_MODE: "worker" } },
    // The same store with Medusa's default (per-process) locking: the plugin must warn here.
    probe: {
      url: url(ports.probe),
      log: logFile("probe-no-shared-lock"),
      env: { ...shared, MEDUSA_LOCKING: "", MEDUSA_WORKER_MODE: "server" },
    },
  }
  log("Starting two servers, a worker, and a server without a shared lock (the boot warning's probe)…")
  const children = {}
  await Promise.all(
    Object.entries(processes).map(async ([name, p]) => {
      const own = []
      children[name] = await startMedusa(Number(new URL(p.url).port), p.env, own, { logFile: p.log })
      cleanups.push(...own)
      p.stop = () => Promise.all(own.map((c) => c()))
    })
  )
  const warned = (name) => fs.readFileSync(processes[name].log, "utf8").includes(WARNING)
  const warnings = {
    probe: warned("probe"),
    a: warned("a"),
    b: warned("b"),
    worker: warned("worker"),
  }
  await processes.probe.stop()
  log(`Servers ${processes.a.url} and ${processes.b.url}, worker ${processes.worker.url} (Redis ${redisUrl})`)

  const auth = await fetch(`${processes.a.url}/auth/user/emailpass`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(ADMIN),
  }).then((r) => r.json())
  if (!auth.token) throw new Error(`could not sign in as the rig's admin: ${JSON.stringify(auth)}`)

  return {
    a: processes.a,
    b: processes.b,
    worker: processes.worker,
    children,
    sandboxUrl,
    sandbox,
    shopUrl,
    seed,
    databaseUrl,
    adminToken: auth.token,
    warnings,
    gatewayTimeoutMs: GATEWAY_TIMEOUT_MS,
  }
}

module.exports = { bootCluster, WARNING, logDir }
