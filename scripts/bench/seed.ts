/**
 * `npm run bench`'s seed (through `medusa exec`): the demo's store, plus the benchmark's zero-work provider
 * (`pp_zero_floor`, and `pp_zero_reference`) in every gateway's region, so that the same kind of cart can be paid through either.
 */
import fs from "node:fs"
import path from "node:path"
import type { ExecArgs } from "@medusajs/framework/types"
import { updateRegionsWorkflow } from "@medusajs/core-flows"
import seedDemo from "../demo/seed"

export const FLOOR_PROVIDER_ID = "pp_zero_floor"
/** The same zero-work provider, storing a session reference (see floor-provider.ts). */
export const REFERENCE_PROVIDER_ID = "pp_zero_reference"

export default async function seedBench(args: ExecArgs) {
  await seedDemo(args)
  const { container } = args
  const file = path.join(process.cwd(), ".tmp", "demo", "seed.json")
  const seed = JSON.parse(fs.readFileSync(file, "utf8")) as {
    gateways: { regionId: string; providerId: string }[]
  }
  for (const gateway of seed.gateways) {
    await updateRegionsWorkflow(container).run({
      input: {
        selector: { id: gateway.regionId },
        update: { payment_providers: [gateway.providerId, FLOOR_PROVIDER_ID, REFERENCE_PROVIDER_ID] },
      },
    })
  }
  fs.writeFileSync(
    file,
    JSON.stringify({ ...seed, floorProviderId: FLOOR_PROVIDER_ID, referenceProviderId: REFERENCE_PROVIDER_ID }, null, 2)
  )
}
