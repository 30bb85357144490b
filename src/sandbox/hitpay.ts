import { createHmac, randomUUID } from "node:crypto"
import { GatewayContext, SandboxGateway, snapshot } from "./gateway"
import {
  bodyFields,
  BodyFields,
  header,
  html,
  isHttpUrl,
  json,
  Reply,
  Route,
  SandboxRequest,
  seeOther,
  withQuery,
} from "./http"
import { formatCents, parseCents } from "./money"
import { isCardNumber, renderCheckoutPage, renderResultPage, STANDARD_BUTTONS } from "./pages"

/**
 * HitPay's side of the payment request API (`/v1`): create, get, delete, refund, the checkout page,
 * the buyer's redirect and the v1 (form, `hmac` field) and v2 (JSON, `Hitpay-Signature`) webhooks.
 */

export type HitPayOptions = {
  /** `X-BUSINESS-API-KEY` the sandbox accepts. */
  apiKey: string
  /** Signs v1 webhooks (the `hmac` field). */
  salt: string
  /** Where to POST v2 webhooks (HitPay registers this in its dashboard); none when unset. */
  v2WebhookUrl?: string
  /** Signs v2 webhooks; defaults to `salt`. */
  v2Salt?: string
}

export type HitPayRequestStatus = "pending" | "completed" | "failed" | "expired" | "canceled" | "inactive"

export type HitPayStoredRefund = { id: string; amount: string; created_at: string }

export type HitPayStoredCharge = {
  id: string
  status: "pending" | "succeeded" | "failed" | "refunded" | "partially_refunded"
  amount: string
  refunded_amount: string
  currency: string
  payment_type: string
  refunds: HitPayStoredRefund[]
  created_at: string
  updated_at: string
}

export type HitPayStoredRequest = {
  id: string
  status: HitPayRequestStatus
  amount: string
  currency: string
  name: string | null
  email: string | null
  phone: string | null
  purpose: string | null
  reference_number: string | null
  payment_methods: string[]
  redirect_url: string | null
  webhook: string | null
  allow_repeated_payments: boolean
  send_email: boolean
  expiry_date: string | null
  /** When the request stops being payable (from expiry_date or expires_after), epoch ms. */
  expires_at: number | null
  metadata: Record<string, string> | null
  url: string
  created_at: string
  updated_at: string
  /** DELETE was called: the page is gone and the API answers 404. */
  deleted: boolean
  charges: HitPayStoredCharge[]
  /**
   * With `generate_qr` and `paynow_online`: the code's payload. HitPay's is a PayNow code for a banking app; the
   * sandbox's is the address of its stand-in for the banking app (`/hitpay/paynow/<id>`), so that a phone or a
   * second tab can "scan" it.
   */
  qr_code: string | null
}

const PAYMENT_METHODS = [
  "card",
  "paynow_online",
  "wechat",
  "alipay",
  "grabpay",
  "fave_duit",
  "shopback",
  "atome",
  "ovo",
  "gcash",
  "shopee_pay",
  "zip",
  "touch_n_go",
  "boost",
  "fpx",
  "duitnow",
  "qrph",
  "giro",
]
/** Stripe's generic decline card, which HitPay's Stripe-backed sandbox also declines. */
const DECLINED_CARD = "4000000000000002"
const SANDBOX_CARD = "4242 4242 4242 4242"
const MIN_CENTS = 30
const MAX_CENTS = 99_999_999_999

const hitpayTime = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "")

/** Laravel's validation answer, which HitPay sends: the first message, and every message by field. */
function validationError(errors: Record<string, string[]>): Reply {
  const messages = Object.values(errors).flat()
  const more = messages.length > 1 ? ` (and ${messages.length - 1} more error${messages.length > 2 ? "s" : ""})` : ""
  return json(422, { message: messages[0] + more, errors })
}

/** The v1 signature: fields other than hmac as key+value, ordered by key, joined, HMAC-SHA256 with the salt. */
export function hitpayV1Hmac(fields: Record<string, string>, salt: string): string {
  const message = Object.keys(fields)
    .filter((key) => key !== "hmac")
    .sort()
    .map((key) => key + fields[key])
    .join("")
  return createHmac("sha256", salt).update(message, "utf8").digest("hex")
}

/** A card charge of the whole request, as HitPay adds one to `payments[]` per attempt. */
function newCharge(
  request: HitPayStoredRequest,
  status: HitPayStoredCharge["status"],
  paymentType = "card"
): HitPayStoredCharge {
  const now = hitpayTime()
  return {
    id: randomUUID(),
    status,
    amount: request.amount,
    refunded_amount: "0.00",
    currency: request.currency,
    payment_type: paymentType,
    refunds: [],
    created_at: now,
    updated_at: now,
  }
}

export function createHitPay(options: HitPayOptions, ctx: GatewayContext): SandboxGateway<HitPayStoredRequest> {
  const requests = new Map<string, HitPayStoredRequest>()
  const pageUrl = (id: string) => `${ctx.publicUrl}/hitpay/checkout/${id}`

  /** Expiry happens on HitPay's clock; the sandbox applies it whenever the request is looked at. */
  const current = (id: string): HitPayStoredRequest | undefined => {
    const request = requests.get(id)
    if (request && request.status === "pending" && request.expires_at !== null && request.expires_at <= Date.now()) {
      request.status = "expired"
      request.updated_at = hitpayTime()
    }
    return request
  }

  const view = (request: HitPayStoredRequest, withPayments: boolean) => {
    const { charges, expires_at: _expiresAt, deleted: _deleted, qr_code: _qrCode, ...fields } = request
    const out: Record<string, unknown> = { ...fields, sms_status: "pending", email_status: "pending", send_sms: false }
    if (withPayments) {
      out.payments = charges.map(({ refunds: _refunds, ...charge }) => ({
        ...charge,
        quantity: 1,
        buyer_name: request.name,
        buyer_phone: request.phone,
        buyer_email: request.email,
        fees: "0.00",
      }))
    }
    return out
  }

  const notifyPaid = (request: HitPayStoredRequest, charge: HitPayStoredCharge, status: "completed" | "failed") => {
    if (request.webhook) {
      const fields: Record<string, string> = {
        payment_id: charge.id,
        payment_request_id: request.id,
        phone: request.phone ?? "",
        amount: charge.amount,
        currency: charge.currency.toUpperCase(),
        status,
        reference_number: request.reference_number ?? "",
      }
      fields.hmac = hitpayV1Hmac(fields, options.salt)
      ctx.webhooks.send({
        gateway: "hitpay",
        event: `v1 ${status}`,
        paymentId: request.id,
        url: request.webhook,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields).toString(),
      })
    }
    sendV2("payment_request", status, request.id, view(request, true))
  }

  const sendV2 = (object: string, type: string, paymentId: string, payload: unknown) => {
    if (!options.v2WebhookUrl) return
    const body = JSON.stringify(payload)
    ctx.webhooks.send({
      gateway: "hitpay",
      event: `v2 ${object}.${type}`,
      paymentId,
      url: options.v2WebhookUrl,
      headers: {
        "content-type": "application/json",
        "Hitpay-Signature": createHmac("sha256", options.v2Salt ?? options.salt)
          .update(body, "utf8")
          .digest("hex"),
        "Hitpay-Event-Type": type,
        "Hitpay-Event-Object": object,
      },
      body,
    })
  }

  const create = (req: SandboxRequest): Reply => {
    const body = bodyFields(req)
    if (!body) return json(400, { message: "The request body could not be read." })
    const errors: Record<string, string[]> = {}
    const add = (field: string, message: string) => (errors[field] ??= []).push(message)
    const text = (field: string, max = 255): string | null => {
      const value = body[field]
      if (value === undefined || value === null || value === "") return null
      if (typeof value !== "string" && typeof value !== "number")
        return (add(field, `The ${field.replace(/_/g, " ")} must be a string.`), null)
      const s = String(value)
      if (s.length > max) add(field, `The ${field.replace(/_/g, " ")} may not be greater than ${max} characters.`)
      return s
    }
    const amountText = text("amount")
    const cents = amountText === null ? undefined : parseCents(amountText)
    if (amountText === null) add("amount", "The amount field is required.")
    else if (cents === undefined) add("amount", "The amount must be a number.")
    else if (cents < MIN_CENTS || cents > MAX_CENTS) add("amount", "The amount must be between 0.3 and 999999999.99.")
    const currency = text("currency")
    if (currency === null) add("currency", "The currency field is required.")
    else if (!/^[A-Za-z]{3}$/.test(currency)) add("currency", "The selected currency is invalid.")
    const email = text("email")
    if (email !== null && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
      add("email", "The email must be a valid email address.")
    for (const field of ["redirect_url", "webhook"]) {
      const url = text(field, 2048)
      if (url !== null && !isHttpUrl(url)) add(field, `The ${field.replace(/_/g, " ")} format is invalid.`)
    }
    const methods = listOf(body.payment_methods)
    if (methods === undefined) add("payment_methods", "The payment methods must be an array.")
    else
      methods
        .filter((m) => !PAYMENT_METHODS.includes(m))
        .forEach((m) => add("payment_methods", `The selected payment method ${m} is invalid.`))
    const repeated = booleanOf(body.allow_repeated_payments)
    if (repeated === undefined)
      add("allow_repeated_payments", "The allow repeated payments field must be true or false.")
    const sendEmail = booleanOf(body.send_email)
    if (sendEmail === undefined) add("send_email", "The send email field must be true or false.")
    const generateQr = booleanOf(body.generate_qr)
    if (generateQr === undefined) add("generate_qr", "The generate qr field must be true or false.")
    const expiresAt = expiryOf(body, add)
    const metadata = body.metadata
    if (
      metadata !== undefined &&
      (typeof metadata !== "object" || metadata === null || Object.keys(metadata).length > 50)
    ) {
      add("metadata", "The metadata must be an object of at most 50 string pairs.")
    }
    if (Object.keys(errors).length) return validationError(errors)

    const now = hitpayTime()
    const id = randomUUID()
    const request: HitPayStoredRequest = {
      id,
      status: "pending",
      amount: formatCents(cents!),
      currency: currency!.toLowerCase(),
      name: text("name"),
      email,
      phone: text("phone"),
      purpose: text("purpose"),
      reference_number: text("reference_number"),
      payment_methods: methods!.length ? methods! : ["card", "paynow_online"],
      redirect_url: text("redirect_url", 2048),
      webhook: text("webhook", 2048),
      allow_repeated_payments: repeated!,
      send_email: sendEmail!,
      expiry_date: expiresAt === null ? null : sgtTime(expiresAt),
      expires_at: expiresAt,
      metadata: (metadata as Record<string, string> | undefined) ?? null,
      url: pageUrl(id),
      created_at: now,
      updated_at: now,
      deleted: false,
      charges: [],
      qr_code: generateQr && methods!.includes("paynow_online") ? `${ctx.publicUrl}/hitpay/paynow/${id}` : null,
    }
    requests.set(id, request)
    // The guide: "The response will include a qr_code_data object" whose qr_code is the payload (no other field).
    return json(201, {
      ...view(request, false),
      ...(request.qr_code ? { qr_code_data: { qr_code: request.qr_code } } : {}),
    })
  }

  const find = (id: string): HitPayStoredRequest | undefined => {
    const request = current(id)
    return request && !request.deleted ? request : undefined
  }
  const missing = () => json(404, { message: "No query results for model [App\\Business\\PaymentRequest]." })

  const remove = (id: string): Reply => {
    const request = find(id)
    if (!request) return missing()
    if (
      request.status === "completed" ||
      request.charges.some((c) => c.status !== "failed" && c.status !== "pending")
    ) {
      return json(400, { message: "The payment request cannot be deleted as it has been completed." })
    }
    request.deleted = true
    request.status = "canceled"
    request.updated_at = hitpayTime()
    return json(200, { success: true })
  }

  const refund = (req: SandboxRequest): Reply => {
    const body = bodyFields(req) ?? {}
    const errors: Record<string, string[]> = {}
    const paymentId = typeof body.payment_id === "string" ? body.payment_id : ""
    const cents = parseCents(body.amount)
    if (!paymentId) errors.payment_id = ["The payment id field is required."]
    if (body.amount === undefined || body.amount === "") errors.amount = ["The amount field is required."]
    else if (cents === undefined || cents <= 0) errors.amount = ["The amount must be a number greater than 0."]
    if (Object.keys(errors).length) return validationError(errors)
    const request = [...requests.values()].find((r) => r.charges.some((c) => c.id === paymentId))
    const charge = request?.charges.find((c) => c.id === paymentId)
    if (!request || !charge) return validationError({ payment_id: ["The selected payment id is invalid."] })
    if (charge.status !== "succeeded" && charge.status !== "partially_refunded") {
      return json(400, {
        message:
          charge.status === "refunded"
            ? "The charge has been fully refunded."
            : `A ${charge.status} charge cannot be refunded.`,
      })
    }
    const paid = parseCents(charge.amount)!
    const refunded = parseCents(charge.refunded_amount)!
    if (refunded + cents! > paid) {
      return validationError({ amount: [`The amount may not be greater than ${formatCents(paid - refunded)}.`] })
    }
    const now = hitpayTime()
    const record: HitPayStoredRefund = { id: randomUUID(), amount: formatCents(cents!), created_at: now }
    charge.refunds.push(record)
    charge.refunded_amount = formatCents(refunded + cents!)
    charge.status = refunded + cents! === paid ? "refunded" : "partially_refunded"
    charge.updated_at = now
    const { refunds: _refunds, ...chargeView } = charge
    sendV2("charge", "updated", request.id, chargeView)
    return json(201, {
      id: record.id,
      payment_id: charge.id,
      amount_refunded: Number(record.amount),
      total_amount: Number(charge.amount),
      currency: charge.currency,
      status: "succeeded",
      payment_method: charge.payment_type,
      created_at: now,
    })
  }

  // The checkout page.

  const page = (request: HitPayStoredRequest, message?: string): Reply => {
    const base = {
      gateway: "HitPay",
      merchant: ctx.merchantName,
      amount: request.amount,
      currency: request.currency.toUpperCase(),
      reference: request.id,
      status: request.status,
      description: request.purpose ?? undefined,
    }
    if (request.deleted || request.status !== "pending") {
      return html(
        request.status === "completed" ? 200 : 410,
        renderResultPage({ ...base, message, result: `This payment request is ${request.status}.` })
      )
    }
    return html(
      200,
      renderCheckoutPage({
        ...base,
        message,
        action: pageUrl(request.id),
        fields: [
          {
            kind: "text",
            id: "card-number",
            name: "card_number",
            label: "Card number (4000 0000 0000 0002 declines)",
            value: SANDBOX_CARD,
          },
        ],
        buttons: STANDARD_BUTTONS,
        extraHtml: `<p>Payment methods: ${request.payment_methods.map((m) => `<span data-testid="method-${m}">${m}</span>`).join(", ")}</p>`,
      })
    )
  }

  const backToShop = (request: HitPayStoredRequest, status: string, result: string): Reply =>
    request.redirect_url
      ? seeOther(withQuery(request.redirect_url, { reference: request.id, status }))
      : html(
          200,
          renderResultPage({
            gateway: "HitPay",
            merchant: ctx.merchantName,
            amount: request.amount,
            currency: request.currency.toUpperCase(),
            reference: request.id,
            status: request.status,
            result,
          })
        )

  const submit = (req: SandboxRequest, id: string): Reply => {
    const request = find(id)
    if (!request) return html(404, "<h1>Payment request not found</h1>")
    if (request.status !== "pending") return page(request)
    const form = bodyFields(req) ?? {}
    const outcome = String(form.outcome ?? "")
    if (outcome === "cancel") return backToShop(request, "canceled", "You cancelled the payment.")
    const card = String(form.card_number ?? "").replace(/[\s-]/g, "")
    if ((outcome === "pay" || outcome === "pending") && !isCardNumber(card)) {
      return page(request, "That card number is not valid.")
    }
    const declined = outcome === "decline" || (outcome === "pay" && card === DECLINED_CARD)
    if (outcome !== "pay" && outcome !== "pending" && !declined) return page(request, "Choose an outcome.")
    const charge = newCharge(request, outcome === "pending" ? "pending" : declined ? "failed" : "succeeded")
    // A pending charge stays until the buyer comes back: reopening the page settles it.
    request.charges = request.charges.filter((c) => c.status !== "pending")
    request.charges.push(charge)
    request.updated_at = charge.created_at
    if (outcome === "pending") return backToShop(request, "pending", "The payment is pending.")
    if (!request.allow_repeated_payments) request.status = declined ? "failed" : "completed"
    notifyPaid(request, charge, declined ? "failed" : "completed")
    return backToShop(
      request,
      declined ? "failed" : "completed",
      declined ? "The payment was declined." : "Payment successful."
    )
  }

  /** The stand-in for the buyer's banking app that scanned a PayNow code: it pays the request, and stays there. */
  const bankingApp = (request: HitPayStoredRequest, result?: string): Reply => {
    const base = {
      gateway: "PayNow (HitPay sandbox)",
      merchant: ctx.merchantName,
      amount: request.amount,
      currency: request.currency.toUpperCase(),
      reference: request.id,
      status: request.status,
      description: "Your banking app, after scanning the shop's PayNow QR code",
    }
    if (result || request.deleted || request.status !== "pending") {
      return html(200, renderResultPage({ ...base, result: result ?? `This payment request is ${request.status}.` }))
    }
    return html(
      200,
      renderCheckoutPage({
        ...base,
        action: `${ctx.publicUrl}/hitpay/paynow/${request.id}`,
        fields: [],
        buttons: [{ id: "pay", outcome: "pay", label: `Pay ${request.amount} ${request.currency.toUpperCase()}` }],
      })
    )
  }

  const payByQr = (id: string): Reply => {
    const request = find(id)
    if (!request || !request.qr_code) return html(404, "<h1>Payment request not found</h1>")
    if (request.status !== "pending") return bankingApp(request)
    const charge = newCharge(request, "succeeded", "paynow_online")
    request.charges.push(charge)
    request.updated_at = charge.created_at
    if (!request.allow_repeated_payments) request.status = "completed"
    notifyPaid(request, charge, "completed")
    return bankingApp(request, "Paid. You can go back to the shop: it shows your order.")
  }

  const routes: Route[] = [
    { method: "POST", kind: "api", pattern: /^\/v1\/payment-requests\/?$/, handle: create },
    {
      method: "GET",
      kind: "page",
      pattern: /^\/paynow\/([^/]+)$/,
      handle: (_req, [id]) => {
        const request = find(id)
        return request?.qr_code ? bankingApp(request) : html(404, "<h1>Payment request not found</h1>")
      },
    },
    { method: "POST", kind: "page", pattern: /^\/paynow\/([^/]+)$/, handle: (_req, [id]) => payByQr(id) },
    {
      method: "GET",
      kind: "page",
      pattern: /^\/drop-in\.js$/,
      handle: () => ({
        status: 200,
        headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" },
        body: dropInScript(`${ctx.publicUrl}/hitpay/checkout/`),
      }),
    },
    {
      method: "GET",
      kind: "api",
      pattern: /^\/v1\/payment-requests\/([^/]+)\/?$/,
      handle: (_req, [id]) => {
        const request = find(id)
        return request ? json(200, view(request, true)) : missing()
      },
    },
    {
      method: "DELETE",
      kind: "api",
      pattern: /^\/v1\/payment-requests\/([^/]+)\/?$/,
      handle: (_req, [id]) => remove(id),
    },
    { method: "POST", kind: "api", pattern: /^\/v1\/refund\/?$/, handle: refund },
    {
      method: "GET",
      kind: "page",
      pattern: /^\/checkout\/([^/]+)$/,
      handle: (_req, [id]) => {
        const request = current(id)
        return request ? page(request) : html(404, "<h1>Payment request not found</h1>")
      },
    },
    { method: "POST", kind: "page", pattern: /^\/checkout\/([^/]+)$/, handle: (req, [id]) => submit(req, id) },
  ]

  return {
    name: "hitpay",
    routes,
    authenticate: (req) =>
      header(req, "x-business-api-key") === options.apiKey
        ? undefined
        : json(401, { message: "Invalid business api key" }),
    internalError: () => json(500, { message: "Server Error" }),
    notFound: () => json(404, { message: "Not Found" }),
    payments: () => [...requests.keys()].map((id) => snapshot(current(id)!)),
    payment: (id) => {
      const request = current(id)
      return request && snapshot(request)
    },
    notify: (id, outcome) => {
      const request = current(id)
      if (!request) return false
      const paid = request.charges.find((c) => c.status !== "failed" && c.status !== "pending")
      if (outcome === "paid" && paid) {
        notifyPaid(request, paid, "completed")
        return true
      }
      notifyPaid(request, newCharge(request, "failed"), outcome === "paid" ? "completed" : "failed")
      return true
    },
    expire: (id) => {
      const request = current(id)
      if (!request || request.status !== "pending") return false
      request.status = "expired"
      request.expires_at = Date.now()
      request.updated_at = hitpayTime()
      return true
    },
  }
}

function listOf(value: unknown): string[] | undefined {
  if (value === undefined || value === null || value === "") return []
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[]
  return undefined
}

function booleanOf(value: unknown): boolean | undefined {
  if (value === undefined || value === null || value === "") return false
  if (value === true || value === "true" || value === "1" || value === 1) return true
  if (value === false || value === "false" || value === "0" || value === 0) return false
  return undefined
}

/** `expires_after` ("30 mins", "2 hours", "1 day") or `expiry_date` (SGT "YYYY-MM-DD HH:mm:ss") as epoch ms. */
function expiryOf(body: BodyFields, add: (field: string, message: string) => void): number | null {
  if (typeof body.expires_after === "string" && body.expires_after) {
    const match = /^(\d+)\s*(min|mins|minute|minutes|hour|hours|day|days)$/.exec(body.expires_after.trim())
    if (!match) return (add("expires_after", "The expires after format is invalid."), null)
    const unit = match[2].startsWith("min") ? 60_000 : match[2].startsWith("hour") ? 3_600_000 : 86_400_000
    return Date.now() + Number(match[1]) * unit
  }
  if (typeof body.expiry_date === "string" && body.expiry_date) {
    const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(body.expiry_date.trim())
    const at = match ? Date.parse(`${match[1]}T${match[2]}+08:00`) : NaN
    if (Number.isNaN(at)) return (add("expiry_date", "The expiry date does not match the format Y-m-d H:i:s."), null)
    return at
  }
  return null
}

/** Epoch ms as HitPay's SGT (UTC+8) "YYYY-MM-DD HH:mm:ss". */
function sgtTime(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace("T", " ")
}

/**
 * The sandbox's stand-in for HitPay's Drop-In UI script. HitPay's guide gives the drop-in's two values
 * (`default_link`, `payment_request_id`) but neither its script URL nor its interface, so this interface is the
 * sandbox's own, not HitPay's: `window.HitPaySandboxDropIn.open({ defaultLink, paymentRequestId })` lays the payment
 * request's checkout over the page in a frame; paid or cancelled, the checkout goes to the request's `redirect_url`
 * inside the frame, and the store's return page takes the whole window there (`leaveFrame()` of the storefront
 * module). `close()` removes it.
 */
function dropInScript(checkoutBase: string): string {
  return `(() => {
  const CHECKOUT = ${JSON.stringify(checkoutBase)}
  let overlay
  function close() { if (overlay) { overlay.remove(); overlay = undefined } }
  function open(options) {
    if (!options || typeof options.defaultLink !== "string" || typeof options.paymentRequestId !== "string") {
      throw new Error("HitPaySandboxDropIn.open needs { defaultLink, paymentRequestId }")
    }
    close()
    overlay = document.createElement("div")
    overlay.id = "hitpay-drop-in"
    overlay.setAttribute("data-default-link", options.defaultLink)
    overlay.style.cssText = "position:fixed;inset:0;background:rgba(0,0,0,.45);display:flex;align-items:center;justify-content:center;z-index:2147483647"
    const box = document.createElement("div")
    box.style.cssText = "background:#fff;border-radius:8px;width:min(30rem,95vw);height:min(40rem,90vh);display:flex;flex-direction:column;overflow:hidden"
    const bar = document.createElement("div")
    bar.style.cssText = "display:flex;justify-content:space-between;align-items:center;padding:.4rem .8rem;font:14px system-ui;border-bottom:1px solid #ddd"
    bar.textContent = "HitPay Drop-In (sandbox stand-in)"
    const x = document.createElement("button")
    x.type = "button"
    x.textContent = "Close"
    x.onclick = () => { close(); if (typeof options.onClose === "function") options.onClose() }
    bar.append(x)
    const frame = document.createElement("iframe")
    frame.title = "HitPay Drop-In"
    frame.name = "hitpay-drop-in"
    frame.src = CHECKOUT + encodeURIComponent(options.paymentRequestId)
    frame.style.cssText = "flex:1;border:0;width:100%"
    box.append(bar, frame)
    overlay.append(box)
    document.body.append(overlay)
    return { close }
  }
  window.HitPaySandboxDropIn = { open, close }
})()
`
}
