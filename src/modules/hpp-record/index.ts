import { Module } from "@medusajs/framework/utils"
import { HppRecordService } from "./service"

/** The plugin's record of what happened to each hosted payment (`hpp_payment_event`). */
export const HPP_RECORD_MODULE = "hppRecord"

export default Module(HPP_RECORD_MODULE, { service: HppRecordService })
export { HppRecordService }
