#!/usr/bin/env node
/**
 * `npm test`: the unit tests, then the integration tests on a real Medusa app and PostgreSQL (an
 * embedded one unless DB_HOST is set). Ends with one line `N passed, N failed`, and a non-zero exit
 * code when anything failed. Extra arguments go to jest (e.g. `npm test -- hitpay`).
 *
 * Each integration file runs in a jest process of its own: every file boots a whole Medusa app, and one
 * that ends must not leave its connection pools, timers or HTTP interceptors to the next.
 */
const { spawnSync } = require("node:child_process")
const fs = require("node:fs")
const path = require("node:path")
const { ensureDatabase } = require("./database")

const root = path.resolve(__dirname, "..")
const reports = path.join(root, ".tmp", "test-reports")
const jestBin = require.resolve("jest/bin/jest")
const extraArgs = process.argv.slice(2)
// Per-file integration runs take the options (`--testNamePattern=…`, `--silent=false`), not the file patterns.
const extraOptions = extraArgs.filter((arg) => arg.startsWith("--"))

function runJest(name, env, args) {
  const outputFile = path.join(reports, `${name.replace(/[^\w.-]+/g, "_")}.json`)
  fs.rmSync(outputFile, { force: true })
  console.log(`\n=== ${name} ===`)
  const result = spawnSync(process.execPath, [jestBin, "--json", `--outputFile=${outputFile}`, ...args], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, ...env },
  })
  let summary = { passed: 0, failed: 0, suitesFailed: 0 }
  if (fs.existsSync(outputFile)) {
    const json = JSON.parse(fs.readFileSync(outputFile, "utf8"))
    summary = { passed: json.numPassedTests, failed: json.numFailedTests, suitesFailed: json.numFailedTestSuites }
  }
  // A suite that cannot even load counts as a failure, though it ran no test.
  const crashed = result.status !== 0 && summary.failed === 0
  return { passed: summary.passed, failed: summary.failed + (crashed ? Math.max(1, summary.suitesFailed) : 0) }
}

function integrationFiles(env) {
  const listed = spawnSync(process.execPath, [jestBin, "--listTests", ...extraArgs], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...env },
  })
  return listed.stdout
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean)
    .sort()
}

async function main() {
  fs.mkdirSync(reports, { recursive: true })
  // --silent keeps Medusa's logs out of the record; `npm test -- --silent=false` shows them.
  const unit = runJest("unit tests", { TEST_TYPE: "unit" }, ["--silent", "--passWithNoTests", ...extraArgs])

  const integrationEnv = {
    TEST_TYPE: "integration:http",
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --experimental-vm-modules`.trim(),
  }
  const integration = { passed: 0, failed: 0 }
  const files = integrationFiles(integrationEnv)
  for (const file of files) {
    // A fresh embedded server per file (when no DB_HOST is set): one left over from another file's Medusa app
    // was seen to stall the next app's migrations.
    const db = await ensureDatabase({ preferLocal: true })
    try {
      const relative = path.relative(root, file)
      const result = runJest(relative, integrationEnv, [
        "--runInBand",
        "--forceExit",
        "--silent",
        ...extraOptions,
        relative,
      ])
      integration.passed += result.passed
      integration.failed += result.failed
    } finally {
      await db.stop()
    }
  }

  const passed = unit.passed + integration.passed
  const failed = unit.failed + integration.failed
  console.log(
    `\nunit: ${unit.passed} passed, ${unit.failed} failed; integration: ${integration.passed} passed, ${integration.failed} failed`
  )
  console.log(`${passed} passed, ${failed} failed`)
  process.exit(failed > 0 || passed === 0 ? 1 : 0)
}

main().catch((error) => {
  console.error(error?.message ?? error)
  console.log("0 passed, 1 failed")
  process.exit(1)
})
