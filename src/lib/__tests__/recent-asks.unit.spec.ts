import { gatewayError } from "../errors"
import { RecentAsks } from "../recent-asks"

describe("RecentAsks", () => {
  let now = 0
  const clock = () => now
  const answer = (value: string) => jest.fn(async () => value)
  /** Asks about Cashflows' payment job 42 through `asks`. */
  const job42 = (asks: RecentAsks, ask: () => Promise<string>) => asks.once("42", "Cashflows payment job 42", ask)
  beforeEach(() => {
    now = 1_000_000
  })

  it("asks once per key within the window, refuses the repeats, and asks again once the window is over", async () => {
    const asks = new RecentAsks(30_000, clock)
    const ask = answer("Pending")
    await expect(job42(asks, ask)).resolves.toBe("Pending")
    now += 29_000
    await expect(job42(asks, ask)).rejects.toThrow(
      "Cashflows payment job 42 was asked about less than 30 s ago; not asked again for 1 s (deliver it again later)"
    )
    // Another key is its own question.
    await expect(asks.once("43", "Cashflows payment job 43", ask)).resolves.toBe("Pending")
    now += 1_000
    await expect(job42(asks, ask)).resolves.toBe("Pending")
    expect(ask).toHaveBeenCalledTimes(3)
  })

  it("is not held shut by repeats: the window runs from the last question asked, not the last one refused", async () => {
    const asks = new RecentAsks(30_000, clock)
    const ask = answer("Paid")
    await job42(asks, ask)
    for (let second = 1; second < 30; second++) {
      now += 1_000
      await expect(job42(asks, ask)).rejects.toThrow("not asked again")
    }
    now += 1_000
    await expect(job42(asks, ask)).resolves.toBe("Paid")
    expect(ask).toHaveBeenCalledTimes(2)
  })

  it("refuses a repeat while the first question is still waiting for its answer", async () => {
    const asks = new RecentAsks(30_000, clock)
    let answerIt: (value: string) => void = () => undefined
    const first = job42(asks, () => new Promise<string>((resolve) => (answerIt = resolve)))
    await expect(job42(asks, answer("Paid"))).rejects.toThrow("not asked again")
    answerIt("Pending")
    await expect(first).resolves.toBe("Pending")
  })

  it("forgets a question that never reached the gateway, but not one the gateway answered with an error", async () => {
    const asks = new RecentAsks(30_000, clock)
    const unreachable = gatewayError("Cashflows", "retrieve payment job", {
      message: "could not reach gateway-int.cashflows.com (ECONNREFUSED)",
    })
    await expect(job42(asks, () => Promise.reject(unreachable))).rejects.toBe(unreachable)
    await expect(job42(asks, answer("Paid"))).resolves.toBe("Paid")

    const limited = gatewayError("Cashflows", "retrieve payment job", { status: 429, message: "Too many requests" })
    await expect(asks.once("43", "job 43", () => Promise.reject(limited))).rejects.toBe(limited)
    await expect(asks.once("43", "job 43", answer("Paid"))).rejects.toThrow("not asked again")
  })
})
