/**
 * `medusa-payment-hpp/storefront`: what a storefront needs to pay through the plugin's hosted pages, for the
 * browser and the server alike. It imports nothing (no Medusa server package, no gateway client, no UI framework):
 * it talks to the store through the `sdk` it is given, a `@medusajs/js-sdk` instance or anything with the same
 * `client.fetch`.
 *
 * - `isHostedPaymentProvider(providerId)`: whether a payment provider is one of the plugin's.
 * - `startHostedPayment(sdk, { cart, providerId, returnUrl })`: the hosted page's address, to send the buyer to.
 * - `finishHostedPayment(sdk, { cartId })`: on the return page, the order (or why there is none yet).
 * - `hostedPresentationOf(data)`, `waitForHostedPayment(sdk, { cartId })`, `leaveFrame()`: paying without leaving
 *   the shop (a QR code, a drop-in, a page in a frame).
 */

/**
 * The part of a Medusa JS SDK these functions use: `sdk.client.fetch`, which sends the publishable key, encodes
 * `body` and `query`, parses JSON, and throws on a non-2xx answer with the store's message and the `status`. Typed
 * by its shape, so that any 2.x `@medusajs/js-sdk` fits (the starters pin older ones, whose `Client` has private
 * members).
 */
export type HostedPaymentSdk = {
  client: {
    fetch<T>(
      input: string,
      init?: { method?: string; body?: Record<string, unknown>; query?: Record<string, unknown> }
    ): Promise<T>
  }
}

/** The identifiers the plugin's providers register under: a provider's id is `pp_<identifier>_<id>`. */
export const HOSTED_PAYMENT_GATEWAYS = ["hitpay", "cashflows", "netvalve", "catalystpay"] as const
export type HostedPaymentGateway = (typeof HOSTED_PAYMENT_GATEWAYS)[number]

const PROVIDER_ID = new RegExp(`^pp_(${HOSTED_PAYMENT_GATEWAYS.join("|")})_.+`)

/** Whether `providerId` is one of the plugin's providers, whatever id the store registered it under. */
export function isHostedPaymentProvider(providerId: string | null | undefined): boolean {
  return typeof providerId === "string" && PROVIDER_ID.test(providerId)
}

/** The gateway of one of the plugin's providers (`pp_hitpay_shop` → `hitpay`), or `undefined` for another's. */
export function hostedPaymentGateway(providerId: string | null | undefined): HostedPaymentGateway | undefined {
  const match = typeof providerId === "string" ? PROVIDER_ID.exec(providerId) : null
  return (match?.[1] as HostedPaymentGateway | undefined) ?? undefined
}

/** The query parameter of the return URL that carries the cart's id (the cart cookie does not come back). */
export const RETURN_CART_PARAM = "cart_id"

/**
 * Why a hosted payment could not be started or finished. `message` is written for the buyer and can be shown as
 * it is; `detail` is the store's own answer, for the storefront's log.
 */
export class HostedPaymentError extends Error {
  readonly code: HostedPaymentErrorCode
  readonly status: number | undefined
  readonly detail: string
  /** `already_paid`, when the order exists: its id. */
  orderId?: string
  constructor(code: HostedPaymentErrorCode, message: string, detail: string, status?: number) {
    super(message)
    this.name = "HostedPaymentError"
    this.code = code
    this.detail = detail
    this.status = status
  }
}

/**
 * - `not_a_hosted_provider`: the provider is not one of the plugin's (the storefront's mistake);
 * - `return_url_refused`: the store refused the return URL (its origin is not among the provider's allowed ones);
 * - `gateway_unavailable`: the gateway could not be reached, or did not answer in time: worth trying again;
 * - `store_unreachable`: the store itself did not answer (the network, or the backend is down);
 * - `already_paid`: the cart is already an order, or its payment is held (or was just paid on the page being
 *   replaced): call `finishHostedPayment` for the order, never start another payment;
 * - `refused`: anything else the store or the gateway refused (the cart is not ready for payment, for example).
 */
export type HostedPaymentErrorCode =
  | "not_a_hosted_provider"
  | "return_url_refused"
  | "gateway_unavailable"
  | "store_unreachable"
  | "already_paid"
  | "refused"

export type StartHostedPaymentInput = {
  /** The cart to pay; only its id is read: the rest is asked of the store, as it is now. */
  cart: { id: string }
  /** The provider to pay with, as the store registered it (`pp_hitpay_hitpay`). */
  providerId: string
  /** The storefront's return page, absolute; an origin the provider allows (its `allowedReturnOrigins`). */
  returnUrl: string
  /** More query parameters for the return page: what it needs to route the buyer (the country code, say). */
  returnParams?: Record<string, string>
  /**
   * How to present the page, where the provider offers it: `redirect`, `frame` (NetValve's slim page in an iframe),
   * `dropin` (HitPay's Drop-In UI), `qr` (HitPay's PayNow QR code). Unset: the provider's default.
   */
  presentation?: HostedPresentationKind
}

export type HostedPresentationKind = "redirect" | "frame" | "dropin" | "qr"

/**
 * What the storefront shows the buyer, from the session's `data` (nothing secret):
 * - `redirect`: send the buyer to `url`;
 * - `frame`: show `url` in an iframe on the store's page (the return page then calls `leaveFrame()`);
 * - `dropin`: load `scriptUrl` and hand the gateway's script `defaultLink` and `paymentRequestId` (HitPay's two values);
 * - `qr`: draw `qrCode` as a QR code (with a QR library) and wait with `waitForHostedPayment` while the buyer scans.
 * Every kind keeps `checkoutUrl`, the gateway's own page, as the way out when the embedded one cannot be shown.
 */
export type HostedPresentation =
  | { kind: "redirect"; url: string; checkoutUrl: string }
  | { kind: "frame"; url: string; checkoutUrl: string }
  | { kind: "dropin"; scriptUrl: string; defaultLink: string; paymentRequestId: string; checkoutUrl: string }
  | { kind: "qr"; qrCode: string; checkoutUrl: string }

/** How a session's page is to be presented, from its `data` (a session of the plugin's providers). */
export function hostedPresentationOf(data: Record<string, unknown> | null | undefined): HostedPresentation {
  const checkoutUrl = typeof data?.checkout_url === "string" ? data.checkout_url : ""
  const dropIn = data?.drop_in as
    { default_link?: unknown; payment_request_id?: unknown; script_url?: unknown } | undefined
  switch (data?.presentation) {
    case "frame":
      return { kind: "frame", url: checkoutUrl, checkoutUrl }
    case "qr":
      if (typeof data.qr_code === "string") return { kind: "qr", qrCode: data.qr_code, checkoutUrl }
      break
    case "dropin":
      if (
        typeof dropIn?.default_link === "string" &&
        typeof dropIn.payment_request_id === "string" &&
        typeof dropIn.script_url === "string"
      ) {
        return {
          kind: "dropin",
          scriptUrl: dropIn.script_url,
          defaultLink: dropIn.default_link,
          paymentRequestId: dropIn.payment_request_id,
          checkoutUrl,
        }
      }
      break
  }
  return { kind: "redirect", url: checkoutUrl, checkoutUrl }
}

export type StartedHostedPayment = {
  /** The gateway's hosted page: where to send the buyer for a redirect, and the way out for any other kind. */
  checkoutUrl: string
  /** How to present it (`presentation.kind`), with what that needs. */
  presentation: HostedPresentation
  paymentSessionId: string
  /** The return URL the session carries (with the cart's id). */
  returnUrl: string
  /** True when the cart's live session for this provider and amount was reused rather than a new page made. */
  reused: boolean
}

type Session = {
  id: string
  provider_id: string
  status: string
  amount: number | string
  currency_code?: string
  data?: Record<string, unknown> | null
}
type CartView = {
  id: string
  total?: number | string | null
  currency_code?: string
  completed_at?: string | null
  payment_collection?: { id: string; amount?: number | string | null; payment_sessions?: Session[] | null } | null
}

const CART_FIELDS =
  "id,total,currency_code,completed_at,payment_collection.id,payment_collection.amount,*payment_collection.payment_sessions"

/**
 * Makes (or reuses) the cart's payment session with the provider and gives back the hosted page's address. A
 * session is reused while it is pending, for the cart's current amount, with the same return URL; otherwise a
 * new one replaces it (Medusa deletes the old session, and the plugin closes its page where the gateway allows).
 * The return URL gets the cart's id, because the cart cookie does not come back from the gateway.
 *
 * Throws a `HostedPaymentError` whose message a buyer can read.
 */
export async function startHostedPayment(
  sdk: HostedPaymentSdk,
  input: StartHostedPaymentInput
): Promise<StartedHostedPayment> {
  const { cart, providerId } = input
  if (!isHostedPaymentProvider(providerId)) {
    throw new HostedPaymentError(
      "not_a_hosted_provider",
      CANNOT_OPEN,
      `${providerId} is not one of medusa-payment-hpp's providers (pp_<gateway>_<id>, gateway one of ${HOSTED_PAYMENT_GATEWAYS.join(", ")})`
    )
  }
  const returnUrl = returnUrlFor(input)
  const current = await readCart(sdk, cart.id)
  let collection = current.payment_collection
  const sessions = collection?.payment_sessions ?? []
  if (current.completed_at || sessions.some((s) => HELD.includes(s.status))) {
    // Paid already: a new session would drop the one holding the money and open a second page to pay.
    throw new HostedPaymentError(
      "already_paid",
      HOSTED_PAYMENT_MESSAGES.alreadyPaid,
      "the cart is completed or its payment is held"
    )
  }
  const reusable = sessions.find(
    (s) =>
      s.provider_id === providerId &&
      s.status === "pending" &&
      typeof s.data?.checkout_url === "string" &&
      s.data?.return_url === returnUrl &&
      (s.data?.presentation ?? "redirect") === (input.presentation ?? "redirect") &&
      sameAmount(s.amount, collection?.amount) &&
      sameAmount(collection?.amount, current.total)
  )
  if (reusable) {
    return {
      checkoutUrl: String(reusable.data!.checkout_url),
      presentation: hostedPresentationOf(reusable.data),
      paymentSessionId: reusable.id,
      returnUrl,
      reused: true,
    }
  }
  if (sessions.some((s) => isHostedPaymentProvider(s.provider_id) && s.status === "pending")) {
    // A page is about to be replaced (another way to pay, another return URL): the buyer may have just paid it, with
    // the webhook still on its way. Ask first (the store asks the gateway), or the paid page would be dropped.
    const completion = await complete(sdk, cart.id)
    if (completion.order) {
      const error = new HostedPaymentError(
        "already_paid",
        HOSTED_PAYMENT_MESSAGES.alreadyPaid,
        `the page being replaced was paid: order ${completion.order.id}`
      )
      error.orderId = completion.order.id
      throw error
    }
  }
  if (!collection) {
    collection = (
      await ask(() =>
        sdk.client.fetch<{ payment_collection: NonNullable<CartView["payment_collection"]> }>(
          "/store/payment-collections",
          { method: "POST", body: { cart_id: cart.id } }
        )
      )
    ).payment_collection
  }
  const { payment_collection } = await ask(() =>
    sdk.client.fetch<{ payment_collection: NonNullable<CartView["payment_collection"]> }>(
      `/store/payment-collections/${encodeURIComponent(collection!.id)}/payment-sessions`,
      {
        method: "POST",
        body: {
          provider_id: providerId,
          data: { return_url: returnUrl, ...(input.presentation ? { presentation: input.presentation } : {}) },
        },
      }
    )
  )
  const session = payment_collection.payment_sessions?.find((s) => s.provider_id === providerId)
  const checkoutUrl = session?.data?.checkout_url
  if (!session || typeof checkoutUrl !== "string") {
    throw new HostedPaymentError("refused", CANNOT_OPEN, "the store made no payment session with a checkout_url")
  }
  return {
    checkoutUrl,
    presentation: hostedPresentationOf(session.data),
    paymentSessionId: session.id,
    returnUrl,
    reused: false,
  }
}

/** The return URL with the cart's id and the storefront's own parameters. */
function returnUrlFor({ returnUrl, cart, returnParams }: StartHostedPaymentInput): string {
  let url: URL
  try {
    url = new URL(returnUrl)
  } catch {
    throw new HostedPaymentError("return_url_refused", CANNOT_OPEN, `returnUrl is not an absolute URL: ${returnUrl}`)
  }
  for (const [key, value] of Object.entries(returnParams ?? {})) url.searchParams.set(key, value)
  url.searchParams.set(RETURN_CART_PARAM, cart.id)
  return url.toString()
}

export type FinishHostedPaymentInput = {
  /** The cart the buyer paid for: the return page reads it from `cart_id` of its URL (`RETURN_CART_PARAM`). */
  cartId: string
  /** How long to wait for a payment the gateway still calls pending, in all. Default 20 s. */
  maxWaitMs?: number
  /** The first wait between two asks; each next one is twice as long (at most 8 s). Default 1 s. */
  firstDelayMs?: number
  /** How to wait (tests, or a framework's own timer). Default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>
}

/** An order, as the store answers it: the fields a return page shows, and the rest of the store's answer. */
export type HostedPaymentOrder = {
  id: string
  display_id?: number
  total?: number | string
  currency_code?: string
  email?: string | null
  payment_status?: string
  [field: string]: unknown
}

export type FinishedHostedPayment =
  | {
      status: "completed"
      order: HostedPaymentOrder
      /** Medusa's payment status of the order: `captured`, `authorized`, or `awaiting` while a debit is under way. */
      paymentStatus: string
    }
  | {
      /**
       * - `pending`: the gateway has not confirmed the payment yet: no order. It may still come (the gateway's
       *   webhook makes the order); say so to the buyer, and do not offer to pay again at once;
       * - `failed`: declined or expired: no order, no money taken; the buyer can try again;
       * - `canceled`: the buyer cancelled on the hosted page: no order.
       */
      status: "pending" | "failed" | "canceled"
      /** For the buyer, as it is. */
      message: string
      /** The store's own words (the cart's completion), for the storefront's log. */
      detail?: string
    }

export const HOSTED_PAYMENT_MESSAGES = {
  pending:
    "Your payment is not confirmed yet. No order has been placed yet: if you completed the payment, your order is placed as soon as the payment provider confirms it.",
  failed:
    "Your payment did not go through. No order was placed. You can try again, or choose another way to pay. If any money was taken, the shop refunds it.",
  canceled: "The payment was cancelled. No order was placed. If any money was taken, the shop refunds it.",
  notPlaced:
    "Your payment was received, but the order could not be placed. Please contact the shop: if the order cannot go ahead, the payment is refunded.",
  noPayment: "No payment was started for this cart. No order was placed.",
  alreadyPaid: "This cart is already paid, so no new payment was started.",
  stillWaiting:
    "We are still waiting for your payment. No order has been placed yet: if you pay now, your order is placed as soon as the payment provider confirms it.",
} as const

/** Session statuses in which the store holds the buyer's payment (or awaits a debit it started). */
const HELD = ["authorized", "captured", "pending_authorization"]

/**
 * On the return page: completes the cart into an order. While the gateway calls the payment pending, it waits and
 * asks again (1 s, 2 s, 4 s… up to `maxWaitMs`). When the gateway's webhook already made the order, the store
 * answers with that order. A payment is told pending, failed or cancelled by the payment session's status as the
 * store holds it (the store asked the gateway), never by an error's text, and never by the return URL's query
 * string, which anyone can write.
 */
export async function finishHostedPayment(
  sdk: HostedPaymentSdk,
  input: FinishHostedPaymentInput
): Promise<FinishedHostedPayment> {
  const { cartId } = input
  const maxWaitMs = input.maxWaitMs ?? 20_000
  const sleep = input.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  const started = Date.now()
  let slept = 0
  let delay = Math.max(input.firstDelayMs ?? 1000, 250)
  for (;;) {
    const completion = await complete(sdk, cartId)
    if (completion.order) {
      // The store's order with its payment status, which the completion's answer leaves out; the completion's own
      // order when that read fails (the order exists: never tell the buyer otherwise).
      const order = await sdk.client
        .fetch<{ order: HostedPaymentOrder }>(`/store/orders/${encodeURIComponent(completion.order.id)}`, {
          query: { fields: "+payment_status" },
        })
        .then(
          (answer) => answer.order,
          () => completion.order
        )
      return { status: "completed", order, paymentStatus: String(order.payment_status ?? "unknown") }
    }

    const cart = await readCart(sdk, cartId)
    const session = hostedSessionOf(cart)
    const detail = completion.message
    if (!session) return { status: "failed", message: HOSTED_PAYMENT_MESSAGES.noPayment, detail }
    if (session.status === "error") return { status: "failed", message: HOSTED_PAYMENT_MESSAGES.failed, detail }
    if (session.status === "canceled") return { status: "canceled", message: HOSTED_PAYMENT_MESSAGES.canceled, detail }
    if (HELD.includes(session.status) && completion.status !== 409) {
      // The store holds the payment, but the cart did not become an order (an item out of stock, say): not a
      // payment to wait for. (409: another completion holds the cart, the webhook's: asked again below.)
      return { status: "failed", message: HOSTED_PAYMENT_MESSAGES.notPlaced, detail }
    }
    // Pending at the gateway (or the cart's completion raced the webhook's): ask again shortly.
    // Time spent counts what was waited too (a `sleep` of the storefront's own may not take real time).
    if (Math.max(Date.now() - started, slept) + delay > maxWaitMs) {
      return { status: "pending", message: HOSTED_PAYMENT_MESSAGES.pending, detail }
    }
    await sleep(delay)
    slept += delay
    delay = Math.min(delay * 2, 8000)
  }
}

export type WaitForHostedPaymentInput = {
  cartId: string
  /** How long to wait for the buyer to pay (scan the code, pay in the drop-in). Default 10 minutes. */
  timeoutMs?: number
  /** How often to look whether the order exists (a read of the cart: no call to the gateway). Default 3 s. */
  intervalMs?: number
  /** How often to also ask the store to complete the cart (which asks the gateway): lost webhooks. Default 30 s. */
  askGatewayEveryMs?: number
  /** Told each time the payment is still awaited, with how long so far: the "still waiting" state to show. */
  onWaiting?: (elapsedMs: number) => void
  /** Stops waiting (the buyer left, or chose another way): ends as `pending`. */
  signal?: AbortSignal
  sleep?: (ms: number) => Promise<void>
}

/**
 * While the buyer pays without leaving the page (a QR code scanned with a banking app, a drop-in): waits for the
 * order. It reads the cart every `intervalMs` (the gateway's webhook completes it), and every `askGatewayEveryMs`
 * asks the store to complete it, which asks the gateway. Ends as `finishHostedPayment` does; after `timeoutMs`
 * (or `signal`), `pending` with words for a buyer who may still pay.
 */
export async function waitForHostedPayment(
  sdk: HostedPaymentSdk,
  input: WaitForHostedPaymentInput
): Promise<FinishedHostedPayment> {
  const { cartId, signal } = input
  const timeoutMs = input.timeoutMs ?? 600_000
  const intervalMs = Math.max(input.intervalMs ?? 3000, 250)
  const askEvery = input.askGatewayEveryMs ?? 30_000
  const sleep = input.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  const started = Date.now()
  let slept = 0
  let asked = 0
  for (;;) {
    // A moment without the store (a network blip) does not end the wait; anything else does.
    const cart = await readCart(sdk, cartId).catch((error: HostedPaymentError) => {
      if (error.code === "store_unreachable") return undefined
      throw error
    })
    if (cart) {
      const session = hostedSessionOf(cart)
      const settled =
        !!cart.completed_at || (session && session.status !== "pending" && session.status !== "requires_more")
      const spent = Math.max(Date.now() - started, slept)
      if (settled || spent - asked >= askEvery) {
        asked = spent
        // Completed by the webhook, or time to ask the gateway: the outcome as the return page would have it.
        const finished = await finishHostedPayment(sdk, { cartId, maxWaitMs: 0, sleep })
        if (finished.status !== "pending") return finished
      }
    }
    const elapsed = Math.max(Date.now() - started, slept)
    if (signal?.aborted || elapsed + intervalMs > timeoutMs) {
      return { status: "pending", message: HOSTED_PAYMENT_MESSAGES.stillWaiting }
    }
    if (cart) input.onWaiting?.(elapsed)
    await sleep(intervalMs)
    slept += intervalMs
  }
}

/**
 * On the return page: when it was loaded inside an iframe (a frame or a drop-in the gateway sent back to the return
 * URL), takes the whole window there, and says so (`true`: stop, the top window loads the page). Does nothing on
 * a server or in the top window.
 */
export function leaveFrame(): boolean {
  const w = (globalThis as { window?: { top: unknown; self: unknown; location: { href: string } } }).window
  if (!w || w.top === w.self || !w.top) return false
  ;(w.top as { location: { href: string } }).location.href = w.location.href
  return true
}

/**
 * The cart's order: made now, or made before (the store answers a completed cart with its order); else why not:
 * the store's status (409: another completion holds the cart) and words.
 */
async function complete(
  sdk: HostedPaymentSdk,
  cartId: string
): Promise<{ order: HostedPaymentOrder } | { order?: undefined; status?: number; message: string }> {
  type Completed = { type: "order"; order: HostedPaymentOrder } | { type: "cart"; error?: { message?: string } }
  try {
    const answer = await sdk.client.fetch<Completed>(`/store/carts/${encodeURIComponent(cartId)}/complete`, {
      method: "POST",
    })
    return answer.type === "order"
      ? { order: answer.order }
      : { message: answer.error?.message ?? "the payment was not authorized" }
  } catch (error) {
    // Not completed now: the session's status says why. Only a store that cannot be reached at all is an error here.
    if (statusOf(error) === undefined) throw unavailable(error)
    return { status: statusOf(error), message: (error as Error).message ?? String(error) }
  }
}

/** The cart as the store holds it now, with its payment collection and sessions. */
async function readCart(sdk: HostedPaymentSdk, cartId: string): Promise<CartView> {
  const { cart } = await ask(() =>
    sdk.client.fetch<{ cart: CartView }>(`/store/carts/${encodeURIComponent(cartId)}`, {
      query: { fields: CART_FIELDS },
    })
  )
  return cart
}

/** The cart's session with one of the plugin's providers, the newest where there are several. */
function hostedSessionOf(cart: CartView): Session | undefined {
  const sessions = (cart.payment_collection?.payment_sessions ?? []).filter((s) =>
    isHostedPaymentProvider(s.provider_id)
  )
  return sessions[sessions.length - 1]
}

const CANNOT_OPEN = "The payment page could not be opened. Please try again, or choose another way to pay."
const UNAVAILABLE = "The payment provider is not answering right now. Please try again in a moment."
const STORE_UNREACHABLE = "The shop could not be reached. Please try again in a moment."
const RETURN_URL_REFUSED =
  "This shop cannot take payments with this provider right now: its return address is not set up. Please choose another way to pay."

/** A store call, its failure told in the buyer's words (the store's own message kept in `detail`). */
async function ask<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw toHostedPaymentError(error)
  }
}

function toHostedPaymentError(error: unknown): HostedPaymentError {
  if (error instanceof HostedPaymentError) return error
  const status = statusOf(error)
  const detail = (error as { message?: string } | undefined)?.message ?? String(error)
  if (status === undefined) return unavailable(error)
  if (status === 400 && /return_url/i.test(detail)) {
    return new HostedPaymentError("return_url_refused", RETURN_URL_REFUSED, detail, status)
  }
  // The plugin says a gateway could not be asked in these words (src/lib/errors.ts, isGatewayUnavailable).
  if (
    status >= 500 &&
    / failed \(HTTP (5\d\d|429)|no answer within .* \(timeout\)|could not reach |lost the connection to /.test(detail)
  ) {
    return new HostedPaymentError("gateway_unavailable", UNAVAILABLE, detail, status)
  }
  if (status === 503 || status === 502 || status === 504) {
    // Not the plugin's words for a gateway (those come with a 500): a proxy in front of a store that is down.
    return new HostedPaymentError("store_unreachable", STORE_UNREACHABLE, detail, status)
  }
  return new HostedPaymentError("refused", CANNOT_OPEN, detail, status)
}

function unavailable(error: unknown): HostedPaymentError {
  const detail = (error as { message?: string } | undefined)?.message ?? String(error)
  return new HostedPaymentError("store_unreachable", STORE_UNREACHABLE, detail)
}

/** The HTTP status of a failed store call (`FetchError.status` of the JS SDK), or `undefined` when none came. */
function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status
  return typeof status === "number" ? status : undefined
}

function sameAmount(a: number | string | null | undefined, b: number | string | null | undefined): boolean {
  return a !== null && a !== undefined && b !== null && b !== undefined && Number(a) === Number(b)
}
