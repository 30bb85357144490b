import { createServer, IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"

/** A webhook as the test's receiver got it: exact bytes and headers. */
export type Received = { path: string; headers: IncomingHttpHeaders; body: string; at: number }

export type Receiver = {
  url: string
  received: Received[]
  /** How to answer; default 200 "ok". */
  respond: (hook: Received) => { status: number; body?: string }
  /** Resolves when `count` webhooks have arrived (fails after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>
  close(): Promise<void>
}

/** A local HTTP server standing in for the shop's webhook endpoint. */
export async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    url: "",
    received: [],
    respond: () => ({ status: 200, body: "ok" }),
    waitFor: async (count, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs
      while (receiver.received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} webhooks, got ${receiver.received.length}`)
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      return receiver.received
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const hook = {
        path: req.url ?? "/",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now(),
      }
      receiver.received.push(hook)
      const answer = receiver.respond(hook)
      res.writeHead(answer.status, { "content-type": "application/json" })
      res.end(answer.body ?? "")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return receiver
}

/** Submits a hosted page's form the way a browser would, without following the redirect. */
export async function submitPage(pageUrl: string, fields: Record<string, string>): Promise<Response> {
  return fetch(pageUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  })
}

/** The form's action from a hosted page's HTML (where its buttons post). */
export function formAction(pageHtml: string): string {
  const match = /<form[^>]*action="([^"]+)"/.exec(pageHtml)
  if (!match) throw new Error("no form on the page")
  return match[1].replace(/&amp;/g, "&")
}

/** An input's prefilled value by id. */
export function inputValue(pageHtml: string, id: string): string | undefined {
  return new RegExp(`id="${id}"[^>]*value="([^"]*)"`).exec(pageHtml)?.[1]
}
