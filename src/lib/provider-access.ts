import type { MedusaContainer } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import type { HostedPaymentProvider } from "./hosted-provider"

/**
 * The one place the plugin reaches past Medusa's public payment module API: its provider service, which the
 * module keeps as the private `paymentProviderService_` (Medusa 2.21). The reconciliation asks a provider for a
 * session's status and closes pages left open through it; the admin's "status now" and "Test connection" reach
 * the provider's own code through it (no second gateway client). The integration tests guard it: they fail when a
 * Medusa upgrade moves it.
 */
export type ProviderService = {
  getStatus(provider: string, input: { data: Record<string, unknown> }): Promise<{ status: string }>
  deleteSession(provider: string, input: { data: Record<string, unknown> }): Promise<unknown>
  retrieveProvider(provider: string): unknown
}

/** The payment module's provider service, where this Medusa has it. */
export function providerService(container: MedusaContainer): ProviderService | undefined {
  const payment = container.resolve(Modules.PAYMENT) as unknown as {
    paymentProviderService_?: Partial<ProviderService>
  }
  const providers = payment.paymentProviderService_
  return providers &&
    typeof providers.getStatus === "function" &&
    typeof providers.deleteSession === "function" &&
    typeof providers.retrieveProvider === "function"
    ? (providers as ProviderService)
    : undefined
}

/** One of the plugin's providers, the instance Medusa registered (`pp_<gateway>_<id>`); undefined otherwise. */
export function hostedProvider(
  container: MedusaContainer,
  providerId: string
): HostedPaymentProvider<never, never> | undefined {
  const service = providerService(container)
  if (!service) return undefined
  let provider: unknown
  try {
    provider = service.retrieveProvider(providerId)
  } catch {
    return undefined
  }
  const candidate = provider as Partial<HostedPaymentProvider<never, never>> | undefined
  return candidate &&
    typeof candidate.testConnection === "function" &&
    typeof candidate.gatewayStatusNow === "function" &&
    typeof candidate.statusWithReason === "function"
    ? (candidate as HostedPaymentProvider<never, never>)
    : undefined
}
