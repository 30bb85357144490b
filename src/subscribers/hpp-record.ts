import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework/subscribers"
import type { IPaymentModuleService, Logger } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { HPP_RECORD_EVENT, RecordInput } from "../lib/record"
import { HPP_RECORD_MODULE } from "../modules/hpp-record"
import type { HppRecordService } from "../modules/hpp-record/service"

/**
 * Writes what the plugin's parts said happened (`src/lib/record.ts`) into the record. Never throws: a record that
 * cannot be written is one warning, and the payment it describes is long done.
 */
export default async function writeHppRecord({ event, container }: SubscriberArgs<RecordInput>): Promise<void> {
  try {
    const input = event.data
    const provider_id = input.provider_id ?? (await providerOfSession(container, input.payment_session_id))
    await container
      .resolve<HppRecordService>(HPP_RECORD_MODULE)
      .write({ ...input, provider_id: provider_id ?? `pp_${input.gateway}` })
  } catch (error) {
    container
      .resolve<Logger>(ContainerRegistrationKeys.LOGGER)
      .warn(`medusa-payment-hpp: a ${event.data?.kind ?? "?"} record was not written: ${(error as Error).message}`)
  }
}

/** The provider a session belongs to (a provider's own records do not know the id it was registered under). */
async function providerOfSession(
  container: SubscriberArgs<RecordInput>["container"],
  sessionId: string | null | undefined
): Promise<string | null> {
  if (!sessionId) return null
  const [session] = await container
    .resolve<IPaymentModuleService>(Modules.PAYMENT)
    .listPaymentSessions({ id: sessionId }, { select: ["id", "provider_id"], withDeleted: true })
  return session?.provider_id ?? null
}

export const config: SubscriberConfig = { event: HPP_RECORD_EVENT }
