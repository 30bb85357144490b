#!/usr/bin/env node
/**
 * `npm run test:browser`: starts the demo store once (with Medusa Admin, whose build is reused when nothing
 * changed) and drives Debian's Chromium through every browser spec against it: a checkout per gateway, then Medusa
 * Admin's hosted-payment screens. Screenshots land in test-results/browser/. Ends with `N passed, N failed`.
 */
const { spawn } = require("node:child_process")
const fs = require("node:fs")
const path = require("node:path")
const { runJest } = require("./jest-run")

const root = path.resolve(__dirname, "..")
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium"
if (!fs.existsSync(CHROMIUM)) {
  console.error(
    `Chromium not found at ${CHROMIUM}: install Debian's with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`
  )
  console.log("0 passed, 1 failed")
  process.exit(1)
}

/** `npm run demo -- --free-ports` in a child process; resolves once it wrote where everything runs. */
async function startDemo(readyFile) {
  fs.mkdirSync(path.dirname(readyFile), { recursive: true })
  fs.rmSync(readyFile, { force: true })
  const child = spawn(process.execPath, ["scripts/demo.js", "--free-ports"], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: "", DEMO_READY_FILE: readyFile },
    stdio: ["ignore", "inherit", "inherit"],
  })
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      child.once("exit", resolve)
      child.kill("SIGTERM")
    })
  // The admin build (about a minute on two cores, none when reused) comes before the store starts.
  for (let waited = 0; waited < 420_000; waited += 500) {
    if (fs.existsSync(readyFile)) return { stop, ready: JSON.parse(fs.readFileSync(readyFile, "utf8")) }
    if (child.exitCode !== null) throw new Error(`the demo exited with ${child.exitCode}`)
    await new Promise((r) => setTimeout(r, 500))
  }
  await stop()
  throw new Error("the demo did not start within 7 minutes")
}

async function main() {
  const started = Date.now()
  const readyFile = path.join(root, ".tmp", "demo", "browser-ready.json")
  let demo
  try {
    demo = await startDemo(readyFile)
  } catch (error) {
    console.error(`[test:browser] ${error.message}`)
    return { passed: 0, failed: 1 }
  }
  const { adminBuildSeconds = 0 } = demo.ready.timings ?? {}
  const bootSeconds = Math.round((Date.now() - started) / 1000)
  console.log(
    `[test:browser] demo ready in ${bootSeconds} s (Medusa Admin build: ${adminBuildSeconds ? `${adminBuildSeconds} s` : "reused"})`
  )
  try {
    return await runJest(
      "browser",
      {
        TEST_TYPE: "browser",
        CHROMIUM_PATH: CHROMIUM,
        HPP_BROWSER_DEMO: readyFile,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --experimental-vm-modules`.trim(),
      },
      ["--runInBand", "--forceExit", ...process.argv.slice(2)]
    )
  } finally {
    await demo.stop()
    console.log(`[test:browser] ${Math.round((Date.now() - started) / 1000)} s in all`)
  }
}

main().then(({ passed, failed }) => {
  console.log(`${passed} passed, ${failed} failed`)
  process.exit(failed === 0 && passed > 0 ? 0 : 1)
})
