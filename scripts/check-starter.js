#!/usr/bin/env node
/**
 * `node scripts/check-starter.js <dtc-starter repository>`: applies docs/storefront-nextjs.md to Medusa's Next.js
 * storefront and checks that it compiles. Not run by CI (it downloads the starter's packages from npm).
 *
 * From the repository's HEAD (a clone or a bare mirror of medusajs/dtc-starter) it exports `apps/storefront` into
 * a fresh folder, installs its packages and type-checks it as it is; builds and packs this package; applies the
 * guide's code blocks as they are written (```diff blocks with `git apply`, blocks with title="<path>" as files);
 * installs the packed package; runs `npx tsc --noEmit` and `next build`; and runs `npm install` once more (the
 * a plain install must keep working: the package's server peers are optional).
 *
 * Options: --work <dir> (default: <tmp>/medusa-payment-hpp-starter-check), --tarball <file> (a package packed
 * before: no build), --backend <url> and --publishable-key <pk_…> (a running Medusa store, which `next build`
 * asks while prerendering; without one the build is reported as compiled or not). Ends with "N passed, N failed".
 */
const { execFileSync, spawnSync } = require("node:child_process")
const fs = require("node:fs")
const os = require("node:os")
const path = require("node:path")

const root = path.join(__dirname, "..")
const args = process.argv.slice(2)
const option = (name) => {
  const i = args.indexOf(name)
  return i >= 0 ? args.splice(i, 2)[1] : undefined
}
const work = path.resolve(option("--work") ?? path.join(os.tmpdir(), "medusa-payment-hpp-starter-check"))
const tarballOption = option("--tarball")
const backend = option("--backend")
const publishableKey = option("--publishable-key")
const starterRepo = args[0]
if (!starterRepo) {
  console.error(
    "usage: node scripts/check-starter.js <dtc-starter repository> [--work dir] [--tarball file] " +
      "[--backend url --publishable-key pk_…]"
  )
  process.exit(2)
}

let passed = 0
let failed = 0
const report = (ok, what, detail = "") => {
  if (ok) passed++
  else failed++
  console.log(`${ok ? "ok  " : "FAIL"}  ${what}${detail ? `: ${detail}` : ""}`)
}
const note = (what) => console.log(`      ${what}`)

/** Runs a command; answers whether it succeeded, its stdout and its output (both streams, whose tail a failure prints). */
function run(command, commandArgs, cwd, env = {}) {
  const result = spawnSync(command, commandArgs, {
    cwd,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  })
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`
  if (result.status !== 0) {
    console.log(
      output
        .split("\n")
        .slice(-25)
        .map((line) => `      | ${line}`)
        .join("\n")
    )
  }
  return { ok: result.status === 0, stdout: result.stdout ?? "", output }
}

/** The guide's code blocks: diffs to apply, and files (title="…") to write. */
function guideBlocks() {
  const guide = fs.readFileSync(path.join(root, "docs", "storefront-nextjs.md"), "utf8")
  const blocks = []
  for (const match of guide.matchAll(/^```(\w+)([^\n]*)\n([\s\S]*?)^```$/gm)) {
    const [, lang, info, body] = match
    const title = /title="([^"]+)"/.exec(info)?.[1]
    if (lang === "diff") blocks.push({ kind: "diff", body })
    else if (title) blocks.push({ kind: "file", path: title, body })
  }
  return blocks
}

function main() {
  const storefront = path.join(work, "storefront")
  fs.rmSync(storefront, { recursive: true, force: true })
  fs.mkdirSync(work, { recursive: true })

  // The starter as it is.
  const commit = execFileSync("git", ["-C", starterRepo, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim()
  const archive = path.join(work, "storefront.tar")
  execFileSync("git", ["-C", starterRepo, "archive", "-o", archive, "HEAD", "apps/storefront"])
  execFileSync("tar", ["-xf", archive, "-C", work])
  fs.renameSync(path.join(work, "apps", "storefront"), storefront)
  fs.rmSync(path.join(work, "apps"), { recursive: true, force: true })
  fs.rmSync(archive)
  // Its committed tsconfig.tsbuildinfo would let tsc skip files it believes unchanged.
  fs.rmSync(path.join(storefront, "tsconfig.tsbuildinfo"), { force: true })
  report(true, `dtc-starter ${commit}: apps/storefront exported`, storefront)

  let step = run("npm", ["install", "--no-audit", "--no-fund"], storefront)
  report(step.ok, "npm install (the starter's packages)")
  if (!step.ok) return
  step = run("npx", ["tsc", "--noEmit"], storefront)
  report(step.ok, "npx tsc --noEmit on the starter as it is")

  // This package, as npm would publish it.
  let tarball = tarballOption && path.resolve(tarballOption)
  if (!tarball) {
    step = run("npm", ["run", "build"], root)
    report(step.ok, "npm run build (this package)")
    if (!step.ok) return
    step = run("npm", ["pack", "--pack-destination", work], root)
    report(step.ok, "npm pack")
    if (!step.ok) return
    tarball = path.join(work, step.stdout.trim().split("\n").pop().trim())
  }

  // The guide, as written.
  const blocks = guideBlocks()
  for (const block of blocks) {
    if (block.kind === "file") {
      const file = path.join(storefront, block.path)
      fs.mkdirSync(path.dirname(file), { recursive: true })
      fs.writeFileSync(file, block.body)
      report(true, `wrote ${block.path}`)
    } else {
      const target = /^\+\+\+ b\/(.+)$/m.exec(block.body)?.[1] ?? "?"
      const patch = path.join(work, "block.diff")
      fs.writeFileSync(patch, block.body)
      // GIT_CEILING_DIRECTORIES: a --work inside a git repository would make git apply the diff to its paths
      step = run("git", ["apply", "--verbose", patch], storefront, { GIT_CEILING_DIRECTORIES: work })
      report(step.ok, `applied the diff to ${target}`)
    }
  }
  if (!blocks.length) report(false, "the guide's code blocks", "none found")

  step = run("npm", ["install", tarball, "--no-audit", "--no-fund"], storefront)
  report(step.ok, "npm install medusa-payment-hpp (packed)", path.basename(tarball))
  if (!step.ok) return
  const server = ["@medusajs/framework", "@medusajs/medusa"].filter((name) =>
    fs.existsSync(path.join(storefront, "node_modules", name))
  )
  report(!server.length, "no Medusa server package in the storefront", server.join(", ") || "none")

  step = run("npx", ["tsc", "--noEmit"], storefront)
  report(step.ok, "npx tsc --noEmit with the guide's change")

  const env = {
    NEXT_PUBLIC_MEDUSA_BACKEND_URL: backend ?? "http://localhost:9000",
    NEXT_PUBLIC_MEDUSA_PUBLISHABLE_KEY: publishableKey ?? "pk_check_starter",
  }
  step = run("npx", ["next", "build"], storefront, env)
  const compiled = /Compiled successfully/.test(step.output)
  if (step.ok) {
    report(true, "next build", `against ${env.NEXT_PUBLIC_MEDUSA_BACKEND_URL}`)
    const route = /\/api\/hpp\/return/.test(step.output)
    report(route, "next build lists /api/hpp/return")
  } else if (!backend && compiled && /Failed to collect page data/.test(step.output)) {
    report(true, "next build compiles (types are checked by tsc above: the starter ignores them in builds)")
    note(
      `its prerendering could not reach a store at ${env.NEXT_PUBLIC_MEDUSA_BACKEND_URL}: ` +
        "pass --backend and --publishable-key for the whole build"
    )
  } else {
    report(false, "next build")
  }

  step = run("npm", ["install", "--no-audit", "--no-fund"], storefront)
  report(step.ok, "npm install again (plain: no peer conflict with the starter)")
}

try {
  main()
} catch (error) {
  report(false, "check-starter", error.message)
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
