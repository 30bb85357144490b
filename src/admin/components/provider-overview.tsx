import { CheckCircleSolid, XCircleSolid } from "@medusajs/icons"
import { Badge, Container, Heading, Table, Text } from "@medusajs/ui"
import type { HppProviderView } from "../../api/admin/hpp/types"
import { environmentInWords, outcomeTone, when } from "../lib/format"
import { cardId } from "./provider-card"

/** Every gateway on one line each: is it set up, where it points, and the last word it sent; details below. */
export function ProviderOverview({ providers }: { providers: HppProviderView[] }) {
  return (
    <Container className="divide-y p-0" data-testid="hpp-overview">
      <div className="px-6 py-4">
        <Heading level="h2">Gateways at a glance</Heading>
        <Text size="small" className="text-ui-fg-subtle">
          Click a gateway for its options, webhook URL and connection test.
        </Text>
      </div>
      <Table>
        <Table.Header>
          <Table.Row>
            <Table.HeaderCell>Gateway</Table.HeaderCell>
            <Table.HeaderCell>Environment</Table.HeaderCell>
            <Table.HeaderCell>Set up</Table.HeaderCell>
            <Table.HeaderCell>Last webhook</Table.HeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {providers.map((provider) => {
            const environment = environmentInWords(provider)
            const missing = provider.options.filter((o) => o.required && !o.set)
            const last = provider.last_webhooks[0]
            return (
              <Table.Row
                key={provider.id}
                className="cursor-pointer"
                onClick={() =>
                  document.getElementById(cardId(provider.id))?.scrollIntoView({ behavior: "smooth", block: "start" })
                }
              >
                <Table.Cell>
                  <span className="font-medium">{provider.gateway_name}</span>
                </Table.Cell>
                <Table.Cell>
                  <Badge size="2xsmall" color={environment.tone}>
                    {environment.label}
                  </Badge>
                </Table.Cell>
                <Table.Cell>
                  {missing.length === 0 ? (
                    <span className="flex items-center gap-x-1">
                      <CheckCircleSolid className="text-ui-tag-green-icon" /> Every required option set
                    </span>
                  ) : (
                    <span className="text-ui-fg-error flex items-center gap-x-1 font-medium">
                      <XCircleSolid className="text-ui-tag-red-icon" /> Missing: {missing.map((o) => o.env).join(", ")}
                    </span>
                  )}
                </Table.Cell>
                <Table.Cell>
                  {last ? (
                    <span className="flex items-center gap-x-2">
                      <Badge size="2xsmall" color={outcomeTone(last.outcome)}>
                        {last.outcome}
                      </Badge>
                      <span className="text-ui-fg-subtle">{when(last.created_at)}</span>
                    </span>
                  ) : (
                    <span className="text-ui-fg-muted">none yet</span>
                  )}
                </Table.Cell>
              </Table.Row>
            )
          })}
        </Table.Body>
      </Table>
    </Container>
  )
}
