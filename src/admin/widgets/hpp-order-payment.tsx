import { ArrowPath, ArrowUpRightOnBox } from "@medusajs/icons"
import { defineWidgetConfig } from "@medusajs/admin-sdk"
import type { AdminOrder, DetailWidgetProps } from "@medusajs/framework/types"
import { Container, Copy, Heading, IconButton, StatusBadge, Text, Tooltip } from "@medusajs/ui"
import type { HppOrderPaymentView } from "../../api/admin/hpp/types"
import { SectionRow } from "../components/section-row"
import { errorMessage, useGatewayStatus, useOrderHostedPayments } from "../lib/api"
import { gatewayStatusLabel, medusaStatusLabel, money, when } from "../lib/format"

/**
 * The order page's side column: for each payment of the order made on a gateway's hosted page, the gateway, its
 * reference (a link into the gateway's dashboard where the gateway documents one), what the gateway says now
 * (asked when the page opens; "refresh" asks again), and what it holds and gave back against the order's total.
 * An order paid some other way shows nothing.
 */
const HostedPaymentWidget = ({ data: order }: DetailWidgetProps<AdminOrder>) => {
  const { data, error, isLoading } = useOrderHostedPayments(order.id)
  if (isLoading) return null
  if (error)
    return (
      <Container className="px-6 py-4">
        <Heading level="h2">Hosted payment</Heading>
        <Text size="small" className="text-ui-fg-error mt-2">
          Could not read this order's hosted payments: {errorMessage(error)}
        </Text>
      </Container>
    )
  const payments = data?.payments ?? []
  if (payments.length === 0) return null
  return (
    <>
      {payments.map((payment) => (
        <HostedPayment key={payment.payment_session_id} payment={payment} order={order} several={payments.length > 1} />
      ))}
    </>
  )
}

function HostedPayment({
  payment,
  order,
  several,
}: {
  payment: HppOrderPaymentView
  order: AdminOrder
  several: boolean
}) {
  const status = useGatewayStatus(payment.payment_session_id)
  const now = status.data?.gateway_status
  const shown = now ? gatewayStatusLabel(now.status) : null
  const currency = now?.currency_code ?? payment.currency_code
  const orderTotal = Number(order.total)
  const held = now?.captured ?? now?.paid ?? null
  const short = held !== null && Number(held) < Number(payment.amount)

  return (
    <Container className="divide-y p-0" data-testid="hpp-order-payment" data-gateway={payment.gateway}>
      <div className="flex items-center justify-between gap-x-2 px-6 py-4">
        <Heading level="h2">{several ? `Hosted payment: ${payment.gateway_name}` : "Hosted payment"}</Heading>
        {shown ? (
          <StatusBadge color={shown.tone} className="text-nowrap" data-testid="hpp-gateway-status">
            {shown.label}
          </StatusBadge>
        ) : status.isFetching ? (
          <StatusBadge color="grey">Asking {payment.gateway_name}…</StatusBadge>
        ) : (
          <StatusBadge color="red">Status unknown</StatusBadge>
        )}
      </div>

      <SectionRow label="Gateway">{payment.gateway_name}</SectionRow>

      <SectionRow label="Reference" testId="hpp-reference">
        {payment.gateway_reference ? (
          <div className="flex items-center gap-x-1">
            {payment.dashboard_url ? (
              <a
                href={payment.dashboard_url}
                target="_blank"
                rel="noreferrer"
                className="text-ui-fg-interactive hover:text-ui-fg-interactive-hover txt-compact-small inline-flex items-center gap-x-1 break-all font-mono"
                title={`Open this payment in ${payment.gateway_name}'s dashboard`}
              >
                {payment.gateway_reference}
                <ArrowUpRightOnBox className="shrink-0" />
              </a>
            ) : (
              <Text size="small" leading="compact" className="break-all font-mono">
                {payment.gateway_reference}
              </Text>
            )}
            <Copy content={payment.gateway_reference} className="text-ui-fg-muted" />
          </div>
        ) : (
          <Text size="small" leading="compact" className="text-ui-fg-muted">
            None yet: the payment page was not opened
          </Text>
        )}
      </SectionRow>

      <SectionRow label={`${payment.gateway_name} says`}>
        <div className="flex items-start justify-between gap-x-2">
          <div className="flex min-w-0 flex-col">
            {now ? (
              <>
                <Text size="small" leading="compact">
                  {shown?.label}
                  {now.gateway_word ? ` ("${now.gateway_word}")` : ""}
                </Text>
                <Text size="xsmall" leading="compact" className="text-ui-fg-muted">
                  asked {when(now.asked_at)}
                </Text>
              </>
            ) : status.error ? (
              <Text size="small" leading="compact" className="text-ui-fg-error" data-testid="hpp-gateway-error">
                {gatewayError(payment.gateway_name, errorMessage(status.error))}
              </Text>
            ) : (
              <Text size="small" leading="compact" className="text-ui-fg-muted">
                Asking…
              </Text>
            )}
          </div>
          <Tooltip content={`Ask ${payment.gateway_name} again`}>
            <IconButton
              size="small"
              variant="transparent"
              aria-label={`Ask ${payment.gateway_name} again`}
              disabled={status.isFetching}
              onClick={() => status.refetch()}
            >
              <ArrowPath className={status.isFetching ? "animate-spin" : undefined} />
            </IconButton>
          </Tooltip>
        </div>
      </SectionRow>

      <SectionRow label="Order total">{money(orderTotal, order.currency_code) ?? "—"}</SectionRow>
      {several || Number(payment.amount) !== orderTotal ? (
        <SectionRow label="This payment">{money(payment.amount, payment.currency_code) ?? "—"}</SectionRow>
      ) : null}
      {now && (
        <>
          <SectionRow label="Paid at the gateway">
            {amountOrUnknown(now.paid, currency, payment.gateway_name)}
          </SectionRow>
          <SectionRow label="Captured">{amountOrUnknown(now.captured, currency, payment.gateway_name)}</SectionRow>
          <SectionRow label="Refunded">{amountOrUnknown(now.refunded, currency, payment.gateway_name)}</SectionRow>
          {short && (
            <div className="px-6 py-3">
              <Text size="small" className="text-ui-fg-error">
                {payment.gateway_name} holds less than this payment asked for.
              </Text>
            </div>
          )}
        </>
      )}
      <SectionRow label="In Medusa">{medusaStatusLabel(payment.medusa_status)}</SectionRow>
    </Container>
  )
}

/** The route's message when it names the gateway (it says what happened); else the same in a sentence. */
function gatewayError(gateway: string, message: string): string {
  return message.includes(gateway) ? message : `Could not ask ${gateway} now: ${message}`
}

function amountOrUnknown(amount: string | null, currency: string, gateway: string): string {
  return money(amount, currency) ?? `not reported by ${gateway}`
}

export const config = defineWidgetConfig({ zone: "order.details.side", id: "medusa-payment-hpp:order-payment" })

export default HostedPaymentWidget
