import { defineRouteConfig } from "@medusajs/admin-sdk"
import { CreditCard } from "@medusajs/icons"
import { Container, Heading, Text } from "@medusajs/ui"
import { NeedsAttention } from "../../../components/needs-attention"
import { ProviderCard } from "../../../components/provider-card"
import { errorMessage, useHppProviders } from "../../../lib/api"

/**
 * Settings → Hosted payments: every provider of the plugin the store registered (environment, options set or
 * missing, the webhook URL to register, "Test connection", the last webhooks), then what needs a person.
 */
const HostedPaymentsPage = () => {
  const { data, error, isLoading } = useHppProviders()
  const providers = data?.providers ?? []
  return (
    <div className="flex flex-col gap-y-3">
      <Container className="px-6 py-4">
        <Heading level="h1">Hosted payments</Heading>
        <Text size="small" className="text-ui-fg-subtle mt-1">
          The payment gateways whose hosted payment pages this store uses: whether each is set up, where it sends its
          webhooks, and whether the store can reach it. Below them, the payments that need a person.
        </Text>
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
      {providers.map((provider) => (
        <ProviderCard key={provider.id} provider={provider} />
      ))}

      <NeedsAttention />
    </div>
  )
}

export const config = defineRouteConfig({ label: "Hosted payments", icon: CreditCard })

export default HostedPaymentsPage
