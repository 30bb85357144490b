import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import type { IPaymentModuleService, Logger } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, PaymentActions } from "@medusajs/framework/utils"
import { processPaymentWorkflow } from "@medusajs/core-flows"
import { sameAmount } from "../../../../lib/money"
import { cashflowsSessionDataSchema } from "../../../../providers/cashflows/schemas"
import { cashflowsAcknowledgement, readCashflowsNotification } from "../../../../providers/cashflows/webhook"

/**
 * `POST /hooks/cashflows/:id`, the webhook URL of the Cashflows provider registered with `id`.
 *
 * Cashflows redelivers a notification (every minute, then daily, then weekly, for about a month) until it
 * gets 200 with `{"paymentJobReference", "paymentReference"}`. Medusa's core route answers a bare 200
 * before any check, so the plugin answers here, and only after verifying:
 * - 200 + acknowledgement: the payment job was fetched over the signed API, belongs to a payment session
 *   of this provider, and was handed to Medusa's payment processing (paid or reserved), or has a status
 *   that leaves Medusa nothing to do (pending, failed, cancelled...). Nothing a retry could change.
 * - 400: the body is not a Cashflows notification. 404: no Cashflows provider with that id.
 * - 422: it cannot be verified: Cashflows does not know the job, the job does not hold the payment, or it
 *   is not a payment session of this store, or Cashflows reports a different amount than the session's.
 * - 502: Cashflows could not be asked. 500: Medusa's processing failed. Both are worth a redelivery.
 */
export const POST = async (req: MedusaRequest, res: MedusaResponse) => {
  const logger = req.scope.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
  const paymentModule = req.scope.resolve<IPaymentModuleService>(Modules.PAYMENT)
  const refuse = (status: number, message: string) => {
    logger.warn(`Cashflows notification answered ${status}: ${message}`)
    res.status(status).json({ message })
  }

  const payload = {
    data: (req.body ?? {}) as Record<string, unknown>,
    rawData: (req as MedusaRequest & { rawBody?: Buffer }).rawBody as Buffer,
    headers: req.headers as Record<string, unknown>,
  }
  const reading = readCashflowsNotification(payload)
  if (!reading.ok) {
    return refuse(400, reading.reason)
  }
  const { notification } = reading
  const what = `payment ${notification.paymentReference} of job ${notification.paymentJobReference}`

  const provider = `cashflows_${req.params.id}`
  const [registered] = await paymentModule.listPaymentProviders({ id: `pp_${provider}` })
  if (!registered) {
    return refuse(404, `no Cashflows payment provider is registered with id "${req.params.id}"`)
  }

  let result: Awaited<ReturnType<IPaymentModuleService["getWebhookActionAndData"]>>
  try {
    result = await paymentModule.getWebhookActionAndData({ provider, payload })
  } catch (error) {
    return refuse(502, `could not verify ${what} with Cashflows: ${(error as Error).message}`)
  }
  const sessionId = result.data?.session_id
  if (result.action === PaymentActions.NOT_SUPPORTED || !sessionId) {
    return refuse(422, `${what} could not be verified with Cashflows as a payment of this store (the log says why)`)
  }

  // The job names the session in its order number; the session must be ours and must know this job.
  const [session] = await paymentModule.listPaymentSessions({ id: sessionId })
  const sessionData = cashflowsSessionDataSchema.safeParse(session?.data ?? {})
  if (
    !session ||
    session.provider_id !== `pp_${provider}` ||
    !sessionData.success ||
    sessionData.data.gateway_reference !== notification.paymentJobReference
  ) {
    return refuse(
      422,
      `${what} names payment session ${sessionId}, which is not a session of this provider for that job`
    )
  }

  // The provider reports what Cashflows collected, and fails a paid amount other than the session's: say so.
  const paidOrRefused = (
    [PaymentActions.SUCCESSFUL, PaymentActions.AUTHORIZED, PaymentActions.FAILED] as string[]
  ).includes(result.action)
  if (paidOrRefused && !sameAmount(result.data?.amount, session.amount, session.currency_code)) {
    return refuse(
      422,
      `Cashflows reports ${String(result.data?.amount)} for ${what}, but session ${sessionId} is for ` +
        `${String(session.amount)} ${session.currency_code.toUpperCase()}; not processed`
    )
  }
  if (result.action === PaymentActions.SUCCESSFUL || result.action === PaymentActions.AUTHORIZED) {
    try {
      // Medusa's own processing: locks the cart, authorizes (asking Cashflows again), captures, completes the cart.
      await processPaymentWorkflow(req.scope).run({ input: result })
    } catch (error) {
      logger.error(
        `Cashflows notification: ${what} was verified, but Medusa could not process it: ${(error as Error).message}`
      )
      return refuse(500, `${what} was verified, but Medusa could not process it yet`)
    }
    // The workflow finishes even when completing the cart failed (Medusa continues past that step), so only an
    // order that exists earns the acknowledgement; otherwise Cashflows redelivers and Medusa tries again.
    if (!(await orderExistsFor(req, session.payment_collection_id))) {
      logger.error(
        `Cashflows notification: ${what} was verified for session ${sessionId}, but no order was made; not acknowledged`
      )
      return refuse(500, `${what} was verified, but the order is not made yet`)
    }
  } else {
    logger.info(
      `Cashflows notification: ${what} for session ${sessionId} is ${result.action}; nothing for Medusa to do`
    )
  }
  res.status(200).json(cashflowsAcknowledgement(notification))
}

/** Whether the cart paying through this payment collection has become an order (true when no cart is linked). */
async function orderExistsFor(req: MedusaRequest, paymentCollectionId: string): Promise<boolean> {
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const { data: carts } = await query.graph({
    entity: "cart_payment_collection",
    fields: ["cart_id"],
    filters: { payment_collection_id: paymentCollectionId },
  })
  const cartId = (carts[0] as { cart_id?: string } | undefined)?.cart_id
  if (!cartId) return true
  const { data: orders } = await query.graph({
    entity: "order_cart",
    fields: ["order_id"],
    filters: { cart_id: cartId },
  })
  return orders.length > 0
}
