/**
 * `npm run demo -- --check`: one paid checkout per gateway, as a storefront and a buyer would do it, without a
 * browser. The buyer's part is the sandbox's hosted page: its form is read and submitted with "pay". Then, signed
 * in to the Admin API as the demo's admin: the plugin's providers, and each order's hosted payment.
 */
const { adminApi } = require("./admin")

async function storeApi(ctx, path, body) {
  const response = await fetch(`${ctx.backendUrl}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", "x-publishable-api-key": ctx.seed.publishableKey },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = await response.json().catch(() => ({}))
  if (!response.ok) throw new Error(`${path}: ${response.status} ${json.message ?? ""}`.trim())
  return json
}

/** The hosted page's form: its action and every named field with its (prefilled) value. */
function readForm(html, pageUrl) {
  const form = html.match(/<form[^>]*id="payment-form"[^>]*>([\s\S]*?)<\/form>/)
  if (!form) throw new Error(`no payment form on ${pageUrl}`)
  const action = form[0].match(/action="([^"]*)"/)[1].replace(/&amp;/g, "&")
  const fields = new URLSearchParams()
  for (const input of form[1].matchAll(/<input[^>]*>/g)) {
    const name = input[0].match(/name="([^"]*)"/)?.[1]
    if (name) fields.append(name, (input[0].match(/value="([^"]*)"/)?.[1] ?? "").replace(/&amp;/g, "&"))
  }
  for (const select of form[1].matchAll(/<select[^>]*name="([^"]*)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const selected =
      select[2].match(/<option value="([^"]*)"[^>]*selected/)?.[1] ?? select[2].match(/<option value="([^"]*)"/)?.[1]
    fields.append(select[1], selected ?? "")
  }
  return { action: new URL(action, pageUrl).toString(), fields }
}

/** Pays on the hosted page and follows the gateway's redirects until the buyer is back at the shop. */
async function payOnHostedPage(checkoutUrl, shopOrigin) {
  let url = checkoutUrl
  let response = await fetch(url, { redirect: "manual" })
  for (let hop = 0; hop < 5; hop++) {
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get("location"), url).toString()
      if (new URL(url).origin === shopOrigin) return url
      response = await fetch(url, { redirect: "manual" })
      continue
    }
    const html = await response.text()
    const { action, fields } = readForm(html, url)
    fields.set("outcome", "pay")
    response = await fetch(action, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: fields.toString(),
    })
    url = action
  }
  throw new Error(`never sent back to the shop (last page ${url})`)
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/**
 * A guest's cart with one item, its payment collection and a session of the gateway's provider (not yet paid);
 * with `withSession: false`, the cart and its payment collection only.
 */
async function openCheckout(ctx, gateway, { withSession = true } = {}) {
  const { cart } = await storeApi(ctx, "/store/carts", {
    region_id: gateway.regionId,
    sales_channel_id: ctx.seed.salesChannelId,
    email: ctx.email ?? "ada@example.com",
    billing_address: {
      first_name: "Ada",
      last_name: "Lovelace",
      phone: "+44 20 7946 0958",
      country_code: gateway.country,
    },
    items: [{ variant_id: ctx.seed.variantId, quantity: 1 }],
  })
  const { payment_collection } = await storeApi(ctx, "/store/payment-collections", { cart_id: cart.id })
  if (!withSession) return { cart, paymentCollection: payment_collection }
  const returnUrl = `${ctx.storefrontUrl}/return?cart_id=${cart.id}&gateway=${gateway.gateway}`
  const { payment_collection: pc } = await storeApi(
    ctx,
    `/store/payment-collections/${payment_collection.id}/payment-sessions`,
    {
      provider_id: gateway.providerId,
      data: { return_url: returnUrl },
    }
  )
  const session = pc.payment_sessions.find((s) => s.provider_id === gateway.providerId)
  return { cart, session }
}

/** A cart of one product in the gateway's region, with its payment collection: what a buyer has before paying. */
async function newCart(ctx, gateway) {
  const { cart, paymentCollection } = await openCheckout(ctx, gateway, { withSession: false })
  return { cart, payment_collection: paymentCollection }
}

async function checkout(ctx, gateway) {
  const { cart, session } = await openCheckout(ctx, gateway)
  await payOnHostedPage(session.data.checkout_url, new URL(ctx.storefrontUrl).origin)

  // The webhook may turn the cart into an order by itself (Medusa waits about 5 s before processing one).
  for (let waited = 0; waited < 25_000; waited += 1000) {
    const { cart: current } = await storeApi(ctx, `/store/carts/${cart.id}`)
    if (current.completed_at) {
      const result = await storeApi(ctx, `/store/carts/${cart.id}/complete`, {})
      return { order: result.order, confirmedBy: "the gateway's webhook" }
    }
    await sleep(1000)
  }
  const result = await storeApi(ctx, `/store/carts/${cart.id}/complete`, {})
  if (result.type !== "order") throw new Error(result.error?.message ?? "cart not completed")
  return { order: result.order, confirmedBy: "the buyer's return (cart completion)" }
}

async function checkEveryGateway(ctx) {
  let ok = true
  const lines = []
  const orders = {}
  for (const gateway of ctx.seed.gateways) {
    try {
      const { order, confirmedBy } = await checkout(ctx, gateway)
      orders[gateway.providerId] = order
      const expected = Number(gateway.price)
      if (Number(order.total) !== expected || order.currency_code !== gateway.currency) {
        throw new Error(
          `order ${order.id} is for ${order.total} ${order.currency_code}, expected ${expected} ${gateway.currency}`
        )
      }
      const amount = new Intl.NumberFormat("en", {
        style: "currency",
        currency: order.currency_code.toUpperCase(),
        currencyDisplay: "code",
      }).format(order.total)
      lines.push(`ok    ${gateway.name.padEnd(12)} ${order.id}  ${amount}  confirmed by ${confirmedBy}`)
    } catch (error) {
      ok = false
      lines.push(`FAIL  ${gateway.name.padEnd(12)} ${error.message}`)
    }
    console.log(lines[lines.length - 1])
  }
  if (ctx.seed.gateways.length < 4) {
    ok = false
    ctx.log(`FAIL  only ${ctx.seed.gateways.length} of 4 gateways are registered`)
  }
  if (ctx.adminUser) ok = (await checkAdmin(ctx, orders)) && ok
  return ok
}

/**
 * The admin's side: Medusa Admin's page answers, the demo's admin signs in to the Admin API, the plugin lists
 * every seeded gateway, and each order paid above shows its hosted payment with the gateway's reference.
 */
async function checkAdmin(ctx, orders) {
  const results = []
  const step = async (name, fn) => {
    try {
      results.push(`ok    ${name.padEnd(21)} ${await fn()}`)
    } catch (error) {
      results.push(`FAIL  ${name.padEnd(21)} ${error.message}`)
    }
    console.log(results[results.length - 1])
  }
  await step("admin page", async () => {
    const response = await fetch(ctx.adminUrl)
    const html = await response.text()
    if (!response.ok || !html.includes('id="medusa"')) throw new Error(`${ctx.adminUrl}: ${response.status}`)
    return ctx.adminUrl
  })
  let api
  await step("admin login", async () => {
    api = await adminApi(ctx.backendUrl, ctx.adminUser)
    return `signed in as ${ctx.adminUser.email}`
  })
  if (api) {
    await step("providers", async () => {
      const { providers } = await api("/admin/hpp/providers")
      const missing = ctx.seed.gateways.filter((g) => !providers.some((p) => p.id === g.providerId))
      if (missing.length) throw new Error(`not listed: ${missing.map((g) => g.providerId).join(", ")}`)
      return providers.map((p) => `${p.gateway_name} (${p.environment})`).join(", ")
    })
    for (const gateway of ctx.seed.gateways) {
      const order = orders[gateway.providerId]
      if (!order) continue
      await step(`${gateway.name} in admin`, async () => {
        const { payments } = await api(`/admin/hpp/orders/${order.id}/payments`)
        const payment = payments.find((p) => p.provider_id === gateway.providerId)
        if (!payment?.gateway_reference) throw new Error(`order ${order.id} shows no hosted payment with a reference`)
        return `order ${order.id}: ${payment.gateway_name} ${payment.gateway_reference}, ${payment.events.length} events`
      })
    }
  }
  return results.every((line) => line.startsWith("ok"))
}

module.exports = { checkEveryGateway, checkout, newCart, openCheckout, payOnHostedPage, readForm, storeApi }
