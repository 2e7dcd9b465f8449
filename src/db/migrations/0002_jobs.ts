import type { Kysely } from "kysely";
import { dialectOf } from "../database.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const pg = dialectOf(db) === "postgres";
  await db.schema
    .createTable("jobs")
    .addColumn("id", pg ? "serial" : "integer", (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    // A job enqueued twice with the same key exists once (e.g. one digest per period).
    .addColumn("unique_key", "text", (c) => c.unique())
    .addColumn("run_at", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("max_attempts", "integer", (c) => c.notNull().defaultTo(5))
    .addColumn("locked_by", "text")
    .addColumn("locked_until", "text")
    .addColumn("last_error", "text")
    .addColumn("done_at", "text")
    .addColumn("failed_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("jobs_due").on("jobs").columns(["done_at", "failed_at", "run_at"]).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("jobs").ifExists().execute();
}
