import { hostedWebhookRoute } from "../../hosted-webhook"

/** `POST /hooks/catalystpay/:id`: CatalystPay's webhooks for the provider registered with `id`, answered once the work is done. */
export const POST = hostedWebhookRoute({ id: "catalystpay", name: "CatalystPay" })
