/**
 * Every setting Daily Papers reads, in one place: `readEnv()` takes the raw environment,
 * `toConfig()` validates it, applies defaults and fails fast with a message that says how
 * to fix the value. Nothing else in the program reads `process.env`.
 */
import { resolve } from "node:path";
import { z } from "zod";

export type DatabaseTarget =
  | { kind: "sqlite"; path: string }
  | { kind: "postgres"; url: string };

export interface Config {
  database: DatabaseTarget;
  host: string;
  port: number;
  /** Absolute base URL used in feeds, emails and canonical links, without trailing slash. */
  baseUrl: string;
  /** IANA time zone in which a feed day starts and ends. */
  feedTimeZone: string;
  /** Folder for the SQLite file, search indexes, models and outgoing mail when SMTP is off. */
  dataDir: string;
  /** Import the bundled sample into an empty database on start. */
  importSampleOnStart: boolean;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Explicit session secret; when unset one is generated and stored in the database. */
  sessionSecret: string | null;
  /** Role of this process: the web server, the job worker, or both (embedded default). */
  role: "web" | "worker" | "all";
  /** Folder of a pretrained Model2Vec static model, used instead of the trained one. */
  modelDir: string | null;
  search: {
    /** A process re-reads papers changed in the database at most this often before a query. */
    refreshSeconds: number;
    /** Cron expression of a scheduled retrain of the embedding model; null: only on demand. */
    retrainSchedule: string | null;
  };
  mail: {
    /** smtp(s)://user:pass@host:port; null writes .eml files to DATA_DIR/outbox instead. */
    smtpUrl: string | null;
    from: string;
  };
  submissions: {
    /** Papers one user may submit per feed day. */
    perUserPerDay: number;
    /** A paper whose first version is older than this many days cannot be submitted. */
    maxAgeDays: number;
  };
  arxiv: {
    apiUrl: string;
    oaiUrl: string;
    /** Minimum pause between two requests to arXiv, in milliseconds. */
    requestIntervalMs: number;
    /** Categories the scheduled harvest fetches; empty disables it. */
    harvestCategories: string[];
    /** Cron expression of the scheduled harvest (in FEED_TIMEZONE). */
    harvestSchedule: string;
    /** Newly announced harvested papers enter that day's feed without a curator. */
    autoFeed: boolean;
    /** A submitted paper we do not hold is fetched from the arXiv API. */
    fetchOnSubmit: boolean;
  };
}

/** The raw environment variables Daily Papers reads, with their meaning and default. */
export const SETTINGS = [
  ["DATABASE_URL", "SQLite file path or postgres://user:pass@host:port/db", "./data/dailypapers.sqlite"],
  ["HOST", "Interface the web server listens on", "127.0.0.1"],
  ["PORT", "Port the web server listens on", "3000"],
  ["BASE_URL", "Public URL of the site, used in feeds and emails", "http://HOST:PORT"],
  ["FEED_TIMEZONE", "IANA time zone of the daily feed's day boundary", "America/New_York"],
  ["DATA_DIR", "Folder for the SQLite file, indexes, models and the mail outbox", "./data"],
  ["IMPORT_SAMPLE", "Import the bundled sample papers into an empty database on start (true/false)", "true"],
  ["LOG_LEVEL", "fatal, error, warn, info, debug, trace or silent", "info"],
  ["SESSION_SECRET", "Secret for signed cookies and tokens (at least 32 characters)", "generated on first start and stored in the database"],
  ["ROLE", "web, worker or all", "all"],
  ["MODEL_DIR", "Folder of a pretrained Model2Vec static model for semantic search", "the model trained by `dailypapers index`"],
  ["SEARCH_REFRESH_SECONDS", "How stale a process's search index may get: papers changed in the database are picked up this often", "5"],
  ["SEARCH_RETRAIN_SCHEDULE", "Cron expression (in FEED_TIMEZONE) to retrain the search embedding model, e.g. 0 3 * * 0", "unset: retrain with `dailypapers index --retrain`"],
  ["SMTP_URL", "Outgoing mail server, smtp://user:pass@host:587 or smtps://...", "unset: mail is written as .eml files to DATA_DIR/outbox"],
  ["MAIL_FROM", "Sender address of every email", "Daily Papers <no-reply@HOST>"],
  ["SUBMIT_DAILY_LIMIT", "Papers one user may submit per day", "5"],
  ["SUBMIT_MAX_AGE_DAYS", "Oldest paper (days since its first version) that may be submitted", "14"],
  ["ARXIV_API_URL", "arXiv API endpoint (Atom)", "http://export.arxiv.org/api/query"],
  ["ARXIV_OAI_URL", "arXiv OAI-PMH endpoint", "https://oaipmh.arxiv.org/oai"],
  ["ARXIV_INTERVAL_MS", "Minimum pause between requests to arXiv, in ms", "3000"],
  ["HARVEST_CATEGORIES", "Comma-separated arXiv categories to harvest on a schedule (e.g. cs.LG,cs.CV)", "none: no scheduled harvest"],
  ["HARVEST_SCHEDULE", "Cron expression of the scheduled harvest, in FEED_TIMEZONE", "30 */4 * * *"],
  ["AUTO_FEED", "Put newly announced harvested papers into the day's feed (true/false)", "false"],
  ["ARXIV_FETCH", "Fetch a submitted paper we do not hold from the arXiv API (true/false)", "true"],
] as const;

export type Env = Partial<Record<(typeof SETTINGS)[number][0], string>>;

export function readEnv(env: NodeJS.ProcessEnv = process.env): Env {
  const out: Env = {};
  for (const [name] of SETTINGS) {
    const v = env[name];
    if (v !== undefined && v !== "") out[name] = v;
  }
  return out;
}

export class ConfigError extends Error {}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const bool = (name: string) =>
  z.string().transform((v, ctx) => {
    if (/^(1|true|yes|on)$/i.test(v)) return true;
    if (/^(0|false|no|off)$/i.test(v)) return false;
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${name} must be true or false, got "${v}"` });
    return z.NEVER;
  });

function positiveInt(name: string, def: string) {
  return z
    .string()
    .default(def)
    .refine((v) => /^\d+$/.test(v) && Number(v) > 0, (v) => ({ message: `${name} must be a positive whole number, got "${v}"` }))
    .transform(Number);
}

function httpUrl(name: string, def: string) {
  return z
    .string()
    .default(def)
    .refine((v) => /^https?:\/\/[^\s]+$/.test(v), (v) => ({ message: `${name} must be an http(s) URL, got "${v}"` }));
}

const schema = z.object({
  DATABASE_URL: z.string().optional(),
  HOST: z.string().default("127.0.0.1"),
  PORT: z
    .string()
    .default("3000")
    .refine((v) => /^\d+$/.test(v) && Number(v) >= 0 && Number(v) <= 65535, (v) => ({
      message: `PORT must be a number from 0 to 65535, got "${v}"`,
    }))
    .transform(Number),
  BASE_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || /^https?:\/\/[^/\s]+(\/[^\s]*)?$/.test(v), (v) => ({
      message: `BASE_URL must be an absolute http(s) URL such as https://papers.example.org, got "${v}"`,
    })),
  FEED_TIMEZONE: z
    .string()
    .default("America/New_York")
    .refine(isTimeZone, (v) => ({ message: `FEED_TIMEZONE "${v}" is not an IANA time zone (e.g. America/New_York, UTC, Europe/Berlin)` })),
  DATA_DIR: z.string().default("./data"),
  IMPORT_SAMPLE: bool("IMPORT_SAMPLE").default("true"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
    errorMap: () => ({ message: "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent" }),
  }).default("info"),
  SESSION_SECRET: z
    .string()
    .optional()
    .refine((v) => v === undefined || v.length >= 32, {
      message: "SESSION_SECRET must be at least 32 characters; unset it to have one generated and stored",
    }),
  ROLE: z.enum(["web", "worker", "all"], {
    errorMap: () => ({ message: "ROLE must be web, worker or all" }),
  }).default("all"),
  MODEL_DIR: z.string().optional(),
  SEARCH_REFRESH_SECONDS: positiveInt("SEARCH_REFRESH_SECONDS", "5"),
  SEARCH_RETRAIN_SCHEDULE: z
    .string()
    .optional()
    .refine((v) => v === undefined || v.trim().split(/\s+/).length >= 5, (v) => ({
      message: `SEARCH_RETRAIN_SCHEDULE must be a cron expression such as "0 3 * * 0" (Sundays 03:00), got "${v}"`,
    })),
  SMTP_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || /^smtps?:\/\/[^\s]+$/.test(v), (v) => ({
      message: `SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465, got "${v}"`,
    })),
  MAIL_FROM: z.string().optional(),
  SUBMIT_DAILY_LIMIT: positiveInt("SUBMIT_DAILY_LIMIT", "5"),
  SUBMIT_MAX_AGE_DAYS: positiveInt("SUBMIT_MAX_AGE_DAYS", "14"),
  ARXIV_API_URL: httpUrl("ARXIV_API_URL", "http://export.arxiv.org/api/query"),
  ARXIV_OAI_URL: httpUrl("ARXIV_OAI_URL", "https://oaipmh.arxiv.org/oai"),
  ARXIV_INTERVAL_MS: positiveInt("ARXIV_INTERVAL_MS", "3000"),
  HARVEST_CATEGORIES: z
    .string()
    .default("")
    .transform((v) => v.split(",").map((c) => c.trim()).filter(Boolean))
    .refine((list) => list.every((c) => /^[a-z-]+(\.[A-Za-z-]+)?$/.test(c)), (list) => ({
      message: `HARVEST_CATEGORIES must be arXiv categories separated by commas (e.g. cs.LG,cs.CV), got "${list.join(",")}"`,
    })),
  HARVEST_SCHEDULE: z.string().default("30 */4 * * *"),
  AUTO_FEED: bool("AUTO_FEED").default("false"),
  ARXIV_FETCH: bool("ARXIV_FETCH").default("true"),
});

export function parseDatabaseUrl(value: string | undefined, dataDir: string): DatabaseTarget {
  if (value === undefined) return { kind: "sqlite", path: resolve(dataDir, "dailypapers.sqlite") };
  if (/^postgres(ql)?:\/\//i.test(value)) {
    try {
      new URL(value);
    } catch {
      throw new ConfigError(`DATABASE_URL "${value}" is not a valid postgres:// URL (postgres://user:password@host:5432/dbname)`);
    }
    return { kind: "postgres", url: value };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new ConfigError(`DATABASE_URL must be a SQLite file path or a postgres:// URL, got "${value}"`);
  }
  const path = value.replace(/^sqlite:(\/\/)?/i, "");
  return { kind: "sqlite", path: path === ":memory:" ? path : resolve(path) };
}

export function toConfig(env: Env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => i.message).join("\n"));
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR);
  const displayHost = e.HOST === "0.0.0.0" || e.HOST === "::" ? "127.0.0.1" : e.HOST;
  const baseUrl = (e.BASE_URL ?? `http://${displayHost}:${e.PORT}`).replace(/\/+$/, "");
  return {
    database: parseDatabaseUrl(e.DATABASE_URL, dataDir),
    host: e.HOST,
    port: e.PORT,
    baseUrl,
    feedTimeZone: e.FEED_TIMEZONE,
    dataDir,
    importSampleOnStart: e.IMPORT_SAMPLE,
    logLevel: e.LOG_LEVEL,
    sessionSecret: e.SESSION_SECRET ?? null,
    role: e.ROLE,
    modelDir: e.MODEL_DIR ? resolve(e.MODEL_DIR) : null,
    search: { refreshSeconds: e.SEARCH_REFRESH_SECONDS, retrainSchedule: e.SEARCH_RETRAIN_SCHEDULE ?? null },
    mail: {
      smtpUrl: e.SMTP_URL ?? null,
      from: e.MAIL_FROM ?? `Daily Papers <no-reply@${new URL(baseUrl).hostname}>`,
    },
    submissions: { perUserPerDay: e.SUBMIT_DAILY_LIMIT, maxAgeDays: e.SUBMIT_MAX_AGE_DAYS },
    arxiv: {
      apiUrl: e.ARXIV_API_URL,
      oaiUrl: e.ARXIV_OAI_URL,
      requestIntervalMs: e.ARXIV_INTERVAL_MS,
      harvestCategories: e.HARVEST_CATEGORIES,
      harvestSchedule: e.HARVEST_SCHEDULE,
      autoFeed: e.AUTO_FEED,
      fetchOnSubmit: e.ARXIV_FETCH,
    },
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return toConfig(readEnv(env));
}
