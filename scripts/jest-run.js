/**
 * Runs jest in a child process and counts its tests from jest's JSON report. The child is awaited, never run with
 * spawnSync: this process may hold pipes that must keep being read meanwhile (a child server's log), and a blocked
 * event loop reads nothing.
 */
const { spawn } = require("node:child_process")
const fs = require("node:fs")
const path = require("node:path")

const root = path.resolve(__dirname, "..")
const reports = path.join(root, ".tmp", "test-reports")
const jestBin = require.resolve("jest/bin/jest")

function run(args, options) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [jestBin, ...args], { cwd: root, ...options })
    let stdout = ""
    child.stdout?.on("data", (chunk) => (stdout += chunk))
    child.once("error", (error) => resolve({ status: 1, stdout, error }))
    child.once("close", (code, signal) => resolve({ status: code ?? 1, signal, stdout }))
  })
}

/** `{ passed, failed }` of one jest run; a run that fails without a failed test (a suite that cannot load) counts one. */
async function runJest(name, env, args) {
  fs.mkdirSync(reports, { recursive: true })
  const outputFile = path.join(reports, `${name.replace(/[^\w.-]+/g, "_")}.json`)
  fs.rmSync(outputFile, { force: true })
  const result = await run(["--json", `--outputFile=${outputFile}`, ...args], {
    stdio: "inherit",
    env: { ...process.env, ...env },
  })
  let summary = { passed: 0, failed: 0, suitesFailed: 0 }
  if (fs.existsSync(outputFile)) {
    const json = JSON.parse(fs.readFileSync(outputFile, "utf8"))
    summary = { passed: json.numPassedTests, failed: json.numFailedTests, suitesFailed: json.numFailedTestSuites }
  }
  const crashed = result.status !== 0 && summary.failed === 0
  return { passed: summary.passed, failed: summary.failed + (crashed ? Math.max(1, summary.suitesFailed) : 0) }
}

/** The test files jest would run with `args` in `env`, sorted. */
async function listTests(env, args) {
  const result = await run(["--listTests", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...env },
  })
  return result.stdout
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean)
    .sort()
}

module.exports = { runJest, listTests }
