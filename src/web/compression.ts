/**
 * Gzip for the responses the page cache does not answer from memory (first views, signed-in
 * readers' pages, search, the API, feeds): text of 1 KB or more, when the client accepts gzip.
 * Cache hits carry their own stored gzip. Compression runs on libuv's thread pool, so a large
 * page does not hold up other requests. Static files (streams) are left to their own caching.
 */
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { FastifyInstance } from "fastify";

const gzipAsync = promisify(gzip);
const MIN_BYTES = 1024;
const TEXT = /^(text\/|application\/(json|xml|atom\+xml|rss\+xml|javascript))/;

function withVary(current: unknown): string {
  const v = String(current ?? "");
  return /accept-encoding/i.test(v) ? v : v ? `${v}, Accept-Encoding` : "Accept-Encoding";
}

export function registerCompression(app: FastifyInstance): void {
  app.addHook("onSend", async (request, reply, payload) => {
    if (typeof payload !== "string" && !Buffer.isBuffer(payload)) return payload;
    if (request.method === "HEAD" || reply.statusCode === 304 || reply.statusCode === 204 || reply.hasHeader("content-encoding")) return payload;
    if (Buffer.byteLength(payload) < MIN_BYTES || !TEXT.test(String(reply.getHeader("content-type") ?? ""))) return payload;
    // Whether or not this client gets gzip, the answer depends on the header: caches must know.
    reply.header("vary", withVary(reply.getHeader("vary")));
    if (!/\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""))) return payload;
    reply.header("content-encoding", "gzip");
    reply.removeHeader("content-length");
    return gzipAsync(payload, { level: 6 });
  });
}
