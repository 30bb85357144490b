import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query"
import type {
  HppAttentionResponse,
  HppConnectionTestResponse,
  HppEventsResponse,
  HppGatewayStatusResponse,
  HppHandledResponse,
  HppOrderPaymentsResponse,
  HppProvidersResponse,
  HppReconcileResponse,
} from "../../api/admin/hpp/types"
import { sdk } from "./sdk"

/**
 * The plugin's admin routes (`/admin/hpp/…`) as react-query hooks, on the admin's own query client (the one the
 * dashboard provides). Every key starts with "hpp", so that one invalidation refreshes everything of the plugin.
 */
const keys = {
  all: ["hpp"] as const,
  providers: ["hpp", "providers"] as const,
  orderPayments: (orderId: string) => ["hpp", "order-payments", orderId] as const,
  gatewayStatus: (sessionId: string) => ["hpp", "gateway-status", sessionId] as const,
  events: (query: EventsQuery) => ["hpp", "events", query] as const,
  attention: (offset: number, limit: number) => ["hpp", "attention", { offset, limit }] as const,
}

const id = (value: string) => encodeURIComponent(value)

export function useHppProviders() {
  return useQuery({
    queryKey: keys.providers,
    queryFn: () => sdk.client.fetch<HppProvidersResponse>("/admin/hpp/providers"),
  })
}

export function useTestConnection(providerId: string) {
  return useMutation({
    mutationFn: () =>
      sdk.client.fetch<HppConnectionTestResponse>(`/admin/hpp/providers/${id(providerId)}/test-connection`, {
        method: "POST",
      }),
  })
}

export function useOrderHostedPayments(orderId: string) {
  return useQuery({
    queryKey: keys.orderPayments(orderId),
    queryFn: () => sdk.client.fetch<HppOrderPaymentsResponse>(`/admin/hpp/orders/${id(orderId)}/payments`),
    enabled: Boolean(orderId),
  })
}

/** Asks the gateway now: once when the widget opens, again on "refresh"; never retried behind the admin's back. */
export function useGatewayStatus(sessionId: string) {
  return useQuery({
    queryKey: keys.gatewayStatus(sessionId),
    queryFn: () =>
      sdk.client.fetch<HppGatewayStatusResponse>(`/admin/hpp/payment-sessions/${id(sessionId)}/gateway-status`),
    retry: false,
    staleTime: 0,
    refetchOnWindowFocus: false,
  })
}

export type EventsQuery = { provider_id?: string; payment_session_id?: string; limit?: number; offset?: number }

export function useHppEvents(query: EventsQuery) {
  return useQuery({
    queryKey: keys.events(query),
    queryFn: () => sdk.client.fetch<HppEventsResponse>("/admin/hpp/events", { query }),
  })
}

export function useNeedsAttention(offset: number, limit: number) {
  return useQuery({
    queryKey: keys.attention(offset, limit),
    queryFn: () => sdk.client.fetch<HppAttentionResponse>("/admin/hpp/attention", { query: { offset, limit } }),
    placeholderData: (previous) => previous,
  })
}

export function useMarkHandled() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (itemId: string) =>
      sdk.client.fetch<HppHandledResponse>(`/admin/hpp/attention/${id(itemId)}/handled`, { method: "POST" }),
    onSettled: () => client.invalidateQueries({ queryKey: keys.all }),
  })
}

/** "Check with the gateway now": the reconciliation of one payment session, then everything refreshed. */
export function useReconcile() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (sessionId: string) =>
      sdk.client.fetch<HppReconcileResponse>(`/admin/hpp/payment-sessions/${id(sessionId)}/reconcile`, {
        method: "POST",
      }),
    onSettled: () => client.invalidateQueries({ queryKey: keys.all }),
  })
}

/** The message of a failed call: the route's `{ message }` (FetchError carries it), else a generic one. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message
  return "The request failed."
}
