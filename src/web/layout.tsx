/** The page frame shared by every HTML page: head, header with search, footer. */
import type { ComponentChildren, VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { AccountNav } from "../community/nav.views.js";
import type { Viewer } from "../community/policy.js";

export interface Alternate {
  type: "application/atom+xml" | "application/rss+xml" | "application/json";
  title: string;
  href: string;
}

/** A `<meta>` of the head beyond the ones every page has: `name` (citation_*) or `property` (og:*). */
export type HeadMeta = { name: string; content: string } | { property: string; content: string };

export interface LayoutProps {
  title: string;
  description?: string;
  canonical?: string;
  /** Open Graph type: a paper page is an article; the rest of the site is a website. */
  ogType?: "website" | "article";
  meta?: HeadMeta[];
  alternates?: Alternate[];
  query?: string;
  /** Which main navigation entry is current. */
  section?: "daily" | "trending" | "search" | "other";
  /** Who is looking, and the CSRF token their forms carry (absent: signed out, no forms). */
  viewer?: { user: Viewer | null; csrfToken: string };
  children: ComponentChildren;
}

const ASSET_VERSION = "3";

export function Layout(p: LayoutProps): VNode {
  const cur = (s: LayoutProps["section"]) => (p.section === s ? { "aria-current": "page" as const } : {});
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{p.title === "Daily Papers" ? p.title : `${p.title} · Daily Papers`}</title>
        {p.description && <meta name="description" content={p.description} />}
        {p.canonical && <link rel="canonical" href={p.canonical} />}
        {/* Link previews in chat and social apps. */}
        <meta property="og:site_name" content="Daily Papers" />
        <meta property="og:type" content={p.ogType ?? "website"} />
        <meta property="og:title" content={p.title} />
        {p.description && <meta property="og:description" content={p.description} />}
        {p.canonical && <meta property="og:url" content={p.canonical} />}
        <meta name="twitter:card" content="summary" />
        {(p.meta ?? []).map((m) => <meta {...m} />)}
        {(p.alternates ?? []).map((a) => (
          <link rel="alternate" type={a.type} title={a.title} href={a.href} />
        ))}
        <link rel="stylesheet" href={`/static/styles.css?v=${ASSET_VERSION}`} />
        <link rel="stylesheet" href="/static/katex/katex.min.css" />
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href={`/static/community.css?v=${ASSET_VERSION}`} />
        {p.viewer?.csrfToken && <meta name="csrf-token" content={p.viewer.csrfToken} />}
        <script src={`/static/app.js?v=${ASSET_VERSION}`} defer />
        <script src={`/static/community.js?v=${ASSET_VERSION}`} defer />
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="site-header">
          <div class="wrap header-row">
            <a class="brand" href="/papers">
              <span class="brand-mark" aria-hidden="true">
                <svg viewBox="0 0 24 24" width="18" height="18" focusable="false">
                  <path fill="currentColor" d="M6 2.5h8.2L19 7.3V20a1.5 1.5 0 0 1-1.5 1.5h-11A1.5 1.5 0 0 1 5 20V4a1.5 1.5 0 0 1 1-1.5Zm2.5 9a.9.9 0 0 0 0 1.8h7a.9.9 0 0 0 0-1.8Zm0 3.5a.9.9 0 0 0 0 1.8h7a.9.9 0 0 0 0-1.8Zm0 3.5a.9.9 0 0 0 0 1.8h4a.9.9 0 0 0 0-1.8Z" />
                </svg>
              </span>
              Daily Papers
            </a>
            <nav aria-label="Main" class="main-nav">
              <a href="/papers" {...cur("daily")}>Daily</a>
              <a href="/papers/trending" {...cur("trending")}>Trending</a>
              <a href="/search" {...cur("search")}>Search</a>
            </nav>
            <form class="header-search" action="/search" method="get" role="search">
              <label class="visually-hidden" for="site-q">Search papers</label>
              <input id="site-q" name="q" type="search" placeholder="Search papers, authors, arXiv ids" value={p.query ?? ""} autoComplete="off" />
            </form>
            <AccountNav user={p.viewer?.user ?? null} csrf={p.viewer?.csrfToken ?? ""} />
          </div>
        </header>
        <main id="main" class="wrap">
          {p.children}
        </main>
        <footer class="site-footer">
          <div class="wrap footer-row">
            <span>Daily Papers: open, self-hosted paper discovery.</span>
            <nav aria-label="Feeds and API">
              <a href="/subscribe">Get trending papers in your email inbox</a> · <a href="/papers.atom">Atom</a> · <a href="/papers.rss">RSS</a> · <a href="/api/daily_papers">API</a>
            </nav>
          </div>
        </footer>
      </body>
    </html>
  );
}

export function renderDocument(vnode: VNode): string {
  return `<!doctype html>${renderToString(vnode)}`;
}
