import { loadConfig, money, storeSdk } from "/api.js"
import { startHostedPayment } from "/hpp-storefront.js"

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
    const { checkoutUrl } = await startHostedPayment(sdk, {
      cart,
      providerId: gateway.providerId,
      returnUrl: `${window.location.origin}/return`,
      returnParams: { gateway: gateway.gateway },
    })
    window.location.assign(checkoutUrl)
  } catch (e) {
    // A HostedPaymentError's message is written for the buyer; anything else is the store's own words.
    error.textContent = e.name === "HostedPaymentError" ? e.message : `Could not start the payment: ${e.message}`
    button.disabled = false
  }
})
