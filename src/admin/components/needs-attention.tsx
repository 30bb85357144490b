import { Badge, Button, Container, Heading, Table, Text, toast } from "@medusajs/ui"
import { useState } from "react"
import type { HppAttentionItem, HppReconcileResponse } from "../../api/admin/hpp/types"
import { errorMessage, useMarkHandled, useNeedsAttention, useReconcile } from "../lib/api"
import { money, sentence, when } from "../lib/format"

export const ATTENTION_PAGE_SIZE = 10
const PAGE_SIZE = ATTENTION_PAGE_SIZE
export const ATTENTION_ID = "hpp-needs-attention"

type Check = { itemId: string; reference: string; gateway: string; decision: string; detail?: string }

/**
 * "Needs attention": what the store could not settle by itself, newest first, a page at a time. "Check with the
 * gateway now" runs the reconciliation of the payment session (the decision stays shown above the list, since a
 * settled item leaves it); "Mark handled" records that a person dealt with it.
 */
export function NeedsAttention() {
  const [page, setPage] = useState(0)
  const { data, error, isLoading } = useNeedsAttention(page * PAGE_SIZE, PAGE_SIZE)
  const [lastCheck, setLastCheck] = useState<Check | null>(null)
  const items = data?.items ?? []
  const count = data?.count ?? 0
  const pageCount = Math.max(1, Math.ceil(count / PAGE_SIZE))

  return (
    <Container id={ATTENTION_ID} className="scroll-mt-4 divide-y p-0" data-testid="hpp-needs-attention">
      <div className="flex items-center justify-between px-6 py-4">
        <div>
          <Heading level="h2">Needs attention</Heading>
          <Text size="small" className="text-ui-fg-subtle">
            Payments the store could not settle by itself, newest first.
          </Text>
        </div>
        {count > 0 && (
          <Badge color="orange" size="small">
            {count} open
          </Badge>
        )}
      </div>

      {lastCheck && (
        <div className="bg-ui-bg-subtle px-6 py-3" data-testid="hpp-check-result">
          <Text size="small">
            <span className="font-medium">
              Checked {lastCheck.gateway} {lastCheck.reference}:
            </span>{" "}
            {sentence(lastCheck.decision)}
            {lastCheck.detail && !lastCheck.decision.includes(lastCheck.detail) ? ` (${lastCheck.detail})` : ""}
          </Text>
        </div>
      )}

      {isLoading && (
        <Text size="small" className="text-ui-fg-muted px-6 py-4">
          Loading…
        </Text>
      )}
      {error && (
        <Text size="small" className="text-ui-fg-error px-6 py-4">
          Could not read the list: {errorMessage(error)}
        </Text>
      )}
      {data && items.length === 0 && (
        <Text size="small" className="text-ui-fg-subtle px-6 py-4" data-testid="hpp-attention-empty">
          Nothing needs attention. A payment the store cannot settle by itself (paid at the gateway with no order, a
          refund whose outcome is unknown, a debit that failed after the order…) will appear here.
        </Text>
      )}
      {items.map((item) => (
        <AttentionItem key={item.id} item={item} onChecked={setLastCheck} />
      ))}
      {count > PAGE_SIZE && (
        <Table.Pagination
          count={count}
          pageSize={PAGE_SIZE}
          pageIndex={page}
          pageCount={pageCount}
          canPreviousPage={page > 0}
          canNextPage={page + 1 < pageCount}
          previousPage={() => setPage((p) => Math.max(0, p - 1))}
          nextPage={() => setPage((p) => Math.min(pageCount - 1, p + 1))}
        />
      )}
    </Container>
  )
}

function AttentionItem({ item, onChecked }: { item: HppAttentionItem; onChecked: (check: Check) => void }) {
  const reconcile = useReconcile()
  const handled = useMarkHandled()
  const reference = item.gateway_reference ?? item.payment_session_id ?? ""
  const amount = money(item.amount, item.currency_code)

  const check = () => {
    if (!item.payment_session_id) return
    reconcile.mutate(item.payment_session_id, {
      onSuccess: ({ reconciliation }: HppReconcileResponse) => {
        onChecked({
          itemId: item.id,
          reference,
          gateway: item.gateway_name,
          decision: reconciliation.decision,
          detail: reconciliation.detail,
        })
        toast.success(`${item.gateway_name}: ${sentence(reconciliation.decision)}`)
      },
      onError: (error) => toast.error(`Could not check with ${item.gateway_name}: ${errorMessage(error)}`),
    })
  }
  const markHandled = () =>
    handled.mutate(item.id, {
      onSuccess: () => toast.success("Marked handled"),
      onError: (error) => toast.error(`Could not mark it handled: ${errorMessage(error)}`),
    })

  return (
    <div className="flex flex-col gap-y-2 px-6 py-4" data-testid="hpp-attention-item" data-kind={item.kind}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="flex flex-wrap items-center gap-x-2">
          <Text size="small" weight="plus">
            {item.title}
          </Text>
          <Badge size="2xsmall" color="grey">
            {item.gateway_name}
          </Badge>
        </div>
        <Text size="xsmall" className="text-ui-fg-muted">
          {when(item.created_at)}
        </Text>
      </div>
      <Text size="small" className="text-ui-fg-subtle">
        {item.message}
      </Text>
      <Text size="small">
        <span className="font-medium">What to do: </span>
        {item.what_to_do}
      </Text>
      <div className="text-ui-fg-subtle flex flex-wrap gap-x-6 gap-y-1">
        <Text size="small">
          Reference: <span className="font-mono">{item.gateway_reference ?? "none"}</span>
        </Text>
        {amount && <Text size="small">Amount: {amount}</Text>}
      </div>
      {(item.can_check_now || item.can_mark_handled) && (
        <div className="flex gap-x-2 pt-1">
          {item.can_check_now && (
            <Button
              size="small"
              variant="secondary"
              isLoading={reconcile.isPending}
              disabled={!item.payment_session_id}
              onClick={check}
            >
              Check with the gateway now
            </Button>
          )}
          {item.can_mark_handled && (
            <Button size="small" variant="secondary" isLoading={handled.isPending} onClick={markHandled}>
              Mark handled
            </Button>
          )}
        </div>
      )}
    </div>
  )
}
