import http from "node:http"
import https from "node:https"
import type { AddressInfo } from "node:net"
import nock from "nock"
import { GatewayHttpClient } from "../http"

describe("gateway HTTP client connections", () => {
  // nock's interceptors (loaded for every test file) open a new socket per request: this test needs Node's own.
  beforeAll(() => nock.restore())
  afterAll(() => nock.activate())

  it("keeps its connection: the status call after a create opens none (in production, no second TLS handshake)", async () => {
    let connections = 0
    const server = http.createServer((_req, res) => res.end("{}"))
    server.on("connection", () => connections++)
    const port = await new Promise<number>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port))
    )
    try {
      const client = new GatewayHttpClient({ gateway: "Gateway", baseURL: `http://127.0.0.1:${port}` })
      await client.request({ operation: "create", method: "POST", url: "/pages", data: {} })
      await client.request({ operation: "status", method: "GET", url: "/pages/1" })
      await new Promise((resolve) => setTimeout(resolve, 50))
      await client.request({ operation: "status", method: "GET", url: "/pages/1" })
      expect(connections).toBe(1)
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it("sends https through Node's global agent, which keeps connections alive the same way", () => {
    const client = new GatewayHttpClient({ gateway: "Gateway", baseURL: "https://api.gateway.example" })
    expect(client.axios.defaults.httpsAgent).toBeUndefined()
    expect((https.globalAgent as https.Agent & { keepAlive?: boolean }).keepAlive).toBe(true)
  })
})
