/**
 * Runs the sandbox next to `medusa develop`:
 *   SANDBOX_HITPAY_API_KEY=... SANDBOX_HITPAY_SALT=... node .medusa/server/src/sandbox/cli.js
 *   (or: npx ts-node src/sandbox/cli.ts)
 * A gateway is served when its credentials are set; the rest answer 404. Every variable is listed in
 * `readSandboxEnv` below and printed by `--help`.
 */
import { GATEWAYS } from "./types"
import { SandboxOptions, startSandbox } from "./index"

type Env = Record<string, string | undefined>

const HELP = `medusa-payment-hpp sandbox: local stand-ins for HitPay, Cashflows, NetValve and CatalystPay.

General
  SANDBOX_PORT (default 4010)  SANDBOX_HOST (default 127.0.0.1)  SANDBOX_PUBLIC_URL  SANDBOX_MERCHANT_NAME
  SANDBOX_LATENCY_MS  SANDBOX_DUPLICATE_WEBHOOKS=true  SANDBOX_REORDER_WEBHOOKS=true
  SANDBOX_WEBHOOK_MAX_ATTEMPTS (6)  SANDBOX_WEBHOOK_INITIAL_DELAY_MS (1000)  SANDBOX_WEBHOOK_TIMEOUT_MS (5000)
  SANDBOX_WEBHOOK_ALLOW_NON_LOOPBACK=true   (deliver webhooks to hosts other than localhost)
HitPay        SANDBOX_HITPAY_API_KEY  SANDBOX_HITPAY_SALT  SANDBOX_HITPAY_V2_WEBHOOK_URL  SANDBOX_HITPAY_V2_SALT
Cashflows     SANDBOX_CASHFLOWS_CONFIGURATION_ID  SANDBOX_CASHFLOWS_API_KEY  SANDBOX_CASHFLOWS_WEBHOOK_URL
NetValve      SANDBOX_NETVALVE_CLIENT_ID  SANDBOX_NETVALVE_API_KEY  SANDBOX_NETVALVE_WEBHOOK_URL
              SANDBOX_NETVALVE_WEBHOOK_HEADER_NAME  SANDBOX_NETVALVE_WEBHOOK_HEADER_VALUE  SANDBOX_NETVALVE_AUTHORISE_ONLY=true
CatalystPay   SANDBOX_CATALYSTPAY_API_KEY  SANDBOX_CATALYSTPAY_WEBHOOK_SECRET  SANDBOX_CATALYSTPAY_WEBHOOK_URL
              SANDBOX_CATALYSTPAY_SUCCESS_URL  SANDBOX_CATALYSTPAY_FAILURE_URL  SANDBOX_CATALYSTPAY_VERIFICATION_DELAY_MS (1500)
`

const flag = (value: string | undefined) => value !== undefined && /^(1|true|yes|on)$/i.test(value.trim())

function integer(env: Env, name: string): number | undefined {
  const value = env[name]?.trim()
  if (!value) return undefined
  if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number, not "${value}"`)
  return Number(value)
}

/** The sandbox's options from SANDBOX_* variables. A gateway needs both of its credentials, or neither. */
export function readSandboxEnv(env: Env): SandboxOptions {
  const pair = (gateway: string, a: string, b: string): [string, string] | undefined => {
    const first = env[a]?.trim()
    const second = env[b]?.trim()
    if (!first && !second) return undefined
    if (!first || !second) throw new Error(`${gateway} needs both ${a} and ${b}`)
    return [first, second]
  }
  const hitpay = pair("HitPay", "SANDBOX_HITPAY_API_KEY", "SANDBOX_HITPAY_SALT")
  const cashflows = pair("Cashflows", "SANDBOX_CASHFLOWS_CONFIGURATION_ID", "SANDBOX_CASHFLOWS_API_KEY")
  const netvalve = pair("NetValve", "SANDBOX_NETVALVE_CLIENT_ID", "SANDBOX_NETVALVE_API_KEY")
  const catalystpay = pair("CatalystPay", "SANDBOX_CATALYSTPAY_API_KEY", "SANDBOX_CATALYSTPAY_WEBHOOK_SECRET")
  const optional = (name: string) => env[name]?.trim() || undefined
  return {
    port: integer(env, "SANDBOX_PORT") ?? 4010,
    host: optional("SANDBOX_HOST"),
    publicUrl: optional("SANDBOX_PUBLIC_URL"),
    merchantName: optional("SANDBOX_MERCHANT_NAME"),
    hitpay: hitpay && {
      apiKey: hitpay[0],
      salt: hitpay[1],
      v2WebhookUrl: optional("SANDBOX_HITPAY_V2_WEBHOOK_URL"),
      v2Salt: optional("SANDBOX_HITPAY_V2_SALT"),
    },
    cashflows: cashflows && {
      configurationId: cashflows[0],
      apiKey: cashflows[1],
      webhookUrl: optional("SANDBOX_CASHFLOWS_WEBHOOK_URL"),
    },
    netvalve: netvalve && {
      clientId: netvalve[0],
      apiKey: netvalve[1],
      webhookUrl: optional("SANDBOX_NETVALVE_WEBHOOK_URL"),
      webhookHeaderName: optional("SANDBOX_NETVALVE_WEBHOOK_HEADER_NAME"),
      webhookHeaderValue: optional("SANDBOX_NETVALVE_WEBHOOK_HEADER_VALUE"),
      authoriseOnly: flag(env.SANDBOX_NETVALVE_AUTHORISE_ONLY),
    },
    catalystpay: catalystpay && {
      apiKey: catalystpay[0],
      webhookSecret: catalystpay[1],
      webhookUrl: optional("SANDBOX_CATALYSTPAY_WEBHOOK_URL"),
      successRedirectUrl: optional("SANDBOX_CATALYSTPAY_SUCCESS_URL"),
      failureRedirectUrl: optional("SANDBOX_CATALYSTPAY_FAILURE_URL"),
      verificationDelayMs: integer(env, "SANDBOX_CATALYSTPAY_VERIFICATION_DELAY_MS"),
    },
    faults: {
      latencyMs: integer(env, "SANDBOX_LATENCY_MS"),
      duplicateWebhooks: flag(env.SANDBOX_DUPLICATE_WEBHOOKS),
      reorderWebhooks: flag(env.SANDBOX_REORDER_WEBHOOKS),
    },
    webhooks: Object.fromEntries(
      Object.entries({
        maxAttempts: integer(env, "SANDBOX_WEBHOOK_MAX_ATTEMPTS"),
        initialDelayMs: integer(env, "SANDBOX_WEBHOOK_INITIAL_DELAY_MS"),
        timeoutMs: integer(env, "SANDBOX_WEBHOOK_TIMEOUT_MS"),
        allowNonLoopback:
          env.SANDBOX_WEBHOOK_ALLOW_NON_LOOPBACK === undefined
            ? undefined
            : flag(env.SANDBOX_WEBHOOK_ALLOW_NON_LOOPBACK),
      }).filter(([, v]) => v !== undefined)
    ),
  }
}

async function main(): Promise<void> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    process.stdout.write(HELP)
    return
  }
  const options = readSandboxEnv(process.env)
  const sandbox = await startSandbox(options)
  const lines = [
    `Payment gateway sandbox listening on ${sandbox.url} (hosted pages at ${sandbox.publicUrl})`,
    options.hitpay
      ? `  HitPay       apiBaseUrl         ${sandbox.baseUrls.hitpay}`
      : "  HitPay       not configured (SANDBOX_HITPAY_API_KEY, SANDBOX_HITPAY_SALT)",
    options.cashflows
      ? `  Cashflows    apiBaseUrl         ${sandbox.baseUrls.cashflows}`
      : "  Cashflows    not configured (SANDBOX_CASHFLOWS_CONFIGURATION_ID, SANDBOX_CASHFLOWS_API_KEY)",
    options.netvalve
      ? `  NetValve     hppApiBaseUrl      ${sandbox.baseUrls.netvalveHpp}\n               paymentApiBaseUrl  ${sandbox.baseUrls.netvalvePayment}`
      : "  NetValve     not configured (SANDBOX_NETVALVE_CLIENT_ID, SANDBOX_NETVALVE_API_KEY)",
    options.catalystpay
      ? `  CatalystPay  apiBaseUrl         ${sandbox.baseUrls.catalystpay}`
      : "  CatalystPay  not configured (SANDBOX_CATALYSTPAY_API_KEY, SANDBOX_CATALYSTPAY_WEBHOOK_SECRET)",
  ]
  if (!GATEWAYS.some((g) => options[g])) lines.push("No gateway configured: set the variables above (see --help).")
  process.stdout.write(lines.join("\n") + "\n")
  const stop = () => {
    void sandbox.close().then(() => process.exit(0))
  }
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`sandbox: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  })
}
