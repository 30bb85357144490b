import { MedusaError } from "@medusajs/framework/utils"
import { z, ZodError, ZodTypeAny } from "zod"
import { isAddressOrRange } from "./webhook-sender"

/**
 * A provider's options as a store configures them: the schema, the environment variable each option is
 * read from (`optionsFromEnv` and the boot errors use the same map), and the names an earlier version
 * used, which keep working with a warning at boot.
 */
export type OptionsSpec<S extends ZodTypeAny> = {
  /** The gateway as an admin knows it ("HitPay"). */
  gateway: string
  schema: S
  /** Option name → the environment variable it is read from. */
  env: Record<string, string>
  /** Deprecated option name → its current name and the variable it used to be read from. */
  renamed?: Record<string, { use: string; env?: string }>
  /** The gateway's own word for its test system, accepted for `environment` as "sandbox", with a warning. */
  sandboxWord?: string
}

export type ParsedOptions<O> = { options: O; warnings: string[] }

/** A gateway's options spec, each option read from `<PREFIX>_<OPTION_IN_UPPER_SNAKE_CASE>`. */
export function optionsSpec<S extends z.AnyZodObject>(
  gateway: string,
  prefix: string,
  schema: S,
  aliases: Pick<OptionsSpec<S>, "renamed" | "sandboxWord"> = {}
): OptionsSpec<S> {
  return { gateway, schema, env: envNames(prefix, schema.shape), ...aliases }
}

/**
 * Parses a provider's options at boot. Any problem stops Medusa with one line that names the provider,
 * the option, what is wrong, and the environment variable it comes from. A deprecated name or word is
 * taken as its current one, and said in `warnings` (the provider logs them once at boot).
 */
export function parseProviderOptions<S extends ZodTypeAny>(
  spec: OptionsSpec<S>,
  raw: unknown
): ParsedOptions<z.output<S>> {
  const { input, warnings } = withCurrentNames(spec, raw)
  const result = spec.schema.safeParse(input)
  if (result.success) {
    return { options: result.data, warnings }
  }
  throw new MedusaError(
    MedusaError.Types.INVALID_DATA,
    describeOptionErrors(spec.gateway, result.error, input, spec.env)
  )
}

function withCurrentNames(
  spec: OptionsSpec<ZodTypeAny>,
  raw: unknown
): { input: Record<string, unknown>; warnings: string[] } {
  const input: Record<string, unknown> = { ...((raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>) }
  const warnings: string[] = []
  const hint = (option: string) => (spec.env[option] ? ` (${spec.env[option]})` : "")
  for (const [old, { use, env }] of Object.entries(spec.renamed ?? {})) {
    const value = blankToUndefined(input[old])
    delete input[old]
    if (value === undefined) continue
    warnings.push(
      `option "${old}"${env ? ` (${env})` : ""} is deprecated: use "${use}"${hint(use)}` +
        (blankToUndefined(input[use]) === undefined ? "" : `; "${use}" is set too and wins`)
    )
    if (blankToUndefined(input[use]) === undefined) input[use] = value
  }
  const environment = input.environment
  if (spec.sandboxWord && typeof environment === "string" && environment.trim().toLowerCase() === spec.sandboxWord) {
    warnings.push(`environment "${spec.sandboxWord}" is deprecated: use "sandbox"${hint("environment")}`)
    input.environment = "sandbox"
  }
  return { input, warnings: warnings.map((w) => `${spec.gateway} payment provider: ${w}`) }
}

/** The provider's options read from the environment, by the same map the boot errors name. */
export function optionsFromEnv(
  spec: OptionsSpec<ZodTypeAny>,
  env: NodeJS.ProcessEnv = process.env
): Record<string, string> {
  const options: Record<string, string> = {}
  const read = (option: string, variable: string | undefined) => {
    const value = variable ? env[variable] : undefined
    if (value !== undefined && value.trim() !== "") options[option] = value
  }
  for (const [option, variable] of Object.entries(spec.env)) read(option, variable)
  for (const [old, { env: variable }] of Object.entries(spec.renamed ?? {})) read(old, variable)
  return options
}

/**
 * The environment variable of each option: the gateway's prefix and the option's name in upper snake case
 * (`apiKey` → `HITPAY_API_KEY`, `v2WebhookSalt` → `HITPAY_V2_WEBHOOK_SALT`), the same rule for every gateway.
 */
export function envNames<K extends string>(prefix: string, options: Record<K, unknown>): Record<K, string> {
  const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()
  return Object.fromEntries(Object.keys(options).map((option) => [option, `${prefix}_${snake(option)}`])) as Record<
    K,
    string
  >
}

/**
 * The options every hosted-page provider has, under the same names. `reconcileForHours` defaults to what
 * the gateway's slowest method needs (SEPA takes days, cards minutes).
 */
export const hostedPageOptions = ({
  reconcileForHours = 72,
  reconcileRatePerSecond = 2,
}: { reconcileForHours?: number; reconcileRatePerSecond?: number } = {}) => ({
  /** "sandbox" (the default) or "production": picks the gateway's hosts. */
  environment: environmentOption(),
  /** The default return URL when the storefront sends none; its origin is always allowed. */
  returnUrl: optionalUrl(),
  /** Further origins a storefront-supplied `return_url` may point to. */
  allowedReturnOrigins: originList(),
  /** Per-request timeout to the gateway. */
  timeoutMs: positiveInt(15_000),
  /** Whether the reconciliation job asks the gateway about sessions whose webhook never came. */
  reconcile: booleanish(true),
  /** How long after a session was created the job first asks (its webhook usually comes sooner). */
  reconcileAfterMinutes: positiveInt(10),
  /** Until how long after a session was created the job keeps asking; older ones are left alone. */
  reconcileForHours: positiveInt(reconcileForHours),
  /**
   * How many questions a second the job may put to the gateway for this provider (a fraction for fewer: 0.5 is one
   * every two seconds), under the gateway's limit with room left for buyers' returns and webhooks' confirmations.
   */
  reconcileRatePerSecond: positiveNumber(reconcileRatePerSecond),
  /** The addresses and CIDR ranges that may post the provider's webhooks; empty (the default) lets everyone. */
  webhookAllowedIps: addressList(),
  /** How many proxies in front of Medusa write X-Forwarded-For for the allow-list; 0 reads the connection's address. */
  webhookTrustedProxies: wholeNumber(0),
})

/** The options every hosted-page provider has, parsed. */
export type HostedPageOptions = z.output<z.ZodObject<ReturnType<typeof hostedPageOptions>>>

/** `environment`: "sandbox" (the default) or "production", in every provider. */
export const environmentOption = () =>
  z.preprocess(
    (value) => (typeof value === "string" ? blankToUndefined(value.trim().toLowerCase()) : value),
    z.enum(["sandbox", "production"], { message: 'must be "sandbox" or "production"' }).default("sandbox")
  )

function describeOptionErrors(
  provider: string,
  error: ZodError,
  raw: unknown,
  envHints: Partial<Record<string, string>>
): string {
  const known = Object.keys(envHints)
  const problems = error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys
        .map((key) => {
          const guess = known.find((k) => k.toLowerCase() === key.toLowerCase())
          return `unknown option "${key}"${guess ? ` (did you mean "${guess}"?)` : ""}`
        })
        .join("; ")
    }
    const name = issue.path.join(".") || "(options)"
    const top = String(issue.path[0] ?? "")
    const hint = envHints[top] ? ` (set ${envHints[top]})` : ""
    const given = top && raw && typeof raw === "object" ? (raw as Record<string, unknown>)[top] : undefined
    if (given === undefined || given === "" || given === null) {
      if (issue.code === "invalid_type" || issue.code === "too_small") {
        return `option "${name}" is missing${hint}`
      }
    }
    return `option "${name}" ${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}${hint}`
  })
  return `${provider} payment provider: ${problems.join("; ")}`
}

// Building blocks every provider's option schema shares. Environment variables arrive as strings, so
// lists may be comma-separated and switches may be "true"/"false".

export const blankToUndefined = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value

/** A required non-empty string (a credential). */
export const requiredString = () =>
  z.preprocess(blankToUndefined, z.string({ required_error: "is missing" }).trim().min(1))

/** An optional absolute http(s) URL. */
export const optionalUrl = () =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .url("must be an absolute URL")
      .refine((u) => /^https?:\/\//i.test(u), "must be an http(s) URL")
      .optional()
  )

/** A comma-separated string as its items; anything else as it is. */
const commaSeparated = (value: unknown) =>
  typeof value === "string"
    ? value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : value

/** A list given as an array or a comma-separated string. */
export const stringList = () => z.preprocess(commaSeparated, z.array(z.string().trim().min(1)))

/**
 * IP addresses and CIDR ranges, IPv4 or IPv6 (`54.74.58.255`, `10.0.0.0/8`, `2001:db8::/32`), as an array or
 * comma-separated. Empty by default.
 */
export const addressList = () =>
  z.preprocess(
    commaSeparated,
    z
      .array(
        z
          .string()
          .trim()
          .refine(isAddressOrRange, (value) => ({
            message: `has "${value}", which is not an IP address or a CIDR range`,
          }))
      )
      .default([])
  )

/** Origins (scheme://host[:port]) that a storefront's return URL may point to. */
export const originList = () =>
  z.preprocess(
    commaSeparated,
    z
      .array(
        z
          .string()
          .trim()
          .transform((value, ctx) => {
            try {
              const url = new URL(value)
              if (!/^https?:$/.test(url.protocol)) throw new Error()
              return url.origin
            } catch {
              ctx.addIssue({ code: z.ZodIssueCode.custom, message: `has "${value}", which is not an http(s) origin` })
              return z.NEVER
            }
          })
      )
      .default([])
  )

/** true/false, also from "true"/"false"/"1"/"0" strings. */
export const booleanish = (defaultValue: boolean) =>
  z.preprocess((value) => {
    if (typeof value === "string") {
      const v = value.trim().toLowerCase()
      if (["true", "1", "yes"].includes(v)) return true
      if (["false", "0", "no", ""].includes(v)) return v === "" ? undefined : false
    }
    return value
  }, z.boolean().default(defaultValue))

/** A number from a numeric string; blank as unset. */
const numberFromString = (value: unknown) =>
  typeof value === "string" && value.trim() !== "" ? Number(value) : blankToUndefined(value)

/** A whole number, 0 or more, also from a numeric string. */
export const wholeNumber = (defaultValue: number) =>
  z
    .preprocess(
      numberFromString,
      z
        .number({ invalid_type_error: "must be a whole number" })
        .int("must be a whole number")
        .nonnegative("must be 0 or more")
    )
    .default(defaultValue)

/** A positive integer, also from a numeric string. */
export const positiveInt = (defaultValue?: number) => {
  const base = z.preprocess(
    numberFromString,
    z
      .number({ invalid_type_error: "must be a whole number" })
      .int("must be a whole number")
      .positive("must be positive")
  )
  return defaultValue === undefined ? base : base.default(defaultValue)
}

/** A positive number, fractions allowed (a rate); from a numeric string too. */
export const positiveNumber = (defaultValue: number) =>
  z
    .preprocess(numberFromString, z.number({ invalid_type_error: "must be a number" }).positive("must be positive"))
    .default(defaultValue)

/** What a store may say a gateway's status word means, in the words of Medusa's session statuses. */
export const MAPPABLE_STATUSES = ["captured", "authorized", "pending", "error", "canceled"] as const
export type MappableStatus = (typeof MAPPABLE_STATUSES)[number]

/**
 * A store's own table of further gateway words: an object, or "WORD=status,OTHER=status" from the
 * environment. Words are upper-cased, as the gateway's tables compare them.
 */
export const statusMap = () =>
  z.preprocess(
    (value) => {
      if (typeof value !== "string") return value
      const entries = value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
        .map((pair) => {
          const at = pair.indexOf("=")
          return at < 0 ? [pair, ""] : [pair.slice(0, at).trim(), pair.slice(at + 1).trim()]
        })
      return Object.fromEntries(entries)
    },
    z
      .record(
        z.string().trim().min(1),
        z.enum(MAPPABLE_STATUSES, { message: `must be one of ${MAPPABLE_STATUSES.join(", ")} (as WORD=status)` })
      )
      .transform((table) =>
        Object.fromEntries(Object.entries(table).map(([word, status]) => [word.trim().toUpperCase(), status]))
      )
      .default({})
  )
