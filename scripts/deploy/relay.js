/**
 * Where the sandbox (the gateways) sends its webhooks in the rig: a small HTTP server of the rig's own, so the
 * rig decides who gets each delivery. A webhook that a test claims (by the session it names) is handed to that
 * test, which captures it to fan it out itself, or forwards it to a Medusa server and answers the gateway with
 * that server's answer (so the gateway's own redelivery runs). Unclaimed webhooks are kept and acknowledged.
 */
const { createServer } = require("node:http")
const { replayableHeaders, webhookAcknowledgement } = require("../demo/gateways")

/** POSTs a webhook body with its headers; resolves with status, text and how long it took (never rejects). */
async function post(url, { body, headers }, { timeoutMs = 60_000 } = {}) {
  const started = Date.now()
  try {
    const response = await fetch(url, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    })
    return { status: response.status, text: await response.text(), ms: Date.now() - started }
  } catch (error) {
    return { status: 0, text: String(error?.cause?.message ?? error?.message ?? error), ms: Date.now() - started }
  }
}

async function startRelay() {
  const claims = []
  const unclaimed = []
  const server = createServer((req, res) => {
    const chunks = []
    req.on("data", (chunk) => chunks.push(chunk))
    req.on("end", async () => {
      const [, , gateway] = (req.url ?? "").split("/") // /hooks/<gateway>/<id>
      const hook = {
        gateway,
        path: req.url,
        headers: replayableHeaders(req.headers),
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now(),
      }
      const claim = claims.find((c) => c.gateway === gateway && c.matches(hook.body))
      if (!claim) {
        unclaimed.push(hook)
        return res
          .writeHead(200, { "content-type": "application/json" })
          .end(webhookAcknowledgement(hook.gateway, hook.body))
      }
      claim.received.push(hook)
      claim.waiters.splice(0).forEach((wake) => wake())
      const answer = claim.forward ? await claim.forward(hook, claim.received.length) : undefined
      if (answer) return res.writeHead(answer.status || 502, { "content-type": "application/json" }).end(answer.text)
      res.writeHead(200, { "content-type": "application/json" }).end(webhookAcknowledgement(hook.gateway, hook.body))
    })
  })
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
  const url = `http://127.0.0.1:${server.address().port}`

  return {
    url,
    unclaimed,
    /**
     * Claims the webhooks of one gateway whose body names `ids` (the session id or the gateway's reference).
     * `forward(hook, attempt)` answers the gateway (e.g. with a Medusa server's answer); without it the relay
     * acknowledges. Returns `next()` (the next webhook not yet taken), `received` and `release()`.
     */
    claim(gateway, ids, { forward } = {}) {
      const needles = ids.filter(Boolean).map(String)
      const claim = {
        gateway,
        matches: (body) => needles.some((id) => body.includes(id)),
        forward,
        received: [],
        waiters: [],
        taken: 0,
      }
      claims.push(claim)
      return {
        received: claim.received,
        async next(timeoutMs = 20_000) {
          const deadline = Date.now() + timeoutMs
          while (claim.received.length <= claim.taken) {
            if (Date.now() > deadline)
              throw new Error(`no ${gateway} webhook for ${needles.join("/")} within ${timeoutMs} ms`)
            await new Promise((resolve) => {
              claim.waiters.push(resolve)
              setTimeout(resolve, 200)
            })
          }
          return claim.received[claim.taken++]
        },
        release() {
          claims.splice(claims.indexOf(claim), 1)
        },
      }
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

module.exports = { startRelay, post }
