import { defineConfig, loadEnv } from "@medusajs/framework/utils"
import { hppProvidersFromEnv } from "./src/env"

loadEnv(process.env.NODE_ENV || "development", process.cwd())

/**
 * This repository's own Medusa app: the tests and the demo store boot it. A store that installs the
 * plugin writes its own medusa-config (see the README) with `hppProvidersFromEnv()` from
 * "medusa-payment-hpp/env"; this one loads the providers straight from `src/`.
 */
const providers: { resolve: string; id: string; options: Record<string, unknown> }[] = hppProvidersFromEnv(
  process.env,
  (gateway) => `./src/providers/${gateway}`
)

// `npm run bench` measures the providers against a zero-work provider of its own: a path to that module
// (`floor`), registered again as `reference`, which stores a session reference as every hosted-page provider must.
if (process.env.HPP_BENCH_FLOOR_PROVIDER) {
  providers.push({ resolve: process.env.HPP_BENCH_FLOOR_PROVIDER, id: "floor", options: {} })
  providers.push({ resolve: process.env.HPP_BENCH_FLOOR_PROVIDER, id: "reference", options: { reference: true } })
}

/**
 * How a store runs Medusa on several processes, from the environment (all unset: one process with Medusa's
 * in-memory event bus, workflow engine and locks, as the tests boot it). `npm run test:deploy` sets them:
 * - MEDUSA_WORKER_MODE: "shared" (default), "server" or "worker";
 * - MEDUSA_REDIS_URL: Redis event bus, Redis workflow engine and Redis cache;
 * - MEDUSA_LOCKING: "redis" (with MEDUSA_REDIS_URL) or "postgres": a lock shared by every process. Without it
 *   the cart lock is per process, and the plugin warns at boot when the store looks multi-instance.
 */
const redisUrl = process.env.MEDUSA_REDIS_URL?.trim() || undefined
const workerMode = process.env.MEDUSA_WORKER_MODE?.trim() as "shared" | "worker" | "server" | undefined
const lockingProviders: Record<string, { resolve: string; id: string; is_default: boolean; options: object }> = {
  redis: {
    resolve: "@medusajs/medusa/locking-redis",
    id: "locking-redis",
    is_default: true,
    options: { redisUrl },
  },
  postgres: { resolve: "@medusajs/medusa/locking-postgres", id: "locking-postgres", is_default: true, options: {} },
}
const locking = process.env.MEDUSA_LOCKING?.trim()
if (locking && !lockingProviders[locking])
  throw new Error(`MEDUSA_LOCKING must be "redis" or "postgres", not "${locking}"`)
if (locking === "redis" && !redisUrl) throw new Error("MEDUSA_LOCKING=redis needs MEDUSA_REDIS_URL")
const deploymentModules = [
  ...(redisUrl
    ? [
        { resolve: "@medusajs/medusa/event-bus-redis", options: { redisUrl } },
        { resolve: "@medusajs/medusa/workflow-engine-redis", options: { redis: { redisUrl } } },
        { resolve: "@medusajs/medusa/cache-redis", options: { redisUrl } },
      ]
    : []),
  ...(locking ? [{ resolve: "@medusajs/medusa/locking", options: { providers: [lockingProviders[locking]] } }] : []),
]

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    ...(redisUrl ? { redisUrl } : {}),
    ...(workerMode ? { workerMode } : {}),
    http: {
      storeCors: process.env.STORE_CORS || "http://localhost:8000",
      adminCors: process.env.ADMIN_CORS || "http://localhost:9000",
      authCors: process.env.AUTH_CORS || "http://localhost:9000",
      jwtSecret: process.env.JWT_SECRET || "supersecret",
      cookieSecret: process.env.COOKIE_SECRET || "supersecret",
    },
  },
  admin: { disable: process.env.DEMO_ADMIN !== "true" }, // Medusa Admin: only in the demo (`npm run demo` sets it)
  modules: [
    {
      resolve: "@medusajs/medusa/payment",
      options: { providers },
    },
    // The plugin's record of hosted payments: a store that lists the plugin under `plugins` gets it from there.
    { resolve: "./src/modules/hpp-record" },
    ...deploymentModules,
  ],
})
