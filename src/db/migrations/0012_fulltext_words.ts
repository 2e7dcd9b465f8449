import type { Kysely } from "kysely";
import { recreateFullTextIndex } from "../../papers/papers.fulltext.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * SQLite's full-text index without the Porter stemmer (see papers.fulltext.ts): the table is
 * created again and every stored paper indexed again, about 2 s per 75,000 papers, once.
 * PostgreSQL: unchanged.
 */
export async function up(db: AnyDb): Promise<void> {
  await recreateFullTextIndex(db);
}

export async function down(): Promise<void> {
  // A stemmed index reads the same queries, only looser; nothing to undo for correctness.
}
