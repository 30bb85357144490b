import { DEFAULT_WRITE_AFTER_MS, MAX_WRITE_AFTER_MS, writeAfterMs } from "../service"

describe("HPP_RECORD_WRITE_AFTER_MS", () => {
  const wait = (value?: string) => writeAfterMs(value === undefined ? {} : { HPP_RECORD_WRITE_AFTER_MS: value })

  it("is 100 ms when unset or blank, with nothing to say", () => {
    expect(wait()).toEqual({ ms: DEFAULT_WRITE_AFTER_MS })
    expect(wait("  ")).toEqual({ ms: 100 })
  })

  it("takes a whole number of ms from 0 to the maximum", () => {
    expect(wait("0")).toEqual({ ms: 0 })
    expect(wait(" 10 ")).toEqual({ ms: 10 })
    expect(wait(String(MAX_WRITE_AFTER_MS))).toEqual({ ms: 60_000 })
  })

  it.each(["100ms", "1e3", "-5", "0.5", "abc", "60001"])(
    "does not use %p: the default is used and the warning names the variable, the value and what is done",
    (value) => {
      const { ms, problem } = wait(value)
      expect(ms).toBe(100)
      expect(problem).toBe(
        `medusa-payment-hpp: HPP_RECORD_WRITE_AFTER_MS must be a whole number of milliseconds from 0 to 60000, ` +
          `not "${value}": the record is written 100 ms after it is said`
      )
    }
  )
})

describe("the record's writer, started with a mistyped HPP_RECORD_WRITE_AFTER_MS", () => {
  it("warns once, naming the variable, and still writes after 100 ms", async () => {
    const before = process.env.HPP_RECORD_WRITE_AFTER_MS
    process.env.HPP_RECORD_WRITE_AFTER_MS = "100ms"
    try {
      let Service: typeof import("../service").HppRecordService | undefined
      // The wait is read when the module loads: a copy of it loaded with this environment.
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        Service = require("../service").HppRecordService
      })
      const warnings: string[] = []
      const written: unknown[] = []
      const pg = { raw: async (_sql: string, bindings: unknown[]) => (written.push(bindings), { rows: [] }) }
      const service = new Service!({ logger: { warn: (m: string) => warnings.push(m) }, __pg_connection__: pg })
      expect(warnings).toEqual([
        expect.stringContaining("HPP_RECORD_WRITE_AFTER_MS must be a whole number of milliseconds"),
      ])
      expect(warnings[0]).toContain('not "100ms"')

      jest.useFakeTimers()
      try {
        service.enqueue({ gateway: "hitpay", kind: "status_asked", outcome: "pending", message: "asked" })
        await jest.advanceTimersByTimeAsync(99)
        expect(written).toHaveLength(0)
        await jest.advanceTimersByTimeAsync(1)
        expect(written).toHaveLength(1)
      } finally {
        jest.useRealTimers()
      }
    } finally {
      if (before === undefined) delete process.env.HPP_RECORD_WRITE_AFTER_MS
      else process.env.HPP_RECORD_WRITE_AFTER_MS = before
    }
  })
})
