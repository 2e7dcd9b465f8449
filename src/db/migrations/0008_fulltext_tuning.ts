import type { Kysely } from "kysely";
import { tuneFullTextIndex } from "../../papers/papers.fulltext.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** Bulk-load settings of the SQLite full-text index (see `tuneFullTextIndex`). */
export async function up(db: AnyDb): Promise<void> {
  await tuneFullTextIndex(db);
}

export async function down(): Promise<void> {
  // The settings only change speed; the index reads the same with FTS5's defaults.
}
