/**
 * The web application: Fastify with the page formats, caching headers, static assets, styled
 * errors, and every feature's routes. Built from the context so tests start it on any database.
 */
import { randomUUID } from "node:crypto";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import Fastify, { type FastifyInstance, type FastifyError } from "fastify";
import fastifyStatic from "@fastify/static";
import fastifyCookie from "@fastify/cookie";
import fastifyFormbody from "@fastify/formbody";
import fastifyRateLimit from "@fastify/rate-limit";
import { databaseRateLimitStore } from "../community/rate-limit.store.js";
import type { AppContext } from "../context.js";
import { registerPaperApi } from "../papers/papers.api.js";
import { registerPaperRoutes } from "../papers/papers.routes.js";
import { registerSitemapRoutes } from "../papers/sitemap.routes.js";
import { registerSearchRoutes } from "../search/search.routes.js";
import { registerCommunity, registerCommunityHooks } from "../community/index.js";
import { registerDigestRoutes } from "../digests/index.js";
import { HttpError } from "./errors.js";
import { formatOf, rewriteFormatUrl } from "./format.js";
import { etagOf, PageCache, registerPageCache, serveFromCache } from "./page-cache.js";
import { securityHeaders } from "./headers.js";
import { registerCompression } from "./compression.js";
import { arxivClients, arxivFetchUnknown, SUBMISSION_FETCH } from "../ingest/arxiv.service.js";
import { ErrorPage } from "./error.views.js";
import { Layout, renderDocument } from "./layout.js";

const here = dirname(fileURLToPath(import.meta.url));
const katexDist = join(dirname(createRequire(import.meta.url).resolve("katex/package.json")), "dist");

export interface BuildOptions {
  logger?: boolean;
  /** Where log lines go (default standard output). */
  logStream?: { write(line: string): void };
}

function wantsJson(url: string, format: string, accept = "", contentType = ""): boolean {
  // Fetch calls of the community's forms ask for JSON and get their errors as JSON too.
  const fetchJson = (/application\/json/.test(accept) && !/text\/html/.test(accept)) || contentType.startsWith("application/json");
  return format === "json" || url.startsWith("/api/") || fetchJson;
}

function forwardedFor(req: IncomingMessage): string | undefined {
  const h = req.headers["x-forwarded-for"];
  return (Array.isArray(h) ? h[0] : h)?.split(",")[0]?.trim() || undefined;
}

export async function buildApp(ctx: AppContext, opts: BuildOptions = {}): Promise<FastifyInstance> {
  // Paper pages list "similar papers": a new search model changes them with no database write.
  const pages = new PageCache(undefined, undefined, () => ctx.search.answersStamp);
  const logs = opts.logger !== false && ctx.config.logLevel !== "silent";
  const logsRequests = logs && ["info", "debug", "trace"].includes(ctx.config.logLevel);
  // Fastify logs every request it handles; the front door's hits never reach it, so they are
  // logged here, as the same "request completed" line with the request's method and URL.
  const logHit = (req: IncomingMessage, res: ServerResponse, start: number): void => {
    if (!logsRequests) return;
    app.log.info({
      reqId: randomUUID(),
      // Shaped for Fastify's request serializer, which reads these fields; the address as it
      // reports it with trustProxy: the client a proxy forwarded for, else the socket's peer.
      req: { method: req.method, url: req.url, headers: req.headers, host: req.headers.host, ip: forwardedFor(req) ?? req.socket.remoteAddress, socket: req.socket },
      res: { statusCode: res.statusCode },
      responseTime: performance.now() - start,
      pageCache: "hit",
    }, "request completed");
  };
  const app = Fastify({
    // The page cache answers its hits in the HTTP server itself, ahead of Fastify.
    serverFactory: (handler) => createServer((req, res) => {
      const start = logsRequests ? performance.now() : 0;
      const served = serveFromCache(pages, ctx, req, res);
      if (served === false) handler(req, res);
      else if (served === true) logHit(req, res, start);
      else served.then((ok) => (ok ? logHit(req, res, start) : handler(req, res)), () => handler(req, res));
    }),
    logger: logs ? { level: ctx.config.logLevel, ...(opts.logStream ? { stream: opts.logStream } : {}) } : false,
    rewriteUrl: rewriteFormatUrl,
    genReqId: () => randomUUID(),
    trustProxy: true,
    // Paper ids like hep-th/9901001 contain a slash; long search queries must not be cut.
    routerOptions: { maxParamLength: 500, ignoreTrailingSlash: true },
  });

  await app.register(fastifyStatic, { root: join(here, "static"), prefix: "/static/", maxAge: "1h" });
  await app.register(fastifyStatic, { root: katexDist, prefix: "/static/katex/", decorateReply: false, maxAge: "7d", immutable: true });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: 64 * 1024 });
  // Only routes that name a limit are limited (see community/limits.ts).
  await app.register(fastifyRateLimit, { global: false, store: databaseRateLimitStore(ctx.db) });
  // Before the community hooks: an anonymous page served from the cache needs no session lookup.
  registerPageCache(app, ctx, pages);
  app.decorate("pageCache", pages);
  registerCommunityHooks(app, ctx);

  // Weak ETags from the body: a client revalidates every time and gets 304 when nothing it
  // shows has changed, so no cache can show a page older than the last vote or comment.
  app.addHook("onSend", async (request, reply, payload) => {
    if (request.method !== "GET" || reply.statusCode !== 200 || typeof payload !== "string") return payload;
    const etag = String(reply.getHeader("etag") ?? "") || etagOf(payload);
    reply.header("etag", etag);
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-cache");
    if (request.headers["if-none-match"] === etag) {
      reply.code(304);
      return "";
    }
    return payload;
  });
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.headers(securityHeaders(String(reply.getHeader("content-type") ?? "")));
    return payload;
  });
  // Last: the hooks above (page cache, ETag) work on the uncompressed body.
  registerCompression(app);

  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    const format = formatOf(request);
    let status = error.statusCode ?? 500;
    let message = error.message;
    if (status >= 500 && !(error instanceof HttpError)) {
      // Details go to the log with the request id; the visitor gets the id to quote.
      request.log.error({ err: error, reqId: request.id }, "unexpected error");
      message = "Something went wrong on our side.";
      status = 500;
    } else if ("validation" in error && error.validation) {
      message = error.message.replace(/^querystring\/?/, "");
    }
    reply.status(status);
    if (wantsJson(request.url, format, request.headers.accept, request.headers["content-type"])) {
      return reply.send({ error: message, ...("id" in error && typeof error.id === "string" ? { id: error.id } : {}), ...(status === 500 ? { requestId: request.id } : {}) });
    }
    return reply
      .type("text/html; charset=utf-8")
      .send(renderDocument(Layout({ title: status === 404 ? "Not found" : "Error", viewer: { user: request.viewer, csrfToken: request.csrfToken }, children: ErrorPage({ status, message, requestId: status === 500 ? String(request.id) : null }) })));
  });

  app.setNotFoundHandler((request, reply) => {
    const format = formatOf(request);
    reply.status(404);
    if (wantsJson(request.url, format)) return reply.send({ error: `no route for ${request.method} ${request.url}` });
    return reply
      .type("text/html; charset=utf-8")
      .send(renderDocument(Layout({ title: "Not found", viewer: { user: request.viewer, csrfToken: request.csrfToken }, children: ErrorPage({ status: 404, message: "There is nothing at this address.", requestId: null }) })));
  });

  app.get("/", async (_req, reply) => reply.redirect("/papers"));
  app.get("/healthz", async () => ({ ok: true }));
  registerPaperRoutes(app, ctx);
  registerSitemapRoutes(app, ctx);
  registerPaperApi(app, ctx);
  registerSearchRoutes(app, ctx);
  // Submitting a paper we do not hold fetches it from the arXiv API first.
  registerCommunity(app, ctx, ctx.config.arxiv.fetchOnSubmit ? { fetchUnknown: arxivFetchUnknown(arxivClients(ctx, SUBMISSION_FETCH).api) } : {});
  registerDigestRoutes(app, ctx);
  return app;
}
