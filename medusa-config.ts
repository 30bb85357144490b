import { defineConfig, loadEnv } from "@medusajs/framework/utils"

loadEnv(process.env.NODE_ENV || "development", process.cwd())

/**
 * This repository's own Medusa app: the tests and the demo store boot it. A store that installs the
 * plugin writes its own medusa-config (see the README); this one registers each provider whose
 * credentials are set, straight from `src/`.
 */
const list = (value: string | undefined) => value?.split(",").map((s) => s.trim()).filter(Boolean)

const providers = [
  // --- hitpay ---
  process.env.HITPAY_API_KEY && {
    resolve: "./src/providers/hitpay",
    id: "hitpay",
    options: {
      apiKey: process.env.HITPAY_API_KEY,
      salt: process.env.HITPAY_SALT,
      v2WebhookSalt: process.env.HITPAY_V2_WEBHOOK_SALT,
      environment: process.env.HITPAY_ENVIRONMENT,
      apiBaseUrl: process.env.HITPAY_API_BASE_URL,
      webhookUrl: process.env.HITPAY_WEBHOOK_URL,
      returnUrl: process.env.HITPAY_RETURN_URL,
      allowedReturnOrigins: list(process.env.HITPAY_ALLOWED_RETURN_ORIGINS),
      paymentMethods: list(process.env.HITPAY_PAYMENT_METHODS),
    },
  },
  // --- end hitpay ---
  // --- cashflows ---
  // --- end cashflows ---
  // --- netvalve ---
  // --- end netvalve ---
  // --- catalystpay ---
  // --- end catalystpay ---
].filter(Boolean) as { resolve: string; id: string; options: Record<string, unknown> }[]

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
