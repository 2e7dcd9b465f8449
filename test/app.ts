/** A running app for HTTP tests: the context over a test database and a Fastify instance to inject into. */
import type { FastifyInstance } from "fastify";
import { toConfig, type Env } from "../src/config.js";
import { createContext, type AppContext } from "../src/context.js";
import { buildApp } from "../src/web/app.js";
import type { TestDb } from "./databases.js";

export const TEST_BASE_URL = "http://papers.test";

/** Real papers over two feed days (2025-03-18 and 2025-03-25): what most HTTP tests import. */
export const FEED_FIXTURES = ["test/fixtures/import/corpus.jsonl", "test/fixtures/import/feed-extra.jsonl"];

export async function testApp(t: TestDb, env: Env = {}, opts: { now?: () => Date; logStream?: { write(line: string): void } } = {}): Promise<{ ctx: AppContext; app: FastifyInstance }> {
  const url = t.target.kind === "sqlite" ? t.target.path : t.target.url;
  // Tests never reach the real arXiv: fetching on submission is on only where a test points
  // ARXIV_API_URL at its local stand-in.
  const fetch = env.ARXIV_API_URL ? "true" : "false";
  const config = toConfig({ DATABASE_URL: url, BASE_URL: TEST_BASE_URL, LOG_LEVEL: opts.logStream ? "info" : "silent", IMPORT_SAMPLE: "false", ARXIV_FETCH: fetch, ...env });
  const ctx = await createContext(config, { db: t.db, now: opts.now });
  // Silent unless a test reads the log.
  const app = await buildApp(ctx, opts.logStream ? { logStream: opts.logStream } : { logger: false });
  await app.ready();
  return { ctx, app };
}
