#!/usr/bin/env node
/**
 * `npm test`: the unit tests, then the integration tests on a real Medusa app and PostgreSQL (an
 * embedded one unless DB_HOST is set). Ends with one line `N passed, N failed`, and a non-zero exit
 * code when anything failed. Extra arguments go to jest (e.g. `npm test -- hitpay`).
 *
 * Each integration file runs in a jest process of its own: every file boots a whole Medusa app, and one
 * that ends must not leave its connection pools, timers or HTTP interceptors to the next. One database
 * server serves them all (Medusa's test runner makes and drops a database of its own per file).
 */
const path = require("node:path")
const { ensureDatabase } = require("./database")
const { runJest, listTests } = require("./jest-run")

const root = path.resolve(__dirname, "..")
const extraArgs = process.argv.slice(2)
// Per-file integration runs take the options (`--testNamePattern=…`, `--silent=false`), not the file patterns.
const extraOptions = extraArgs.filter((arg) => arg.startsWith("--"))

async function main() {
  const started = Date.now()
  // --silent keeps Medusa's logs out of the record; `npm test -- --silent=false` shows them.
  console.log("\n=== unit tests ===")
  const unit = await runJest("unit tests", { TEST_TYPE: "unit" }, ["--silent", "--passWithNoTests", ...extraArgs])

  const integrationEnv = {
    TEST_TYPE: "integration:http",
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --experimental-vm-modules`.trim(),
  }
  const integration = { passed: 0, failed: 0 }
  const files = await listTests(integrationEnv, extraArgs)
  if (files.length > 0) {
    const db = await ensureDatabase()
    try {
      for (const file of files) {
        const relative = path.relative(root, file)
        console.log(`\n=== ${relative} ===`)
        const result = await runJest(relative, integrationEnv, [
          "--runInBand",
          "--forceExit",
          "--silent",
          ...extraOptions,
          relative,
        ])
        integration.passed += result.passed
        integration.failed += result.failed
      }
    } finally {
      await db.stop()
    }
  }

  const passed = unit.passed + integration.passed
  const failed = unit.failed + integration.failed
  const minutes = ((Date.now() - started) / 60_000).toFixed(1)
  console.log(
    `\nunit: ${unit.passed} passed, ${unit.failed} failed; integration: ${integration.passed} passed, ${integration.failed} failed (${minutes} min)`
  )
  console.log(`${passed} passed, ${failed} failed`)
  process.exit(failed > 0 || passed === 0 ? 1 : 0)
}

main().catch((error) => {
  console.error(error?.message ?? error)
  console.log("0 passed, 1 failed")
  process.exit(1)
})
