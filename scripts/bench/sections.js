const fs = require("node:fs")

/**
 * docs/benchmarks.md is written by several runs (`npm run bench`, `--scale`, `--reconcile`): each owns the part
 * between `<!-- <name>:start -->` and `<!-- <name>:end -->`, which it replaces (or appends), leaving the rest.
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

module.exports = { writeSection }
