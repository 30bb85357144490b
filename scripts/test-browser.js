#!/usr/bin/env node
/**
 * `npm run test:browser`: starts the demo store and drives Debian's Chromium through a checkout per gateway.
 * Screenshots land in test-results/browser/. Ends with `N passed, N failed`.
 */
const { spawnSync } = require("node:child_process")
const fs = require("node:fs")
const path = require("node:path")

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium"
if (!fs.existsSync(CHROMIUM)) {
  console.error(
    `Chromium not found at ${CHROMIUM}: install Debian's with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`
  )
  console.log("0 passed, 1 failed")
  process.exit(1)
}

const root = path.resolve(__dirname, "..")
const report = path.join(root, ".tmp", "test-reports", "browser.json")
fs.mkdirSync(path.dirname(report), { recursive: true })
fs.rmSync(report, { force: true })
const result = spawnSync(
  process.execPath,
  [
    require.resolve("jest/bin/jest"),
    "--runInBand",
    "--forceExit",
    "--json",
    `--outputFile=${report}`,
    ...process.argv.slice(2),
  ],
  {
    cwd: root,
    stdio: "inherit",
    env: {
      ...process.env,
      TEST_TYPE: "browser",
      CHROMIUM_PATH: CHROMIUM,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --experimental-vm-modules`.trim(),
    },
  }
)
let passed = 0
let failed = 0
if (fs.existsSync(report)) {
  const json = JSON.parse(fs.readFileSync(report, "utf8"))
  passed = json.numPassedTests
  failed = json.numFailedTests + (result.status !== 0 && json.numFailedTests === 0 ? 1 : 0)
} else if (result.status !== 0) {
  failed = 1
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(result.status === 0 && failed === 0 ? 0 : 1)
