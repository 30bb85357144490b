import { randomBytes, randomUUID } from "node:crypto"
import { GatewayContext, SandboxGateway, snapshot } from "./gateway"
import { header, html, isHttpUrl, Reply, Route, SandboxRequest, seeOther } from "./http"
import { DecimalText, parseJsonKeepingNumberText, stringifyWithDecimals } from "./json"
import { formatCents, parseCents } from "./money"
import { escapeHtml, isCardNumber, PageButton, renderCheckoutPage, renderResultPage, STANDARD_BUTTONS } from "./pages"

/**
 * NetValve (Hitpixel): the HPP API (`POST /hpp/order`), the payment API (inquiry, capture, cancel,
 * refund), the hosted page with its `paymentOptions`, the return URLs and the unsigned webhook that
 * carries the header agreed at setup.
 */

export type NetValveOptions = {
  clientId: string
  apiKey: string
  /** NetValve sends webhooks to one URL set up with the merchant; none when unset. */
  webhookUrl?: string
  /** The custom header agreed at setup, sent on every webhook. */
  webhookHeaderName?: string
  webhookHeaderValue?: string
  /** Authorise on payment and wait for `POST /capture` instead of purchasing outright. Default false. */
  authoriseOnly?: boolean
  /** Refuse partial refunds with GTW_2107, as some acquirers do. Default false (partial refunds allowed). */
  refusePartialRefunds?: boolean
}

export type NetValveOrderState =
  | "CREATED"
  | "PENDING"
  | "AUTHORISED"
  | "PAID"
  | "CAPTURED"
  | "PARTIALLY_REFUNDED"
  | "REFUNDED"
  | "FAILED"
  | "CANCELLED"
  | "EXPIRED"

export type NetValveStoredOrder = {
  orderId: number
  transactionID: number
  clientOrderId: string
  midId: number
  amount: string
  currency: string
  orderDesc: string | null
  successUrl: string
  cancelUrl: string
  failedUrl: string
  pendingUrl: string
  customerDetails: Record<string, unknown>
  orderState: NetValveOrderState
  transactionType: "PURCHASE" | "AUTHORISE"
  /** The latest transaction's response. */
  responseCode: string
  responseMessage: string
  responseCodeType: string
  capturedAmount: string
  refundedAmount: string
  paymentMethod: string | null
  paymentToken: string
  createdAt: string
  updatedAt: string
}

/** NetValve's codes the sandbox answers with. Codes without a number in NetValve's docs are marked. */
const CODES = {
  approved: ["GTW_1000", "Transaction Approved/ Request Successful.", "APPROVED"],
  pending: ["GTW_1002", "Transaction status is Pending.", "PENDING"],
  /** [sandbox] NetValve documents no code for a bad field other than the amount. */
  invalidField: ["GTW_2001", "Invalid request field", "SOFT DECLINE"],
  invalidAmount: ["GTW_2003", "Invalid amount: a number with exactly two decimals is required.", "SOFT DECLINE"],
  alreadyRefunded: ["GTW_2045", "Transaction already refunded.", "SOFT DECLINE"],
  alreadyCaptured: ["GTW_2046", "Transaction already captured.", "SOFT DECLINE"],
  alreadyCancelled: ["GTW_2047", "Transaction already cancelled.", "SOFT DECLINE"],
  /** [sandbox] the code for "not found" and "wrong state" are not in NetValve's docs. */
  notFound: ["GTW_2050", "Order or transaction not found.", "SOFT DECLINE"],
  invalidState: ["GTW_2051", "The transaction is not in a state that allows this operation.", "SOFT DECLINE"],
  duplicateOrder: ["GTW_2065", "Duplicate clientOrderId.", "SOFT DECLINE"],
  alreadyPaid: ["GTW_2070", "Order already paid.", "SOFT DECLINE"],
  partialRefundNotAllowed: ["GTW_2107", "Partial refund is not allowed.", "SOFT DECLINE"],
  refundExceeds: ["GTW_2108", "Refund amount exceeds the remaining amount.", "SOFT DECLINE"],
  /** [sandbox] the decline a buyer's card gets: NetValve's docs give ranges, not this number. */
  declined: ["BNK_3005", "Do not honour.", "HARD DECLINE"],
  auth: ["GTW_9001", "Authentication failed: invalid netvalve-client-id or netvalve-api-key.", "ERROR"],
  internal: ["GTW_9999", "Internal server error.", "ERROR"],
} as const
type Code = keyof typeof CODES

const OPTIONS = ["card", "applepay", "googlepay"] as const
const PAID_STATES: NetValveOrderState[] = ["PAID", "CAPTURED", "PARTIALLY_REFUNDED", "REFUNDED"]

const stamp = () => new Date().toISOString().replace("Z", "+00:00")

function answer(status: number, code: Code, fields: Record<string, unknown> = {}, message?: string): Reply {
  const [responseCode, responseMessage, responseCodeType] = CODES[code]
  return {
    status,
    headers: { "content-type": "application/json" },
    body: stringifyWithDecimals({
      traceID: randomUUID(),
      responseTimestamp: stamp(),
      ...fields,
      responseCode,
      responseMessage: message ?? responseMessage,
      responseCodeType,
    }),
  }
}

/** An amount as NetValve demands it: a JSON number written with exactly two decimals. */
function amountFrom(text: string, path: string): { cents?: number; bad: boolean } {
  try {
    const parsed = parseJsonKeepingNumberText(text)
    const raw = parsed.numberText(path)
    if (raw === undefined || !/^\d+\.\d{2}$/.test(raw)) return { bad: true }
    const cents = parseCents(raw)
    return cents === undefined || cents <= 0 ? { bad: true } : { cents, bad: false }
  } catch {
    return { bad: true }
  }
}

export function createNetValve(options: NetValveOptions, ctx: GatewayContext): SandboxGateway<NetValveStoredOrder> {
  const orders = new Map<number, NetValveStoredOrder>()
  let nextOrderId = 100_000 + Math.floor(Math.random() * 800_000)
  let nextTransactionId = 5_000_000 + Math.floor(Math.random() * 4_000_000)

  const byClientOrderId = (id: string) => [...orders.values()].find((o) => o.clientOrderId === id)
  const byTransaction = (id: unknown) => [...orders.values()].find((o) => String(o.transactionID) === String(id))

  const orderView = (order: NetValveStoredOrder) => ({
    orderId: order.orderId,
    clientOrderId: order.clientOrderId,
    orderState: order.orderState,
    transactionID: order.transactionID,
    transactionType: order.transactionType,
    amount: new DecimalText(order.amount),
    currency: order.currency,
    capturedAmount: new DecimalText(order.capturedAmount),
    refundedAmount: new DecimalText(order.refundedAmount),
    midId: order.midId,
    paymentMethod: order.paymentMethod,
  })

  // An order nobody has paid yet is answered as the guide's "Pending Response" (GTW_1002 PENDING): the
  // inquiry reports its transaction, and that transaction has not happened. Approved means it went through.
  const latest = (order: NetValveStoredOrder): Code =>
    order.responseCode === CODES.pending[0] || order.orderState === "CREATED"
      ? "pending"
      : order.responseCode === CODES.declined[0]
        ? "declined"
        : "approved"

  const event = (
    order: NetValveStoredOrder,
    eventName: string,
    code: Code,
    transactionType: string,
    amount = order.amount,
    transactionId = order.transactionID
  ) => {
    if (!options.webhookUrl) return
    const [responseCode, responseMessage, responseCodeType] = CODES[code]
    const headers: Record<string, string> = { "content-type": "application/json" }
    if (options.webhookHeaderName && options.webhookHeaderValue)
      headers[options.webhookHeaderName] = options.webhookHeaderValue
    ctx.webhooks.send({
      gateway: "netvalve",
      event: eventName,
      paymentId: String(order.orderId),
      url: options.webhookUrl,
      headers,
      body: stringifyWithDecimals({
        eventName,
        data: {
          transactionType,
          clientOrderId: order.clientOrderId,
          orderId: order.orderId,
          transactionId,
          responseCode,
          responseCodeType,
          responseMessage,
          amount: new DecimalText(amount),
          currency: order.currency,
          midId: order.midId,
          timestamp: stamp(),
        },
      }),
    })
  }

  /** The failure event of an earlier attempt at the order, with a transaction id of its own. */
  const earlierFailure = (order: NetValveStoredOrder) =>
    event(
      order,
      order.transactionType === "PURCHASE" ? "PURCHASE_FAILED" : "AUTHORISATION_FAILED",
      "declined",
      order.transactionType,
      order.amount,
      nextTransactionId++
    )

  const create = (req: SandboxRequest): Reply => {
    let body: Record<string, unknown>
    try {
      body = JSON.parse(req.text) as Record<string, unknown>
      if (!body || typeof body !== "object" || Array.isArray(body)) throw new Error()
    } catch {
      return answer(400, "invalidField", {}, "Invalid request: the body must be a JSON object.")
    }
    const amount = amountFrom(req.text, "amount")
    if (amount.bad) return answer(400, "invalidAmount")
    const invalid = (field: string, why: string) =>
      answer(400, "invalidField", {}, `Invalid request field ${field}: ${why}`)
    if (typeof body.currency !== "string" || !/^[A-Z]{3}$/.test(body.currency))
      return invalid("currency", "an ISO 4217 code is required")
    if (typeof body.midId !== "number" || !Number.isInteger(body.midId))
      return invalid("midId", "an integer is required")
    const clientOrderId = body.clientOrderId
    if (typeof clientOrderId !== "string" || !clientOrderId || clientOrderId.length > 100)
      return invalid("clientOrderId", "1 to 100 characters are required")
    for (const key of ["successUrl", "cancelUrl", "failedUrl", "pendingUrl"]) {
      if (!isHttpUrl(body[key])) return invalid(key, "an absolute http(s) URL is required")
    }
    const existing = byClientOrderId(clientOrderId)
    if (existing)
      return answer(
        400,
        PAID_STATES.includes(existing.orderState) || existing.orderState === "AUTHORISED"
          ? "alreadyPaid"
          : "duplicateOrder"
      )

    const now = stamp()
    const order: NetValveStoredOrder = {
      orderId: nextOrderId++,
      transactionID: nextTransactionId++,
      clientOrderId,
      midId: body.midId,
      amount: formatCents(amount.cents!),
      currency: body.currency,
      orderDesc: typeof body.orderDesc === "string" ? body.orderDesc : null,
      successUrl: body.successUrl as string,
      cancelUrl: body.cancelUrl as string,
      failedUrl: body.failedUrl as string,
      pendingUrl: body.pendingUrl as string,
      customerDetails: (body.customerDetails as Record<string, unknown>) ?? {},
      orderState: "CREATED",
      transactionType: options.authoriseOnly ? "AUTHORISE" : "PURCHASE",
      responseCode: CODES.approved[0],
      responseMessage: CODES.approved[1],
      responseCodeType: CODES.approved[2],
      capturedAmount: "0.00",
      refundedAmount: "0.00",
      paymentMethod: null,
      paymentToken: randomBytes(48).toString("base64url"),
      createdAt: now,
      updatedAt: now,
    }
    orders.set(order.orderId, order)
    return answer(200, "approved", {
      orderId: order.orderId,
      transactionID: order.transactionID,
      orderState: order.orderState,
      redirectUrl: `${ctx.publicUrl}/netvalve/checkout?paymentToken=${order.paymentToken}&language=en`,
      midId: order.midId,
      netvalveMidId: `SANDBOX-${order.midId}`,
    })
  }

  const inquiry = (order: NetValveStoredOrder | undefined): Reply =>
    order ? answer(200, latest(order), orderView(order), order.responseMessage) : answer(404, "notFound")

  const setResult = (order: NetValveStoredOrder, state: NetValveOrderState, code: Code) => {
    order.orderState = state
    ;[order.responseCode, order.responseMessage, order.responseCodeType] = CODES[code]
    order.updatedAt = stamp()
  }

  const operationBody = (req: SandboxRequest) => {
    try {
      const value = JSON.parse(req.text) as Record<string, unknown>
      return value && typeof value === "object" ? value : undefined
    } catch {
      return undefined
    }
  }

  const capture = (req: SandboxRequest): Reply => {
    const body = operationBody(req)
    const order = byTransaction(body?.transactionID)
    if (!order) return answer(404, "notFound")
    const ids = { transactionID: order.transactionID, orderId: order.orderId }
    if (order.orderState !== "AUTHORISED") {
      if (PAID_STATES.includes(order.orderState)) return answer(400, "alreadyCaptured", ids)
      if (order.orderState === "CANCELLED") return answer(400, "alreadyCancelled", ids)
      return answer(400, "invalidState", ids)
    }
    const amount = amountFrom(req.text, "amount")
    if (amount.bad) return answer(400, "invalidAmount", ids)
    if (amount.cents! > parseCents(order.amount)!)
      return answer(400, "invalidAmount", ids, "Capture amount exceeds the authorised amount.")
    order.capturedAmount = formatCents(amount.cents!)
    setResult(order, "CAPTURED", "approved")
    event(order, "CAPTURED", "approved", "CAPTURE", order.capturedAmount)
    return answer(200, "approved", { ...ids, amount: new DecimalText(order.capturedAmount), currency: order.currency })
  }

  const cancel = (req: SandboxRequest): Reply => {
    const body = operationBody(req)
    const order = byTransaction(body?.transactionID)
    if (!order) return answer(404, "notFound")
    const ids = { transactionID: order.transactionID, orderId: order.orderId }
    if (order.orderState === "CANCELLED") return answer(400, "alreadyCancelled", ids)
    if (order.orderState !== "AUTHORISED") {
      return answer(400, PAID_STATES.includes(order.orderState) ? "alreadyCaptured" : "invalidState", ids)
    }
    setResult(order, "CANCELLED", "approved")
    event(order, "CANCELLED", "approved", "CANCEL")
    return answer(200, "approved", ids)
  }

  const refund = (req: SandboxRequest): Reply => {
    const body = operationBody(req)
    const order = byTransaction(body?.transactionID)
    if (!order) return answer(404, "notFound")
    const ids = { transactionID: order.transactionID, orderId: order.orderId }
    if (order.orderState === "REFUNDED") return answer(400, "alreadyRefunded", ids)
    if (!PAID_STATES.includes(order.orderState)) return answer(400, "invalidState", ids)
    const amount = amountFrom(req.text, "amount")
    if (amount.bad) return answer(400, "invalidAmount", ids)
    const paid = parseCents(order.capturedAmount)!
    const refunded = parseCents(order.refundedAmount)!
    if (options.refusePartialRefunds && (refunded > 0 || amount.cents! !== paid))
      return answer(400, "partialRefundNotAllowed", ids)
    if (refunded + amount.cents! > paid) return answer(400, "refundExceeds", ids)
    order.refundedAmount = formatCents(refunded + amount.cents!)
    setResult(order, refunded + amount.cents! === paid ? "REFUNDED" : "PARTIALLY_REFUNDED", "approved")
    const refundTransaction = nextTransactionId++
    event(order, "REFUNDED", "approved", "REFUND", formatCents(amount.cents!), refundTransaction)
    return answer(200, "approved", {
      ...ids,
      refundTransactionID: refundTransaction,
      amount: new DecimalText(formatCents(amount.cents!)),
      currency: order.currency,
    })
  }

  // The hosted page.

  const byToken = (req: SandboxRequest) => {
    const token = req.query.get("paymentToken") ?? ""
    return [...orders.values()].find((o) => o.paymentToken === token)
  }

  /** `paymentOptions=applepay,googlepay` (or the guide's singular `paymentOption=`) limits the methods shown. */
  const shownOptions = (query: URLSearchParams): string[] => {
    const listed = (query.get("paymentOptions") ?? query.get("paymentOption") ?? "")
      .split(",")
      .map((o) => o.trim().toLowerCase())
      .filter((o) => (OPTIONS as readonly string[]).includes(o))
    return listed.length ? OPTIONS.filter((o) => listed.includes(o)) : [...OPTIONS]
  }

  const page = (req: SandboxRequest, order: NetValveStoredOrder, message?: string): Reply => {
    const base = {
      gateway: "NetValve",
      merchant: ctx.merchantName,
      amount: order.amount,
      currency: order.currency,
      reference: String(order.orderId),
      status: order.orderState,
      description: order.orderDesc ?? undefined,
    }
    if (order.orderState !== "CREATED" && order.orderState !== "PENDING") {
      return html(200, renderResultPage({ ...base, message, result: `This order is ${order.orderState}.` }))
    }
    const shown = shownOptions(req.query)
    const buttons: PageButton[] = STANDARD_BUTTONS.filter((b) => b.id !== "pay" || shown.includes("card"))
    if (!shown.includes("card"))
      buttons.unshift({ id: "pay", outcome: `pay-${shown[0]}`, label: `Pay with ${shown[0]}` })
    const wallets: PageButton[] = shown
      .filter((o) => o !== "card")
      .map((o) => ({
        id: `pay-${o}`,
        outcome: `pay-${o}`,
        label: `Pay with ${o === "applepay" ? "Apple Pay" : "Google Pay"}`,
      }))
    const optionList = `<ul id="payment-options" data-testid="payment-options">${shown.map((o) => `<li id="option-${o}" data-testid="option-${o}">${escapeHtml(o)}</li>`).join("")}</ul>`
    const walletButtons = wallets
      .map(
        (b) =>
          `<button type="submit" id="${b.id}" data-testid="${b.id}" name="outcome" value="${b.outcome}">${escapeHtml(b.label)}</button>`
      )
      .join(" ")
    return html(
      200,
      renderCheckoutPage({
        ...base,
        message,
        action: `${ctx.publicUrl}/netvalve/checkout?${req.query.toString()}`,
        fields: shown.includes("card")
          ? [
              {
                kind: "text",
                id: "card-number",
                name: "cardNumber",
                label: "Card number",
                value: "4111 1111 1111 1111",
              },
            ]
          : [],
        buttons,
        extraHtml: optionList + (walletButtons ? `<p>${walletButtons}</p>` : ""),
        // The slim page for an iframe, asked for with the provider's slimModeParameter (default slim_mode=true): the
        // sandbox's reading of a mode NetValve names but does not document the switch of.
        slim: req.query.get("slim_mode") === "true",
      })
    )
  }

  const submit = (req: SandboxRequest): Reply => {
    const order = byToken(req)
    if (!order) return html(404, "<h1>Order not found</h1>")
    if (order.orderState !== "CREATED" && order.orderState !== "PENDING") return page(req, order)
    const form = new URLSearchParams(req.text)
    const outcome = form.get("outcome") ?? ""
    const shown = shownOptions(req.query)
    if (outcome === "cancel") {
      setResult(order, "CANCELLED", "approved")
      return seeOther(order.cancelUrl)
    }
    const method = outcome.startsWith("pay-") ? outcome.slice(4) : shown.includes("card") ? "card" : shown[0]
    if (!shown.includes(method)) return page(req, order, `${method} is not offered on this page.`)
    if (outcome === "pay" && !isCardNumber(form.get("cardNumber") ?? ""))
      return page(req, order, "Enter a valid card number.")
    order.paymentMethod = method
    const sale = order.transactionType === "PURCHASE"
    if (outcome === "pending") {
      setResult(order, "PENDING", "pending")
      event(order, sale ? "PURCHASE_PENDING" : "AUTHORISATION_PENDING", "pending", order.transactionType)
      return seeOther(order.pendingUrl)
    }
    if (outcome === "decline") {
      setResult(order, "FAILED", "declined")
      event(order, sale ? "PURCHASE_FAILED" : "AUTHORISATION_FAILED", "declined", order.transactionType)
      return seeOther(order.failedUrl)
    }
    if (outcome !== "pay" && !outcome.startsWith("pay-")) return page(req, order, "Choose an outcome.")
    if (ctx.faults.reorderWebhooks) {
      // An earlier failed attempt whose event NetValve delivers late: queued first, delivered last.
      earlierFailure(order)
    }
    if (sale) order.capturedAmount = order.amount
    setResult(order, sale ? "PAID" : "AUTHORISED", "approved")
    event(order, sale ? "PURCHASED" : "AUTHORISED", "approved", order.transactionType)
    return seeOther(order.successUrl)
  }

  const hppRoutes: Route[] = [{ method: "POST", kind: "api", pattern: /^\/hpp\/hpp\/order\/?$/, handle: create }]
  const paymentRoutes: Route[] = [
    {
      method: "GET",
      kind: "api",
      pattern: /^\/payment\/order\/?$/,
      handle: (req) => inquiry(byClientOrderId(req.query.get("clientOrderId") ?? "")),
    },
    {
      method: "GET",
      kind: "api",
      pattern: /^\/payment\/order\/(\d+)\/?$/,
      handle: (_req, [id]) => inquiry(orders.get(Number(id))),
    },
    {
      method: "GET",
      kind: "api",
      pattern: /^\/payment\/transaction\/status\/?$/,
      handle: (req) => inquiry(byTransaction(req.query.get("transactionId") ?? "")),
    },
    { method: "POST", kind: "api", pattern: /^\/payment\/capture\/?$/, handle: capture },
    { method: "POST", kind: "api", pattern: /^\/payment\/cancel\/?$/, handle: cancel },
    { method: "POST", kind: "api", pattern: /^\/payment\/refund\/?$/, handle: refund },
  ]
  const pageRoutes: Route[] = [
    {
      method: "GET",
      kind: "page",
      pattern: /^\/checkout\/?$/,
      handle: (req) => {
        const order = byToken(req)
        return order ? page(req, order) : html(404, "<h1>Order not found</h1>")
      },
    },
    { method: "POST", kind: "page", pattern: /^\/checkout\/?$/, handle: submit },
  ]

  return {
    name: "netvalve",
    routes: [...hppRoutes, ...paymentRoutes, ...pageRoutes],
    authenticate: (req) =>
      header(req, "netvalve-client-id") === options.clientId && header(req, "netvalve-api-key") === options.apiKey
        ? undefined
        : answer(401, "auth"),
    internalError: () => answer(500, "internal"),
    notFound: () => answer(404, "notFound"),
    payments: () => [...orders.values()].map(snapshot),
    payment: (id) => {
      const order = orders.get(Number(id)) ?? byClientOrderId(id)
      return order && snapshot(order)
    },
    notify: (id, outcome) => {
      const order = orders.get(Number(id)) ?? byClientOrderId(id)
      if (!order) return false
      if (outcome === "failed") earlierFailure(order)
      else
        event(
          order,
          order.transactionType === "PURCHASE" ? "PURCHASED" : "AUTHORISED",
          "approved",
          order.transactionType
        )
      return true
    },
    expire: (id) => {
      const order = orders.get(Number(id)) ?? byClientOrderId(id)
      if (!order || (order.orderState !== "CREATED" && order.orderState !== "PENDING")) return false
      setResult(order, "EXPIRED", "approved")
      return true
    },
  }
}
