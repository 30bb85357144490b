/**
 * Where the sandbox delivers every webhook during the benchmark: it notes the exact body, the headers and the
 * moment of delivery, and acknowledges at once as each gateway wants (Cashflows: its two references echoed), so
 * that nothing reaches Medusa unless the benchmark forwards it. Checkouts measured through cart completion thus
 * see no webhook racing them, and a webhook can be forwarded to either route, or fifty times at once.
 */
const http = require("node:http")
const { replayableHeaders, webhookAcknowledgement } = require("../demo/gateways")

async function startInbox() {
  const received = []
  const waiters = []
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on("data", (c) => chunks.push(c))
    req.on("end", () => {
      const at = performance.now()
      const gateway = (req.url ?? "").split("/")[2]
      const body = Buffer.concat(chunks).toString("utf8")
      const headers = replayableHeaders(req.headers)
      const webhook = { gateway, path: req.url, body, headers, at }
      received.push(webhook)
      for (const waiter of waiters.filter((w) => w.gateway === gateway)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(webhook)
      }
      res.writeHead(200, { "content-type": gateway === "cashflows" ? "application/json" : "text/plain" })
      res.end(webhookAcknowledgement(gateway, body))
    })
  })
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** The next webhook of this gateway delivered after now. */
    next(gateway, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const waiter = { gateway, resolve }
        waiters.push(waiter)
        setTimeout(() => {
          if (waiters.includes(waiter)) {
            waiters.splice(waiters.indexOf(waiter), 1)
            reject(new Error(`no ${gateway} webhook within ${timeoutMs} ms`))
          }
        }, timeoutMs).unref()
      })
    },
    count: () => received.length,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

module.exports = { startInbox }
