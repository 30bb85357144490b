import { isTransient } from "../hooks/hosted-webhook"

describe("which webhook failures are asked for again (503) rather than refused", () => {
  it("takes the database's connection lost mid-way, in node-postgres's words, as worth a redelivery", () => {
    for (const message of [
      'insert into "order_address" (…) values (…) - Client has encountered a connection error and is not queryable',
      "Client was closed and is not queryable",
      "Connection ended unexpectedly",
      "Connection terminated unexpectedly",
      "terminating connection due to administrator command",
    ]) {
      expect(isTransient({ message })).toBe(true)
    }
  })

  it("refuses what a redelivery would meet again", () => {
    expect(isTransient({ message: "Some variant does not have the required inventory" })).toBe(false)
  })
})
