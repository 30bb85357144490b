import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { hppProviderOf } from "../env"
import { gatewayOfProvider, recordIn, recordingOff } from "../lib/record"

type Knex = { raw(sql: string, bindings: unknown[]): Promise<{ rows: SessionRow[] }> }
type SessionRow = {
  id: string
  provider_id: string
  amount: string
  currency_code: string
  gateway_reference: string | null
  order_id: string | null
}

/** The cart's sessions, and its order if it has one, in one round trip (the ORM's Query spent about 1 ms of CPU). */
const SESSIONS_OF_CART = `
  select ps.id, ps.provider_id, ps.amount::text as amount, ps.currency_code,
    ps.data->>'gateway_reference' as gateway_reference,
    (select oc.order_id from order_cart oc where oc.cart_id = l.cart_id and oc.deleted_at is null limit 1) as order_id
  from cart_payment_collection l
  join payment_session ps on ps.payment_collection_id = l.payment_collection_id and ps.deleted_at is null
  where l.cart_id = ? and l.deleted_at is null`

/**
 * The buyer's return (the storefront completing the cart) in the plugin's record, for a cart paying with one of the
 * plugin's providers: read once the answer has gone, so that the buyer never waits for it.
 */
export function recordBuyerReturn(req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction) {
  // A store that switched the record off reads nothing for it.
  if (!recordingOff())
    res.once("finish", () => {
      void record(req, res.statusCode).catch(() => undefined)
    })
  next()
}

async function record(req: MedusaRequest, status: number): Promise<void> {
  const pg = req.scope.resolve<Knex>(ContainerRegistrationKeys.PG_CONNECTION)
  const { rows } = await pg.raw(SESSIONS_OF_CART, [req.params.id])
  const ours = rows.find((row) => hppProviderOf(row.provider_id))
  if (!ours) return
  const orderId = ours.order_id
  recordIn(req.scope, {
    provider_id: ours.provider_id,
    gateway: gatewayOfProvider(ours.provider_id),
    kind: "buyer_return",
    outcome: orderId ? "order" : "no order yet",
    message: orderId
      ? `the buyer came back; the cart is order ${orderId}`
      : `the buyer came back; the cart was not completed (answered ${status})`,
    payment_session_id: ours.id,
    gateway_reference: ours.gateway_reference,
    amount: ours.amount,
    currency_code: ours.currency_code,
    resolves: orderId ? ["paid_no_order"] : [],
  })
}
