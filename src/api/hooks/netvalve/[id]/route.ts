import { hostedWebhookRoute } from "../../hosted-webhook"

/** `POST /hooks/netvalve/:id`: NetValve's webhooks for the provider registered with `id`, answered once the work is done. */
export const POST = hostedWebhookRoute({ id: "netvalve", name: "NetValve" })
