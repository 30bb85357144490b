import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework/subscribers"
import type { Logger } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { HPP_RECORD_EVENT, notWrittenLine, RecordInput } from "../lib/record"
import { HPP_RECORD_MODULE } from "../modules/hpp-record"
import type { HppRecordService } from "../modules/hpp-record/service"

/**
 * Hands what the plugin's parts said happened (`src/lib/record.ts`) to the record's writer, which writes it a
 * moment later with whatever else was said meanwhile, in one statement (`HppRecordService.enqueue`): nothing is
 * read or written while the request that said it runs. Never throws: a record that cannot be written is one
 * warning, and the payment it describes is long done.
 */
export default async function writeHppRecord({ event, container }: SubscriberArgs<RecordInput>): Promise<void> {
  try {
    container.resolve<HppRecordService>(HPP_RECORD_MODULE).enqueue(event.data)
  } catch (error) {
    container
      .resolve<Logger>(ContainerRegistrationKeys.LOGGER)
      .warn(notWrittenLine(event.data?.kind ?? "?", (error as Error).message))
  }
}

export const config: SubscriberConfig = { event: HPP_RECORD_EVENT }
