/**
 * The benchmark's floor: a payment provider that does no work at all. Its session is created with no gateway and
 * it answers "captured" at once, so a checkout through it costs only what Medusa itself costs. Registered by
 * medusa-config.ts as `pp_zero_floor` when HPP_BENCH_FLOOR_PROVIDER points at this file (only `npm run bench` does).
 *
 * Registered a second time as `pp_zero_reference` with `{ reference: true }`: still no work, but its session hands
 * back a reference and a page address, as every hosted-page provider must (the storefront redirects to it). Medusa
 * then writes the session's data once more than for the floor, whose answer adds nothing to it (Medusa finds no
 * change and skips the write); the benchmark measures that cost of Medusa's against the floor, so that it is not
 * mistaken for the plugin's.
 */
import { randomUUID } from "node:crypto"
import type {
  AuthorizePaymentInput,
  AuthorizePaymentOutput,
  CancelPaymentInput,
  CancelPaymentOutput,
  CapturePaymentInput,
  CapturePaymentOutput,
  DeletePaymentInput,
  DeletePaymentOutput,
  GetPaymentStatusInput,
  GetPaymentStatusOutput,
  InitiatePaymentInput,
  InitiatePaymentOutput,
  ProviderWebhookPayload,
  RefundPaymentInput,
  RefundPaymentOutput,
  RetrievePaymentInput,
  RetrievePaymentOutput,
  UpdatePaymentInput,
  UpdatePaymentOutput,
  WebhookActionResult,
} from "@medusajs/framework/types"
import { AbstractPaymentProvider, ModuleProvider, Modules, PaymentActions } from "@medusajs/framework/utils"

type Options = { reference?: boolean }

class ZeroWorkProviderService extends AbstractPaymentProvider<Options> {
  static identifier = "zero"
  private readonly reference: boolean

  constructor(cradle: Record<string, unknown>, options: Options = {}) {
    super(cradle, options)
    this.reference = options.reference === true
  }

  async initiatePayment(_input: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    const id = randomUUID()
    return { id, data: this.reference ? { reference: id, checkout_url: `http://127.0.0.1/pay/${id}` } : {} }
  }
  async authorizePayment(input: AuthorizePaymentInput): Promise<AuthorizePaymentOutput> {
    return { status: "captured", data: input.data }
  }
  async capturePayment(input: CapturePaymentInput): Promise<CapturePaymentOutput> {
    return { data: input.data }
  }
  async cancelPayment(input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    return { data: input.data }
  }
  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    return { data: input.data }
  }
  async refundPayment(input: RefundPaymentInput): Promise<RefundPaymentOutput> {
    return { data: input.data }
  }
  async retrievePayment(input: RetrievePaymentInput): Promise<RetrievePaymentOutput> {
    return { data: input.data }
  }
  async updatePayment(input: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    return { data: input.data }
  }
  async getPaymentStatus(input: GetPaymentStatusInput): Promise<GetPaymentStatusOutput> {
    return { status: "captured", data: input.data }
  }
  async getWebhookActionAndData(_payload: ProviderWebhookPayload["payload"]): Promise<WebhookActionResult> {
    return { action: PaymentActions.NOT_SUPPORTED }
  }
}

export default ModuleProvider(Modules.PAYMENT, { services: [ZeroWorkProviderService] })
