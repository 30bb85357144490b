import { gatewayError } from "../../lib/errors"
import { retryAfterSeconds } from "../../lib/retry-after"
import { DEFAULT_PAUSE_MS, LONGEST_PAUSE_MS, nextAskAt, pauseAskedFor, runBudget } from "../schedule"

const HOUR = 3_600_000
const MINUTE = 60_000

describe("the reconciliation's schedule", () => {
  const created = new Date("2026-12-01T00:00:00Z")
  const after = (ageMs: number) => {
    const now = new Date(created.getTime() + ageMs)
    return (nextAskAt(created, now).getTime() - now.getTime()) / MINUTE
  }

  it("asks a page again after a sixth of its age, every run at first and every 6 hours at most", () => {
    expect(after(10 * MINUTE)).toBe(5)
    expect(after(30 * MINUTE)).toBe(5)
    expect(after(2 * HOUR)).toBe(20)
    expect(after(12 * HOUR)).toBe(120)
    expect(after(36 * HOUR)).toBe(360)
    expect(after(300 * HOUR)).toBe(360)
  })

  it("stretches the longest wait to a twelfth of a longer window (CatalystPay's 14 days: 28 hours)", () => {
    const now = new Date(created.getTime() + 300 * HOUR)
    expect((nextAskAt(created, now, 14 * 24).getTime() - now.getTime()) / HOUR).toBe(28)
    expect((nextAskAt(created, now, 72).getTime() - now.getTime()) / HOUR).toBe(6)
  })

  it("asks an abandoned page 38 times over 72 hours, not once a run (864)", () => {
    let asks = 0
    for (let now = new Date(created.getTime() + 10 * MINUTE); now.getTime() - created.getTime() <= 72 * HOUR;) {
      asks += 1
      now = nextAskAt(created, now)
    }
    expect(asks).toBe(38)
  })

  it("spends a run of 240 s at the provider's rate", () => {
    expect(runBudget(2)).toEqual({ asks: 480, spacingMs: 500 })
    expect(runBudget(0.5)).toEqual({ asks: 120, spacingMs: 2000 })
    expect(runBudget(0.001, 10).asks).toBe(1)
  })
})

describe("a gateway's 429", () => {
  it("reads Retry-After in seconds or as an HTTP date", () => {
    const now = Date.parse("2026-12-07T06:00:00Z")
    expect(retryAfterSeconds("120", now)).toBe(120)
    expect(retryAfterSeconds("Mon, 07 Dec 2026 06:02:00 GMT", now)).toBe(120)
    expect(retryAfterSeconds("soon", now)).toBeUndefined()
    expect(retryAfterSeconds(undefined, now)).toBeUndefined()
  })

  it("pauses the provider for what the gateway's error says, within bounds, and not for other errors", () => {
    const tooMany = (retryAfterSeconds?: number, code?: string) =>
      gatewayError("HitPay", "get payment request", { status: 429, code, retryAfterSeconds, message: "Too Many" })
        .message
    expect(pauseAskedFor(tooMany(600))).toBe(600_000)
    expect(pauseAskedFor(tooMany(600, "RATE"))).toBe(600_000)
    expect(pauseAskedFor(tooMany())).toBe(DEFAULT_PAUSE_MS)
    expect(pauseAskedFor(tooMany(10 * 86_400))).toBe(LONGEST_PAUSE_MS)
    expect(pauseAskedFor(gatewayError("HitPay", "get payment request", { status: 503 }).message)).toBeUndefined()
    expect(pauseAskedFor(`the gateway could not be asked: unknown (${tooMany(30)}); the next run asks again`)).toBe(
      30_000
    )
  })
})
