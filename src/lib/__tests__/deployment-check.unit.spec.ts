import { deploymentWarning } from "../deployment-check"

const single = { clusterWorker: false }
const redisLocking = {
  resolve: "@medusajs/medusa/locking",
  options: { providers: [{ resolve: "@medusajs/medusa/locking-redis", id: "locking-redis", is_default: true }] },
}

describe("deploymentWarning", () => {
  it("says nothing for one shared process with Medusa's defaults", () => {
    expect(
      deploymentWarning({ projectConfig: {}, modules: { locking: { resolve: "@medusajs/medusa/locking" } } }, single)
    ).toBeUndefined()
  })

  it.each([
    ["a server", { projectConfig: { workerMode: "server" } }, single, 'workerMode "server"'],
    ["a worker", { projectConfig: { workerMode: "worker" } }, single, 'workerMode "worker"'],
    [
      "a Redis event bus",
      { modules: { event_bus: { resolve: "@medusajs/medusa/event-bus-redis" } } },
      single,
      "a Redis event bus",
    ],
    [
      "a Redis workflow engine",
      { modules: { workflows: { resolve: "@medusajs/medusa/workflow-engine-redis" } } },
      single,
      "a Redis workflow engine",
    ],
    ["a cluster worker", {}, { clusterWorker: true }, "medusa start --cluster"],
  ])("names the module to add for %s with in-memory locking", (_name, config, process, sign) => {
    const warning = deploymentWarning(config, process)
    expect(warning).toContain(sign)
    expect(warning).toContain("@medusajs/medusa/locking-redis")
    expect(warning).toContain("locking-postgres")
  })

  it("says nothing for a multi-instance store with a shared locking provider", () => {
    const config = {
      projectConfig: { workerMode: "worker" },
      modules: { event_bus: { resolve: "@medusajs/medusa/event-bus-redis" }, locking: redisLocking },
    }
    expect(deploymentWarning(config, { clusterWorker: true })).toBeUndefined()
  })
})
