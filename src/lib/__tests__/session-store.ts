import type { HostedCradle, SessionRow, SessionStore } from "../hosted-provider"

/**
 * The payment module's session service as a provider sees it, over rows a test writes: `list` by id or by
 * one key of the stored data, as the provider asks it. Deleted rows are left out, as Medusa's are.
 */
export function sessionStore(rows: SessionRow[]): SessionStore & { rows: SessionRow[] } {
  return {
    rows,
    async list(filters: Record<string, unknown>) {
      return rows.filter((row) => {
        if (row.deleted_at) return false
        if (filters.id !== undefined) return row.id === filters.id
        const wanted = Object.entries((filters.data ?? {}) as Record<string, unknown>)
        return wanted.length > 0 && wanted.every(([key, value]) => row.data?.[key] === value)
      })
    },
  }
}

/** A cradle holding a logger and the sessions a test says exist, each of provider `providerId`. */
export function cradleWith(
  logger: HostedCradle["logger"],
  providerId: string,
  sessions: Record<string, unknown>[] = []
): HostedCradle {
  const rows = sessions.map((data) => ({
    id: String(data.session_id),
    provider_id: providerId,
    data,
    deleted_at: null,
  }))
  return { logger, paymentSessionService: sessionStore(rows) }
}
