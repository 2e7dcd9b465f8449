/**
 * One handler, every format: a route builds a `PageView` and `sendPage` answers it as HTML,
 * JSON, Atom or RSS depending on the extension the visitor asked for.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { VNode } from "preact";
import type { AppContext } from "../context.js";
import { notFound } from "./errors.js";
import { renderAtom, renderRss, type FeedDoc } from "./feeds.js";
import { formatOf } from "./format.js";
import { Layout, renderDocument, type Alternate, type HeadMeta, type LayoutProps } from "./layout.js";

export interface PageView {
  title: string;
  description?: string;
  /** Extra head metadata (a paper's citation_* tags), and its Open Graph type. */
  meta?: HeadMeta[];
  ogType?: LayoutProps["ogType"];
  section?: LayoutProps["section"];
  query?: string;
  /** The JSON twin: already presented (no raw rows). */
  json: unknown;
  body: () => VNode;
  /** Present when the page is a list of papers with Atom and RSS twins. */
  feed?: () => FeedDoc;
  /** Present when the page's papers can be cited: their BibTeX entries (`.bib`). */
  bib?: () => string;
  /** The path without extension, for canonical and alternate links. */
  path: string;
  status?: number;
}

export function sendPage(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, view: PageView): FastifyReply {
  const format = formatOf(request);
  const base = ctx.config.baseUrl;
  reply.status(view.status ?? 200);
  if (format === "json") return reply.type("application/json; charset=utf-8").send(view.json);
  if (format === "bib") {
    if (!view.bib) throw notFound("This page has no BibTeX.");
    // Plain text, so that a browser shows the entries to copy rather than downloading a file.
    return reply.type("text/plain; charset=utf-8").send(view.bib());
  }
  if (format === "atom" || format === "rss") {
    if (!view.feed) throw notFound("This page has no feed.");
    const doc = view.feed();
    return format === "atom"
      ? reply.type("application/atom+xml; charset=utf-8").send(renderAtom(doc))
      : reply.type("application/rss+xml; charset=utf-8").send(renderRss(doc));
  }
  const alternates: Alternate[] = [{ type: "application/json", title: "JSON", href: `${view.path}.json` }];
  if (view.feed) {
    alternates.unshift(
      { type: "application/atom+xml", title: `${view.title} (Atom)`, href: `${base}${view.path}.atom` },
      { type: "application/rss+xml", title: `${view.title} (RSS)`, href: `${base}${view.path}.rss` },
    );
  }
  const html = renderDocument(
    Layout({ title: view.title, description: view.description, meta: view.meta, ogType: view.ogType, canonical: `${base}${view.path}`, alternates, section: view.section, query: view.query, viewer: { user: request.viewer, csrfToken: request.csrfToken }, children: view.body() }),
  );
  return reply.type("text/html; charset=utf-8").send(html);
}
