import { Migration } from "@medusajs/framework/mikro-orm/migrations"

/** The reconciliation's schedule (when each open session was asked and is asked next), gateways' pauses, the run lease. */
export class Migration20261207061000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table if not exists "hpp_reconcile_ask" ("payment_session_id" text not null, "provider_id" text not null, "asks" integer not null default 0, "last_asked_at" timestamptz null, "next_ask_at" timestamptz not null, "last_answer" text null, "last_decision" text null, "done_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "hpp_reconcile_ask_pkey" primary key ("payment_session_id"));`
    )
    this.addSql(
      `CREATE INDEX IF NOT EXISTS "IDX_hpp_reconcile_ask_deleted_at" ON "hpp_reconcile_ask" ("deleted_at") WHERE deleted_at IS NULL;`
    )
    this.addSql(
      `CREATE INDEX IF NOT EXISTS "IDX_hpp_reconcile_ask_provider_id_next_ask_at" ON "hpp_reconcile_ask" ("provider_id", "next_ask_at") WHERE done_at IS NULL AND deleted_at IS NULL;`
    )
    this.addSql(
      `CREATE INDEX IF NOT EXISTS "IDX_hpp_reconcile_ask_provider_id" ON "hpp_reconcile_ask" ("provider_id") WHERE last_decision = 'failed' AND done_at IS NULL AND deleted_at IS NULL;`
    )
    this.addSql(
      `create table if not exists "hpp_reconcile_pause" ("gateway" text not null, "paused_until" timestamptz not null, "reason" text not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "hpp_reconcile_pause_pkey" primary key ("gateway"));`
    )
    this.addSql(
      `CREATE INDEX IF NOT EXISTS "IDX_hpp_reconcile_pause_deleted_at" ON "hpp_reconcile_pause" ("deleted_at") WHERE deleted_at IS NULL;`
    )
    this.addSql(
      `create table if not exists "hpp_reconcile_run" ("name" text not null, "owner" text not null, "expires_at" timestamptz not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "hpp_reconcile_run_pkey" primary key ("name"));`
    )
    this.addSql(
      `CREATE INDEX IF NOT EXISTS "IDX_hpp_reconcile_run_deleted_at" ON "hpp_reconcile_run" ("deleted_at") WHERE deleted_at IS NULL;`
    )
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "hpp_reconcile_ask" cascade;`)
    this.addSql(`drop table if exists "hpp_reconcile_pause" cascade;`)
    this.addSql(`drop table if exists "hpp_reconcile_run" cascade;`)
  }
}
