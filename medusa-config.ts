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
  process.env.CASHFLOWS_API_KEY && {
    resolve: "./src/providers/cashflows",
    id: "cashflows",
    options: {
      configurationId: process.env.CASHFLOWS_CONFIGURATION_ID,
      apiKey: process.env.CASHFLOWS_API_KEY,
      environment: process.env.CASHFLOWS_ENVIRONMENT,
      apiBaseUrl: process.env.CASHFLOWS_API_BASE_URL,
      webhookUrl: process.env.CASHFLOWS_WEBHOOK_URL,
      returnUrl: process.env.CASHFLOWS_RETURN_URL,
      allowedReturnOrigins: list(process.env.CASHFLOWS_ALLOWED_RETURN_ORIGINS),
      locale: process.env.CASHFLOWS_LOCALE,
      paymentMethods: list(process.env.CASHFLOWS_PAYMENT_METHODS),
      autoCapture: process.env.CASHFLOWS_AUTO_CAPTURE,
      timeoutMs: process.env.CASHFLOWS_TIMEOUT_MS,
    },
  },
  // --- end cashflows ---
  // --- netvalve ---
  process.env.NETVALVE_CLIENT_ID && {
    resolve: "./src/providers/netvalve",
    id: "netvalve",
    options: {
      clientId: process.env.NETVALVE_CLIENT_ID,
      apiKey: process.env.NETVALVE_API_KEY,
      midId: process.env.NETVALVE_MID_ID,
      environment: process.env.NETVALVE_ENVIRONMENT,
      hppApiBaseUrl: process.env.NETVALVE_HPP_API_BASE_URL,
      paymentApiBaseUrl: process.env.NETVALVE_PAYMENT_API_BASE_URL,
      paymentOptions: list(process.env.NETVALVE_PAYMENT_OPTIONS),
      slimMode: process.env.NETVALVE_SLIM_MODE,
      returnUrl: process.env.NETVALVE_RETURN_URL,
      allowedReturnOrigins: list(process.env.NETVALVE_ALLOWED_RETURN_ORIGINS),
      webhookHeaderName: process.env.NETVALVE_WEBHOOK_HEADER_NAME,
      webhookHeaderValue: process.env.NETVALVE_WEBHOOK_HEADER_VALUE,
      orderDescription: process.env.NETVALVE_ORDER_DESCRIPTION,
      timeoutMs: process.env.NETVALVE_TIMEOUT_MS,
    },
  },
  // --- end netvalve ---
  // --- catalystpay ---
  process.env.CATALYSTPAY_API_KEY && {
    resolve: "./src/providers/catalystpay",
    id: "catalystpay",
    options: {
      apiKey: process.env.CATALYSTPAY_API_KEY,
      webhookSecret: process.env.CATALYSTPAY_WEBHOOK_SECRET,
      environment: process.env.CATALYSTPAY_ENVIRONMENT,
      apiBaseUrl: process.env.CATALYSTPAY_API_BASE_URL,
      campaignId: process.env.CATALYSTPAY_CAMPAIGN_ID,
      gatewayId: process.env.CATALYSTPAY_GATEWAY_ID,
      maxPaymentAttempts: process.env.CATALYSTPAY_MAX_PAYMENT_ATTEMPTS,
      webhookProfileId: process.env.CATALYSTPAY_WEBHOOK_PROFILE_ID,
      returnUrl: process.env.CATALYSTPAY_RETURN_URL,
      allowedReturnOrigins: list(process.env.CATALYSTPAY_ALLOWED_RETURN_ORIGINS),
    },
  },
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
