import { loadConfig, money, store } from "/api.js"

const config = await loadConfig()
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
    const { cart } = await store(config, "/store/carts", {
      region_id: gateway.regionId,
      sales_channel_id: config.salesChannelId,
      email: document.querySelector("#email").value,
      billing_address: buyer,
      items: [{ variant_id: config.variantId, quantity: 1 }],
    })
    const { payment_collection } = await store(config, "/store/payment-collections", { cart_id: cart.id })
    const returnUrl = `${window.location.origin}/return?cart_id=${cart.id}&gateway=${gateway.gateway}`
    const { payment_collection: withSession } = await store(
      config,
      `/store/payment-collections/${payment_collection.id}/payment-sessions`,
      { provider_id: gateway.providerId, data: { return_url: returnUrl } }
    )
    const session = withSession.payment_sessions.find((s) => s.provider_id === gateway.providerId)
    // Some hosted pages (CatalystPay) send the buyer back to a fixed URL: remember which cart this was.
    localStorage.setItem("checkout", JSON.stringify({ cartId: cart.id, gateway: gateway.gateway }))
    window.location.assign(session.data.checkout_url)
  } catch (e) {
    error.textContent = `Could not start the payment: ${e.message}`
    button.disabled = false
  }
})
