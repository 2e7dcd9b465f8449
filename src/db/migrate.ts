/**
 * Numbered migrations, listed explicitly (no directory scanning: the list is the history).
 * Run on every start and by `dailypapers migrate`; Kysely's migrator takes a lock so several
 * processes starting at once do not race.
 */
import { Migrator, type Migration, type MigrationProvider } from "kysely";
import type { Db } from "./database.js";
import * as m0001 from "./migrations/0001_init.js";
import * as m0002 from "./migrations/0002_jobs.js";
import * as m0003 from "./migrations/0003_community.js";
import * as m0004 from "./migrations/0004_harvest.js";
import * as m0005 from "./migrations/0005_search.js";
import * as m0006 from "./migrations/0006_data_version.js";
import * as m0007 from "./migrations/0007_digests.js";
import * as m0008 from "./migrations/0008_fulltext_tuning.js";
import * as m0009 from "./migrations/0009_rate_limits.js";
import * as m0010 from "./migrations/0010_collections.js";
import * as m0011 from "./migrations/0011_content_hash.js";
import * as m0012 from "./migrations/0012_fulltext_words.js";

const migrations: Record<string, Migration> = {
  "0001_init": m0001,
  "0002_jobs": m0002,
  "0003_community": m0003,
  "0004_harvest": m0004,
  "0005_search": m0005,
  "0006_data_version": m0006,
  "0007_digests": m0007,
  "0008_fulltext_tuning": m0008,
  "0009_rate_limits": m0009,
  "0010_collections": m0010,
  "0011_content_hash": m0011,
  "0012_fulltext_words": m0012,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error");
    throw new Error(`migration ${failed?.migrationName ?? "?"} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
