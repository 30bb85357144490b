import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import { HitPayProviderService } from "./service"

export default ModuleProvider(Modules.PAYMENT, {
  services: [HitPayProviderService],
})
