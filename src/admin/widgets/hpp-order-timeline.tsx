import { defineWidgetConfig } from "@medusajs/admin-sdk"
import type { AdminOrder, DetailWidgetProps } from "@medusajs/framework/types"
import { Container, Heading, Text } from "@medusajs/ui"
import { EventTimeline } from "../components/event-timeline"
import { useOrderHostedPayments } from "../lib/api"

/**
 * The order page's main column: what happened to each hosted payment of the order, oldest first (page created,
 * webhooks and their verdicts, the buyer's return, refunds…). Shares its request with the side widget.
 */
const HostedPaymentTimelineWidget = ({ data: order }: DetailWidgetProps<AdminOrder>) => {
  const { data } = useOrderHostedPayments(order.id)
  const payments = data?.payments ?? []
  if (payments.length === 0) return null
  return (
    <Container className="divide-y p-0" data-testid="hpp-order-timeline">
      <div className="px-6 py-4">
        <Heading level="h2">Hosted payment history</Heading>
        <Text size="small" className="text-ui-fg-subtle">
          What the plugin recorded for this order's payment{payments.length > 1 ? "s" : ""}, oldest first.
        </Text>
      </div>
      {payments.map((payment) => (
        <div key={payment.payment_session_id}>
          {payments.length > 1 && (
            <Text size="small" weight="plus" className="px-6 pt-4">
              {payment.gateway_name} {payment.gateway_reference ?? ""}
            </Text>
          )}
          <EventTimeline events={payment.events} />
        </div>
      ))}
    </Container>
  )
}

export const config = defineWidgetConfig({ zone: "order.details", id: "medusa-payment-hpp:order-timeline" })

export default HostedPaymentTimelineWidget
