#!/usr/bin/env node
/**
 * `npm run test:browser`: starts the demo store and drives Debian's Chromium through a checkout per gateway.
 * Screenshots land in test-results/browser/. Ends with `N passed, N failed`.
 */
const fs = require("node:fs")
const { runJest } = require("./jest-run")

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium"
if (!fs.existsSync(CHROMIUM)) {
  console.error(
    `Chromium not found at ${CHROMIUM}: install Debian's with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`
  )
  console.log("0 passed, 1 failed")
  process.exit(1)
}

runJest(
  "browser",
  {
    TEST_TYPE: "browser",
    CHROMIUM_PATH: CHROMIUM,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --experimental-vm-modules`.trim(),
  },
  ["--runInBand", "--forceExit", ...process.argv.slice(2)]
).then(({ passed, failed }) => {
  console.log(`${passed} passed, ${failed} failed`)
  process.exit(failed === 0 && passed > 0 ? 0 : 1)
})
