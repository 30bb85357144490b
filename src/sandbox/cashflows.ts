import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import { GatewayContext, SandboxGateway, snapshot } from "./gateway"
import { header, html, isHttpUrl, json, Reply, Route, SandboxRequest, seeOther, withQuery } from "./http"
import { formatCents, parseCents } from "./money"
import { isCardNumber, renderCheckoutPage, renderResultPage, STANDARD_BUTTONS } from "./pages"

/**
 * Cashflows' gateway API (`/api/gateway/...`), its hosted payment page with the 3-D Secure simulator,
 * and its notification webhook, redelivered until acknowledged with exactly the two references.
 *
 * References are 18-digit decimal strings ("210121017238589452"), as in every Cashflows example: they
 * exceed 2^53, and Cashflows writes them as JSON strings, so the sandbox does too.
 */

export type CashflowsOptions = {
  configurationId: string
  apiKey: string
  /** Notification URL for jobs created without `parameters.webhookUrl` (Cashflows' portal setting). */
  webhookUrl?: string
}

export type CashflowsStatus =
  | "Pending"
  | "Reserved"
  | "Commissioned"
  | "Paid"
  | "Verified"
  | "Cancelled"
  | "Failed"
  | "Rejected"
  | "Expired"
  | "Blocked"
  | "Declined"

export type CashflowsStoredRefund = {
  reference: string
  refundNumber: string
  amountToRefund: string
  status: "Pending" | "Completed" | "Failed"
  createDateTimeUtc: string
}

export type CashflowsStoredCapture = {
  reference: string
  amountToCapture: string
  isFinalCapture: boolean
  status: "Completed"
  createDateTimeUtc: string
}

export type CashflowsStoredPayment = {
  reference: string
  createDateTimeUtc: string
  paymentMethods: string[]
  status: CashflowsStatus
  amountToCollect: string
  /** What has been captured (a Payment job captures everything when paid). */
  amountCaptured: string
  cardNumberMasked: string | null
  refunds: CashflowsStoredRefund[]
  captures: CashflowsStoredCapture[]
}

export type CashflowsStoredJob = {
  reference: string
  /** "Payment" captures when paid; "Reservation" stays Reserved until captured. */
  type: "Payment" | "Reservation"
  createDateTimeUtc: string
  lastUpdateTimeUtc: string
  expirationDateTimeUtc: string
  configurationId: string
  locale: string
  currency: string
  amountToCollect: string
  paymentStatus: CashflowsStatus
  paymentMethodsToUse: string[]
  order: Record<string, unknown>
  parameters: Record<string, unknown>
  /** The opaque token in the hosted page link (`/payment?ref=`). */
  pageToken: string
  payments: CashflowsStoredPayment[]
}

/** Cards from Cashflows' test card list: all approve unless the 3-D Secure simulator says otherwise. */
export const CASHFLOWS_TEST_CARDS = [
  "4510400400099005",
  "4510500400099002",
  "4510800400099006",
  "4000000000000002",
  "8400182600000009",
  "8400682600000008",
  "8400682600011005",
  "5400200400099009",
  "5400300400099007",
  "8500582600000009",
  "5400100400099001",
  "8500182600000008",
  "340000000000009",
]

const THREE_DS = [
  { value: "successful", label: "Authentication successful" },
  { value: "failed", label: "Authentication failed (declined)" },
  { value: "unavailable", label: "Authentication unavailable (proceeds: 3-D Secure not required)" },
  { value: "attempted", label: "Authentication attempted (proceeds)" },
]

const FINAL: CashflowsStatus[] = [
  "Paid",
  "Verified",
  "Cancelled",
  "Failed",
  "Rejected",
  "Expired",
  "Blocked",
  "Declined",
]
const utc = (ms = Date.now()) => new Date(ms).toISOString().replace("Z", "0000Z")

/** Cashflows' error envelope. */
const failure = (status: number, code: string, message: string): Reply =>
  json(status, {
    data: null,
    links: {},
    errorReport: { errors: [{ code, message }], isFatalError: status >= 500 || status === 401 },
  })

/** 18 digits, unique: yyMMdd then 12 random digits (always more than 2^53). */
function reference(taken: (ref: string) => boolean): string {
  for (;;) {
    const date = new Date().toISOString().slice(2, 10).replace(/-/g, "")
    const digits = Array.from(randomBytes(12), (b) => String(b % 10)).join("")
    const ref = `${date}${digits}`
    if (!taken(ref)) return ref
  }
}

export function createCashflows(options: CashflowsOptions, ctx: GatewayContext): SandboxGateway<CashflowsStoredJob> {
  const jobs = new Map<string, CashflowsStoredJob>()
  const refs = new Set<string>()
  const newRef = () => {
    const ref = reference((r) => refs.has(r))
    refs.add(ref)
    return ref
  }
  const apiBase = `${ctx.publicUrl}/cashflows/api/gateway`
  const pageUrl = (job: CashflowsStoredJob) => `${ctx.publicUrl}/cashflows/payment?ref=${job.pageToken}`

  const current = (ref: string): CashflowsStoredJob | undefined => {
    const job = jobs.get(ref)
    if (job && job.paymentStatus === "Pending" && Date.parse(job.expirationDateTimeUtc) <= Date.now()) {
      setStatus(job, job.payments[0], "Expired")
    }
    return job
  }

  const setStatus = (job: CashflowsStoredJob, payment: CashflowsStoredPayment, status: CashflowsStatus) => {
    if (payment.status === status) return
    payment.status = status
    job.paymentStatus = status
    job.lastUpdateTimeUtc = utc()
    notify(job, payment)
  }

  /** Cashflows' notification: unsigned, redelivered until the reply echoes both references. */
  const notify = (job: CashflowsStoredJob, payment: CashflowsStoredPayment) => {
    const url = (job.parameters.webhookUrl as string | undefined) ?? options.webhookUrl
    if (!url) return
    ctx.webhooks.send({
      gateway: "cashflows",
      event: `PaymentStatusChange ${payment.status}`,
      paymentId: job.reference,
      url,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        notifyType: "PaymentStatusChange",
        paymentJobReference: job.reference,
        paymentReference: payment.reference,
      }),
      acknowledged: (status, body) => status === 200 && isAcknowledgement(body, job.reference, payment.reference),
    })
  }

  const returnUrls = (job: CashflowsStoredJob, payment: CashflowsStoredPayment) => {
    const params = {
      paymentjobref: job.reference,
      paymentref: payment.reference,
      ordernumber: String(job.order.orderNumber ?? ""),
    }
    const url = (key: string) => {
      const value = job.parameters[key]
      return typeof value === "string" ? withQuery(value, params) : undefined
    }
    return {
      returnUrlSuccess: url("returnUrlSuccess"),
      returnUrlFailed: url("returnUrlFailed"),
      returnUrlCancelled: url("returnUrlCancelled"),
    }
  }

  const paymentView = (job: CashflowsStoredJob, payment: CashflowsStoredPayment) => ({
    reference: payment.reference,
    createDateTimeUtc: payment.createDateTimeUtc,
    paymentMethods: payment.paymentMethods,
    status: payment.status,
    amountToCollect: payment.amountToCollect,
    currency: job.currency,
    steps: [
      {
        reference: `${payment.reference.slice(0, 6)}2${payment.reference.slice(7)}`,
        createDateTimeUtc: payment.createDateTimeUtc,
        action: "DisplayHostedPage",
        paymentMethods: payment.paymentMethods,
        status: payment.status,
        amountToCollect: payment.amountToCollect,
      },
    ],
    flags: {},
    attributes: {
      ...returnUrls(job, payment),
      ...(payment.cardNumberMasked ? { cardNumber: payment.cardNumberMasked } : {}),
    },
    refunds: payment.refunds,
    captures: payment.captures,
  })

  const jobView = (job: CashflowsStoredJob) => ({
    reference: job.reference,
    createDateTimeUtc: job.createDateTimeUtc,
    type: job.type,
    traceReference: job.reference.replace(/^(\d{6})\d/, "$11"),
    configurationId: job.configurationId,
    domain: "cashflows.com",
    locale: job.locale,
    timeZone: "Europe/London",
    order: { orderLines: [], ...job.order, createDateTimeUtc: job.createDateTimeUtc },
    orderHistory: [],
    paymentMethodsToUse: job.paymentMethodsToUse,
    currency: job.currency,
    amountToCollect: job.amountToCollect,
    expirationDateTimeUtc: job.expirationDateTimeUtc,
    lastUpdateTimeUtc: job.lastUpdateTimeUtc,
    lastProcessedTimeUtc: job.lastUpdateTimeUtc,
    flags: {},
    attributes: {},
    paymentStatus: job.paymentStatus,
    payments: job.payments.map((p) => paymentView(job, p)),
  })

  const envelope = (status: number, data: unknown, job: CashflowsStoredJob) =>
    json(status, {
      data,
      links: {
        data: { url: `${apiBase}/payment-jobs/${job.reference}`, type: "application/json" },
        action: { url: pageUrl(job), type: "text/html" },
        documentation: {
          url: `${ctx.publicUrl}/cashflows/payment-gateway-api/documentation/index.html`,
          type: "text/html",
        },
      },
      errorReport: null,
    })

  const create = (req: SandboxRequest): Reply => {
    let body: Record<string, unknown>
    try {
      body = JSON.parse(req.text) as Record<string, unknown>
      if (!body || typeof body !== "object" || Array.isArray(body)) throw new Error()
    } catch {
      return failure(400, "InvalidRequest", "The request body is not a JSON object.")
    }
    const errors: { code: string; message: string }[] = []
    const cents = typeof body.amountToCollect === "string" ? parseCents(body.amountToCollect) : undefined
    if (cents === undefined || cents <= 0)
      errors.push({
        code: "InvalidAmountToCollect",
        message: 'amountToCollect must be a decimal string greater than 0, e.g. "10.99".',
      })
    if (typeof body.currency !== "string" || !/^[A-Z]{3}$/.test(body.currency))
      errors.push({ code: "InvalidCurrency", message: 'currency must be an ISO 4217 code, e.g. "GBP".' })
    const type = body.type ?? "Payment"
    if (type !== "Payment" && type !== "Reservation")
      errors.push({ code: "InvalidType", message: "type must be Payment or Reservation." })
    const parameters = (body.parameters ?? {}) as Record<string, unknown>
    if (typeof parameters !== "object" || Array.isArray(parameters))
      errors.push({ code: "InvalidParameters", message: "parameters must be an object." })
    for (const key of ["returnUrlSuccess", "returnUrlFailed", "returnUrlCancelled", "webhookUrl"]) {
      if (parameters[key] !== undefined && !isHttpUrl(parameters[key]))
        errors.push({ code: "InvalidUrl", message: `parameters.${key} must be an absolute http(s) URL.` })
    }
    const order = (body.order ?? {}) as Record<string, unknown>
    if (typeof order !== "object" || Array.isArray(order))
      errors.push({ code: "InvalidOrder", message: "order must be an object." })
    if (errors.length) return json(400, { data: null, links: {}, errorReport: { errors, isFatalError: false } })

    const now = Date.now()
    const amount = formatCents(cents!)
    const methods = Array.isArray(body.paymentMethodsToUse) ? (body.paymentMethodsToUse as string[]) : ["Card"]
    const job: CashflowsStoredJob = {
      reference: newRef(),
      type: type as CashflowsStoredJob["type"],
      createDateTimeUtc: utc(now),
      lastUpdateTimeUtc: utc(now),
      expirationDateTimeUtc: utc(now + 183 * 86_400_000),
      configurationId: options.configurationId,
      locale: typeof body.locale === "string" ? body.locale : "en_GB",
      currency: body.currency as string,
      amountToCollect: amount,
      paymentStatus: "Pending",
      paymentMethodsToUse: methods,
      order,
      parameters,
      pageToken: randomBytes(64).toString("hex"),
      payments: [],
    }
    job.payments.push({
      reference: newRef(),
      createDateTimeUtc: utc(now),
      paymentMethods: methods,
      status: "Pending",
      amountToCollect: amount,
      amountCaptured: "0.00",
      cardNumberMasked: null,
      refunds: [],
      captures: [],
    })
    jobs.set(job.reference, job)
    return envelope(201, jobView(job), job)
  }

  const findPayment = (jobRef: string, paymentRef: string) => {
    const job = current(jobRef)
    const payment = job?.payments.find((p) => p.reference === paymentRef)
    return job && payment ? { job, payment } : undefined
  }
  const noJob = () => failure(404, "PaymentJobNotFound", "Payment job not found.")
  const noPayment = () => failure(404, "PaymentNotFound", "Payment job or payment not found.")

  const jsonBody = (req: SandboxRequest): Record<string, unknown> | undefined => {
    try {
      const value = JSON.parse(req.text) as unknown
      return value && typeof value === "object" && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : undefined
    } catch {
      return undefined
    }
  }

  const cancel = (jobRef: string): Reply => {
    const job = current(jobRef)
    if (!job) return noJob()
    const payment = job.payments[0]
    if (job.paymentStatus === "Cancelled") return envelope(200, jobView(job), job)
    if (job.paymentStatus !== "Pending" && job.paymentStatus !== "Reserved") {
      return failure(
        400,
        "InvalidPaymentJobStatus",
        `A payment job with status ${job.paymentStatus} cannot be cancelled.`
      )
    }
    setStatus(job, payment, "Cancelled")
    return envelope(200, jobView(job), job)
  }

  const capture = (req: SandboxRequest, jobRef: string, paymentRef: string): Reply => {
    const found = findPayment(jobRef, paymentRef)
    if (!found) return noPayment()
    const { job, payment } = found
    const body = jsonBody(req)
    const cents =
      typeof body?.amountToCapture === "string" || typeof body?.amountToCapture === "number"
        ? parseCents(body.amountToCapture)
        : undefined
    if (!body || cents === undefined || cents <= 0)
      return failure(400, "InvalidAmountToCapture", "amountToCapture must be a decimal string greater than 0.")
    if (payment.status === "Paid" || payment.status === "Verified")
      return failure(400, "PaymentAlreadyCaptured", "The payment has already been captured.")
    if (payment.status !== "Reserved")
      return failure(400, "InvalidPaymentStatus", `A payment with status ${payment.status} cannot be captured.`)
    const reserved = parseCents(payment.amountToCollect)!
    const captured = parseCents(payment.amountCaptured)!
    if (captured + cents > reserved)
      return failure(
        400,
        "AmountExceedsReserved",
        `amountToCapture exceeds the ${formatCents(reserved - captured)} still reserved.`
      )
    const isFinal = body.isFinalCapture !== false
    payment.captures.push({
      reference: newRef(),
      amountToCapture: formatCents(cents),
      isFinalCapture: isFinal,
      status: "Completed",
      createDateTimeUtc: utc(),
    })
    payment.amountCaptured = formatCents(captured + cents)
    if (isFinal || captured + cents === reserved) setStatus(job, payment, "Paid")
    else job.lastUpdateTimeUtc = utc()
    return envelope(200, paymentView(job, payment), job)
  }

  const refund = (req: SandboxRequest, jobRef: string, paymentRef: string): Reply => {
    const found = findPayment(jobRef, paymentRef)
    if (!found) return noPayment()
    const { job, payment } = found
    const body = jsonBody(req)
    const cents =
      typeof body?.amountToRefund === "string" || typeof body?.amountToRefund === "number"
        ? parseCents(body.amountToRefund)
        : undefined
    if (!body || cents === undefined || cents <= 0)
      return failure(400, "InvalidAmountToRefund", "amountToRefund must be a decimal string greater than 0.")
    const refundNumber = body.refundNumber === undefined ? undefined : String(body.refundNumber)
    if (!refundNumber) return failure(400, "InvalidRefundNumber", "refundNumber is required.")
    if (payment.status !== "Paid" && payment.status !== "Verified") {
      return failure(400, "InvalidPaymentStatus", `A payment with status ${payment.status} cannot be refunded.`)
    }
    if (payment.refunds.some((r) => r.refundNumber === refundNumber)) {
      return failure(
        400,
        "DuplicateRefundNumber",
        `refundNumber ${refundNumber} has already been used for this payment.`
      )
    }
    const refunded = payment.refunds
      .filter((r) => r.status !== "Failed")
      .reduce((sum, r) => sum + parseCents(r.amountToRefund)!, 0)
    const captured = parseCents(payment.amountCaptured)!
    if (refunded + cents > captured) {
      return failure(
        400,
        "AmountExceedsRefundable",
        `amountToRefund exceeds the ${formatCents(captured - refunded)} still refundable.`
      )
    }
    const record: CashflowsStoredRefund = {
      reference: newRef(),
      refundNumber,
      amountToRefund: formatCents(cents),
      status: "Completed",
      createDateTimeUtc: utc(),
    }
    payment.refunds.push(record)
    job.lastUpdateTimeUtc = utc()
    return envelope(201, record, job)
  }

  // The hosted payment page.

  const byToken = (req: SandboxRequest) => {
    const token = req.query.get("ref") ?? ""
    const job = [...jobs.values()].find((j) => j.pageToken === token)
    return job && current(job.reference)
  }

  const page = (job: CashflowsStoredJob, message?: string): Reply => {
    const payment = job.payments[0]
    const base = {
      gateway: "Cashflows",
      merchant: ctx.merchantName,
      amount: job.amountToCollect,
      currency: job.currency,
      reference: job.reference,
      status: payment.status,
      description: job.order.orderNumber ? `Order ${String(job.order.orderNumber)}` : undefined,
    }
    if (payment.status !== "Pending")
      return html(200, renderResultPage({ ...base, message, result: `This payment is ${payment.status}.` }))
    return html(
      200,
      renderCheckoutPage({
        ...base,
        message,
        action: `${ctx.publicUrl}/cashflows/payment?ref=${job.pageToken}`,
        fields: [
          {
            kind: "text",
            id: "card-number",
            name: "cardNumber",
            label: "Card number (any card from Cashflows' test card list)",
            value: "4000000000000002",
          },
          {
            kind: "select",
            id: "three-ds",
            name: "threeDs",
            label: "3-D Secure simulator",
            value: "successful",
            options: THREE_DS,
          },
        ],
        buttons: STANDARD_BUTTONS,
      })
    )
  }

  const submit = (req: SandboxRequest): Reply => {
    const job = byToken(req)
    if (!job) return html(404, "<h1>Payment not found</h1>")
    const payment = job.payments[0]
    if (payment.status !== "Pending") return page(job)
    const form = new URLSearchParams(req.text)
    const outcome = form.get("outcome")
    const urls = returnUrls(job, payment)
    const back = (url: string | undefined, result: string) =>
      url
        ? seeOther(url)
        : html(
            200,
            renderResultPage({
              gateway: "Cashflows",
              merchant: ctx.merchantName,
              amount: job.amountToCollect,
              currency: job.currency,
              reference: job.reference,
              status: payment.status,
              result,
            })
          )
    if (outcome === "cancel") {
      setStatus(job, payment, "Cancelled")
      return back(urls.returnUrlCancelled, "You cancelled the payment.")
    }
    // Leaving it pending sends the buyer back as if done: only the API tells the shop the truth.
    if (outcome === "pending") return back(urls.returnUrlSuccess, "The payment is being processed.")
    const card = (form.get("cardNumber") ?? "").replace(/[\s-]/g, "")
    if (outcome === "pay") {
      if (!isCardNumber(card)) return page(job, "Enter a valid card number.")
      if (!CASHFLOWS_TEST_CARDS.includes(card))
        return page(job, "This integration environment accepts only Cashflows' test cards.")
    }
    payment.cardNumberMasked = isCardNumber(card) ? `${card.slice(0, 6)}******${card.slice(-4)}` : null
    const threeDsFailed = form.get("threeDs") === "failed"
    if (outcome === "decline" || threeDsFailed) {
      setStatus(job, payment, threeDsFailed ? "Failed" : "Declined")
      return back(urls.returnUrlFailed, "The payment was declined.")
    }
    if (outcome !== "pay") return page(job, "Choose an outcome.")
    if (job.type === "Payment") payment.amountCaptured = payment.amountToCollect
    setStatus(job, payment, job.type === "Payment" ? "Paid" : "Reserved")
    return back(urls.returnUrlSuccess, "Payment successful.")
  }

  const routes: Route[] = [
    { method: "POST", kind: "api", pattern: /^\/api\/gateway\/payment-jobs\/?$/, handle: create },
    {
      method: "GET",
      kind: "api",
      pattern: /^\/api\/gateway\/payment-jobs\/(\d+)\/?$/,
      handle: (_req, [ref]) => {
        const job = current(ref)
        return job ? envelope(200, jobView(job), job) : noJob()
      },
    },
    {
      method: "GET",
      kind: "api",
      pattern: /^\/api\/gateway\/payment-jobs\/(\d+)\/payments\/(\d+)\/?$/,
      handle: (_req, [jobRef, paymentRef]) => {
        const found = findPayment(jobRef, paymentRef)
        return found ? envelope(200, paymentView(found.job, found.payment), found.job) : noPayment()
      },
    },
    {
      method: "PATCH",
      kind: "api",
      pattern: /^\/api\/gateway\/payment-jobs\/(\d+)\/cancel\/?$/,
      handle: (_req, [ref]) => cancel(ref),
    },
    {
      method: "POST",
      kind: "api",
      pattern: /^\/api\/gateway\/payment-jobs\/(\d+)\/payments\/(\d+)\/captures\/?$/,
      handle: (req, [j, p]) => capture(req, j, p),
    },
    {
      method: "POST",
      kind: "api",
      pattern: /^\/api\/gateway\/payment-jobs\/(\d+)\/payments\/(\d+)\/refunds\/?$/,
      handle: (req, [j, p]) => refund(req, j, p),
    },
    {
      method: "HEAD",
      kind: "api",
      pattern: /^\/api\/gateway\/orders\/([^/]+)\/?$/,
      handle: (_req, [orderNumber]) => {
        const exists = [...jobs.values()].some(
          (j) => String(j.order.orderNumber ?? "") === decodeURIComponent(orderNumber)
        )
        return { status: exists ? 200 : 404 }
      },
    },
    {
      method: "GET",
      kind: "page",
      pattern: /^\/payment$/,
      handle: (req) => {
        const job = byToken(req)
        return job ? page(job) : html(404, "<h1>Payment not found</h1>")
      },
    },
    { method: "POST", kind: "page", pattern: /^\/payment$/, handle: submit },
  ]

  return {
    name: "cashflows",
    routes,
    authenticate: (req) => {
      if (header(req, "configurationid") !== options.configurationId)
        return failure(404, "ConfigurationNotFound", "Configuration not found.")
      const expected = createHash("sha512")
        .update(Buffer.concat([Buffer.from(options.apiKey, "utf8"), req.raw]))
        .digest("hex")
      const received = (header(req, "hash") ?? "").trim().toLowerCase()
      const same = received.length === expected.length && timingSafeEqual(Buffer.from(received), Buffer.from(expected))
      return same ? undefined : failure(401, "InvalidHash", "The Hash header does not match the request.")
    },
    internalError: () => failure(500, "InternalServerError", "An unexpected error occurred."),
    notFound: () => failure(404, "NotFound", "The requested resource was not found."),
    payments: () => [...jobs.keys()].map((ref) => snapshot(current(ref)!)),
    payment: (ref) => {
      const job = current(ref)
      return job && snapshot(job)
    },
    // Cashflows' notification carries no status, only the references: a late one reads as any other.
    notify: (ref) => {
      const job = current(ref)
      if (!job) return false
      notify(job, job.payments[0])
      return true
    },
    expire: (ref) => {
      const job = current(ref)
      if (!job || FINAL.includes(job.paymentStatus) || job.paymentStatus === "Reserved") return false
      job.expirationDateTimeUtc = utc()
      setStatus(job, job.payments[0], "Expired")
      return true
    },
  }
}

/** True when `body` is exactly the JSON `{"paymentJobReference": job, "paymentReference": payment}`. */
export function isAcknowledgement(body: string, jobRef: string, paymentRef: string): boolean {
  try {
    const value = JSON.parse(body) as Record<string, unknown>
    return (
      value !== null &&
      typeof value === "object" &&
      !Array.isArray(value) &&
      Object.keys(value).length === 2 &&
      value.paymentJobReference === jobRef &&
      value.paymentReference === paymentRef
    )
  } catch {
    return false
  }
}
