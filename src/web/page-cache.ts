/**
 * A cache of rendered anonymous pages, for the feed's hot paths. An entry is served only while
 * the database's data version is the one it was rendered at, so no visitor ever sees a page
 * older than the last write to what it shows (a vote shows at the next request), whichever
 * process made the write:
 * - SQLite: `PRAGMA data_version` moves when another connection (process) commits, and
 *   `total_changes()` when this connection writes.
 * - PostgreSQL: a counter row bumped by statement triggers inside each writing transaction.
 * The version is read before the page is rendered, so a write racing the render leaves the
 * entry under the older version, never the newer one.
 * A hit is written straight to the socket with the headers the page had (ETag, security
 * headers), gzipped once for clients that accept it.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { sql } from "kysely";
import type { AppContext } from "../context.js";
import { sqliteHandle, type Db, type Dialect } from "../db/database.js";
import { formatOf, splitFormat } from "./format.js";
import { securityHeaders } from "./headers.js";

export interface CachedPage {
  version: string;
  body: Buffer;
  /** Made on the first request that accepts gzip. */
  gzip?: Buffer;
  contentType: string;
  etag: string;
}

export function etagOf(body: string | Buffer): string {
  return `W/"${createHash("sha1").update(body).digest("base64url").slice(0, 27)}"`;
}

type SqliteHandle = NonNullable<ReturnType<typeof sqliteHandle>>;
const versionStatements = new WeakMap<SqliteHandle, import("better-sqlite3").Statement<[], string>>();

function sqliteDataVersion(raw: SqliteHandle): string {
  let stmt = versionStatements.get(raw);
  if (!stmt) {
    stmt = raw.prepare<[], string>("select 'sqlite:' || (select data_version from pragma_data_version) || ':' || total_changes()").pluck();
    versionStatements.set(raw, stmt);
  }
  return stmt.get()!;
}

export async function readDataVersion(db: Db, dialect: Dialect): Promise<string> {
  if (dialect === "postgres") {
    const r = await sql<{ v: number }>`select v from data_version where id = 1`.execute(db);
    return `pg:${r.rows[0]?.v ?? 0}`;
  }
  // The raw driver and a statement prepared once per connection: a microsecond, where a
  // query through the builder (which prepares its statement every time) costs tens.
  const raw = sqliteHandle(db);
  if (raw) return sqliteDataVersion(raw);
  const r = await sql<{ dv: number; tc: number }>`select (select data_version from pragma_data_version) as dv, total_changes() as tc`.execute(db);
  return `sqlite:${r.rows[0].dv}:${r.rows[0].tc}`;
}

/** A small LRU keyed by format and URL. */
export class PageCache {
  private readonly entries = new Map<string, CachedPage>();
  /** Hits answered in the HTTP server ahead of Fastify, and by Fastify's hook (app.inject). */
  readonly hits = { frontDoor: 0, hook: 0 };
  /**
   * `stamp`: what else pages depend on that changes with no database write (the search
   * service's model, behind "similar papers"); an entry is served only while it is unchanged too.
   */
  constructor(private readonly maxEntries = 2000, private readonly maxBytes = 2 * 1024 * 1024, private readonly stamp: () => string = () => "") {}

  /** The version an entry is stored and looked up under: the data version and the stamp. */
  versionOf(dataVersion: string): string {
    return `${dataVersion}|${this.stamp()}`;
  }

  get(key: string, version: string): CachedPage | null {
    const hit = this.entries.get(key);
    if (!hit) return null;
    if (hit.version !== version) {
      this.entries.delete(key);
      return null;
    }
    // Re-insert to mark it most recently used.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit;
  }

  set(key: string, page: CachedPage): void {
    if (page.body.length > this.maxBytes) return;
    this.entries.delete(key);
    this.entries.set(key, page);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}

// Search answers depend on the in-memory index and model as well as on the data version (a
// retrained model changes them with no write to the database), and rarely repeat: not cached.
const SKIP = /^\/(static|healthz|avatars|search|api\/papers\/(search|similar))\b/;

function cacheable(method: string | undefined, url: string, cookie: string | undefined): boolean {
  return method === "GET" && !SKIP.test(url) && !(cookie ?? "").includes("dp_");
}

/** Writes a cached page (or 304) straight to the socket, with the headers the page had. */
function sendHit(hit: CachedPage, req: IncomingMessage, res: ServerResponse): void {
  const headers: Record<string, string | number> = {
    ...securityHeaders(hit.contentType),
    "content-type": hit.contentType,
    etag: hit.etag,
    "cache-control": "no-cache",
    vary: "Accept-Encoding",
    "x-cache": "hit",
  };
  if (req.headers["if-none-match"] === hit.etag) {
    res.writeHead(304, headers).end();
    return;
  }
  let body = hit.body;
  if (/\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) {
    hit.gzip ??= gzipSync(hit.body, { level: 6 });
    body = hit.gzip;
    headers["content-encoding"] = "gzip";
  }
  headers["content-length"] = body.length;
  res.writeHead(200, headers).end(body);
}

type Ctx = Pick<AppContext, "db" | "dialect">;

declare module "fastify" {
  interface FastifyInstance {
    pageCache: PageCache;
  }
}

const VERSION = Symbol("data version");
type VersionTagged = IncomingMessage & { [VERSION]?: string };

/**
 * The page cache's front door, in the HTTP server ahead of Fastify (`serverFactory`): a hit is
 * answered before any routing, hook or request object is made, at close to a bare server's
 * speed; anything else goes on to Fastify, whose hook below checks again and stores the page.
 * Returns whether it answered. On SQLite the version read is synchronous, so a miss costs a
 * microsecond; PostgreSQL's is a query, so there the check waits for it.
 */
export function serveFromCache(cache: PageCache, ctx: Ctx, req: IncomingMessage, res: ServerResponse): boolean | Promise<boolean> {
  const { url, format } = splitFormat(req.url ?? "/");
  if (!cacheable(req.method, url, req.headers.cookie) || cache.size === 0) return false;
  const key = `${format} ${url}`;
  const answer = (version: string): boolean => {
    const hit = cache.get(key, version);
    if (hit) {
      cache.hits.frontDoor++;
      sendHit(hit, req, res);
    }
    // A miss: Fastify's hook renders under this version rather than reading it again.
    else (req as VersionTagged)[VERSION] = version;
    return hit !== null;
  };
  const raw = sqliteHandle(ctx.db);
  return raw ? answer(cache.versionOf(sqliteDataVersion(raw))) : readDataVersion(ctx.db, ctx.dialect).then((v) => answer(cache.versionOf(v)));
}

/**
 * Serves anonymous GETs from the cache while the data version holds, and stores fresh 200
 * responses that set no cookie. Visitors with a session or anonymous form cookie always get a
 * fresh page: theirs carries their name and form tokens.
 */
export function registerPageCache(app: FastifyInstance, ctx: Ctx, cache = new PageCache()): PageCache {
  const pending = new WeakMap<FastifyRequest, { key: string; version: string }>();
  app.addHook("onRequest", async (request, reply) => {
    if (!cacheable(request.method, request.url, request.headers.cookie)) return;
    const key = `${formatOf(request)} ${request.url}`;
    const version = (request.raw as VersionTagged)[VERSION] ?? cache.versionOf(await readDataVersion(ctx.db, ctx.dialect));
    const hit = cache.get(key, version);
    if (!hit) {
      pending.set(request, { key, version });
      return;
    }
    cache.hits.hook++;
    // Returning the reply ends the request here: no later hook and no handler runs.
    reply.hijack();
    sendHit(hit, request.raw, reply.raw);
    return reply;
  });
  app.addHook("onSend", async (request, reply, payload) => {
    const p = pending.get(request);
    if (!p || reply.statusCode !== 200 || typeof payload !== "string" || reply.hasHeader("set-cookie")) return payload;
    const etag = etagOf(payload);
    reply.header("etag", etag);
    reply.header("vary", "Accept-Encoding");
    cache.set(p.key, { version: p.version, body: Buffer.from(payload), contentType: String(reply.getHeader("content-type") ?? "text/html; charset=utf-8"), etag });
    return payload;
  });
  return cache;
}
