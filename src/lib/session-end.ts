import type { IPaymentModuleService, MedusaContainer } from "@medusajs/framework/types"
import { Modules, PaymentSessionStatus } from "@medusajs/framework/utils"

/**
 * Records on a payment session that it ended unpaid at the gateway (the page expired or was closed, or it was
 * paid and the money went back before an order): its status becomes `canceled`, which takes it out of the
 * reconciliation's open set, so nobody asks the gateway about it again. Its data stays as it is. Medusa's update
 * passes the session's own amount and data to the provider, which keeps them (nothing is sent to the gateway).
 */
export async function endPaymentSession(container: MedusaContainer, sessionId: string): Promise<void> {
  const payment = container.resolve<IPaymentModuleService>(Modules.PAYMENT)
  const [session] = await payment.listPaymentSessions(
    { id: sessionId },
    { select: ["id", "amount", "currency_code", "data", "status"] }
  )
  if (!session || session.status === PaymentSessionStatus.CANCELED) return
  await payment.updatePaymentSession({
    id: session.id,
    amount: session.amount,
    currency_code: session.currency_code,
    data: session.data ?? {},
    status: PaymentSessionStatus.CANCELED,
  })
}
