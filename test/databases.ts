/**
 * Runs a suite on every database: SQLite always, PostgreSQL when the test run has a cluster
 * (TEST_POSTGRES_URL, set by scripts/test.ts). Each suite gets a fresh, migrated database.
 */
import { after, before, describe } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { DatabaseTarget } from "../src/config.js";
import { openDatabase, type Db, type Dialect } from "../src/db/database.js";
import { migrateToLatest } from "../src/db/migrate.js";

export interface TestDb {
  db: Db;
  dialect: Dialect;
  target: DatabaseTarget;
}

export function databaseTargets(): Dialect[] {
  if (process.env.REQUIRE_POSTGRES === "1" && !process.env.TEST_POSTGRES_URL) {
    throw new Error("REQUIRE_POSTGRES=1 but no PostgreSQL cluster was started for this run");
  }
  return process.env.TEST_POSTGRES_URL ? ["sqlite", "postgres"] : ["sqlite"];
}

/**
 * Creates an empty database (not migrated) and a function that removes it: a SQLite file in a
 * temporary folder, or a database on the PostgreSQL server at `admin` (the test run's cluster).
 */
export async function createTestDatabase(dialect: Dialect, admin = process.env.TEST_POSTGRES_URL): Promise<{ target: DatabaseTarget; drop(): Promise<void> }> {
  if (dialect === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "dp-sqlite-"));
    return { target: { kind: "sqlite", path: join(dir, "test.sqlite") }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (!admin) throw new Error("no PostgreSQL server to create a database on");
  const name = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    target: { kind: "postgres", url: url.toString() },
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** `describe` once per database, with a fresh migrated database for the suite. */
export function eachDatabase(name: string, body: (t: () => TestDb) => void): void {
  for (const dialect of databaseTargets()) {
    describe(`${name} [${dialect}]`, () => {
      let current: TestDb | null = null;
      let drop: (() => Promise<void>) | null = null;
      before(async () => {
        const created = await createTestDatabase(dialect);
        drop = created.drop;
        const db = openDatabase(created.target);
        await migrateToLatest(db);
        current = { db, dialect, target: created.target };
      });
      after(async () => {
        await current?.db.destroy();
        await drop?.();
      });
      body(() => {
        if (!current) throw new Error("database not ready");
        return current;
      });
    });
  }
}
