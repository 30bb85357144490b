/**
 * The demo's credentials: the same made-up values for the sandbox (which checks them, as each gateway does)
 * and for the providers (which send them). The providers reach the sandbox only because their base-URL options
 * point there; their code has no sandbox branches.
 */
const CREDENTIALS = {
  hitpay: { apiKey: "demo-hitpay-api-key", salt: "demo-hitpay-salt" },
  cashflows: { configurationId: "210000000001", apiKey: "demo-cashflows-api-key" },
  netvalve: {
    clientId: "demo-netvalve-client",
    apiKey: "demo-netvalve-api-key",
    midId: "1001",
    webhookHeaderName: "X-Demo-Webhook-Token",
    webhookHeaderValue: "demo-netvalve-webhook-secret-0123456789",
  },
  catalystpay: {
    apiKey: "rk_demo_catalystpay_key",
    webhookSecret: "demo-catalystpay-webhook-secret",
    gatewayId: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
  },
}

/** What the sandbox needs to act as each gateway, including where each sends its webhooks. */
function sandboxCredentials({ backendUrl, storefrontUrl }) {
  const c = CREDENTIALS
  return {
    hitpay: { apiKey: c.hitpay.apiKey, salt: c.hitpay.salt },
    cashflows: { configurationId: c.cashflows.configurationId, apiKey: c.cashflows.apiKey },
    netvalve: {
      clientId: c.netvalve.clientId,
      apiKey: c.netvalve.apiKey,
      webhookUrl: `${backendUrl}/hooks/netvalve/netvalve`,
      webhookHeaderName: c.netvalve.webhookHeaderName,
      webhookHeaderValue: c.netvalve.webhookHeaderValue,
    },
    catalystpay: {
      apiKey: c.catalystpay.apiKey,
      webhookSecret: c.catalystpay.webhookSecret,
      webhookUrl: `${backendUrl}/hooks/catalystpay/catalystpay`,
      // CatalystPay's hosted page, not the session, knows where to send the buyer back.
      successRedirectUrl: `${storefrontUrl}/return?gateway=catalystpay&session_token={session_token}`,
      failureRedirectUrl: `${storefrontUrl}/return?gateway=catalystpay&session_token={session_token}&outcome=failed`,
    },
  }
}

/** Provider options, as medusa-config.ts reads them from the environment, pointed at the sandbox. */
function gatewayEnv({ sandboxUrl, backendUrl, storefrontUrl }) {
  const c = CREDENTIALS
  const returnUrl = `${storefrontUrl}/return`
  const origins = `${storefrontUrl},${storefrontUrl.replace("127.0.0.1", "localhost")}`
  return {
    HITPAY_API_KEY: c.hitpay.apiKey,
    HITPAY_SALT: c.hitpay.salt,
    HITPAY_API_BASE_URL: `${sandboxUrl}/hitpay/v1`,
    HITPAY_WEBHOOK_URL: `${backendUrl}/hooks/hitpay/hitpay`,
    HITPAY_RETURN_URL: returnUrl,
    HITPAY_ALLOWED_RETURN_ORIGINS: origins,
    // The Drop-In UI against the sandbox's stand-in script (HitPay's own script cannot be loaded here).
    HITPAY_DROP_IN_DEFAULT_LINK: `${sandboxUrl}/hitpay/checkout`,
    HITPAY_DROP_IN_SCRIPT_URL: `${sandboxUrl}/hitpay/drop-in.js`,

    CASHFLOWS_CONFIGURATION_ID: c.cashflows.configurationId,
    CASHFLOWS_API_KEY: c.cashflows.apiKey,
    CASHFLOWS_API_BASE_URL: `${sandboxUrl}/cashflows`,
    CASHFLOWS_WEBHOOK_URL: `${backendUrl}/hooks/cashflows/cashflows`,
    CASHFLOWS_RETURN_URL: returnUrl,
    CASHFLOWS_ALLOWED_RETURN_ORIGINS: origins,

    NETVALVE_CLIENT_ID: c.netvalve.clientId,
    NETVALVE_API_KEY: c.netvalve.apiKey,
    NETVALVE_MID_ID: c.netvalve.midId,
    NETVALVE_HPP_API_BASE_URL: `${sandboxUrl}/netvalve/hpp`,
    NETVALVE_PAYMENT_API_BASE_URL: `${sandboxUrl}/netvalve/payment`,
    NETVALVE_WEBHOOK_HEADER_NAME: c.netvalve.webhookHeaderName,
    NETVALVE_WEBHOOK_HEADER_VALUE: c.netvalve.webhookHeaderValue,
    NETVALVE_RETURN_URL: returnUrl,
    NETVALVE_ALLOWED_RETURN_ORIGINS: origins,

    CATALYSTPAY_API_KEY: c.catalystpay.apiKey,
    CATALYSTPAY_WEBHOOK_SECRET: c.catalystpay.webhookSecret,
    CATALYSTPAY_GATEWAY_ID: c.catalystpay.gatewayId,
    CATALYSTPAY_API_BASE_URL: `${sandboxUrl}/catalystpay/api/v1`,
    CATALYSTPAY_RETURN_URL: returnUrl,
    CATALYSTPAY_ALLOWED_RETURN_ORIGINS: origins,
  }
}

/**
 * What a stand-in for the store answers a gateway's webhook with: Cashflows redelivers until the reply echoes
 * both of its references; any other gateway takes a 2xx.
 */
function webhookAcknowledgement(gateway, body) {
  if (gateway !== "cashflows") return "ok"
  try {
    const { paymentJobReference, paymentReference } = JSON.parse(body)
    return JSON.stringify({ paymentJobReference, paymentReference })
  } catch {
    return "ok"
  }
}

/** A received webhook's headers without those of its connection, so that it can be delivered again as it came. */
function replayableHeaders(headers) {
  const out = {}
  for (const [name, value] of Object.entries(headers)) {
    if (["host", "content-length", "connection", "transfer-encoding"].includes(name)) continue
    out[name] = value
  }
  return out
}

module.exports = { CREDENTIALS, sandboxCredentials, gatewayEnv, replayableHeaders, webhookAcknowledgement }
