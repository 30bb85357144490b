import { defineRouteConfig } from "@medusajs/admin-sdk"
import { CreditCard, ExclamationCircleSolid } from "@medusajs/icons"
import { Button, Container, Heading, Text } from "@medusajs/ui"
import { ATTENTION_ID, ATTENTION_PAGE_SIZE, NeedsAttention } from "../../../components/needs-attention"
import { ProviderCard } from "../../../components/provider-card"
import { ProviderOverview } from "../../../components/provider-overview"
import { errorMessage, useHppProviders, useNeedsAttention } from "../../../lib/api"

/**
 * Settings → Hosted payments: every provider of the plugin the store registered (environment, options set or
 * missing, the webhook URL to register, "Test connection", the last webhooks), then what needs a person.
 */
const HostedPaymentsPage = () => {
  const { data, error, isLoading } = useHppProviders()
  const providers = data?.providers ?? []
  // The first page of "needs attention" (the list below shares it): its count belongs at the top.
  const attention = useNeedsAttention(0, ATTENTION_PAGE_SIZE).data?.count ?? 0
  return (
    <div className="flex flex-col gap-y-3">
      <Container className="flex flex-wrap items-start justify-between gap-4 px-6 py-4">
        <div className="max-w-3xl">
          <Heading level="h1">Hosted payments</Heading>
          <Text size="small" className="text-ui-fg-subtle mt-1">
            The payment gateways whose hosted payment pages this store uses: whether each is set up, where it sends its
            webhooks, and whether the store can reach it. At the bottom, the payments that need a person.
          </Text>
        </div>
        {attention > 0 && (
          <Button
            size="small"
            variant="secondary"
            onClick={() => document.getElementById(ATTENTION_ID)?.scrollIntoView({ behavior: "smooth" })}
          >
            <ExclamationCircleSolid className="text-ui-tag-orange-icon" />
            {attention} {attention === 1 ? "payment needs" : "payments need"} attention
          </Button>
        )}
      </Container>

      {isLoading && (
        <Container className="px-6 py-4">
          <Text size="small" className="text-ui-fg-muted">
            Loading the gateways…
          </Text>
        </Container>
      )}
      {error && (
        <Container className="px-6 py-4">
          <Text size="small" className="text-ui-fg-error">
            Could not read the gateways: {errorMessage(error)}
          </Text>
        </Container>
      )}
      {data && providers.length === 0 && (
        <Container className="px-6 py-4">
          <Text size="small" className="text-ui-fg-subtle">
            No hosted-payment gateway is registered. Set a gateway's environment variables (see the plugin's README) and
            restart the store.
          </Text>
        </Container>
      )}
      {providers.length > 0 && <ProviderOverview providers={providers} />}
      {providers.map((provider) => (
        <ProviderCard key={provider.id} provider={provider} />
      ))}

      <NeedsAttention />
    </div>
  )
}

export const config = defineRouteConfig({ label: "Hosted payments", icon: CreditCard })

export default HostedPaymentsPage
