/**
 * Just enough of Redis' protocol for the rig: whether it answers, and how many events Medusa's Redis event bus
 * (BullMQ, queue "events-queue", prefix "RedisEventBusService") still has delayed, waiting or in work.
 */
const net = require("node:net")

/** Sends commands on one connection (after SELECT of the URL's database) and resolves with their replies. */
function redisCommands(url, commands, timeoutMs = 3000) {
  const { hostname, port, pathname } = new URL(url)
  const db = Number(pathname.slice(1) || 0)
  const all = [["SELECT", String(db)], ...commands]
  const encode = (args) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname || "127.0.0.1", port: Number(port || 6379) })
    let buffer = ""
    const fail = (error) => {
      socket.destroy()
      reject(error)
    }
    socket.setTimeout(timeoutMs, () => fail(new Error(`Redis at ${url} did not answer within ${timeoutMs} ms`)))
    socket.on("error", fail)
    socket.on("connect", () => socket.write(all.map(encode).join("")))
    socket.on("data", (data) => {
      buffer += data.toString()
      // Simple replies only (+OK, -ERR, :n): one line each.
      const lines = buffer.split("\r\n").filter(Boolean)
      if (lines.length < all.length) return
      socket.destroy()
      const replies = lines.slice(1, all.length).map((line) => {
        if (line.startsWith("-")) throw new Error(`Redis: ${line.slice(1)}`)
        return line.startsWith(":") ? Number(line.slice(1)) : line.slice(1)
      })
      resolve(replies)
    })
  })
}

async function redisAnswers(url) {
  try {
    const [pong] = await redisCommands(url, [["PING"]], 2000)
    return pong === "PONG"
  } catch {
    return false
  }
}

const QUEUE = "RedisEventBusService:events-queue"

/** Events Medusa's worker has not finished yet (delayed, waiting, prioritized or active). */
async function pendingEvents(url) {
  const counts = await redisCommands(url, [
    ["ZCARD", `${QUEUE}:delayed`],
    ["LLEN", `${QUEUE}:wait`],
    ["ZCARD", `${QUEUE}:prioritized`],
    ["LLEN", `${QUEUE}:active`],
  ])
  return counts.reduce((a, b) => a + b, 0)
}

/** Resolves once the event bus has had nothing pending for two looks in a row (or after `timeoutMs`). */
async function eventsSettled(url, { timeoutMs = 60_000 } = {}) {
  const deadline = Date.now() + timeoutMs
  let quiet = 0
  while (Date.now() < deadline) {
    quiet = (await pendingEvents(url)) === 0 ? quiet + 1 : 0
    if (quiet >= 2) return true
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return false
}

module.exports = { redisAnswers, pendingEvents, eventsSettled }
