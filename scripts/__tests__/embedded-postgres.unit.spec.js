/**
 * The embedded PostgreSQL that `npm test` and the demo start on a machine without one (scripts/database.js).
 * Its log is read by a process of its own; these tests show why that matters and that it never outlives its user.
 */
const { spawn, spawnSync } = require("node:child_process")
const fs = require("node:fs")
const os = require("node:os")
const path = require("node:path")
const { Client } = require("pg")
const { ensureDatabase } = require("../database")

const root = path.resolve(__dirname, "..", "..")
jest.setTimeout(120_000)

const saved = {}
beforeEach(() => {
  for (const key of ["DB_HOST", "DB_PORT", "DB_USERNAME", "DB_PASSWORD"]) saved[key] = process.env[key]
  delete process.env.DB_HOST
})
afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
})

function connection(port) {
  return { host: "localhost", port: Number(port), user: "postgres", password: "postgres", database: "postgres" }
}

async function answers(port) {
  const client = new Client({ ...connection(port), connectionTimeoutMillis: 1000 })
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

it("keeps serving while the process that started it is blocked in a synchronous wait (as npm test's runner was)", async () => {
  const db = await ensureDatabase({ log: () => {} })
  try {
    // A child that makes every server process log (about 2.5 MB, far more than a pipe holds), then creates and
    // drops a database, which waits for the checkpointer. Run with spawnSync, so this process reads nothing meanwhile.
    const script = `
      const { Client } = require("pg")
      ;(async () => {
        const client = new Client(${JSON.stringify(connection(process.env.DB_PORT))})
        await client.connect()
        await client.query("DO $$ BEGIN FOR i IN 1..20000 LOOP RAISE LOG 'line %: %', i, repeat('x', 100); END LOOP; END $$")
        await client.query('CREATE DATABASE "hpp_pipe_check"')
        await client.query('DROP DATABASE "hpp_pipe_check"')
        await client.end()
      })().then(() => console.log("done"), (error) => { console.error(error); process.exit(1) })`
    const result = spawnSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8", timeout: 60_000 })
    expect({ signal: result.signal, status: result.status, stdout: result.stdout.trim() }).toEqual({
      signal: null,
      status: 0,
      stdout: "done",
    })
  } finally {
    await db.stop()
  }
})

it("stops the server and removes its data when the process that started it is killed without stopping it", async () => {
  const script = `
    const { ensureDatabase } = require("./scripts/database")
    ensureDatabase({ log: () => {} }).then(() => console.log(process.env.DB_PORT))
    setInterval(() => {}, 1000) // stays until killed`
  const child = spawn(process.execPath, ["-e", script], {
    cwd: root,
    env: { ...process.env, DB_HOST: "" },
    stdio: ["ignore", "pipe", "inherit"],
  })
  const port = await new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => resolve(String(chunk).trim()))
    child.once("exit", (code) => reject(new Error(`the child exited (${code}) before the server was ready`)))
  })
  expect(await answers(port)).toBe(true)
  // The server's data folder: the one whose postmaster.pid names this port (its fourth line).
  const dataDir = fs
    .readdirSync(os.tmpdir())
    .filter((name) => name.startsWith("medusa-payment-hpp-pg-"))
    .map((name) => path.join(os.tmpdir(), name))
    .find((dir) => {
      const pid = path.join(dir, "postmaster.pid")
      return fs.existsSync(pid) && fs.readFileSync(pid, "utf8").split("\n")[3] === port
    })
  expect(dataDir).toBeDefined()
  child.kill("SIGKILL")

  const deadline = Date.now() + 30_000
  while ((await answers(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250))
  expect(await answers(port)).toBe(false)
  while (fs.existsSync(dataDir) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250))
  expect(fs.existsSync(dataDir)).toBe(false)
})
