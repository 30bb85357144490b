import { CheckCircleSolid, MinusMini, XCircleSolid } from "@medusajs/icons"
import { Badge, Button, Container, Copy, Heading, StatusBadge, Table, Text } from "@medusajs/ui"
import { useState, type ReactNode } from "react"
import type { HppOptionView, HppProviderView } from "../../api/admin/hpp/types"
import { errorMessage, useTestConnection } from "../lib/api"
import { environmentInWords, outcomeTone, when } from "../lib/format"

/** The element id of a provider's card, for the overview's links. */
export const cardId = (providerId: string) => `hpp-provider-${providerId}`

/** One gateway on the settings page. */
export function ProviderCard({ provider }: { provider: HppProviderView }) {
  const environment = environmentInWords(provider)
  const missing = provider.options.filter((o) => o.required && !o.set)
  return (
    <Container
      id={cardId(provider.id)}
      className="scroll-mt-4 divide-y p-0"
      data-testid="hpp-provider"
      data-provider={provider.id}
    >
      <div className="flex flex-wrap items-center justify-between gap-2 px-6 py-4">
        <div>
          <Heading level="h2">{provider.gateway_name}</Heading>
          <Text size="xsmall" className="text-ui-fg-muted font-mono">
            {provider.id}
          </Text>
        </div>
        <div className="flex items-center gap-x-2">
          {missing.length > 0 && (
            <StatusBadge color="red">
              {missing.length} required option{missing.length > 1 ? "s" : ""} missing
            </StatusBadge>
          )}
          <Badge color={environment.tone} size="small">
            {environment.label}
          </Badge>
        </div>
      </div>

      <Block title="Environment">
        <Text size="small">
          <span className="font-medium">{environment.label}</span>
          {provider.environment === "custom" ? (
            <>
              : the provider talks to <span className="break-all font-mono">{provider.base_url}</span>
            </>
          ) : (
            <>: {environment.detail}</>
          )}
        </Text>
      </Block>

      <Block title="Options" hint="Which options are set; their values are never shown.">
        <Options options={provider.options} />
      </Block>

      <Block title="Webhook">
        {provider.webhook_url ? (
          <div className="bg-ui-bg-subtle flex items-center gap-x-2 rounded-md border px-3 py-2">
            <code className="txt-compact-small flex-1 break-all" data-testid="hpp-webhook-url">
              {provider.webhook_url}
            </code>
            <Copy content={provider.webhook_url} />
          </div>
        ) : null}
        <Text size="small" className="text-ui-fg-subtle mt-2">
          {provider.webhook_note}
        </Text>
      </Block>

      <ConnectionTest provider={provider} />

      <Block title="Last webhooks">
        {provider.last_webhooks.length === 0 ? (
          <Text size="small" className="text-ui-fg-muted">
            No webhook received from {provider.gateway_name} yet.
          </Text>
        ) : (
          <Table>
            <Table.Header>
              <Table.Row>
                <Table.HeaderCell>Received</Table.HeaderCell>
                <Table.HeaderCell>Verdict</Table.HeaderCell>
                <Table.HeaderCell>What it said</Table.HeaderCell>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {provider.last_webhooks.map((event) => (
                <Table.Row key={event.id}>
                  <Table.Cell className="whitespace-nowrap">{when(event.created_at)}</Table.Cell>
                  <Table.Cell>
                    <Badge size="2xsmall" color={outcomeTone(event.outcome)}>
                      {event.outcome}
                    </Badge>
                    {event.count > 1 && <span className="text-ui-fg-muted ml-1">×{event.count}</span>}
                  </Table.Cell>
                  <Table.Cell className="!whitespace-normal py-2">
                    {event.message}
                    {event.gateway_reference && (
                      <span className="text-ui-fg-muted ml-1 font-mono">({event.gateway_reference})</span>
                    )}
                  </Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        )}
      </Block>
    </Container>
  )
}

function Block({ title, hint, children }: { title: string; hint?: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-y-2 px-6 py-4">
      <div>
        <Text size="small" weight="plus">
          {title}
        </Text>
        {hint && (
          <Text size="xsmall" className="text-ui-fg-muted">
            {hint}
          </Text>
        )}
      </div>
      {children}
    </div>
  )
}

/**
 * Which options are set, never their values: every required one (a missing one in red), then how many optional ones
 * are set, by name; "Show all" lists every option with its environment variable.
 */
function Options({ options }: { options: HppOptionView[] }) {
  const [all, setAll] = useState(false)
  const required = options.filter((o) => o.required)
  const optional = options.filter((o) => !o.required)
  const optionalSet = optional.filter((o) => o.set)
  return (
    <div className="flex flex-col gap-y-3">
      {all ? (
        <OptionGrid options={options} />
      ) : (
        <>
          <OptionGrid options={required} />
          {optional.length > 0 && (
            <Text size="small" className="text-ui-fg-subtle">
              Optional: {optionalSet.length} of {optional.length} set
              {optionalSet.length > 0 && ` (${optionalSet.map((o) => o.name).join(", ")})`}; the others keep their
              defaults.
            </Text>
          )}
        </>
      )}
      <div>
        <Button
          size="small"
          variant="transparent"
          className="text-ui-fg-interactive -ml-2"
          onClick={() => setAll((v) => !v)}
        >
          {all ? "Show the required options only" : `Show all ${options.length} options and their variables`}
        </Button>
      </div>
    </div>
  )
}

function OptionGrid({ options }: { options: HppOptionView[] }) {
  return (
    <ul className="grid grid-cols-1 gap-x-6 gap-y-1 md:grid-cols-2">
      {options.map((option) => (
        <li key={option.name} className="flex items-start gap-x-2" data-testid="hpp-option" data-set={option.set}>
          <span className="mt-0.5 shrink-0">
            {option.set ? (
              <CheckCircleSolid className="text-ui-tag-green-icon" />
            ) : option.required ? (
              <XCircleSolid className="text-ui-tag-red-icon" />
            ) : (
              <MinusMini className="text-ui-tag-neutral-icon" />
            )}
          </span>
          <div className="min-w-0">
            <Text
              size="small"
              leading="compact"
              weight={!option.set && option.required ? "plus" : "regular"}
              className={!option.set && option.required ? "text-ui-fg-error" : undefined}
            >
              {option.name}
              {option.set ? "" : option.required ? " (required, missing)" : " (not set: default)"}
            </Text>
            <Text size="xsmall" leading="compact" className="text-ui-fg-muted break-all font-mono">
              {option.env}
            </Text>
          </div>
        </li>
      ))}
    </ul>
  )
}

function ConnectionTest({ provider }: { provider: HppProviderView }) {
  const test = useTestConnection(provider.id)
  const result = test.data?.result
  return (
    <Block title="Connection">
      <div className="flex flex-col gap-y-1">
        <div>
          <Button
            size="small"
            variant="secondary"
            disabled={!provider.connection_test.available}
            isLoading={test.isPending}
            onClick={() => test.mutate()}
          >
            Test connection
          </Button>
        </div>
        <Text size="xsmall" className="text-ui-fg-muted">
          {provider.connection_test.note}
        </Text>
      </div>
      {result && (
        <div className="flex items-start gap-x-2" data-testid="hpp-connection-result" data-ok={result.ok}>
          <StatusBadge color={result.ok ? "green" : "red"} className="shrink-0">
            {result.ok ? "Connected" : "Failed"}
          </StatusBadge>
          <Text size="small">
            {result.message}
            <span className="text-ui-fg-muted"> ({when(result.checked_at)})</span>
          </Text>
        </div>
      )}
      {test.error && (
        <div className="flex items-start gap-x-2" data-testid="hpp-connection-result" data-ok="false">
          <StatusBadge color="red" className="shrink-0">
            Not tested
          </StatusBadge>
          <Text size="small" className="text-ui-fg-error">
            {errorMessage(test.error)}
          </Text>
        </div>
      )}
    </Block>
  )
}
