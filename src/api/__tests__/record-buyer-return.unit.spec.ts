import { EventEmitter } from "node:events"
import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { recordBuyerReturn } from "../record-buyer-return"

// The read and the record it writes run against Medusa and PostgreSQL in the integration tests (hitpay.spec.ts);
// here, that a store with the record off pays nothing for it.
describe("the buyer's return in the record", () => {
  const before = process.env.HPP_RECORD
  beforeEach(() => delete process.env.HPP_RECORD)
  afterAll(() => {
    if (before === undefined) delete process.env.HPP_RECORD
    else process.env.HPP_RECORD = before
  })

  const run = async () => {
    const queries: string[] = []
    const pg = { raw: async (sql: string) => (queries.push(sql), { rows: [] }) }
    const req = { scope: { resolve: () => pg }, params: { id: "cart_1" } } as unknown as MedusaRequest
    const res = Object.assign(new EventEmitter(), { statusCode: 200 }) as unknown as MedusaResponse
    let handedOn = false
    recordBuyerReturn(req, res, () => void (handedOn = true))
    ;(res as unknown as EventEmitter).emit("finish")
    await new Promise((resolve) => setImmediate(resolve))
    return { handedOn, queries }
  }

  it("reads the cart's sessions once the answer has gone", async () => {
    const { handedOn, queries } = await run()
    expect(handedOn).toBe(true)
    expect(queries).toHaveLength(1)
  })

  it("reads nothing when the store switched the record off (HPP_RECORD=off), and still hands the request on", async () => {
    process.env.HPP_RECORD = "off"
    const { handedOn, queries } = await run()
    expect(handedOn).toBe(true)
    expect(queries).toEqual([])
  })
})
