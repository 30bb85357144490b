/**
 * The main job, as a buyer sees it: the demo store in Debian's Chromium, a hosted page per gateway (the local
 * sandbox), back to the shop, and the order. Screenshots of every hosted page and result page are written to
 * test-results/browser/.
 */
import fs from "node:fs"
import path from "node:path"
import { Client } from "pg"
import { Browser, Page } from "playwright-core"
import { Demo, Gateway, launchChromium, SHOTS, startDemo, stopDemo } from "./demo"

jest.setTimeout(600_000)

let demo: Demo
let browser: Browser
let db: Client

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true })
  demo = await startDemo()
  db = new Client({ connectionString: demo.databaseUrl })
  await db.connect()
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await db?.end()
  await stopDemo()
})

const gateway = (name: string) => demo.seed.gateways.find((g) => g.gateway === name)!

/** From the shop to the gateway's hosted page, as a buyer clicks through it. */
async function startCheckout(page: Page, g: Gateway) {
  await page.goto(demo.storefrontUrl)
  await page.check(`#gateway-${g.gateway}`)
  await Promise.all([page.waitForURL((url) => url.toString().startsWith(demo.sandboxUrl)), page.click("#buy")])
  expect(await page.textContent("#amount")).toBe(g.price.toFixed(2))
  expect(await page.textContent("#currency")).toBe(g.currency.toUpperCase())
}

/** Back at the shop: wait until the return page has settled, and read it. */
async function result(page: Page, state: string) {
  await page.waitForURL((url) => url.toString().startsWith(`${demo.storefrontUrl}/return`))
  await page.waitForSelector(`#result[data-state="${state}"]`, { timeout: 90_000 })
  return { title: await page.textContent("#result-title"), message: await page.textContent("#result-message") }
}

/** The orders Medusa made from the cart the storefront remembered (Medusa's cart-order link). */
async function ordersOfLastCart(page: Page) {
  const { cartId } = JSON.parse((await page.evaluate(() => localStorage.getItem("checkout"))) ?? "{}")
  const { rows } = await db.query(`select order_id from order_cart where cart_id = $1 and deleted_at is null`, [cartId])
  return rows.map((r) => r.order_id as string)
}

/** An order as the Store API shows it. */
async function storeOrder(id: string, publishableKey: string) {
  const response = await fetch(`${demo.backendUrl}/store/orders/${id}`, {
    headers: { "x-publishable-api-key": publishableKey },
  })
  return ((await response.json()) as { order: { id: string; total: number; currency_code: string } }).order
}

describe.each(["hitpay", "cashflows", "netvalve", "catalystpay"])("paying with %s", (name) => {
  it("takes the buyer through the hosted page back to their order", async () => {
    const g = gateway(name)
    const page = await browser.newPage()
    await startCheckout(page, g)
    await page.screenshot({ path: path.join(SHOTS, `${name}-hosted-page.png`), fullPage: true })

    await page.click("#pay")
    const shown = await result(page, "paid")
    await page.screenshot({ path: path.join(SHOTS, `${name}-result-paid.png`), fullPage: true })

    expect(shown.title).toBe("Thank you: your order is placed")
    const orders = await ordersOfLastCart(page)
    expect(orders).toHaveLength(1)
    expect(await page.textContent("#order-id")).toContain(orders[0])
    const order = await storeOrder(orders[0], demo.seed.publishableKey)
    expect(Number(order.total)).toBe(g.price)
    expect(order.currency_code).toBe(g.currency)
    await page.close()
  })
})

describe("a buyer who does not pay (Cashflows)", () => {
  it("is told the payment was declined, and no order is made", async () => {
    const page = await browser.newPage()
    await startCheckout(page, gateway("cashflows"))
    await page.click("#decline")
    const shown = await result(page, "failed")
    await page.screenshot({ path: path.join(SHOTS, "cashflows-result-declined.png"), fullPage: true })
    expect(shown.title).toBe("Your payment was declined")
    expect(shown.message).toContain("No order was placed")
    expect(await ordersOfLastCart(page)).toHaveLength(0)
    await page.close()
  })

  it("is told they cancelled, and no order is made", async () => {
    const page = await browser.newPage()
    await startCheckout(page, gateway("cashflows"))
    await page.click("#cancel")
    const shown = await result(page, "cancelled")
    await page.screenshot({ path: path.join(SHOTS, "cashflows-result-cancelled.png"), fullPage: true })
    expect(shown.title).toBe("You cancelled the payment")
    expect(shown.message).toContain("No order was placed")
    expect(await ordersOfLastCart(page)).toHaveLength(0)
    await page.close()
  })
})

describe("paying without leaving the shop", () => {
  /** From the shop, with a way of presenting the page, to the in-shop payment panel. */
  async function startInShop(page: Page, g: Gateway, presentation: string) {
    await page.goto(demo.storefrontUrl)
    await page.check(`#gateway-${g.gateway}`)
    await page.check(`#presentation-${presentation}`)
    await page.click("#buy")
    await page.waitForSelector("#in-shop:not([hidden])")
    expect(page.url().startsWith(demo.storefrontUrl)).toBe(true) // still in the shop
  }

  async function paidOnce(page: Page, g: Gateway) {
    const shown = await result(page, "paid")
    expect(shown.title).toBe("Thank you: your order is placed")
    const orders = await ordersOfLastCart(page)
    expect(orders).toHaveLength(1)
    const order = await storeOrder(orders[0], demo.seed.publishableKey)
    expect(Number(order.total)).toBe(g.price)
  }

  it("shows a PayNow QR code; paid from a second tab (the buyer's phone), the order appears", async () => {
    const g = gateway("hitpay")
    const page = await browser.newPage()
    await startInShop(page, g, "qr")
    const img = await page.waitForSelector("#qr-code")
    await page.waitForFunction(() => (document.querySelector("#qr-code") as HTMLImageElement).naturalWidth > 0)
    expect(await img.getAttribute("src")).toMatch(/^\/qr\.svg\?data=/)
    await page.waitForSelector("#waiting:has-text('Waiting for your payment')")
    await page.screenshot({ path: path.join(SHOTS, "hitpay-qr-waiting.png"), fullPage: true })

    // The phone: it "scans" the code (the sandbox's code is its banking app's address) and pays there.
    const phone = await browser.newPage()
    await phone.goto((await page.getAttribute("#qr-open", "href"))!)
    await phone.screenshot({ path: path.join(SHOTS, "hitpay-qr-banking-app.png"), fullPage: true })
    await phone.click("#pay")
    await phone.waitForSelector("text=Paid.")
    await phone.close()

    await paidOnce(page, g) // the shop's page moved on by itself
    await page.screenshot({ path: path.join(SHOTS, "hitpay-qr-result-paid.png"), fullPage: true })
    await page.close()
  })

  it("pays through HitPay's Drop-In (the sandbox's stand-in) over the shop's page", async () => {
    const g = gateway("hitpay")
    const page = await browser.newPage()
    await startInShop(page, g, "dropin")
    const frame = await (await page.waitForSelector("#hitpay-drop-in iframe")).contentFrame()
    await frame!.waitForSelector("#pay")
    await page.screenshot({ path: path.join(SHOTS, "hitpay-drop-in.png"), fullPage: true })
    await frame!.click("#pay")
    await paidOnce(page, g) // the return page took the whole window
    expect(await page.$("#hitpay-drop-in")).toBeNull()
    await page.close()
  })

  it("pays on NetValve's slim page in a frame, and lands on the return page in the top window", async () => {
    const g = gateway("netvalve")
    const page = await browser.newPage()
    await startInShop(page, g, "frame")
    const frame = await (await page.waitForSelector("#frame:not([hidden])")).contentFrame()
    await frame!.waitForSelector("h1[data-slim='true']")
    await page.screenshot({ path: path.join(SHOTS, "netvalve-slim-frame.png"), fullPage: true })
    await frame!.click("#pay")
    await paidOnce(page, g)
    expect(await page.evaluate(() => window.top === window.self)).toBe(true)
    expect(await page.$("#frame")).toBeNull() // the return page, not the shop with its frame
    await page.close()
  })
})
