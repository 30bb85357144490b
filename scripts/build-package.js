/**
 * After `medusa plugin:build` (which emits JavaScript only): the package's type declarations, and the storefront
 * module as an ES module for browsers (`.medusa/server/src/storefront/index.mjs`, served as it is by the demo).
 */
const { execFileSync } = require("node:child_process")
const fs = require("node:fs")
const path = require("node:path")
const ts = require("typescript")

const root = path.join(__dirname, "..")

/** The storefront module as an ES module: one file, no imports, what a browser loads with `<script type=module>`. */
function storefrontEsm() {
  const source = fs.readFileSync(path.join(root, "src", "storefront", "index.ts"), "utf8")
  return ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ES2020, target: ts.ScriptTarget.ES2020, removeComments: false },
    fileName: "index.ts",
  }).outputText
}

function main() {
  const started = Date.now()
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.declarations.json"], {
    cwd: root,
    stdio: "inherit",
  })
  fs.writeFileSync(path.join(root, ".medusa", "server", "src", "storefront", "index.mjs"), storefrontEsm())
  console.log(
    `type declarations and the storefront's ES module written (${((Date.now() - started) / 1000).toFixed(1)} s)`
  )
}

if (require.main === module) main()

module.exports = { storefrontEsm }
