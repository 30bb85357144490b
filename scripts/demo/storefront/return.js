import { loadConfig, money, storeSdk } from "/api.js"
import { finishHostedPayment, leaveFrame, RETURN_CART_PARAM } from "/hpp-storefront.js"

// The buyer is back from the hosted page. The query string only says which cart: whether there is an order is
// the store's word (it asks the gateway, or the gateway's webhook already made the order), never the URL's.
const config = await loadConfig()
const params = new URLSearchParams(window.location.search)
const remembered = JSON.parse(localStorage.getItem("checkout") ?? "{}")
const cartId = params.get(RETURN_CART_PARAM) ?? remembered.cartId
const gateway = config.gateways.find((g) => g.gateway === (params.get("gateway") ?? remembered.gateway))

const section = document.querySelector("#result")
const show = (state, title, message) => {
  section.dataset.state = state
  document.querySelector("#result-title").textContent = title
  document.querySelector("#result-message").textContent = message
}

/** The titles this page gives each outcome; the messages are the storefront module's, written for the buyer. */
const TITLES = {
  failed: "Your payment was declined",
  canceled: "You cancelled the payment",
  pending: "Your payment is not confirmed yet",
}

async function settle() {
  const sdk = storeSdk(config)
  const finished = await finishHostedPayment(sdk, {
    cartId,
    maxWaitMs: 16_000,
    // While the gateway says pending, say so between the store's answers.
    sleep: (ms) => {
      show(
        "checking",
        "Waiting for the payment to be confirmed…",
        "Some payment methods take a moment. This page checks again by itself."
      )
      return new Promise((resolve) => setTimeout(resolve, ms))
    },
  })
  if (finished.status === "completed") {
    const { order } = finished
    show("paid", "Thank you: your order is placed", "The payment was confirmed by the payment provider.")
    document.querySelector("#order").hidden = false
    document.querySelector("#order-id").textContent = `#${order.display_id} (${order.id})`
    document.querySelector("#order-total").textContent = money(order.total, order.currency_code)
    document.querySelector("#order-gateway").textContent = gateway?.name ?? ""
    return
  }
  show(finished.status === "canceled" ? "cancelled" : finished.status, TITLES[finished.status], finished.message)
}

if (leaveFrame()) {
  // Paid inside a frame or a drop-in: the whole window comes here, and this page runs again there.
} else if (!cartId) {
  show("failed", "Nothing to check", "This page is where the payment provider sends you back after paying.")
} else {
  settle().catch((e) => show("failed", "We could not check your payment", e.message))
}
