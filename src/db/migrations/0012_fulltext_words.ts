import type { Kysely } from "kysely";
import { recreateFullTextIndex } from "../../papers/papers.fulltext.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * The full-text index matches words as written, accents aside, on both databases (see
 * papers.fulltext.ts): SQLite's without the Porter stemmer, PostgreSQL's without the English
 * one and with accents folded. Every stored paper is indexed again, once: on SQLite about 2 s
 * per 75,000 papers; on PostgreSQL the table is rewritten with new vectors.
 */
export async function up(db: AnyDb): Promise<void> {
  await recreateFullTextIndex(db);
}

export async function down(): Promise<void> {
  // A stemmed index answers the same queries, only more loosely: nothing to undo for correctness.
}
