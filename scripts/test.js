#!/usr/bin/env node
/**
 * `npm test`: the unit tests, then the integration tests on a real Medusa app and PostgreSQL (an
 * embedded one unless DB_HOST is set). Ends with one line `N passed, N failed`, and a non-zero exit
 * code when anything failed. Extra arguments go to jest (e.g. `npm test -- hitpay`).
 */
const { spawnSync } = require("node:child_process")
const fs = require("node:fs")
const path = require("node:path")
const { ensureDatabase } = require("./database")

const root = path.resolve(__dirname, "..")
const reports = path.join(root, ".tmp", "test-reports")
const jestBin = require.resolve("jest/bin/jest")

function runJest(name, env, args) {
  const outputFile = path.join(reports, `${name}.json`)
  fs.rmSync(outputFile, { force: true })
  console.log(`\n=== ${name} tests ===`)
  const result = spawnSync(process.execPath, [jestBin, "--json", `--outputFile=${outputFile}`, ...args, ...process.argv.slice(2)], {
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
  return { ...summary, failed: summary.failed + (crashed ? Math.max(1, summary.suitesFailed) : 0), status: result.status }
}

async function main() {
  fs.mkdirSync(reports, { recursive: true })
  const unit = runJest("unit", { TEST_TYPE: "unit" }, ["--passWithNoTests"])
  const db = await ensureDatabase()
  let integration
  try {
    integration = runJest(
      "integration",
      { TEST_TYPE: "integration:http", NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --experimental-vm-modules`.trim() },
      ["--runInBand", "--forceExit", "--passWithNoTests"]
    )
  } finally {
    await db.stop()
  }
  const passed = unit.passed + integration.passed
  const failed = unit.failed + integration.failed
  console.log(`\nunit: ${unit.passed} passed, ${unit.failed} failed; integration: ${integration.passed} passed, ${integration.failed} failed`)
  console.log(`${passed} passed, ${failed} failed`)
  process.exit(failed > 0 || unit.status !== 0 || integration.status !== 0 ? 1 : 0)
}

main().catch((error) => {
  console.error(error)
  console.log("0 passed, 1 failed")
  process.exit(1)
})
