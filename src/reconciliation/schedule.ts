/**
 * How often the reconciliation asks the gateway about a page nobody has paid yet, and how much it may ask.
 *
 * A session is first asked when its grace period ends (`reconcileAfterMinutes`), newest sessions first: a page paid
 * a moment ago whose webhooks were lost is the one worth finding soon. After each answer of "still pending" it is
 * asked again after a sixth of its age, at least 5 minutes (every run of the job) and at most 6 hours apart, or a
 * twelfth of the provider's window where that is longer (CatalystPay's 14 days: 28 hours):
 *
 * | the page's age | asked again after |
 * | --- | --- |
 * | up to 30 min | 5 min (every run) |
 * | 2 h | 20 min |
 * | 12 h | 2 h |
 * | 36 h and more | 6 h (a 14-day window: up to 28 h) |
 *
 * So an abandoned page costs 38 questions over the default 72 hours (48 over 14 days), not 864 (one every run). A
 * page the gateway reports ended (expired, closed) closes its session, which is not asked again.
 */
export const FIRST_INTERVAL_MS = 5 * 60_000
export const LAST_INTERVAL_MS = 6 * 3_600_000
/** A run that starts a little before a session's time still takes it (the job's runs do not start to the second). */
export const DUE_SLACK_MS = 60_000
/** How long one run may go on asking: the job comes every 5 minutes, so a run ends before the next is due. */
export const RUN_SECONDS = 240

/** When a session asked at `now` is asked next, in a window of `windowHours` (the provider's `reconcileForHours`). */
export function nextAskAt(createdAt: Date, now: Date, windowHours = 72): Date {
  const age = Math.max(0, now.getTime() - createdAt.getTime())
  const longest = Math.max(LAST_INTERVAL_MS, (windowHours * 3_600_000) / 12)
  return new Date(now.getTime() + Math.min(longest, Math.max(FIRST_INTERVAL_MS, age / 6)))
}

/** The questions one run may put to a provider's gateway, and the time between two of them. */
export function runBudget(ratePerSecond: number, runSeconds = RUN_SECONDS): { asks: number; spacingMs: number } {
  return { asks: Math.max(1, Math.floor(ratePerSecond * runSeconds)), spacingMs: 1000 / ratePerSecond }
}

/** When the gateway does not say how long to wait (a 429 without `Retry-After`). */
export const DEFAULT_PAUSE_MS = 60_000
/** A `Retry-After` longer than this is taken as this: a misconfigured header must not stop the job for days. */
export const LONGEST_PAUSE_MS = 6 * 3_600_000

/**
 * The pause a gateway asked for, from the words of the plugin's gateway error (`… failed (HTTP 429, retry after
 * 120 s)`); undefined when the error is not a 429.
 */
export function pauseAskedFor(message: string): number | undefined {
  if (!/\(HTTP 429[,)]/.test(message)) return undefined
  const seconds = /\(HTTP 429[^)]*retry after (\d+) s\)/.exec(message)?.[1]
  const ms = seconds === undefined ? DEFAULT_PAUSE_MS : Number(seconds) * 1000
  return Math.min(LONGEST_PAUSE_MS, Math.max(1000, ms))
}
