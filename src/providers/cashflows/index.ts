import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import { CashflowsProviderService } from "./service"

export default ModuleProvider(Modules.PAYMENT, {
  services: [CashflowsProviderService],
})
