import { model } from "@medusajs/framework/utils"

/**
 * When the reconciliation job last asked the gateway about an open payment session, and when it asks next: an
 * abandoned page is asked less and less often as it ages (src/reconciliation/schedule.ts), and a page the gateway
 * reports ended for good (`done_at`) is not asked again. One row per session the job has asked about; rows of
 * sessions past every provider's window are deleted by the job.
 */
export const HppReconcileAsk = model
  .define("hpp_reconcile_ask", {
    payment_session_id: model.text().primaryKey(),
    provider_id: model.text(),
    asks: model.number().default(0),
    last_asked_at: model.dateTime().nullable(),
    next_ask_at: model.dateTime(),
    last_answer: model.text().nullable(),
    /** The last question's decision (src/reconciliation: "still pending at the gateway", "failed", …). */
    last_decision: model.text().nullable(),
    done_at: model.dateTime().nullable(),
  })
  .indexes([
    { on: ["provider_id", "next_ask_at"], where: "done_at IS NULL" },
    { on: ["provider_id"], where: "last_decision = 'failed' AND done_at IS NULL" },
  ])

/**
 * A gateway that asked the job to leave it alone for a while (a 429 with `Retry-After`): no run asks it before
 * `paused_until`, on any instance.
 */
export const HppReconcilePause = model.define("hpp_reconcile_pause", {
  gateway: model.text().primaryKey(),
  paused_until: model.dateTime(),
  reason: model.text(),
})

/** The job's run lease: one run at a time on every instance sharing the database (src/reconciliation/asks.ts). */
export const HppReconcileRun = model.define("hpp_reconcile_run", {
  name: model.text().primaryKey(),
  owner: model.text(),
  expires_at: model.dateTime(),
})
