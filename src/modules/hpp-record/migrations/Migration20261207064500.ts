import { Migration } from "@medusajs/framework/mikro-orm/migrations"

/** A provider's record by time: the admin's events of a provider, newest first, and its last webhooks. */
export class Migration20261207064500 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `CREATE INDEX IF NOT EXISTS "IDX_hpp_payment_event_provider_id_created_at" ON "hpp_payment_event" ("provider_id", "created_at") WHERE deleted_at IS NULL;`
    )
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "IDX_hpp_payment_event_provider_id_created_at";`)
  }
}
