import { loadConfig, money, storeSdk } from "/api.js"
import { finishHostedPayment, startHostedPayment, waitForHostedPayment } from "/hpp-storefront.js"

const config = await loadConfig()
const sdk = storeSdk(config)
document.querySelector("#product-title").textContent = config.productTitle
document.querySelector("#product-description").textContent = "Pick a gateway: each one charges in its own currency."

const list = document.querySelector("#gateways")
for (const [i, g] of config.gateways.entries()) {
  const label = document.createElement("label")
  label.className = "gateway"
  label.innerHTML = `<input type="radio" name="gateway" value="${g.gateway}" id="gateway-${g.gateway}" ${i === 0 ? "checked" : ""}>
    ${g.name} <span class="muted">${money(g.price, g.currency)}</span>`
  list.append(label)
}

// The ways each gateway's provider offers to present its page (the demo registers them all set up).
const PRESENTATIONS = {
  hitpay: [
    ["redirect", "On HitPay's page"],
    ["dropin", "HitPay Drop-In, on this page"],
    ["qr", "PayNow QR code, on this page"],
  ],
  netvalve: [
    ["redirect", "On NetValve's page"],
    ["frame", "NetValve's slim page, on this page"],
  ],
}
const presentationBox = document.querySelector("#presentations-box")
function showPresentations() {
  const gateway = new FormData(document.querySelector("#checkout")).get("gateway")
  const offered = PRESENTATIONS[gateway] ?? []
  presentationBox.hidden = offered.length === 0
  document.querySelector("#presentations").innerHTML = offered
    .map(
      ([value, label], i) =>
        `<label class="gateway"><input type="radio" name="presentation" value="${value}" id="presentation-${value}" ${i === 0 ? "checked" : ""}> ${label}</label>`
    )
    .join("")
}
list.addEventListener("change", showPresentations)
showPresentations()

/** The page stays: the buyer pays here (a QR code, a drop-in, a frame). */
function payInShop(started, gateway, cartId) {
  const { presentation } = started
  document.querySelector("#shop").hidden = true
  document.querySelector("#in-shop").hidden = false
  document.querySelector("#leave").href = window.location.pathname
  const title = (text, message) => {
    document.querySelector("#in-shop-title").textContent = text
    document.querySelector("#in-shop-message").textContent = message
  }
  if (presentation.kind === "frame") {
    title(`Pay with ${gateway.name}`, "Pay below; you stay in the shop.")
    const frame = document.querySelector("#frame")
    frame.hidden = false
    frame.src = presentation.url
    return
  }
  if (presentation.kind === "dropin") {
    title(`Pay with ${gateway.name}`, "The payment opens over this page.")
    const script = document.createElement("script")
    script.src = presentation.scriptUrl
    script.onload = () =>
      window.HitPaySandboxDropIn.open({
        defaultLink: presentation.defaultLink,
        paymentRequestId: presentation.paymentRequestId,
        onClose: () => window.location.assign(window.location.pathname),
      })
    document.head.append(script)
    return
  }
  // A QR code: the buyer scans it with a banking app; the gateway's webhook makes the order meanwhile.
  title("Scan to pay with PayNow", `${money(gateway.price, gateway.currency)} to Demo store. Keep this page open.`)
  document.querySelector("#qr").hidden = false
  document.querySelector("#qr-code").src = `/qr.svg?data=${encodeURIComponent(presentation.qrCode)}`
  document.querySelector("#qr-open").href = presentation.qrCode
  const waiting = document.querySelector("#waiting")
  const done = (finished) => {
    if (finished.status === "pending") {
      waiting.textContent = finished.message
      return
    }
    // The return page shows the outcome, as for every other way to pay.
    window.location.assign(started.returnUrl)
  }
  document.querySelector("#qr-paid").addEventListener("click", async () => {
    waiting.textContent = "Checking your payment…"
    done(await finishHostedPayment(sdk, { cartId, maxWaitMs: 6000 }))
  })
  waitForHostedPayment(sdk, {
    cartId,
    intervalMs: 2000,
    onWaiting: (ms) => (waiting.textContent = `Waiting for your payment… (${Math.round(ms / 1000)} s)`),
  }).then(done, (e) => (waiting.textContent = e.message))
}

document.querySelector("#checkout").addEventListener("submit", async (event) => {
  event.preventDefault()
  const error = document.querySelector("#error")
  const button = document.querySelector("#buy")
  error.textContent = ""
  button.disabled = true
  try {
    const gateway = config.gateways.find((g) => g.gateway === new FormData(event.target).get("gateway"))
    const buyer = {
      first_name: document.querySelector("#first-name").value,
      last_name: document.querySelector("#last-name").value,
      phone: document.querySelector("#phone").value,
      country_code: gateway.country,
      address_1: "12 St James's Square",
      city: "London",
      postal_code: "SW1Y 4LB",
    }
    // The cart carries the buyer; the plugin fills the hosted page from it on the server.
    const { cart } = await sdk.client.fetch("/store/carts", {
      method: "POST",
      body: {
        region_id: gateway.regionId,
        sales_channel_id: config.salesChannelId,
        email: document.querySelector("#email").value,
        billing_address: buyer,
        items: [{ variant_id: config.variantId, quantity: 1 }],
      },
    })
    // Some hosted pages (CatalystPay) send the buyer back to a fixed URL: remember which cart this was.
    localStorage.setItem("checkout", JSON.stringify({ cartId: cart.id, gateway: gateway.gateway }))
    // The payment session with the return URL (the cart's id goes in it: no cookie comes back from the gateway).
    const presentation = new FormData(event.target).get("presentation") ?? undefined
    const started = await startHostedPayment(sdk, {
      cart,
      providerId: gateway.providerId,
      returnUrl: `${window.location.origin}/return`,
      returnParams: { gateway: gateway.gateway },
      presentation,
    })
    if (started.presentation.kind === "redirect") window.location.assign(started.checkoutUrl)
    else payInShop(started, gateway, cart.id)
  } catch (e) {
    // A HostedPaymentError's message is written for the buyer; anything else is the store's own words.
    error.textContent = e.name === "HostedPaymentError" ? e.message : `Could not start the payment: ${e.message}`
    button.disabled = false
  }
})
