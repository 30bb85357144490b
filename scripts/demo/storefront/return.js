import { loadConfig, money, store } from "/api.js"

// The buyer is back from the hosted page. The query string is only a hint: the order exists only if Medusa,
// asking the gateway, finds the cart paid (or the gateway's webhook already made the order).
const config = await loadConfig()
const params = new URLSearchParams(window.location.search)
const remembered = JSON.parse(localStorage.getItem("checkout") ?? "{}")
const cartId = params.get("cart_id") ?? remembered.cartId
const gateway = config.gateways.find((g) => g.gateway === (params.get("gateway") ?? remembered.gateway))

const section = document.querySelector("#result")
const show = (state, title, message) => {
  section.dataset.state = state
  document.querySelector("#result-title").textContent = title
  document.querySelector("#result-message").textContent = message
}

async function complete() {
  try {
    const result = await store(config, `/store/carts/${cartId}/complete`, {})
    if (result.type === "order") return { order: result.order }
    return { error: result.error?.message ?? "The payment was not confirmed" }
  } catch (e) {
    return { error: e.message }
  }
}

async function sessionStatus() {
  const { cart } = await store(config, `/store/carts/${cartId}?fields=*payment_collection.payment_sessions`)
  return cart.payment_collection?.payment_sessions?.[0]?.status
}

async function settle() {
  for (let attempt = 0; attempt < 8; attempt++) {
    const { order } = await complete()
    if (order) {
      section.dataset.state = "paid"
      show("paid", "Thank you: your order is placed", "The payment was confirmed by the payment provider.")
      document.querySelector("#order").hidden = false
      document.querySelector("#order-id").textContent = `#${order.display_id} (${order.id})`
      document.querySelector("#order-total").textContent = money(order.total, order.currency_code)
      document.querySelector("#order-gateway").textContent = gateway?.name ?? ""
      return
    }
    const status = await sessionStatus().catch(() => undefined)
    if (status === "error") {
      return show(
        "failed",
        "Your payment was declined",
        "No order was placed and you were not charged. You can try again, or choose another way to pay."
      )
    }
    if (status === "canceled") {
      return show("cancelled", "You cancelled the payment", "No order was placed and you were not charged.")
    }
    show(
      "checking",
      "Waiting for the payment to be confirmed…",
      "Some payment methods take a moment. This page checks again by itself."
    )
    await new Promise((resolve) => setTimeout(resolve, 2000))
  }
  show(
    "pending",
    "Your payment is not confirmed yet",
    "No order has been placed yet. If you completed the payment, your order will be created as soon as the provider confirms it."
  )
}

if (!cartId) {
  show("failed", "Nothing to check", "This page is where the payment provider sends you back after paying.")
} else {
  settle()
}
