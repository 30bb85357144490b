/** What the rig reads in the Medusa processes' logs. */
const fs = require("node:fs")

const ESC = String.fromCharCode(27)
/** A log line without its colour codes. */
const stripColours = (line) =>
  line
    .split(ESC)
    .map((part, i) => (i === 0 ? part : part.replace(/^\[\d+m/, "")))
    .join("")

const UNHANDLED = /unhandled ?(promise ?)?rejection|uncaught ?exception/i

/** Per process (server A, server B, the worker), its log lines that report an unhandled rejection or exception. */
function unhandled(cluster) {
  const lines = (file) =>
    fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => UNHANDLED.test(line))
      .map((line) => stripColours(line).trim().slice(0, 300))
  return { "server A": lines(cluster.a.log), "server B": lines(cluster.b.log), "the worker": lines(cluster.worker.log) }
}

module.exports = { unhandled }
