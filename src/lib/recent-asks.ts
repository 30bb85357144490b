import { MedusaError } from "@medusajs/framework/utils"
import { neverReached } from "./errors"

/**
 * What a provider asked its gateway about lately on behalf of a webhook nobody signed: one question per key
 * (a gateway reference) within `windowMs`, however often the webhook comes. A repeat within the window is not
 * asked: it throws, so that the webhook route answers 503 and the gateway delivers it again, and no delivery is
 * ever acknowledged without a fresh answer.
 *
 * The window runs from the moment the gateway was asked; repeats it turns away do not extend it, so a flood
 * cannot keep a key shut. A question that never reached the gateway (no connection) is forgotten at once: it
 * cost the merchant nothing, and the next delivery asks. Keys are kept only for the window.
 */
export class RecentAsks {
  /** Key → when the gateway was last asked; in the order asked, so the expired ones come first. */
  private readonly asked = new Map<string, number>()

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now
  ) {}

  /** `ask()`, unless `key` was asked about within the window; `what` names it in the refusal ("Cashflows payment job 42"). */
  async once<T>(key: string, what: string, ask: () => Promise<T>): Promise<T> {
    const now = this.now()
    this.forgetBefore(now - this.windowMs)
    const last = this.asked.get(key)
    if (last !== undefined) {
      const seconds = Math.ceil((last + this.windowMs - now) / 1000)
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `${what} was asked about less than ${this.windowMs / 1000} s ago; not asked again for ${seconds} s (deliver it again later)`
      )
    }
    this.asked.set(key, now)
    try {
      return await ask()
    } catch (error) {
      // A reset (even of an idle kept-alive socket the gateway had closed) may have reached it: kept, the safe way.
      if (neverReached((error as Error)?.message ?? "")) this.asked.delete(key)
      throw error
    }
  }

  private forgetBefore(time: number) {
    for (const [key, at] of this.asked) {
      if (at > time) break
      this.asked.delete(key)
    }
  }
}
