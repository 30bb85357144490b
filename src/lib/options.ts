import { MedusaError } from "@medusajs/framework/utils"
import { z, ZodError, ZodTypeAny } from "zod"

/**
 * Parses a provider's options at boot. Any problem stops Medusa with one line that names the provider,
 * the option, what is wrong, and (where the README suggests one) the environment variable it comes from.
 */
export function parseProviderOptions<S extends ZodTypeAny>(
  provider: string,
  schema: S,
  raw: unknown,
  envHints: Partial<Record<string, string>> = {}
): z.output<S> {
  const result = schema.safeParse(raw ?? {})
  if (result.success) {
    return result.data
  }
  throw new MedusaError(MedusaError.Types.INVALID_DATA, describeOptionErrors(provider, result.error, raw, envHints))
}

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

const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value)

/** A required non-empty string (a credential). */
export const requiredString = () => z.preprocess(blankToUndefined, z.string({ required_error: "is missing" }).trim().min(1))

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

/** A list given as an array or a comma-separated string. */
export const stringList = () =>
  z.preprocess((value) => {
    if (typeof value === "string") {
      const items = value.split(",").map((s) => s.trim()).filter(Boolean)
      return items
    }
    return value
  }, z.array(z.string().trim().min(1)))

/** Origins (scheme://host[:port]) that a storefront's return URL may point to. */
export const originList = () =>
  z.preprocess(
    (value) => (typeof value === "string" ? value.split(",").map((s) => s.trim()).filter(Boolean) : value),
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

/** A positive integer, also from a numeric string. */
export const positiveInt = (defaultValue?: number) => {
  const base = z.preprocess(
    (value) => (typeof value === "string" && value.trim() !== "" ? Number(value) : blankToUndefined(value)),
    z.number({ invalid_type_error: "must be a whole number" }).int("must be a whole number").positive("must be positive")
  )
  return defaultValue === undefined ? base : base.default(defaultValue)
}
