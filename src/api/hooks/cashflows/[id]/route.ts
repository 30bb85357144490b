import { cashflowsAcknowledgement, readCashflowsNotification } from "../../../../providers/cashflows/webhook"
import { hostedWebhookRoute } from "../../hosted-webhook"

/**
 * `POST /hooks/cashflows/:id`: Cashflows' notifications for the provider registered with `id`. Cashflows
 * redelivers (every minute, then daily, then weekly, for about a month) until it gets 200 with both
 * references echoed, so that acknowledgement is the 200 answer.
 */
export const POST = hostedWebhookRoute({
  id: "cashflows",
  name: "Cashflows",
  acknowledge: (payload) => {
    const reading = readCashflowsNotification(payload)
    return reading.ok ? cashflowsAcknowledgement(reading.notification) : {}
  },
})
