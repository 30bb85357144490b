/**
 * The sandbox's hosted pages: plain server-rendered HTML, no JavaScript, one form per page.
 *
 * Stable element ids (each also set as `data-testid`) for browser tests:
 *   #gateway        the gateway's name ("HitPay", "Cashflows", "NetValve", "CatalystPay")
 *   #merchant       the merchant's name (option `merchantName`)
 *   #amount         the amount as the gateway shows it, e.g. "10.00"
 *   #currency       the currency code, uppercase, e.g. "SGD"
 *   #reference      the gateway's id of the payment (request id, job reference, order id, session token)
 *   #status         the payment's current status at the gateway
 *   #message        an error or notice (e.g. "card declined, try again"), only when there is one
 *   #payment-form   the form; its buttons submit `outcome=<value>`
 *   #pay            pay (with the card number / IBAN entered)
 *   #decline        simulate a declined payment
 *   #cancel         cancel and go back to the shop
 *   #pending        leave the payment pending (the page stays payable: open it again to finish)
 *   #card-number    card number input (HitPay, Cashflows, NetValve), prefilled with a working test card
 *   #three-ds       Cashflows' 3-D Secure simulator choice (successful, failed, unavailable, attempted)
 *   #iban           IBAN input (CatalystPay), prefilled with an approving sandbox IBAN
 *   #account-holder account holder name (CatalystPay)
 *   #payment-options  NetValve: the methods shown, honouring `paymentOptions=` on the page URL;
 *                   each method has #option-card / #option-applepay / #option-googlepay and the
 *                   wallets have their own pay buttons #pay-applepay / #pay-googlepay
 *   #result         on the result page (shown when there is no return URL, or the payment is finished)
 */

export type PageField =
  | { kind: "text"; id: string; name: string; label: string; value: string }
  | {
      kind: "select"
      id: string
      name: string
      label: string
      value: string
      options: { value: string; label: string }[]
    }

export type PageButton = { id: string; outcome: string; label: string }

export type CheckoutPage = {
  gateway: string
  merchant: string
  amount: string
  currency: string
  reference: string
  status: string
  description?: string
  message?: string
  /** Where the form posts. */
  action: string
  fields: PageField[]
  buttons: PageButton[]
  /** Extra hidden fields carried with the form. */
  hidden?: Record<string, string>
  /** Raw HTML inserted above the buttons (already escaped by the caller). */
  extraHtml?: string
  /** A slim page, made to sit in a store's iframe: no margins, a small heading, nothing but the payment. */
  slim?: boolean
}

export function escapeHtml(value: unknown): string {
  return String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;")
}

const testId = (id: string) => `id="${escapeHtml(id)}" data-testid="${escapeHtml(id)}"`

/** The standard outcomes, in the order they appear. */
export const STANDARD_BUTTONS: PageButton[] = [
  { id: "pay", outcome: "pay", label: "Pay" },
  { id: "decline", outcome: "decline", label: "Simulate a decline" },
  { id: "pending", outcome: "pending", label: "Leave pending" },
  { id: "cancel", outcome: "cancel", label: "Cancel and return to the shop" },
]

export function renderCheckoutPage(page: CheckoutPage): string {
  const fields = page.fields
    .map((field) => {
      const label = `<label for="${escapeHtml(field.id)}">${escapeHtml(field.label)}</label>`
      if (field.kind === "select") {
        const options = field.options
          .map(
            (o) =>
              `<option value="${escapeHtml(o.value)}"${o.value === field.value ? " selected" : ""}>${escapeHtml(o.label)}</option>`
          )
          .join("")
        return `<p>${label}<br><select ${testId(field.id)} name="${escapeHtml(field.name)}">${options}</select></p>`
      }
      return `<p>${label}<br><input ${testId(field.id)} name="${escapeHtml(field.name)}" value="${escapeHtml(field.value)}" autocomplete="off"></p>`
    })
    .join("\n")
  const hidden = Object.entries(page.hidden ?? {})
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("")
  const buttons = page.buttons
    .map(
      (b) =>
        `<button type="submit" ${testId(b.id)} name="outcome" value="${escapeHtml(b.outcome)}">${escapeHtml(b.label)}</button>`
    )
    .join("\n")
  const body = `
<form ${testId("payment-form")} method="post" action="${escapeHtml(page.action)}">
${hidden}
${fields}
${page.extraHtml ?? ""}
<p class="buttons">${buttons}</p>
</form>`
  return layout(page, body)
}

export type ResultPage = Omit<CheckoutPage, "action" | "fields" | "buttons" | "hidden" | "extraHtml"> & {
  result: string
}

/** The end of the road when the payment has no return URL, or is already finished. */
export function renderResultPage(page: ResultPage): string {
  return layout(page, `<p ${testId("result")}>${escapeHtml(page.result)}</p>`)
}

function layout(page: Omit<CheckoutPage, "action" | "fields" | "buttons">, body: string): string {
  const message = page.message
    ? `<p class="message" role="alert" ${testId("message")}>${escapeHtml(page.message)}</p>`
    : ""
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.gateway)} sandbox - pay ${escapeHtml(page.amount)} ${escapeHtml(page.currency)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:32rem;margin:${page.slim ? "0" : "2rem auto"};padding:0 1rem;color:#222}
.sandbox{background:#fff3cd;border:1px solid #e0c36a;padding:.5rem;font-size:.9rem}
.total{font-size:1.6rem;margin:.5rem 0}
.message{background:#f8d7da;border:1px solid #e39ca3;padding:.5rem}
input,select{width:100%;padding:.4rem;font-size:1rem;box-sizing:border-box}
button{margin:.25rem .25rem .25rem 0;padding:.5rem .8rem;font-size:1rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem 1rem}
${page.slim ? "h1{font-size:1.1rem;margin:.4rem 0}.total{font-size:1.2rem}" : ""}
</style>
</head>
<body>
<p class="sandbox">Sandbox: no real payment is made.</p>
<h1 ${testId("gateway")}${page.slim ? ' data-slim="true"' : ""}>${escapeHtml(page.gateway)}</h1>
<p>Pay <span ${testId("merchant")}>${escapeHtml(page.merchant)}</span></p>
<p class="total"><span ${testId("amount")}>${escapeHtml(page.amount)}</span> <span ${testId("currency")}>${escapeHtml(page.currency)}</span></p>
${page.description ? `<p ${testId("description")}>${escapeHtml(page.description)}</p>` : ""}
<dl>
<dt>Reference</dt><dd ${testId("reference")}>${escapeHtml(page.reference)}</dd>
<dt>Status</dt><dd ${testId("status")}>${escapeHtml(page.status)}</dd>
</dl>
${message}
${body}
</body>
</html>
`
}

/** Luhn check of a card number (spaces allowed). */
export function isCardNumber(value: string): boolean {
  const digits = value.replace(/[\s-]/g, "")
  if (!/^\d{12,19}$/.test(digits)) return false
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i])
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}
