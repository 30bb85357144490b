import { deliveryKey, InFlight } from "../in-flight"

/** Work that runs until `finish` is called, counting its runs. */
function gate<T>() {
  let finish!: (value: T) => void
  let fail!: (error: Error) => void
  let runs = 0
  const work = () => {
    runs += 1
    return new Promise<T>((resolve, reject) => {
      finish = resolve
      fail = reject
    })
  }
  return { work, finish: (value: T) => finish(value), fail: (error: Error) => fail(error), runs: () => runs }
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

describe("InFlight", () => {
  it("runs the work once for the callers of one key while it runs, and gives them all its value", async () => {
    const inFlight = new InFlight<string>()
    const { work, finish, runs } = gate<string>()
    const calls = Array.from({ length: 5 }, () => inFlight.share("a", work))
    await tick()
    expect(runs()).toBe(1)
    finish("done")
    const shared = await Promise.all(calls)
    expect(shared.map((s) => s.value)).toEqual(["done", "done", "done", "done", "done"])
    expect(shared[0]).toEqual({ value: "done", leader: true, followers: 4 })
    expect(shared.slice(1).every((s) => !s.leader)).toBe(true)
    expect(inFlight.size).toBe(0)
  })

  it("keeps nothing once the work is done: a later caller runs it again", async () => {
    const inFlight = new InFlight<number>()
    let runs = 0
    const work = async () => ++runs
    expect(await inFlight.share("a", work)).toEqual({ value: 1, leader: true, followers: 0 })
    expect(await inFlight.share("a", work)).toEqual({ value: 2, leader: true, followers: 0 })
  })

  it("runs other keys on their own", async () => {
    const inFlight = new InFlight<string>()
    const a = gate<string>()
    const b = gate<string>()
    const first = inFlight.share("a", a.work)
    const second = inFlight.share("b", b.work)
    await tick()
    b.finish("b")
    expect((await second).value).toBe("b")
    a.finish("a")
    expect((await first).value).toBe("a")
  })

  it("gives the work's error to every caller that waited for it, and forgets the key", async () => {
    const inFlight = new InFlight<string>()
    const { work, fail } = gate<string>()
    const calls = [inFlight.share("a", work), inFlight.share("a", work)]
    await tick()
    fail(new Error("the database went away"))
    for (const call of calls) await expect(call).rejects.toThrow("the database went away")
    expect(inFlight.size).toBe(0)
    expect(await inFlight.share("a", async () => "again")).toMatchObject({ value: "again", leader: true })
  })

  it("forgets a key whose work throws before it awaits anything", async () => {
    const inFlight = new InFlight<string>()
    await expect(
      inFlight.share("a", () => {
        throw new Error("at once")
      })
    ).rejects.toThrow("at once")
    expect(inFlight.size).toBe(0)
  })

  it("holds at most maxKeys running keys: past that, work runs unshared", async () => {
    const inFlight = new InFlight<string>(2)
    const gates = [gate<string>(), gate<string>(), gate<string>(), gate<string>()]
    const held = [inFlight.share("a", gates[0].work), inFlight.share("b", gates[1].work)]
    const unshared = [inFlight.share("c", gates[2].work), inFlight.share("c", gates[3].work)]
    await tick()
    expect(inFlight.size).toBe(2)
    expect(gates[2].runs() + gates[3].runs()).toBe(2)
    gates.forEach((g) => g.finish("x"))
    await Promise.all([...held, ...unshared])
    expect(inFlight.size).toBe(0)
  })
})

describe("deliveryKey", () => {
  const body = '{"paymentJobReference":"42","paymentReference":"7"}'
  const headers = {
    host: "shop.example.com",
    "content-type": "application/json",
    "x-catalystpay-signature": "abc",
    "content-length": "52",
    connection: "keep-alive",
  }

  it("is the same for copies that differ only in what a hop or a connection changes", () => {
    const copy = {
      ...headers,
      "Content-Length": "52",
      connection: "close",
      "x-forwarded-for": "203.0.113.9",
      "x-request-id": "r-2",
      traceparent: "00-1-2-01",
    }
    delete (copy as Record<string, unknown>)["content-length"]
    expect(deliveryKey("pp_catalystpay_x", body, copy)).toBe(deliveryKey("pp_catalystpay_x", body, headers))
    expect(deliveryKey("pp_catalystpay_x", Buffer.from(body), headers)).toBe(
      deliveryKey("pp_catalystpay_x", body, headers)
    )
  })

  it("differs with the signature, another header, the body or the provider", () => {
    const key = deliveryKey("pp_catalystpay_x", body, headers)
    expect(deliveryKey("pp_catalystpay_x", body, { ...headers, "x-catalystpay-signature": "forged" })).not.toBe(key)
    const { "x-catalystpay-signature": _signature, ...unsigned } = headers
    expect(deliveryKey("pp_catalystpay_x", body, unsigned)).not.toBe(key)
    expect(deliveryKey("pp_catalystpay_x", body, { ...headers, "x-netvalve-token": "secret" })).not.toBe(key)
    expect(deliveryKey("pp_catalystpay_x", body.replace("7", "8"), headers)).not.toBe(key)
    expect(deliveryKey("pp_catalystpay_y", body, headers)).not.toBe(key)
  })
})
