/**
 * Whether this Medusa process looks like one of several (a server beside a worker, several servers, Redis
 * event bus or workflow engine, `medusa start --cluster`) while the cart lock is Medusa's in-memory default.
 * Then the lock Medusa takes around cart completion holds in this process only: a webhook on the worker and the
 * buyer's return on a server can both complete the cart (two orders for one payment, or the loser's
 * cancelPayment voiding the winner's authorization). Medusa adds a shared lock only on its own cloud.
 */

type ModuleConfig = { resolve?: unknown; options?: unknown; disable?: boolean } | boolean | undefined

/** The parts of Medusa's loaded config module this check reads. */
export type DeploymentConfig = {
  projectConfig?: { workerMode?: string }
  modules?: Record<string, ModuleConfig>
}

const LOCKING_MODULE_KEY = "locking"

const resolveOf = (module: ModuleConfig): string =>
  module && typeof module === "object" && typeof module.resolve === "string" ? module.resolve : ""

/** Why the process looks multi-instance, or an empty list when it looks like the only one. */
export function multiInstanceSigns(config: DeploymentConfig, process: { clusterWorker: boolean }): string[] {
  const signs: string[] = []
  const workerMode = config.projectConfig?.workerMode ?? "shared"
  if (workerMode !== "shared") signs.push(`workerMode "${workerMode}"`)
  for (const module of Object.values(config.modules ?? {})) {
    const resolve = resolveOf(module)
    if (/event-bus-redis/.test(resolve)) signs.push("a Redis event bus")
    if (/workflow-engine-redis/.test(resolve)) signs.push("a Redis workflow engine")
  }
  if (process.clusterWorker) signs.push("medusa start --cluster")
  return signs
}

/** The locking providers configured (empty: Medusa's in-memory one is the only one). */
export function lockingProviders(config: DeploymentConfig): string[] {
  const locking = config.modules?.[LOCKING_MODULE_KEY]
  if (!locking || typeof locking !== "object" || locking.disable) return []
  const options = locking.options as { providers?: { resolve?: unknown; id?: unknown }[] } | undefined
  return (options?.providers ?? [])
    .map((provider) => (typeof provider?.resolve === "string" ? provider.resolve : String(provider?.id ?? "")))
    .filter((name) => name && !/in-memory/.test(name))
}

/** The boot warning, or undefined when the store is one process or has a shared lock. */
export function deploymentWarning(config: DeploymentConfig, process: { clusterWorker: boolean }): string | undefined {
  const signs = multiInstanceSigns(config, process)
  if (signs.length === 0 || lockingProviders(config).length > 0) return undefined
  return (
    `medusa-payment-hpp: this store looks multi-instance (${signs.join(", ")}) but its locking module is Medusa's ` +
    "in-memory default, so the cart lock holds in one process only and a webhook and the buyer's return can both " +
    'complete a cart (two orders for one payment). Add a shared locking provider: { resolve: "@medusajs/medusa/locking", ' +
    'options: { providers: [{ resolve: "@medusajs/medusa/locking-redis", id: "locking-redis", is_default: true, ' +
    'options: { redisUrl } }] } } (or "@medusajs/medusa/locking-postgres" without Redis). See the README, "Going live".'
  )
}
