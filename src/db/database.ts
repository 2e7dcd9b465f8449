/**
 * One Kysely instance over either SQLite (better-sqlite3, the embedded default) or PostgreSQL.
 * Query code is shared; where the dialects differ (full-text search, upserts) the module that
 * owns the feature asks `dialectOf(db)`.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, PostgresAdapter, type Kysely as K } from "kysely";
import pg from "pg";
import type { DatabaseTarget } from "../config.js";
import type { Database } from "./schema.js";

export type Db = Kysely<Database>;
export type Dialect = "sqlite" | "postgres";

// Postgres returns BIGINT (count(*)) as strings by default; our counts fit in a JS number.
pg.types.setTypeParser(20, (v: string) => Number(v));
// NUMERIC (e.g. sums) likewise.
pg.types.setTypeParser(1700, (v: string) => Number(v));

// The better-sqlite3 handle behind each SQLite Kysely instance, for the few hot paths (bulk
// import) where building SQL through Kysely per row costs more than the database work itself.
const sqliteHandles = new WeakMap<object, SQLite.Database>();

/** The raw better-sqlite3 handle of a database opened by `openDatabase`, or null (PostgreSQL). */
export function sqliteHandle(db: K<Database>): SQLite.Database | null {
  return sqliteHandles.get(db) ?? null;
}

export function openDatabase(target: DatabaseTarget, opts: { poolSize?: number } = {}): Db {
  if (target.kind === "sqlite") {
    if (target.path !== ":memory:") mkdirSync(dirname(target.path), { recursive: true });
    const sqlite = new SQLite(target.path);
    // busy_timeout makes a writer wait for the lock instead of failing at once (set first, so
    // opening waits too); WAL lets readers proceed during a write and processes share the file.
    sqlite.pragma("busy_timeout = 5000");
    try {
      sqlite.pragma("journal_mode = WAL");
    } catch (e) {
      sqlite.close();
      // Only a connection holding the file to itself blocks this for 5 s: a bulk load.
      if (e instanceof SQLite.SqliteError && e.code === "SQLITE_BUSY") {
        throw new Error(`${target.path} is locked by another process: an import into a new database holds the file until it ends. Try again when it has finished.`);
      }
      throw e;
    }
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("foreign_keys = ON");
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    sqliteHandles.set(db, sqlite);
    return db;
  }
  const pool = new pg.Pool({ connectionString: target.url, max: opts.poolSize ?? 10 });
  // An idle pooled connection can die (server restart, a terminated backend). pg then emits
  // 'error' on the pool, which would crash the process if unheard; the pool replaces the
  // connection by itself, so a warning is all it takes. 57P01 is an administrator's shutdown.
  pool.on("error", (err: Error & { code?: string }) => {
    if (err.code !== "57P01") process.emitWarning(`PostgreSQL connection lost: ${err.message}`);
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export function dialectOf(db: K<Database> | K<unknown>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}
