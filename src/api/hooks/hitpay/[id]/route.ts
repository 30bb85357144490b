import { hostedWebhookRoute } from "../../hosted-webhook"

/** `POST /hooks/hitpay/:id`: HitPay's webhooks for the provider registered with `id`, answered once the work is done. */
export const POST = hostedWebhookRoute({ id: "hitpay", name: "HitPay" })
