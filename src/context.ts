/**
 * The program's context, built once per process: configuration, database, secret, clock and
 * logger. Routes, jobs and commands receive it instead of reaching for globals.
 */
import { randomBytes } from "node:crypto";
import type { Config } from "./config.js";
import { openDatabase, dialectOf, type Db, type Dialect } from "./db/database.js";
import { migrateToLatest } from "./db/migrate.js";
import { Mailer } from "./mail/mailer.js";
import { SearchService } from "./search/search.service.js";
import { readDataVersion } from "./web/page-cache.js";

export interface AppContext {
  config: Config;
  db: Db;
  dialect: Dialect;
  /** Secret for signed cookies and tokens: SESSION_SECRET, or generated once and kept in the database. */
  secret: string;
  /** Outgoing mail (SMTP, or .eml files in DATA_DIR/outbox); used by the `mail` job. */
  mailer: Mailer;
  /** Keyword + semantic search over every paper, kept in step with the database (opened lazily). */
  search: SearchService;
  now(): Date;
  close(): Promise<void>;
}

/** Reads the stored secret or stores a new random one; concurrent first starts agree on one. */
export async function ensureSecret(db: Db): Promise<string> {
  const fresh = randomBytes(32).toString("base64url");
  await db.insertInto("settings").values({ key: "session_secret", value: fresh }).onConflict((oc) => oc.column("key").doNothing()).execute();
  const row = await db.selectFrom("settings").select("value").where("key", "=", "session_secret").executeTakeFirstOrThrow();
  return row.value;
}

export async function createContext(config: Config, opts: { now?: () => Date; db?: Db } = {}): Promise<AppContext> {
  const db = opts.db ?? openDatabase(config.database);
  await migrateToLatest(db);
  const secret = config.sessionSecret ?? (await ensureSecret(db));
  const mailer = new Mailer(config);
  const dialect = dialectOf(db);
  const search = new SearchService(db, {
    dataDir: config.dataDir,
    modelDir: config.modelDir,
    refreshIntervalMs: config.search.refreshSeconds * 1000,
    dataVersion: () => readDataVersion(db, dialect),
  });
  return {
    config,
    db,
    dialect: dialectOf(db),
    secret,
    mailer,
    search,
    now: opts.now ?? (() => new Date()),
    close: async () => {
      await mailer.close();
      await db.destroy();
    },
  };
}
