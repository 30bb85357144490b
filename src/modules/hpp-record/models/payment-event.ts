import { model } from "@medusajs/framework/utils"

/**
 * One thing that happened to one hosted payment: a page made, a webhook and its verdict, the buyer's return, a
 * reconciliation decision, a refund, capture or cancel and its outcome, money gone back, a debit failed, a page left
 * open. No secret, card or IBAN data, buyer detail or whole webhook body: a digest of the body and the fields used.
 * Refused senders are counted per reason, provider and minute (`dedupe_key`), not written one row per request.
 */
export const HppPaymentEvent = model
  .define("hpp_payment_event", {
    id: model.id({ prefix: "hppev" }).primaryKey(),
    provider_id: model.text(),
    gateway: model.text(),
    payment_session_id: model.text().nullable(),
    gateway_reference: model.text().nullable(),
    kind: model.text(),
    outcome: model.text(),
    message: model.text(),
    amount: model.text().nullable(),
    currency_code: model.text().nullable(),
    occurrences: model.number().default(1),
    attention: model.boolean().default(false),
    handled_at: model.dateTime().nullable(),
    handled_by: model.text().nullable(),
    resolved_at: model.dateTime().nullable(),
    digest: model.text().nullable(),
    fields: model.json().nullable(),
    dedupe_key: model.text().nullable(),
  })
  .indexes([
    { on: ["payment_session_id", "created_at"], where: "payment_session_id IS NOT NULL" },
    { on: ["provider_id", "kind", "created_at"] },
    // A provider's record, newest first (the admin's events of a provider, its last webhooks).
    { on: ["provider_id", "created_at"] },
    { on: ["created_at"], where: "attention = true AND handled_at IS NULL AND resolved_at IS NULL" },
    { on: ["dedupe_key"], unique: true, where: "dedupe_key IS NOT NULL" },
  ])
