const fs = require("node:fs")

/**
 * docs/benchmarks.md is written by several runs (`npm run bench`, `--scale`, `--reconcile`): each of the last two
 * owns the part between `<!-- <name>:start -->` and `<!-- <name>:end -->`, which it replaces (or appends), leaving
 * the rest; the first rewrites the page and keeps those parts (`keepSections`).
 */
function writeSection(file, name, body) {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  const block = `${start}\n\n${body.trim()}\n\n${end}`
  const old = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "# Benchmarks\n"
  const from = old.indexOf(start)
  const to = old.indexOf(end)
  const page =
    from !== -1 && to > from
      ? old.slice(0, from) + block + old.slice(to + end.length)
      : `${old.trimEnd()}\n\n${block}\n`
  fs.writeFileSync(file, page)
}

/**
 * The sections other runs write into the page (`npm run bench -- --scale`, the reconciliation's figures), each
 * between `<!-- <name>:start -->` and `<!-- <name>:end -->` lines: copied from the old page to the end of the new
 * one, unless the new one has a section of that name itself.
 */
function keepSections(oldPage, newPage) {
  const pattern = /^<!-- ([\w-]+):start -->$[\s\S]*?^<!-- \1:end -->$/gm
  const present = new Set([...newPage.matchAll(pattern)].map((m) => m[1]))
  const kept = [...oldPage.matchAll(pattern)].filter((m) => !present.has(m[1])).map((m) => m[0])
  return kept.length ? `${newPage.replace(/\n*$/, "\n")}\n${kept.join("\n\n")}\n` : newPage
}

module.exports = { keepSections, writeSection }
