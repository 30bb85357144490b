/**
 * The admin's side, as a store owner sees it: the demo's Medusa Admin in Debian's Chromium, signed in as the demo's
 * admin. An order paid through each gateway shows its hosted payment (the gateway's reference, and "Paid" as the
 * gateway says now); Settings → Hosted payments tests each gateway's connection; "Needs attention" lists a payment
 * made on a page whose cart changed meanwhile. A screenshot of each page is written to test-results/browser/.
 */
import fs from "node:fs"
import path from "node:path"
import { Client } from "pg"
import { Browser, Locator, Page } from "playwright-core"
import { Demo, Gateway, launchChromium, SHOTS, startDemo, stopDemo } from "./demo"

// The demo's checkout without a browser (the checkout spec drives the storefront itself), and its credentials.
/* eslint-disable @typescript-eslint/no-require-imports */
const { checkout, openCheckout, payOnHostedPage, storeApi } = require("../../scripts/demo/check")
const { CREDENTIALS } = require("../../scripts/demo/gateways")
/* eslint-enable @typescript-eslint/no-require-imports */

jest.setTimeout(600_000)

let demo: Demo
let browser: Browser
let db: Client
let page: Page

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true })
  demo = await startDemo()
  if (!demo.adminUrl || !demo.adminUser) throw new Error("the demo runs without Medusa Admin")
  db = new Client({ connectionString: demo.databaseUrl })
  await db.connect()
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
})

afterAll(async () => {
  await browser?.close()
  await db?.end()
  await stopDemo()
})

/**
 * The whole page (or one part of it) as a store owner would scroll through it: Medusa Admin scrolls inside its own layout, not the
 * document (a `fullPage` screenshot stops at the window), so the window is made as tall as the content first.
 */
async function shot(name: string, only?: Locator) {
  const height = await page.evaluate(() =>
    Math.max(...Array.from(document.querySelectorAll("*"), (e) => e.scrollHeight))
  )
  await page.setViewportSize({ width: 1440, height: Math.min(height + 40, 8000) })
  await page.waitForTimeout(300) // the layout settles at its new height
  const file = path.join(SHOTS, `admin-${name}.png`)
  await (only ? only.screenshot({ path: file }) : page.screenshot({ path: file }))
  await page.setViewportSize({ width: 1440, height: 900 })
}

/** The latest order paid through the gateway (the checkout spec may have made one), or a new one. */
async function orderPaidWith(g: Gateway): Promise<string> {
  const { rows } = await db.query(
    `select o.id from "order" o
       join order_payment_collection opc on opc.order_id = o.id and opc.deleted_at is null
       join payment p on p.payment_collection_id = opc.payment_collection_id and p.deleted_at is null
     where p.provider_id = $1 and o.deleted_at is null
     order by o.created_at desc limit 1`,
    [g.providerId]
  )
  if (rows[0]) return rows[0].id
  const { order } = await checkout(demo, g)
  return order.id
}

async function gatewayReference(orderId: string, providerId: string): Promise<string> {
  const { rows } = await db.query(
    `select ps.data->>'gateway_reference' as reference from order_payment_collection opc
       join payment_session ps on ps.payment_collection_id = opc.payment_collection_id and ps.deleted_at is null
     where opc.order_id = $1 and ps.provider_id = $2 and opc.deleted_at is null`,
    [orderId, providerId]
  )
  return rows[0].reference
}

it("signs in to Medusa Admin as the demo's admin", async () => {
  await page.goto(`${demo.adminUrl}/login`)
  await page.fill('input[name="email"]', demo.adminUser!.email)
  await page.fill('input[name="password"]', demo.adminUser!.password)
  await Promise.all([page.waitForURL(/\/app\/orders/), page.click('button[type="submit"]')])
})

describe.each(["hitpay", "cashflows", "netvalve", "catalystpay"])("an order paid with %s", (name) => {
  it("shows its hosted payment: the gateway, its reference and 'Paid' as the gateway says now", async () => {
    const g = demo.seed.gateways.find((x) => x.gateway === name)!
    const orderId = await orderPaidWith(g)
    const reference = await gatewayReference(orderId, g.providerId)
    expect(reference).toBeTruthy()

    await page.goto(`${demo.adminUrl}/orders/${orderId}`)
    const widget = page.locator(`[data-testid="hpp-order-payment"][data-gateway="${name}"]`)
    await widget.waitFor()
    await expect(widget.locator('[data-testid="hpp-reference"]').textContent()).resolves.toContain(reference)
    await expect(widget.textContent()).resolves.toContain(g.name)
    // Asked when the page opens: the gateway's answer replaces "Asking…".
    const status = widget.locator('[data-testid="hpp-gateway-status"]')
    await status.waitFor({ timeout: 30_000 })
    await expect(status.textContent()).resolves.toMatch(/^Paid/)
    const timeline = page.locator('[data-testid="hpp-order-timeline"]')
    await timeline.waitFor()
    expect(await timeline.locator('[data-testid="hpp-event"]').count()).toBeGreaterThan(1)
    await shot(`order-${name}`)
  })
})

it("tests each gateway's connection on Settings → Hosted payments", async () => {
  await page.goto(`${demo.adminUrl}/settings/hosted-payments`)
  const cards = page.locator('[data-testid="hpp-provider"]')
  await cards.first().waitFor()
  expect(await cards.count()).toBe(demo.seed.gateways.length)
  for (const g of demo.seed.gateways) {
    const card = page.locator(`[data-testid="hpp-provider"][data-provider="${g.providerId}"]`)
    await expect(card.textContent()).resolves.toContain(g.name)
    expect(await card.locator('[data-testid="hpp-option"][data-set="false"]').count()).toBe(0) // required: all set
    const button = card.getByRole("button", { name: "Test connection" })
    if (await button.isDisabled()) continue // the gateway documents no such call: the card says so
    await button.click()
    const result = card.locator('[data-testid="hpp-connection-result"]')
    await result.waitFor({ timeout: 30_000 })
    await expect(result.getAttribute("data-ok")).resolves.toBe("true")
  }
  // Which options are set, never their values: no credential of the demo's appears anywhere on the page.
  const text = (await page.locator("body").textContent()) ?? ""
  for (const value of Object.values(CREDENTIALS).flatMap((c) => Object.values(c as Record<string, string>)))
    if (value.length > 4) expect(text).not.toContain(value)
  await shot("settings-hosted-payments")
})

it("lists a payment made on a page whose cart changed meanwhile under 'Needs attention'", async () => {
  // A buyer opens NetValve's page (which stays open at the gateway), changes the cart in another tab, and pays
  // the page anyway: paid at the gateway, and no order can be made from it.
  const g = demo.seed.gateways.find((x) => x.gateway === "netvalve")!
  const { cart, session } = await openCheckout(demo, g)
  await storeApi(demo, `/store/carts/${cart.id}/line-items/${cart.items[0].id}`, { quantity: 2 })
  await payOnHostedPage(session.data.checkout_url, new URL(demo.storefrontUrl).origin)

  const section = page.locator('[data-testid="hpp-needs-attention"]')
  const item = section.locator('[data-testid="hpp-attention-item"][data-kind="paid_no_order"]')
  for (let attempt = 0; attempt < 10 && (await item.count()) === 0; attempt++) {
    await page.goto(`${demo.adminUrl}/settings/hosted-payments`)
    await section.waitFor()
    await page.waitForLoadState("networkidle")
    if ((await item.count()) === 0) await page.waitForTimeout(2000)
  }
  await shot("needs-attention", section)
  expect(await item.count()).toBeGreaterThan(0)
  await expect(item.first().textContent()).resolves.toContain("Paid at the gateway, no order")
})
