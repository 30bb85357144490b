/**
 * `npm run check:package`: what a store and a storefront get from npm. Builds the package, packs it (`npm pack`,
 * the tarball npm would publish), unpacks it into a consumer's `node_modules`, and there:
 * - compiles a small store (`medusa-config`-like use of `medusa-payment-hpp/env` and `/types`, the sandbox) and
 *   a small storefront (`medusa-payment-hpp/storefront` with today's `@medusajs/js-sdk` and the 2.18.0 one the
 *   `dtc-starter` pins) against the packed types, under `"moduleResolution"` `bundler`, `node16` and the
 *   starter's `node` (which ignores `exports`: `typesVersions` carries it);
 * - loads the storefront module as Node would, by `require` and by `import`.
 * Everything else the consumer imports resolves from this repository's `node_modules` (the consumer lives below
 * it, in `.tmp/`), so nothing is downloaded. Ends with "N passed, N failed".
 *
 * `--no-build` packs the build already in `.medusa/server`.
 */
const { execFileSync } = require("node:child_process")
const fs = require("node:fs")
const path = require("node:path")

const root = path.join(__dirname, "..")
const work = path.join(root, ".tmp", "package-check")
const consumer = path.join(work, "consumer")
const tsc = require.resolve("typescript/bin/tsc")

const STORE = `import { hppProvidersFromEnv } from "medusa-payment-hpp/env"
import type { HitPayProviderOptions, HitPaySessionData, HppProviderRegistration } from "medusa-payment-hpp/types"
import { startSandbox } from "medusa-payment-hpp/sandbox"

const providers: HppProviderRegistration[] = hppProvidersFromEnv(process.env)
const hitpay: HitPayProviderOptions = {
  apiKey: "key",
  salt: "salt",
  webhookUrl: "https://api.shop.example/hooks/hitpay/hitpay",
  allowedReturnOrigins: ["https://shop.example"],
}
export function checkoutUrlOf(data: HitPaySessionData): string {
  return data.checkout_url
}
export async function sandbox(): Promise<string> {
  const running = await startSandbox({ hitpay: { apiKey: "key", salt: "salt" } })
  await running.close()
  return running.url
}
export { providers, hitpay }
`

const storefront = (sdkModule) => `import Medusa from "${sdkModule}"
import {
  finishHostedPayment,
  HostedPaymentError,
  isHostedPaymentProvider,
  startHostedPayment,
  type FinishedHostedPayment,
} from "medusa-payment-hpp/storefront"

const sdk = new Medusa({ baseUrl: "https://api.shop.example", publishableKey: "pk_test" })

export async function pay(cartId: string, providerId: string): Promise<string | undefined> {
  if (!isHostedPaymentProvider(providerId)) return undefined
  try {
    const { checkoutUrl } = await startHostedPayment(sdk, {
      cart: { id: cartId },
      providerId,
      returnUrl: "https://shop.example/api/hpp/return",
      returnParams: { country_code: "dk" },
    })
    return checkoutUrl
  } catch (error) {
    if (error instanceof HostedPaymentError) return error.message
    throw error
  }
}

export async function back(cartId: string): Promise<string> {
  const finished: FinishedHostedPayment = await finishHostedPayment(sdk, { cartId })
  return finished.status === "completed" ? \`\${finished.order.id} \${finished.paymentStatus}\` : finished.message
}
`

const SETUPS = {
  bundler: { module: "esnext", moduleResolution: "bundler" },
  node16: { module: "node16", moduleResolution: "node16" },
  "node (the starter's)": { module: "esnext", moduleResolution: "node" },
}

function run(command, args, options = {}) {
  return execFileSync(command, args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...options })
}

function main() {
  const build = !process.argv.includes("--no-build")
  const results = []
  const check = (name, fn) => {
    try {
      fn()
      results.push({ name, ok: true })
      console.log(`  ✓ ${name}`)
    } catch (error) {
      results.push({ name, ok: false })
      console.log(`  ✕ ${name}\n${String(error.stdout ?? "") + String(error.stderr ?? "") || error.message}`)
    }
  }

  fs.rmSync(work, { recursive: true, force: true })
  fs.mkdirSync(path.join(consumer, "node_modules", "medusa-payment-hpp"), { recursive: true })
  if (build) {
    console.log("[check:package] npm run build")
    run("npm", ["run", "build"], { stdio: "ignore" })
  }
  const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work]))[0]
  const files = packed.files.map((f) => f.path)
  console.log(`[check:package] ${packed.filename}: ${files.length} files, ${(packed.size / 1024).toFixed(0)} kB`)
  run("tar", [
    "-xzf",
    path.join(work, packed.filename),
    "-C",
    path.join(consumer, "node_modules", "medusa-payment-hpp"),
    "--strip-components=1",
  ])

  check("the tarball holds type declarations and the storefront's ES module, and no tests or sources", () => {
    for (const wanted of [
      ".medusa/server/src/storefront/index.d.ts",
      ".medusa/server/src/storefront/index.mjs",
      ".medusa/server/src/types.d.ts",
      ".medusa/server/src/env.d.ts",
      ".medusa/server/src/sandbox/index.d.ts",
      ".medusa/server/src/providers/hitpay/index.d.ts",
    ]) {
      if (!files.includes(wanted)) throw new Error(`missing ${wanted}`)
    }
    const stray = files.filter((f) => /__tests__|\.spec\.|^src\//.test(f))
    if (stray.length) throw new Error(`should not be packed: ${stray.join(", ")}`)
  })

  fs.writeFileSync(path.join(consumer, "store.ts"), STORE)
  fs.writeFileSync(path.join(consumer, "storefront.ts"), storefront("@medusajs/js-sdk"))
  fs.writeFileSync(path.join(consumer, "storefront-starter.ts"), storefront("starter-js-sdk"))
  fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true }))
  for (const [name, options] of Object.entries(SETUPS)) {
    check(
      `a store and a storefront compile against the packed types with "moduleResolution": "${options.moduleResolution}"${name.includes("starter") ? " (the starter's)" : ""}`,
      () => {
        const config = {
          compilerOptions: {
            ...options,
            target: "es2020",
            lib: ["es2022", "dom"],
            strict: true,
            noEmit: true,
            esModuleInterop: true,
            skipLibCheck: true,
            types: ["node"],
            typeRoots: [path.join(root, "node_modules", "@types")],
          },
          files: ["store.ts", "storefront.ts", "storefront-starter.ts"],
        }
        const file = path.join(consumer, `tsconfig.${options.moduleResolution}.json`)
        fs.writeFileSync(file, JSON.stringify(config, null, 2))
        run(process.execPath, [tsc, "-p", file], { cwd: consumer })
        // The types came from the tarball, not from this repository's sources.
        const listed = run(process.execPath, [tsc, "-p", file, "--listFiles"], { cwd: consumer })
        if (!listed.includes("consumer/node_modules/medusa-payment-hpp/.medusa/server/src/storefront/index.d.ts")) {
          throw new Error("medusa-payment-hpp/storefront did not resolve to the packed declarations")
        }
        if (/\/work\/main\/src\//.test(listed) || listed.includes(`${root}/src/`)) {
          throw new Error("a declaration resolved to the repository's sources")
        }
      }
    )
  }

  check("the storefront module loads by require and by import, importing nothing", () => {
    const script = `
      const cjs = require("medusa-payment-hpp/storefront")
      import("medusa-payment-hpp/storefront").then((esm) => {
        for (const m of [cjs, esm]) {
          if (m.isHostedPaymentProvider("pp_hitpay_shop") !== true || m.isHostedPaymentProvider("pp_stripe_stripe") !== false) process.exit(1)
        }
        if (!require.resolve("medusa-payment-hpp/storefront").endsWith("storefront/index.js")) process.exit(2)
      })`
    run(process.execPath, ["-e", script], { cwd: consumer })
    const esm = fs.readFileSync(
      path.join(consumer, "node_modules/medusa-payment-hpp/.medusa/server/src/storefront/index.mjs"),
      "utf8"
    )
    if (/^\s*import\s/m.test(esm)) throw new Error("the storefront's ES module imports something")
  })

  const failed = results.filter((r) => !r.ok).length
  console.log(`${results.length - failed} passed, ${failed} failed`)
  process.exitCode = failed ? 1 : 0
}

main()
