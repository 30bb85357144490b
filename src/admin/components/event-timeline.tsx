import { Badge, Text } from "@medusajs/ui"
import type { HppEventView } from "../../api/admin/hpp/types"
import { kindInWords, money, outcomeTone, when } from "../lib/format"

/**
 * A payment's record, in the order given (the order widget passes it oldest first): when, what happened in words,
 * the outcome as a coloured badge, and the plugin's one-sentence message.
 */
export function EventTimeline({ events, empty }: { events: HppEventView[]; empty?: string }) {
  if (events.length === 0)
    return (
      <Text size="small" className="text-ui-fg-muted px-6 py-4">
        {empty ?? "Nothing recorded yet."}
      </Text>
    )
  return (
    <ol className="flex flex-col px-6 py-4">
      {events.map((event, index) => (
        <li key={event.id} className="grid grid-cols-[20px_1fr] gap-x-2" data-testid="hpp-event">
          <div className="flex flex-col items-center">
            <span
              className={`mt-1.5 size-2.5 shrink-0 rounded-full ${dotColour(outcomeTone(event.outcome), event.attention)}`}
            />
            {index < events.length - 1 && <span className="bg-ui-border-base mt-1 w-px flex-1" />}
          </div>
          <div className="flex flex-col gap-y-0.5 pb-4">
            <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
              <Text size="small" leading="compact" weight="plus">
                {kindInWords(event.kind)}
              </Text>
              <Badge size="2xsmall" color={outcomeTone(event.outcome)}>
                {event.outcome}
              </Badge>
              {event.count > 1 && (
                <Badge size="2xsmall" color="grey">
                  {event.count} times
                </Badge>
              )}
              {event.attention && !event.handled_at && !event.resolved_at && (
                <Badge size="2xsmall" color="orange">
                  needs attention
                </Badge>
              )}
            </div>
            <Text size="small" leading="compact" className="text-ui-fg-subtle">
              {event.message}
            </Text>
            <Text size="xsmall" leading="compact" className="text-ui-fg-muted">
              {[when(event.created_at), money(event.amount, event.currency_code)].filter(Boolean).join(" · ")}
              {event.handled_at &&
                ` · handled ${when(event.handled_at)}${event.handled_by ? ` by ${event.handled_by}` : ""}`}
              {event.resolved_at && !event.handled_at && ` · resolved ${when(event.resolved_at)}`}
            </Text>
          </div>
        </li>
      ))}
    </ol>
  )
}

function dotColour(tone: string, attention: boolean): string {
  if (attention) return "bg-ui-tag-orange-icon"
  switch (tone) {
    case "green":
      return "bg-ui-tag-green-icon"
    case "red":
      return "bg-ui-tag-red-icon"
    case "orange":
      return "bg-ui-tag-orange-icon"
    default:
      return "bg-ui-tag-neutral-icon"
  }
}
