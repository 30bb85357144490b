import type { Logger, MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { HPP_RECORD_MODULE } from "../modules/hpp-record"
import type { HppRecordService } from "../modules/hpp-record/service"

/** How many days the record keeps, unless `HPP_RECORD_KEEP_DAYS` says otherwise. */
export const DEFAULT_KEEP_DAYS = 180

/** The days to keep, from the environment; a value that is not a whole number of days at least 1 is refused. */
export function keepDays(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.HPP_RECORD_KEEP_DAYS?.trim()
  if (!raw) return DEFAULT_KEEP_DAYS
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new Error(`HPP_RECORD_KEEP_DAYS must be a whole number of days, at least 1, not "${raw}"`)
  }
  return Number(raw)
}

/** Once a day: the record's rows older than `HPP_RECORD_KEEP_DAYS` (default 180) days are deleted. */
export default async function pruneHppRecordJob(container: MedusaContainer, now: Date = new Date()) {
  const logger = container.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
  try {
    const days = keepDays()
    const removed = await container
      .resolve<HppRecordService>(HPP_RECORD_MODULE)
      .prune(new Date(now.getTime() - days * 86_400_000))
    logger.info(`medusa-payment-hpp: pruned ${removed} record rows older than ${days} days`)
  } catch (error) {
    logger.error(`medusa-payment-hpp: the record was not pruned: ${(error as Error).message}`)
  }
}

export const config = {
  name: "medusa-payment-hpp-prune-record",
  schedule: "17 3 * * *",
}
