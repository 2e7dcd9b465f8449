/**
 * Every page answers as HTML at its path and as JSON (and, for lists of papers, Atom and RSS;
 * for papers and collections, BibTeX) at the same path plus an extension. The extension is
 * stripped before routing and remembered on the request, so one route and one handler serve
 * every format.
 */
import type { IncomingMessage } from "node:http";
import type { FastifyRequest } from "fastify";

export type Format = "html" | "json" | "atom" | "rss" | "bib";

const FORMAT = Symbol("format");
type Tagged = IncomingMessage & { [FORMAT]?: Format };

const SUFFIX = /^(\/(?!api\/|static\/)[^?]*?)\.(json|atom|rss|bib)(\?.*)?$/;

/** A requested URL without its format extension, and the format it asked for. */
export function splitFormat(url: string): { url: string; format: Format } {
  const m = SUFFIX.exec(url);
  if (!m) return { url, format: "html" };
  return { url: (m[1] === "" ? "/" : m[1]) + (m[3] ?? ""), format: m[2] as Format };
}

/** Fastify's rewriteUrl hook: `/papers/date/2025-08-05.json` routes as `/papers/date/2025-08-05`. */
export function rewriteFormatUrl(req: IncomingMessage): string {
  const { url, format } = splitFormat(req.url ?? "/");
  if (format !== "html") (req as Tagged)[FORMAT] = format;
  return url;
}

export function formatOf(request: FastifyRequest): Format {
  return (request.raw as Tagged)[FORMAT] ?? "html";
}

/** The path a visitor asked for, extension included (for canonical links and feeds' self links). */
export function pathWithFormat(path: string, format: Format): string {
  return format === "html" ? path : `${path}.${format}`;
}
