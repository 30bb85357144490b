import { HPP_RECORD_EVENT, momentNow, Recorder, RecordInput } from "../record"

const refused = (key: string): RecordInput => ({
  provider_id: "pp_hitpay_hitpay",
  gateway: "hitpay",
  kind: "webhook",
  outcome: "refused: not authenticated",
  message: "signature mismatch",
  dedupe_key: key,
})

describe("Recorder", () => {
  beforeEach(() => jest.useFakeTimers())
  afterEach(() => {
    jest.useRealTimers()
    delete process.env.HPP_RECORD
  })

  const settle = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve()
  }

  it("emits a flood of one refused reason once at once and once more with the count at the minute's end", async () => {
    const emit = jest.fn().mockResolvedValue(undefined)
    const recorder = new Recorder()
    for (let i = 0; i < 1000; i++) recorder.record(refused("k1"), () => ({ emit }))
    await settle()
    expect(emit).toHaveBeenCalledTimes(1)
    expect(emit.mock.calls[0][0]).toMatchObject({ name: HPP_RECORD_EVENT, data: { dedupe_key: "k1" } })

    jest.advanceTimersByTime(60_000)
    await settle()
    expect(emit).toHaveBeenCalledTimes(2)
    expect(emit.mock.calls[1][0].data).toMatchObject({ dedupe_key: "k1", occurrences: 999 })
  })

  it("emits every record without a counting key, and none when HPP_RECORD=off", async () => {
    const emit = jest.fn().mockResolvedValue(undefined)
    const recorder = new Recorder()
    const applied = { ...refused("x"), outcome: "applied", dedupe_key: null }
    recorder.record(applied, () => ({ emit }))
    recorder.record(applied, () => ({ emit }))
    process.env.HPP_RECORD = "off"
    recorder.record(applied, () => ({ emit }))
    await settle()
    expect(emit).toHaveBeenCalledTimes(2)
  })

  it("never throws into the payment when the bus fails, and says so once", async () => {
    const warn = jest.fn()
    const recorder = new Recorder()
    const failing = { emit: jest.fn().mockRejectedValue(new Error("bus down")) }
    expect(() =>
      recorder.record(refused("k2"), () => failing, { warn } as unknown as Parameters<Recorder["record"]>[2])
    ).not.toThrow()
    await settle()
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("bus down"))
  })
})

describe("momentNow", () => {
  it("stamps records in microseconds, each later than the one before, even within one millisecond", () => {
    const before = Date.now()
    const moments = Array.from({ length: 2000 }, () => momentNow())
    for (const moment of moments) expect(moment).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
    for (let i = 1; i < moments.length; i++) expect(moments[i] > moments[i - 1]).toBe(true)
    // Never before the clock (a clock set back keeps the order, not the clock).
    expect(Date.parse(moments[0])).toBeGreaterThanOrEqual(before)
  })
})
