import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import { NetValveProviderService } from "./service"

export default ModuleProvider(Modules.PAYMENT, {
  services: [NetValveProviderService],
})
