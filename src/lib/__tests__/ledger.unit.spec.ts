import { recordedTotal } from "../ledger"

/** An ORM collection as Medusa's services hand relations back: iterable, not an array. */
const collection = <T>(items: T[]) => ({ [Symbol.iterator]: () => items[Symbol.iterator](), toJSON: () => items })

describe("recordedTotal", () => {
  it("adds the records of every payment of the session, leaving out the one being answered", () => {
    const payments = [
      {
        id: "pay_1",
        refunds: collection([
          { id: "ref_1", raw_amount: { value: "10.5", precision: 20 } },
          { id: "ref_2", amount: 4 },
          { id: "ref_3", raw_amount: { value: "7", precision: 20 } },
        ]),
        captures: collection([{ id: "capt_1", amount: 25 }]),
      },
    ]
    expect(recordedTotal(payments, "refund", "sgd", "ref_3")).toBe("14.50")
    expect(recordedTotal(payments, "capture", "sgd")).toBe("25.00")
    expect(recordedTotal([{ id: "pay_2" }], "refund", "jpy")).toBe("0")
  })

  it("rounds each record as the gateway was sent it before adding (three refunds of 3.3333 are 9.99)", () => {
    const third = { value: "3.3333", precision: 20 }
    const payments = [{ id: "pay_1", refunds: ["a", "b", "c"].map((id) => ({ id, raw_amount: third })) }]
    expect(recordedTotal(payments, "refund", "sgd")).toBe("9.99")
  })
})
