/**
 * Medusa's CPU time, read from outside its process: the sum over every thread of the process tree of the time
 * it ran, from /proc/<pid>/task/<tid>/schedstat (nanoseconds, Linux). Threads that exit take their time with them;
 * Node's threads (main, libuv pool, V8 workers) live as long as the process.
 */
const fs = require("node:fs")

function descendants(rootPid) {
  const children = new Map()
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8")
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
      if (!children.has(ppid)) children.set(ppid, [])
      children.get(ppid).push(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  const all = [rootPid]
  for (let i = 0; i < all.length; i++) all.push(...(children.get(all[i]) ?? []))
  return all
}

/** A function returning the process tree's CPU time so far, in ms. */
function cpuMeter(rootPid) {
  const pids = descendants(rootPid)
  return () => {
    let ns = 0
    for (const pid of pids) {
      let tasks = []
      try {
        tasks = fs.readdirSync(`/proc/${pid}/task`)
      } catch {
        continue
      }
      for (const tid of tasks) {
        try {
          ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0])
        } catch {
          // thread gone meanwhile
        }
      }
    }
    return ns / 1e6
  }
}

module.exports = { cpuMeter, descendants }
