import { PaymentSessionStatus } from "@medusajs/framework/utils"
import type { z } from "zod"
import { invalidData } from "./errors"
import { endedAsFailedDeferred } from "./deferred-payment"
import type { HppSessionData, LegacyKeys } from "./session"

export type SessionRow = {
  id: string
  provider_id: string
  /** Medusa's status of the session: `authorized` once Medusa holds a payment for it. */
  status?: string | null
  data: Record<string, unknown> | null
  deleted_at?: Date | string | null
  metadata?: Record<string, unknown> | null
}

/** The part of the payment module's session service a provider uses: find sessions by id or stored data. */
export type SessionStore = {
  list(filters: Record<string, unknown>, config?: Record<string, unknown>): Promise<SessionRow[]>
}

/** What the lookup knows of a provider: its gateway, its session data, and the start of its ids in Medusa. */
export type LookupSpec<S extends HppSessionData> = {
  name: string
  pageName: string
  session: z.ZodType<S, z.ZodTypeDef, unknown>
  legacyKeys: LegacyKeys
  /** `pp_hitpay_`: every id the provider may be registered under starts so. */
  providerPrefix: string
}

/**
 * How a webhook finds its payment session: by the session id it names, or by the gateway's reference stored
 * in the session's data (indexed by the plugin's migration script). `store` reads the payment module's
 * session service on use; it is undefined where the module does not lend it.
 */
export class SessionLookup<S extends HppSessionData> {
  constructor(
    private readonly spec: LookupSpec<S>,
    private readonly store: () => SessionStore | undefined
  ) {}

  /**
   * The payment session a verified webhook is about, if it is live (not deleted), belongs to a provider of
   * this gateway, and holds the page the webhook names. Medusa's webhook processing trusts the session id it
   * is given, and for an id that does not exist it completes an arbitrary cart: so nothing else gets through.
   */
  async find(found: {
    sessionId?: string
    gatewayReference?: string
  }): Promise<{ session: S; authorized: boolean; deferred: boolean; failedDeferred: boolean } | { reason: string }> {
    const { name, pageName } = this.spec
    const what = found.sessionId ?? `the session holding ${pageName} ${found.gatewayReference}`
    const rows = await this.findSessions(found)
    const prefix = this.spec.providerPrefix
    const live = rows.filter((row) => row.provider_id.startsWith(prefix) && !row.deleted_at)
    for (const row of live) {
      const parsed = this.spec.session.safeParse(row.data ?? {})
      if (!parsed.success || parsed.data.session_id !== row.id) continue
      if (found.gatewayReference !== undefined && parsed.data.gateway_reference !== found.gatewayReference) {
        return {
          reason:
            `session ${row.id} holds ${pageName} ${parsed.data.gateway_reference}, not ${found.gatewayReference} ` +
            `(a page replaced after a cart change: if it was paid, refund it at ${name})`,
        }
      }
      return {
        session: parsed.data,
        authorized: row.status === PaymentSessionStatus.AUTHORIZED,
        // A deferred payment (a SEPA debit) whose order exists, awaiting payment; or one that ended unpaid after its
        // order (the flag `deferredPaymentFailed` sets, src/lib/deferred-payment.ts).
        deferred: row.status === PaymentSessionStatus.PENDING_AUTHORIZATION,
        failedDeferred: endedAsFailedDeferred(row),
      }
    }
    return {
      reason:
        `${what} is not a live payment session of this provider ` +
        `(deleted after a cart change, or another store's: if it was paid, refund it at ${name})`,
    }
  }

  private async findSessions({
    sessionId,
    gatewayReference,
  }: {
    sessionId?: string
    gatewayReference?: string
  }): Promise<SessionRow[]> {
    const store = this.sessionStore()
    const config = { select: ["id", "provider_id", "status", "data", "deleted_at", "metadata"], take: 5 }
    if (sessionId) {
      return store.list({ id: sessionId }, config)
    }
    if (!gatewayReference) {
      return []
    }
    const legacy = this.spec.legacyKeys.gateway_reference
    const [current, old] = await Promise.all([
      store.list({ data: { gateway_reference: gatewayReference } }, config),
      legacy ? store.list({ data: { [legacy]: gatewayReference } }, config) : Promise.resolve([]),
    ])
    return [...current, ...old]
  }

  /** The session store, or an error saying what its absence means here. */
  private sessionStore(): SessionStore {
    const store = this.store()
    if (!store) {
      throw invalidData(
        this.spec.name,
        "the payment module's session store is not available to the provider; cannot match the webhook to a session"
      )
    }
    return store
  }
}
