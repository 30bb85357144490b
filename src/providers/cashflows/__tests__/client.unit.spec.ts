import nock from "nock"
import {
  cashflowsPaymentJob,
  cashflowsStandIn,
  JOB_REFERENCE,
  PAYMENT_REFERENCE,
  withNumericReferences,
} from "../../../../integration-tests/fixtures/cashflows"
import { cashflowsHash, CashflowsClient } from "../client"
import { parseJsonKeepingBigIntegers } from "../../../lib/json"

// Hashes below were computed with Python's hashlib (sha512 of key + body, upper hex), not with this code.
const API_KEY = "cf-api-key-7Q2"
const SIMPLE_BODY = '{"amountToCollect":"10.99","currency":"GBP"}'
const SIMPLE_HASH =
  "05BEE3F897047BDD08F163BD3067F0250814C95FA7FF1C28E9C249C704EBF29DBC886B3D0EBB3C34B41CD85CE7E74998A1EE741650D531EEEE3F3B6E7208473E"
const KEY_ONLY_HASH =
  "75D71318F37C2D509F9CA5F41184BF5B2E12154139992BD57940A93339B261B591B2F8D2F06665768342A411E76605AC858BB280999B686B423256B6A497314B"

const credentials = { apiKey: API_KEY, configurationId: "200426117314086912" }
const client = () => new CashflowsClient({ ...credentials, baseUrl: "https://gateway-int.cashflows.com" })

describe("Cashflows request signing", () => {
  beforeAll(() => nock.disableNetConnect())
  afterEach(() => nock.cleanAll())
  afterAll(() => nock.enableNetConnect())

  it("hashes the API key followed by the exact body, uppercase hex", () => {
    expect(cashflowsHash(API_KEY, SIMPLE_BODY)).toBe(SIMPLE_HASH)
  })

  it("hashes the API key alone for a request without a body", () => {
    expect(cashflowsHash(API_KEY)).toBe(KEY_ONLY_HASH)
  })

  it("signs a GET with the key alone and sends the ConfigurationId", async () => {
    const { scope, received, signed } = cashflowsStandIn(credentials)
    scope
      .get(`/api/gateway/payment-jobs/${JOB_REFERENCE}`)
      .reply(signed(() => [200, cashflowsPaymentJob({ orderNumber: "payses_1", amount: "10.00" })]))
    await client().retrievePaymentJob(JOB_REFERENCE)
    expect(received[0]).toMatchObject({ method: "GET", body: "" })
    expect(received[0].headers).toMatchObject({ hash: KEY_ONLY_HASH, configurationid: "200426117314086912" })
  })

  it("is refused by Cashflows when signed with another key, and says so without the key", async () => {
    const { scope, signed } = cashflowsStandIn(credentials)
    scope.get(`/api/gateway/payment-jobs/${JOB_REFERENCE}`).reply(signed(() => [200, {}]))
    const other = new CashflowsClient({
      ...credentials,
      apiKey: "not-the-key",
      baseUrl: "https://gateway-int.cashflows.com",
    })
    const failure = other.retrievePaymentJob(JOB_REFERENCE)
    await expect(failure).rejects.toThrow(
      "Cashflows retrieve payment job failed (HTTP 401, code Unauthorized): Invalid token."
    )
    await expect(failure).rejects.not.toThrow(/not-the-key/)
  })

  it("refuses to put anything but digits into a path", async () => {
    await expect(client().retrievePaymentJob("1/../../orders")).rejects.toThrow(
      '"1/../../orders" is not a Cashflows reference'
    )
  })
})

describe("Cashflows answers with 64-bit references", () => {
  afterEach(() => nock.cleanAll())

  it("keeps every digit of references sent as JSON numbers", async () => {
    const { scope, signed } = cashflowsStandIn(credentials)
    const answer = withNumericReferences(cashflowsPaymentJob({ orderNumber: "payses_1", amount: "10.00" }))
    expect(answer).toContain(`"reference":${JOB_REFERENCE}`)
    scope
      .get(`/api/gateway/payment-jobs/${JOB_REFERENCE}`)
      .reply(signed(() => [200, answer, { "content-type": "application/json" }]))
    const job = await client().retrievePaymentJob(JOB_REFERENCE)
    expect(job?.reference).toBe(JOB_REFERENCE)
    expect(job?.payments?.[0].reference).toBe(PAYMENT_REFERENCE)
  })

  it("parses JSON as usual otherwise, strings with digits and escapes untouched", () => {
    expect(
      parseJsonKeepingBigIntegers(
        '{"a":210121017238589452,"b":-12,"c":"9007199254740993 \\" x","d":[1.5,2e3,9007199254740991]}'
      )
    ).toEqual({
      a: "210121017238589452",
      b: -12,
      c: '9007199254740993 " x',
      d: [1.5, 2000, 9007199254740991],
    })
  })

  it("reads long digit runs in fractions and exponents as numbers, and refuses broken JSON as JSON.parse does", () => {
    expect(
      parseJsonKeepingBigIntegers('{"f":0.12345678901234567890,"e":1e-12345678901234567,"x":12345678901234567e2}')
    ).toEqual({ f: Number("0.12345678901234567890"), e: 0, x: Number("12345678901234567e2") })
    expect(parseJsonKeepingBigIntegers("[-210121017238589452]")).toEqual(["-210121017238589452"])
    expect(() => parseJsonKeepingBigIntegers('{"a":"unterminated \\" 210121017238589452')).toThrow(SyntaxError)
    expect(() => parseJsonKeepingBigIntegers('{"a":1,}')).toThrow(SyntaxError)
  })
})
