import net from "node:net"
import nock from "nock"
import { isGatewayUnavailable, neverReached } from "../errors"
import { GatewayHttpClient } from "../http"

const BASE = "https://api.gateway.example"

function client(timeoutMs = 2000) {
  return new GatewayHttpClient({
    gateway: "Gateway",
    baseURL: BASE,
    timeoutMs,
    retries: 2,
    headers: { "X-Api-Key": "top-secret-key" },
  })
}

describe("gateway HTTP client", () => {
  beforeAll(() => nock.disableNetConnect())
  afterEach(() => nock.cleanAll())
  afterAll(() => nock.enableNetConnect())

  it("retries a GET on 503 and 429, then returns the answer", async () => {
    nock(BASE).get("/things/1").reply(503).get("/things/1").reply(429).get("/things/1").reply(200, { id: 1 })
    const response = await client().request<{ id: number }>({ operation: "get thing", method: "GET", url: "/things/1" })
    expect(response.data).toEqual({ id: 1 })
  })

  it("waits out a short Retry-After on a 429 and retries; a long one is the caller's, named in the error, not retried", async () => {
    nock(BASE).get("/things/1").reply(429, {}, { "Retry-After": "1" }).get("/things/1").reply(200, { id: 1 })
    expect((await client().request({ operation: "get thing", method: "GET", url: "/things/1" })).data).toEqual({
      id: 1,
    })
    const scope = nock(BASE)
      .get("/things/2")
      .reply(429, { message: "Too Many Attempts." }, { "Retry-After": "600" })
      .get("/things/2")
      .reply(200, { id: 2 })
    await expect(client().request({ operation: "get thing", method: "GET", url: "/things/2" })).rejects.toThrow(
      "Gateway get thing failed (HTTP 429, retry after 600 s): Too Many Attempts."
    )
    expect(scope.isDone()).toBe(false)
  })

  it("never retries a POST: a create could happen twice", async () => {
    const scope = nock(BASE).post("/things").reply(500, { message: "boom" }).post("/things").reply(201, {})
    await expect(
      client().request({ operation: "create thing", method: "POST", url: "/things", data: {} })
    ).rejects.toThrow("Gateway create thing failed (HTTP 500): boom")
    expect(scope.isDone()).toBe(false)
  })

  it("names the gateway's code and message, never the credentials", async () => {
    nock(BASE).post("/things").reply(422, { code: "E42", message: "amount is invalid" })
    const error = await client()
      .request({ operation: "create thing", method: "POST", url: "/things", data: {} })
      .catch((e) => e)
    expect(error.message).toBe("Gateway create thing failed (HTTP 422, code E42): amount is invalid")
    expect(JSON.stringify(error)).not.toContain("top-secret-key")
  })

  it("says when the gateway did not answer in time", async () => {
    nock(BASE).post("/slow").delay(500).reply(200, {})
    await expect(client(100).request({ operation: "slow call", method: "POST", url: "/slow" })).rejects.toThrow(
      "Gateway slow call failed: no answer within 100 ms (timeout)"
    )
  })

  it("says when the gateway cannot be reached, after retrying a GET", async () => {
    // A real refused connection: a local port nothing listens on.
    const server = net.createServer()
    const port = await new Promise<number>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port))
    )
    await new Promise((resolve) => server.close(resolve))
    nock.enableNetConnect("127.0.0.1")
    const unreachable = new GatewayHttpClient({ gateway: "Gateway", baseURL: `http://127.0.0.1:${port}`, retries: 2 })
    let attempts = 0
    unreachable.axios.interceptors.request.use((config) => {
      attempts++
      return config
    })
    await expect(unreachable.request({ operation: "get x", method: "GET", url: "/x" })).rejects.toThrow(
      `Gateway get x failed: could not reach 127.0.0.1:${port} (ECONNREFUSED)`
    )
    expect(attempts).toBe(3)
    nock.disableNetConnect()
  })

  /**
   * A refund sent to a real local server that reads the request and then does `onRequest` with the socket: the
   * error the client throws, and the server's port.
   */
  async function refundTo(onRequest: (socket: net.Socket) => void): Promise<{ message: string; port: number }> {
    const server = net.createServer((socket) => socket.once("data", () => onRequest(socket)))
    const port = await new Promise<number>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port))
    )
    nock.enableNetConnect("127.0.0.1")
    try {
      const gateway = new GatewayHttpClient({ gateway: "Gateway", baseURL: `http://127.0.0.1:${port}`, retries: 2 })
      const error = await gateway
        .request({ operation: "refund", method: "POST", url: "/refunds", data: { amount: "10.50" } })
        .catch((e: Error) => e)
      return { message: (error as Error).message, port }
    } finally {
      nock.disableNetConnect()
      await new Promise((resolve) => server.close(resolve))
    }
  }

  it("says a connection reset after the request arrived was lost before the answer, not that the gateway was never reached, and sends a POST once", async () => {
    let requests = 0
    const { message, port } = await refundTo((socket) => {
      requests++
      socket.resetAndDestroy() // no answer at all
    })
    expect(message).toBe(
      `Gateway refund failed: lost the connection to 127.0.0.1:${port} before its answer (ECONNRESET)`
    )
    // The gateway may have acted: a later try is safe only after asking it, and the ask is not forgotten.
    expect(isGatewayUnavailable(message)).toBe(true)
    expect(neverReached(message)).toBe(false)
    expect(requests).toBe(1)
  })

  it("says a 2xx answer cut off mid-body was lost during the answer, never that the gateway refused", async () => {
    const { message, port } = await refundTo((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"id":"re_1","st')
      setTimeout(() => socket.destroy(), 20)
    })
    expect(message).toMatch(
      new RegExp(`^Gateway refund failed: lost the connection to 127\\.0\\.0\\.1:${port} during its answer \\(HTTP 200`)
    )
    expect(isGatewayUnavailable(message)).toBe(true)
    expect(neverReached(message)).toBe(false)
  })

  it("treats a documented non-2xx answer as an answer when asked to", async () => {
    nock(BASE).delete("/things/9").reply(404)
    const response = await client().request({
      operation: "delete",
      method: "DELETE",
      url: "/things/9",
      acceptStatus: (s) => s === 404,
    })
    expect(response.status).toBe(404)
  })
})
