const { burstSummary, TARGETS } = require("../bench/report")

/** One burst of `copies` answers, the slowest at `slowestMs`, that made `orders` orders. */
const burst = (slowestMs, orders = 1, copies = 50) => ({
  orders,
  statuses: { 200: copies },
  times: Array.from({ length: copies }, (_, i) => (slowestMs * (i + 1)) / copies),
})

describe("the benchmark's bursts of one webhook", () => {
  it("are met only when every burst's slowest answer is within the target: the worst burst decides", () => {
    const fast = burstSummary([burst(600), burst(700), burst(650)])
    expect(fast).toMatchObject({ n: 3, maxMs: 700, slowest: [600, 700, 650], verdict: "met" })
    expect(fast.statuses).toEqual({ 200: 150 })

    const oneSlow = burstSummary([burst(600), burst(TARGETS.burstMs + 1), burst(650)])
    expect(oneSlow).toMatchObject({ maxMs: TARGETS.burstMs + 1, verdict: "not met" })
  })

  it("are not met when any burst made other than exactly one order, however fast", () => {
    expect(burstSummary([burst(300), burst(300, 2), burst(300)])).toMatchObject({
      oneOrderEach: false,
      orders: [1, 2, 1],
      verdict: "not met",
    })
    expect(burstSummary([burst(300, 0)]).verdict).toBe("not met")
  })

  it("are not met when any delivery was not acknowledged with a 2xx, however fast", () => {
    const refused = { ...burst(300), statuses: { 200: 49, 503: 1 } }
    expect(burstSummary([burst(300), refused])).toMatchObject({ allAcknowledged: false, verdict: "not met" })
    const lost = { ...burst(300), statuses: { 200: 48, error: 2 } }
    expect(burstSummary([lost]).verdict).toBe("not met")
  })

  it("say nothing where no burst ran", () => {
    expect(burstSummary([])).toBeUndefined()
  })
})
