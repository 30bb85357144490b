/**
 * The demo store every browser spec drives. `npm run test:browser` starts one demo for all of them and names its
 * ready file in HPP_BROWSER_DEMO; a spec run on its own (`npx jest integration-tests/browser/admin.spec.ts` with
 * TEST_TYPE=browser) starts its own, as `npm run demo -- --free-ports` in a child process.
 */
import { ChildProcess, spawn } from "node:child_process"
import fs from "node:fs"
import path from "node:path"
import { Browser, chromium } from "playwright-core"

export type Gateway = {
  gateway: string
  name: string
  providerId: string
  currency: string
  country: string
  price: number
  regionId: string
}
export type Demo = {
  storefrontUrl: string
  backendUrl: string
  databaseUrl: string
  sandboxUrl: string
  adminUrl: string | null
  adminUser: { email: string; password: string } | null
  seed: { publishableKey: string; salesChannelId: string; variantId: string; gateways: Gateway[] }
}

export const SHOTS = path.join(process.cwd(), "test-results", "browser")

let own: ChildProcess | null = null

/** Starts `scripts/demo.js --free-ports` writing `readyFile`; resolves with the child once the file is there. */
export async function spawnDemo(readyFile: string, timeoutMs = 360_000): Promise<{ child: ChildProcess; demo: Demo }> {
  fs.mkdirSync(path.dirname(readyFile), { recursive: true })
  fs.rmSync(readyFile, { force: true })
  const child = spawn(process.execPath, ["scripts/demo.js", "--free-ports"], {
    cwd: process.cwd(),
    env: { ...process.env, NODE_OPTIONS: "", DEMO_READY_FILE: readyFile },
    stdio: ["ignore", "inherit", "inherit"],
  })
  for (let waited = 0; waited < timeoutMs; waited += 500) {
    if (fs.existsSync(readyFile)) return { child, demo: JSON.parse(fs.readFileSync(readyFile, "utf8")) }
    if (child.exitCode !== null) throw new Error(`the demo exited with ${child.exitCode}`)
    await new Promise((r) => setTimeout(r, 500))
  }
  child.kill("SIGTERM")
  throw new Error(`the demo did not start within ${timeoutMs / 60_000} minutes`)
}

/** The shared demo when the runner started one, else a demo of this spec's own. */
export async function startDemo(): Promise<Demo> {
  const shared = process.env.HPP_BROWSER_DEMO
  if (shared) return JSON.parse(fs.readFileSync(shared, "utf8"))
  const { child, demo } = await spawnDemo(path.join(process.cwd(), ".tmp", "demo", `ready-${process.pid}.json`))
  own = child
  return demo
}

/** Stops the demo this spec started (never the shared one). */
export async function stopDemo() {
  if (own && own.exitCode === null) {
    const exited = new Promise((resolve) => own!.once("exit", resolve))
    own.kill("SIGTERM")
    await exited
  }
  own = null
}

/** Debian's Chromium, headless, as every browser spec runs it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  })
}
