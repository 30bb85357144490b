import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import { CatalystPayProviderService } from "./service"

export default ModuleProvider(Modules.PAYMENT, {
  services: [CatalystPayProviderService],
})
