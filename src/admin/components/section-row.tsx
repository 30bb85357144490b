import { Text } from "@medusajs/ui"
import type { ReactNode } from "react"

/** One "label: value" line of a widget, laid out as Medusa's own order sections lay theirs. */
export function SectionRow({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="text-ui-fg-subtle grid grid-cols-[2fr_3fr] items-start gap-x-3 px-6 py-3" data-testid={testId}>
      <Text size="small" leading="compact" weight="plus">
        {label}
      </Text>
      <div className="min-w-0 break-words">
        {typeof children === "string" ? (
          <Text size="small" leading="compact">
            {children}
          </Text>
        ) : (
          children
        )}
      </div>
    </div>
  )
}
