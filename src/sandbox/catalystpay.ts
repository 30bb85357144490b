import { createHmac, randomBytes } from "node:crypto"
import { GatewayContext, randomId, SandboxGateway, snapshot } from "./gateway"
import { header, html, json, Reply, Route, SandboxRequest, seeOther } from "./http"
import { canonicalPythonJson, pythonJsonDumps } from "./json"
import { formatCents, parseCents } from "./money"
import { renderCheckoutPage, renderResultPage, STANDARD_BUTTONS } from "./pages"

/**
 * CatalystPay's payment sessions (SEPA direct debit): create and read a session, the hosted page that
 * asks for an IBAN, the verification that follows an approved debit, and the signed
 * `payment_session.completed` webhook.
 */

export type CatalystPayOptions = {
  /** The `rk_...` key the sandbox accepts as `Authorization: Bearer`. */
  apiKey: string
  /** Signs webhooks (HMAC-SHA256 over Python's canonical JSON). */
  webhookSecret: string
  /** The webhook profile's endpoint; no webhooks when unset. */
  webhookUrl?: string
  /** The hosted page's success_redirect_url; `{session_token}` in it is replaced. A result page when unset. */
  successRedirectUrl?: string
  /** The hosted page's failure_redirect_url (attempts used up, or the buyer gives up). */
  failureRedirectUrl?: string
  /** From an approved IBAN to COMPLETED; halfway it is AWAITING_VERIFICATION. Default 1500 ms. */
  verificationDelayMs?: number
  /** Price of each campaign (campaign mode). Unlisted campaigns cost `defaultCampaign`, or are refused when this is set. */
  campaigns?: Record<string, { amount: string; currency: string; name?: string }>
  /** Default 29.99 EUR. */
  defaultCampaign?: { amount: string; currency: string; name?: string }
  /** When the session does not say. Default 3. */
  maxPaymentAttempts?: number
}

export type CatalystPayStatus =
  "PENDING" | "PAYMENT_IN_PROGRESS" | "AWAITING_VERIFICATION" | "COMPLETED" | "FAILED" | "EXPIRED"

export type CatalystPayStoredSession = {
  session_token: string
  status: CatalystPayStatus
  mode: "campaign" | "direct"
  campaign_id: string | null
  gateway_id: string | null
  billing_type: string
  amount: string
  currency: string
  order_number: string
  lead: Record<string, unknown>
  max_payment_attempts: number
  attempts_remaining: number
  webhook_profile_id: string | null
  customer_ip: string | null
  /** The IBAN of the last attempt, masked. */
  iban: string | null
  /** "Leave pending" held the debit in AWAITING_VERIFICATION until the page settles it. */
  held: boolean
  created_at: string
  updated_at: string
  completed_at: string | null
}

export const CATALYSTPAY_APPROVED_IBANS = ["DE89370400440532013000", "GB82WEST12345698765432"]
export const CATALYSTPAY_DECLINED_IBAN = "DE91100000000123456789"

/** ISO 13616 check: moved first four characters, letters as numbers, mod 97 == 1. */
export function isIban(value: string): boolean {
  const iban = value.replace(/\s/g, "").toUpperCase()
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban)) return false
  const digits = (iban.slice(4) + iban.slice(0, 4)).replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55))
  let rest = 0
  for (const d of digits) rest = (rest * 10 + Number(d)) % 97
  return rest === 1
}

const FINAL: CatalystPayStatus[] = ["COMPLETED", "FAILED", "EXPIRED"]

export function createCatalystPay(
  options: CatalystPayOptions,
  ctx: GatewayContext
): SandboxGateway<CatalystPayStoredSession> {
  const sessions = new Map<string, CatalystPayStoredSession>()
  const delay = options.verificationDelayMs ?? 1500
  const pageUrl = (token: string) => `${ctx.publicUrl}/catalystpay/s/${token}`

  const view = (s: CatalystPayStoredSession) => ({
    session_token: s.session_token,
    status: s.status,
    amount: s.amount,
    currency: s.currency,
    order_number: s.order_number,
    billing_type: s.billing_type,
    campaign_id: s.campaign_id,
    gateway_id: s.gateway_id,
    lead: s.lead,
    max_payment_attempts: s.max_payment_attempts,
    attempts_remaining: s.attempts_remaining,
    payment_url: pageUrl(s.session_token),
    created_at: s.created_at,
    updated_at: s.updated_at,
    completed_at: s.completed_at,
  })

  const setStatus = (s: CatalystPayStoredSession, status: CatalystPayStatus) => {
    s.status = status
    s.updated_at = new Date().toISOString()
    if (status === "COMPLETED") {
      s.completed_at = s.updated_at
      completed(s)
    }
  }

  /** The webhook: signed over the canonical form, sent as Python's default `json.dumps` writes it. */
  const completed = (s: CatalystPayStoredSession, status: CatalystPayStatus = s.status) => {
    if (!options.webhookUrl) return
    const name = [s.lead.first_name, s.lead.last_name].filter((p) => typeof p === "string" && p).join(" ")
    const payload = {
      session_token: s.session_token,
      status,
      order_number: s.order_number,
      amount: s.amount,
      currency: s.currency,
      email: typeof s.lead.email === "string" ? s.lead.email : null,
      customer_name: name,
    }
    ctx.webhooks.send({
      gateway: "catalystpay",
      event: "payment_session.completed",
      paymentId: s.session_token,
      url: options.webhookUrl,
      headers: {
        "content-type": "application/json",
        "X-CatalystPay-Event": "payment_session.completed",
        "X-CatalystPay-Signature": createHmac("sha256", options.webhookSecret)
          .update(canonicalPythonJson(payload), "utf8")
          .digest("hex"),
      },
      body: pythonJsonDumps(payload),
    })
  }

  const create = (req: SandboxRequest): Reply => {
    let body: Record<string, unknown>
    try {
      body = JSON.parse(req.text) as Record<string, unknown>
      if (!body || typeof body !== "object" || Array.isArray(body)) throw new Error()
    } catch {
      return json(400, { detail: "JSON parse error - the body must be a JSON object." })
    }
    const errors: Record<string, unknown> = {}
    const required = "This field is required."
    const lead = body.lead
    if (!lead || typeof lead !== "object" || Array.isArray(lead))
      errors.lead = lead === undefined ? [required] : ["Expected a dictionary of items."]
    else if (
      typeof (lead as Record<string, unknown>).first_name !== "string" ||
      !(lead as Record<string, unknown>).first_name
    )
      errors.lead = { first_name: [required] }
    const attempts = body.max_payment_attempts ?? options.maxPaymentAttempts ?? 3
    if (!Number.isInteger(attempts) || (attempts as number) < 1 || (attempts as number) > 10)
      errors.max_payment_attempts = ["Ensure this value is between 1 and 10."]
    let amount: string | undefined
    let currency: string | undefined
    const campaignId = typeof body.campaign_id === "string" && body.campaign_id ? body.campaign_id : null
    const gatewayId = typeof body.gateway_id === "string" && body.gateway_id ? body.gateway_id : null
    if (campaignId) {
      const campaign =
        options.campaigns?.[campaignId] ??
        (options.campaigns ? undefined : (options.defaultCampaign ?? { amount: "29.99", currency: "EUR" }))
      if (!campaign) errors.campaign_id = ["Campaign not found."]
      else ({ amount, currency } = campaign)
    } else if (gatewayId) {
      const cents = typeof body.amount === "string" ? parseCents(body.amount) : undefined
      if (body.amount === undefined) errors.amount = [required]
      else if (cents === undefined || cents <= 0)
        errors.amount = ["A valid decimal string greater than 0 with at most 2 decimal places is required."]
      else amount = formatCents(cents)
      if (body.currency === undefined) errors.currency = [required]
      else if (typeof body.currency !== "string" || !/^[A-Z]{3}$/.test(body.currency))
        errors.currency = ["Enter a valid ISO 4217 currency code."]
      else currency = body.currency
      if (body.billing_type === undefined) errors.billing_type = [required]
      else if (body.billing_type !== "ONE_OFF")
        errors.billing_type = [`"${String(body.billing_type)}" is not a valid choice.`]
    } else {
      errors.non_field_errors = ["Either campaign_id or gateway_id is required."]
    }
    if (Object.keys(errors).length) return json(400, errors)

    const now = new Date().toISOString()
    const session: CatalystPayStoredSession = {
      session_token: `ps_${randomId(30)}`,
      status: "PENDING",
      mode: campaignId ? "campaign" : "direct",
      campaign_id: campaignId,
      gateway_id: gatewayId,
      billing_type: "ONE_OFF",
      amount: amount!,
      currency: currency!,
      order_number: `ORD-${randomBytes(4).toString("hex")}`,
      lead: lead as Record<string, unknown>,
      max_payment_attempts: attempts as number,
      attempts_remaining: attempts as number,
      webhook_profile_id: typeof body.webhook_profile_id === "string" ? body.webhook_profile_id : null,
      customer_ip: typeof body.customer_ip === "string" ? body.customer_ip : null,
      iban: null,
      held: false,
      created_at: now,
      updated_at: now,
      completed_at: null,
    }
    sessions.set(session.session_token, session)
    return json(201, {
      session_token: session.session_token,
      status: session.status,
      payment_url: pageUrl(session.session_token),
    })
  }

  // The hosted page.

  const payable = (s: CatalystPayStoredSession) =>
    s.status === "PENDING" || (s.status === "AWAITING_VERIFICATION" && s.held)

  const redirect = (s: CatalystPayStoredSession, to: string | undefined, result: string): Reply =>
    to
      ? seeOther(to.replace(/\{session_token\}/g, s.session_token).replace(/\{order_number\}/g, s.order_number))
      : html(200, renderResultPage({ ...pageBase(s), result }))

  const pageBase = (s: CatalystPayStoredSession) => ({
    gateway: "CatalystPay",
    merchant: ctx.merchantName,
    amount: s.amount,
    currency: s.currency,
    reference: s.session_token,
    status: s.status,
    description: `Order ${s.order_number}`,
  })

  const page = (s: CatalystPayStoredSession, message?: string): Reply => {
    if (!payable(s))
      return html(200, renderResultPage({ ...pageBase(s), message, result: `This payment session is ${s.status}.` }))
    const holder = [s.lead.first_name, s.lead.last_name].filter((p) => typeof p === "string" && p).join(" ")
    return html(
      200,
      renderCheckoutPage({
        ...pageBase(s),
        message: message ?? (s.held ? "The debit is awaiting verification: pay to approve it, or decline." : undefined),
        action: pageUrl(s.session_token),
        fields: [
          {
            kind: "text",
            id: "iban",
            name: "iban",
            label: `IBAN (${CATALYSTPAY_DECLINED_IBAN} declines)`,
            value: CATALYSTPAY_APPROVED_IBANS[0],
          },
          { kind: "text", id: "account-holder", name: "account_holder", label: "Account holder", value: holder },
        ],
        buttons: STANDARD_BUTTONS,
        extraHtml: `<p>Attempts remaining: <span id="attempts-remaining" data-testid="attempts-remaining">${s.attempts_remaining}</span></p>`,
      })
    )
  }

  const submit = (req: SandboxRequest, token: string): Reply => {
    const s = sessions.get(token)
    if (!s) return html(404, "<h1>Payment session not found</h1>")
    if (!payable(s)) return page(s)
    const form = new URLSearchParams(req.text)
    const outcome = form.get("outcome")
    if (outcome === "cancel") return redirect(s, options.failureRedirectUrl, "You left the payment page.")
    const iban =
      outcome === "decline" ? CATALYSTPAY_DECLINED_IBAN : (form.get("iban") ?? "").replace(/\s/g, "").toUpperCase()
    if (!isIban(iban)) return page(s, "Enter a valid IBAN.")
    if (!(form.get("account_holder") ?? "").trim() && outcome !== "decline")
      return page(s, "Enter the account holder's name.")
    s.iban = `${iban.slice(0, 4)}${"*".repeat(iban.length - 8)}${iban.slice(-4)}`
    s.held = false
    if (iban === CATALYSTPAY_DECLINED_IBAN) {
      s.attempts_remaining--
      if (s.attempts_remaining > 0) {
        setStatus(s, "PENDING")
        return seeOther(`${pageUrl(s.session_token)}?declined=1`)
      }
      setStatus(s, "FAILED")
      return redirect(s, options.failureRedirectUrl, "The payment failed.")
    }
    if (outcome === "pending") {
      s.held = true
      setStatus(s, "AWAITING_VERIFICATION")
      return redirect(s, options.successRedirectUrl, "The payment is awaiting verification.")
    }
    if (outcome !== "pay") return page(s, "Choose an outcome.")
    setStatus(s, delay > 0 ? "PAYMENT_IN_PROGRESS" : "COMPLETED")
    if (delay > 0) {
      ctx.timers.after(delay / 2, () => s.status === "PAYMENT_IN_PROGRESS" && setStatus(s, "AWAITING_VERIFICATION"))
      ctx.timers.after(delay, () => s.status === "AWAITING_VERIFICATION" && !s.held && setStatus(s, "COMPLETED"))
    }
    return redirect(s, options.successRedirectUrl, "Thank you: your payment is being processed.")
  }

  const routes: Route[] = [
    { method: "POST", kind: "api", pattern: /^\/api\/v1\/payment-sessions\/?$/, handle: create },
    {
      method: "GET",
      kind: "api",
      pattern: /^\/api\/v1\/payment-sessions\/([^/]+)\/?$/,
      handle: (_req, [token]) => {
        const s = sessions.get(token)
        return s ? json(200, view(s)) : json(404, { detail: "Not found." })
      },
    },
    {
      method: "GET",
      kind: "page",
      pattern: /^\/s\/([^/]+)$/,
      handle: (req, [token]) => {
        const s = sessions.get(token)
        if (!s) return html(404, "<h1>Payment session not found</h1>")
        const declined = req.query.get("declined") && s.status === "PENDING"
        return page(
          s,
          declined ? `The bank declined the debit. Attempts remaining: ${s.attempts_remaining}.` : undefined
        )
      },
    },
    { method: "POST", kind: "page", pattern: /^\/s\/([^/]+)$/, handle: (req, [token]) => submit(req, token) },
  ]

  return {
    name: "catalystpay",
    routes,
    authenticate: (req) => {
      const auth = header(req, "authorization")
      if (!auth) return json(401, { detail: "Authentication credentials were not provided." })
      return auth === `Bearer ${options.apiKey}` ? undefined : json(401, { detail: "Invalid API key." })
    },
    internalError: () => json(500, { detail: "A server error occurred." }),
    notFound: () => json(404, { detail: "Not found." }),
    payments: () => [...sessions.values()].map(snapshot),
    payment: (token) => {
      const s = sessions.get(token)
      return s && snapshot(s)
    },
    notify: (token, outcome) => {
      const s = sessions.get(token)
      if (!s) return false
      completed(s, outcome === "paid" ? "COMPLETED" : "FAILED")
      return true
    },
    expire: (token) => {
      const s = sessions.get(token)
      if (!s || FINAL.includes(s.status)) return false
      setStatus(s, "EXPIRED")
      return true
    },
  }
}
