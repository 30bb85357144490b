/**
 * `npm run bench -- --reconcile`'s runs of the reconciliation, inside Medusa (through `medusa exec`, on the
 * benchmark's database and sandbox): the same function the scheduled job calls, at times the benchmark chooses
 * (`now`), so that hours of a store pass in minutes. Writes what each run did to the file HPP_BENCH_RECONCILE_OUT.
 */
import fs from "node:fs"
import type { ExecArgs } from "@medusajs/framework/types"
import { reconcileHostedPayments } from "../../src/reconciliation"

type Plan = {
  paidSessionId: string
  /** When the paid session was made (ms). */
  madeAt: number
  /** The abandoned sessions seeded. */
  abandoned: number
  out: string
}

export default async function reconcileRuns({ container }: ExecArgs) {
  const plan = JSON.parse(process.env.HPP_BENCH_RECONCILE ?? "{}") as Plan
  const minute = 60_000
  const runs: Record<string, unknown>[] = []
  const run = async (label: string, minutes: number, options: { ratePerSecond?: number; runSeconds?: number }) => {
    const started = performance.now()
    const results = await reconcileHostedPayments(container, {
      now: new Date(plan.madeAt + minutes * minute),
      ...options,
    })
    const ms = performance.now() - started
    const paidAt = results.findIndex((r) => r.sessionId === plan.paidSessionId)
    const entry = {
      label,
      minutes,
      ...options,
      asked: results.length,
      ms: Math.round(ms),
      decisions: tally(results.map((r) => r.decision)),
      paidPosition: paidAt === -1 ? null : paidAt + 1,
      paidDecision: paidAt === -1 ? null : results[paidAt].decision,
      sessions: results.map((r) => r.sessionId),
    }
    runs.push(entry)
    console.error(`[reconcile-run] ${label}: asked ${entry.asked} in ${entry.ms} ms`)
    return entry
  }
  // The first run after the paid session's grace period (10 minutes), at the provider's own rate (HitPay: 2 a
  // second), cut to 15 s: where in the run the paid session comes, and its decision.
  await run("first run after the grace period (HitPay's default rate, first 15 s)", 11, { runSeconds: 15 })
  // Then every 5 minutes of the store's time, as fast as this machine goes (a rate no gateway would allow), until
  // every abandoned session has been asked once: how many runs and questions reaching all of them takes.
  const reached = new Set<string>()
  for (const r of runs) for (const s of r.sessions as string[]) reached.add(s)
  for (let k = 1; reached.size < plan.abandoned + 1 && k <= 60; k++) {
    const entry = await run(`run ${k + 1}`, 11 + 5 * k, { ratePerSecond: 1000, runSeconds: 240 })
    for (const s of entry.sessions) reached.add(s)
    if (entry.asked === 0) break
  }
  fs.writeFileSync(
    plan.out,
    JSON.stringify(
      {
        runs: runs.map(({ sessions, ...r }) => ({ ...r, distinct: (sessions as string[]).length })),
        reached: reached.size,
      },
      null,
      1
    )
  )
}

function tally(list: string[]) {
  const out: Record<string, number> = {}
  for (const x of list) out[x] = (out[x] ?? 0) + 1
  return out
}
