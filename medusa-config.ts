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

// `npm run bench` measures the providers against a zero-work provider of its own: a path to that module.
if (process.env.HPP_BENCH_FLOOR_PROVIDER) {
  providers.push({ resolve: process.env.HPP_BENCH_FLOOR_PROVIDER, id: "floor", options: {} })
}

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: {
      storeCors: process.env.STORE_CORS || "http://localhost:8000",
      adminCors: process.env.ADMIN_CORS || "http://localhost:9000",
      authCors: process.env.AUTH_CORS || "http://localhost:9000",
      jwtSecret: process.env.JWT_SECRET || "supersecret",
      cookieSecret: process.env.COOKIE_SECRET || "supersecret",
    },
  },
  admin: { disable: true },
  modules: [
    {
      resolve: "@medusajs/medusa/payment",
      options: { providers },
    },
  ],
})
