import cluster from "node:cluster"
import { container } from "@medusajs/framework"
import type { SubscriberConfig } from "@medusajs/framework/subscribers"
import type { Logger } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { DeploymentConfig, deploymentWarning } from "../lib/deployment-check"

/**
 * The multi-instance check at boot. Medusa 2.21 loads every plugin's subscribers in every process (server,
 * worker and shared alike; jobs only in worker and shared, routes only in server and shared), after its modules
 * and before the app starts, with the config and logger already in its container: so this file is where a
 * plugin's code runs once per process at boot. The check runs when the file is loaded; the subscriber itself
 * listens to an event of this plugin's own that nothing emits.
 */
function checkDeployment(): void {
  let logger: Logger | undefined
  try {
    logger = container.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
    const config = container.resolve<DeploymentConfig>(ContainerRegistrationKeys.CONFIG_MODULE)
    const warning = deploymentWarning(config, { clusterWorker: cluster.isWorker })
    if (warning) logger.warn(warning)
  } catch (error) {
    logger?.debug?.(`medusa-payment-hpp: deployment check skipped: ${(error as Error).message}`)
  }
}

checkDeployment()

export default async function deploymentCheckSubscriber(): Promise<void> {}

export const config: SubscriberConfig = { event: "medusa-payment-hpp.deployment-check" }
