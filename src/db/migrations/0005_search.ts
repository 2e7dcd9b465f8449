import type { Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Every search process keeps its in-memory index in step by asking for the papers changed
 * since its watermark (`updated_at > ?`), every few seconds: an index keeps that a range read.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.createIndex("papers_updated_at").on("papers").columns(["updated_at", "id"]).execute();
  // The database's identity for search snapshots on disk (see search.queries.ts), made here so
  // that opening search never writes: a write would move the page cache's data version.
  const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
  await db.insertInto("settings").values({ key: "search_db_id", value: id }).onConflict((oc) => oc.column("key").doNothing()).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.deleteFrom("settings").where("key", "=", "search_db_id").execute();
  await db.schema.dropIndex("papers_updated_at").ifExists().execute();
}
