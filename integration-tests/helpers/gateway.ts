import { Agent, type ClientRequest } from "node:http"
import type { MedusaContainer } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import { TestEventUtils } from "@medusajs/test-utils"
import nock from "nock"
import { answerOf, Api, Checkout } from "./store"

/** A request a gateway stand-in received, its body as the exact text the provider sent. */
export type GatewayRequest = {
  method: string
  path: string
  headers: Record<string, string | string[] | number | undefined>
  body: string
}

/**
 * Stands in for one POST endpoint of a gateway, answering with `answer(body)` built from the request's
 * body text; the returned list fills with the requests it receives.
 */
export function standInForPost(
  baseUrl: string,
  path: string,
  status: number,
  answer: (body: string) => nock.Body
): GatewayRequest[] {
  const received: GatewayRequest[] = []
  const scope = nock(baseUrl)
  // Emitted before the reply is built: the request as it was sent, headers and exact body text.
  scope.on("request", (req: ClientRequest, _interceptor: unknown, body: string) => {
    received.push({ method: req.method, path: req.path, headers: req.getHeaders(), body: body ?? "" })
  })
  // nock hands the reply a JSON body already parsed: answer from the text recorded a moment before.
  scope.post(path).reply(status, () => answer(received[received.length - 1].body))
  return received
}

/** A request body the provider sent as JSON. */
export const jsonOf = <T>(request: GatewayRequest): T => JSON.parse(request.body) as T

/** A webhook as the gateway posts it: the exact body text and the headers. */
export type WebhookDelivery = { body: string; headers: Record<string, string> }

/** What the webhook route answered. */
export type WebhookAnswer = { status: number; data: unknown }

/** What a webhook turns out to be once the plugin has looked at it. */
export type WebhookOutcome = "processed" | "forged" | "wrong amount"

/** The app a webhook is delivered to. */
export type MedusaApp = { api: Api; container: MedusaContainer }

/** Where a gateway's webhooks arrive, and what that route answers. */
export type WebhookRoute = {
  /** Posts the webhook and waits until the route has done its work, however long that takes there. */
  deliver(app: MedusaApp, webhook: WebhookDelivery): Promise<WebhookAnswer>
  /** What the gateway is answered, for each outcome. */
  expectAnswer(outcome: WebhookOutcome, answer: WebhookAnswer, checkout: Checkout): void
}

const raw = { transformRequest: [(data: unknown) => data] }

/**
 * Medusa's core route `/hooks/payment/<identifier>_<id>`: it answers 200 at once, before any check, and
 * processes the webhook later in a subscriber, so delivery waits for that subscriber to finish.
 */
export function medusaWebhookRoute(provider: string): WebhookRoute {
  return {
    async deliver({ api, container }, webhook) {
      const eventBus = container.resolve(Modules.EVENT_BUS)
      const handled = TestEventUtils.waitSubscribersExecution("payment.webhook_received", eventBus, {
        timeout: 30_000,
      }).catch((e: unknown) => e)
      const response = await api.post(`/hooks/payment/${provider}`, webhook.body, { headers: webhook.headers, ...raw })
      await handled
      return { status: response.status, data: response.data }
    },
    expectAnswer(_outcome, answer) {
      expect(answer.status).toBe(200) // Medusa's route answers before any check; the check is the provider's
    },
  }
}

/** A route of the plugin's own: it answers once the work is done, so the answer is the verdict. */
export function pluginWebhookRoute(path: string, expectAnswer: WebhookRoute["expectAnswer"]): WebhookRoute {
  return {
    deliver: ({ api }, webhook) => answerOf(api.post(path, webhook.body, { headers: webhook.headers, ...raw })),
    expectAnswer,
  }
}

/**
 * Posts a webhook to `path` over a connection from the local address `from` (e.g. 127.0.0.2, a loopback address
 * other than the test client's): to the app, a sender at another address, whatever its headers say.
 */
export function postFrom(api: Api, from: string, path: string, webhook: WebhookDelivery): Promise<WebhookAnswer> {
  const app = new URL(api.defaults.baseURL ?? "")
  app.hostname = "127.0.0.1" // an IPv4 address to reach, from an IPv4 address
  return answerOf(
    api.post(new URL(path, app).toString(), webhook.body, {
      headers: webhook.headers,
      httpAgent: new Agent({ localAddress: from }),
      ...raw,
    })
  )
}

/**
 * The plugin's route for a gateway, `/hooks/<gateway>/<id>`, as every gateway's is answered: 200 once the
 * order exists (with the gateway's acknowledgement body where it wants one), 401 for a forgery (or
 * `forgedStatus`, where the gateway's forgery is refused for another reason), 422 for a payment that must not
 * become an order; and never a detail of the store in the body.
 */
export function hppWebhookRoute(
  gateway: string,
  id: string,
  acknowledgement?: unknown,
  forgedStatus = 401
): WebhookRoute {
  return pluginWebhookRoute(`/hooks/${gateway}/${id}`, (outcome, answer, { session }) => {
    const expected = { processed: 200, forged: forgedStatus, "wrong amount": 422 }[outcome]
    expect(answer.status).toBe(expected)
    if (outcome === "processed" && acknowledgement !== undefined) expect(answer.data).toEqual(acknowledgement)
    expect(JSON.stringify(answer.data)).not.toContain(session.id)
  })
}
