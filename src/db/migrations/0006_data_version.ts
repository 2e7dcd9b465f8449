import { sql, type Kysely } from "kysely";
import { dialectOf } from "../database.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * A counter that every write to what pages show moves forward, so the page cache can tell in
 * one cheap read whether anything changed (src/web/page-cache.ts). PostgreSQL only: on SQLite
 * `PRAGMA data_version` and `total_changes()` say the same without any write cost.
 * The counter is bumped inside the writing transaction, so a reader never sees a new
 * version before the data it stands for.
 */
export const VERSIONED_TABLES = ["papers", "daily_entries", "users", "votes", "comments", "moderation_log"];

export async function up(db: AnyDb): Promise<void> {
  if (dialectOf(db) !== "postgres") return;
  await sql`create table data_version (id integer primary key, v bigint not null)`.execute(db);
  await sql`insert into data_version (id, v) values (1, 0)`.execute(db);
  await sql`create function bump_data_version() returns trigger language plpgsql as $$
    begin update data_version set v = v + 1 where id = 1; return null; end $$`.execute(db);
  for (const t of VERSIONED_TABLES) {
    await sql`create trigger ${sql.raw(`${t}_data_version`)} after insert or update or delete or truncate on ${sql.table(t)}
      for each statement execute function bump_data_version()`.execute(db);
  }
}

export async function down(db: AnyDb): Promise<void> {
  if (dialectOf(db) !== "postgres") return;
  for (const t of VERSIONED_TABLES) await sql`drop trigger if exists ${sql.raw(`${t}_data_version`)} on ${sql.table(t)}`.execute(db);
  await sql`drop function if exists bump_data_version()`.execute(db);
  await sql`drop table if exists data_version`.execute(db);
}
