#!/usr/bin/env node
/**
 * `node scripts/bench/profile-summary.js <file.cpuprofile> [filter]`: where Medusa's CPU went in a profile that
 * `npm run bench -- --profile` wrote. Prints self time by package (this plugin's files by path) and the functions
 * with the most inclusive time whose file matches `filter` (default: this repository's own code).
 */
const fs = require("node:fs")
const path = require("node:path")

const [file, filter = "src/"] = process.argv.slice(2)
if (!file) {
  console.error("usage: profile-summary.js <file.cpuprofile> [filter]")
  process.exit(2)
}
const root = path.resolve(__dirname, "..", "..")
const profile = JSON.parse(fs.readFileSync(file, "utf8"))
const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
const self = new Map()
for (let i = 0; i < profile.samples.length; i++) {
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000)
}
const total = [...self.values()].reduce((a, b) => a + b, 0)
const idle = [...self]
  .filter(([id]) => nodes.get(id).callFrame.functionName === "(idle)")
  .reduce((a, [, ms]) => a + ms, 0)

function where(url, name) {
  if (!url) return name.startsWith("(") ? name : "(native / V8)"
  const p = url.replace(/^file:\/\//, "")
  const nm = p.lastIndexOf("node_modules/")
  if (nm >= 0) {
    const rest = p.slice(nm + 13).split("/")
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]
  }
  if (p.startsWith(root)) return path.relative(root, p)
  if (p.startsWith("node:")) return "node"
  return p
}

const byPackage = new Map()
for (const [id, ms] of self) {
  const key = where(nodes.get(id).callFrame.url, nodes.get(id).callFrame.functionName)
  byPackage.set(key, (byPackage.get(key) ?? 0) + ms)
}

// Inclusive time per function, each counted once per stack (recursion not doubled).
const inclusive = new Map()
const keyOf = (n) =>
  `${n.callFrame.functionName || "(anonymous)"} ${where(n.callFrame.url, "")}:${n.callFrame.lineNumber + 1}`
function walk(id, onStack) {
  const node = nodes.get(id)
  const key = keyOf(node)
  let ms = self.get(id) ?? 0
  const added = !onStack.has(key)
  if (added) onStack.add(key)
  for (const child of node.children ?? []) ms += walk(child, onStack)
  if (added) {
    onStack.delete(key)
    inclusive.set(key, (inclusive.get(key) ?? 0) + ms)
  }
  return ms
}
walk(profile.nodes[0].id, new Set())

const pct = (ms) => `${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)} %`
console.log(`${total.toFixed(0)} ms sampled, ${idle.toFixed(0)} ms of them idle\n\nSelf time by package or file:`)
for (const [k, ms] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(ms)}  ${k}`)
console.log(`\nInclusive time, functions in files matching "${filter}":`)
for (const [k, ms] of [...inclusive]
  .filter(([k]) => k.split(" ")[1].startsWith(filter))
  .sort((a, b) => b[1] - a[1])
  .slice(0, 30))
  console.log(`${pct(ms)}  ${k}`)
