import { Migration } from "@medusajs/framework/mikro-orm/migrations"

export class Migration20261207002525 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table if exists "hpp_payment_event" drop constraint if exists "hpp_payment_event_dedupe_key_unique";`
    )
    this.addSql(
      `create table if not exists "hpp_payment_event" ("id" text not null, "provider_id" text not null, "gateway" text not null, "payment_session_id" text null, "gateway_reference" text null, "kind" text not null, "outcome" text not null, "message" text not null, "amount" text null, "currency_code" text null, "occurrences" integer not null default 1, "attention" boolean not null default false, "handled_at" timestamptz null, "handled_by" text null, "resolved_at" timestamptz null, "digest" text null, "fields" jsonb null, "dedupe_key" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "hpp_payment_event_pkey" primary key ("id"));`
    )
    this.addSql(
      `CREATE INDEX IF NOT EXISTS "IDX_hpp_payment_event_deleted_at" ON "hpp_payment_event" ("deleted_at") WHERE deleted_at IS NULL;`
    )
    this.addSql(
      `CREATE INDEX IF NOT EXISTS "IDX_hpp_payment_event_payment_session_id_created_at" ON "hpp_payment_event" ("payment_session_id", "created_at") WHERE payment_session_id IS NOT NULL AND deleted_at IS NULL;`
    )
    this.addSql(
      `CREATE INDEX IF NOT EXISTS "IDX_hpp_payment_event_provider_id_kind_created_at" ON "hpp_payment_event" ("provider_id", "kind", "created_at") WHERE deleted_at IS NULL;`
    )
    this.addSql(
      `CREATE INDEX IF NOT EXISTS "IDX_hpp_payment_event_created_at" ON "hpp_payment_event" ("created_at") WHERE attention = true AND handled_at IS NULL AND resolved_at IS NULL AND deleted_at IS NULL;`
    )
    this.addSql(
      `CREATE UNIQUE INDEX IF NOT EXISTS "IDX_hpp_payment_event_dedupe_key_unique" ON "hpp_payment_event" ("dedupe_key") WHERE dedupe_key IS NOT NULL AND deleted_at IS NULL;`
    )
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "hpp_payment_event" cascade;`)
  }
}
