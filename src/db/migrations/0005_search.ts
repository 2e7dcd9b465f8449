import type { Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Every search process keeps its in-memory index in step by asking for the papers changed
 * since its watermark (`updated_at > ?`), every few seconds: an index keeps that a range read.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.createIndex("papers_updated_at").on("papers").columns(["updated_at", "id"]).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex("papers_updated_at").ifExists().execute();
}
