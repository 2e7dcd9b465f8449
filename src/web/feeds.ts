/**
 * Atom 1.0 (RFC 4287) and RSS 2.0 documents from one description of a feed. Pure: callers
 * pass absolute URLs built from BASE_URL. Every text is escaped; ids are the papers' page URLs,
 * which are unique and permanent.
 */
import { escapeHtml } from "../papers/tex.js";

export interface FeedEntryDoc {
  id: string;
  url: string;
  title: string;
  summary: string;
  authors: string[];
  categories: string[];
  published: string;
  updated: string;
}

export interface FeedDoc {
  title: string;
  subtitle: string;
  /** The HTML page this feed mirrors. */
  pageUrl: string;
  /** The feed's own URL (Atom or RSS twin is derived). */
  atomUrl: string;
  rssUrl: string;
  updated: string;
  entries: FeedEntryDoc[];
}

const x = escapeHtml;

export function renderAtom(feed: FeedDoc): string {
  const entries = feed.entries
    .map(
      (e) => `  <entry>
    <id>${x(e.id)}</id>
    <title type="text">${x(e.title)}</title>
    <link rel="alternate" type="text/html" href="${x(e.url)}"/>
    <published>${e.published}</published>
    <updated>${e.updated}</updated>
${e.authors.map((a) => `    <author><name>${x(a)}</name></author>`).join("\n")}
${e.categories.map((c) => `    <category term="${x(c)}"/>`).join("\n")}
    <summary type="text">${x(e.summary)}</summary>
  </entry>`,
    )
    .join("\n");
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${x(feed.atomUrl)}</id>
  <title type="text">${x(feed.title)}</title>
  <subtitle type="text">${x(feed.subtitle)}</subtitle>
  <link rel="self" type="application/atom+xml" href="${x(feed.atomUrl)}"/>
  <link rel="alternate" type="text/html" href="${x(feed.pageUrl)}"/>
  <updated>${feed.updated}</updated>
  <author><name>Daily Papers</name></author>
  <generator>Daily Papers</generator>
${entries}
</feed>
`;
}

export function renderRss(feed: FeedDoc): string {
  const rfc822 = (iso: string) => new Date(iso).toUTCString();
  const items = feed.entries
    .map(
      (e) => `    <item>
      <title>${x(e.title)}</title>
      <link>${x(e.url)}</link>
      <guid isPermaLink="true">${x(e.id)}</guid>
      <pubDate>${rfc822(e.published)}</pubDate>
${e.authors.map((a) => `      <dc:creator>${x(a)}</dc:creator>`).join("\n")}
${e.categories.map((c) => `      <category>${x(c)}</category>`).join("\n")}
      <description>${x(e.summary)}</description>
    </item>`,
    )
    .join("\n");
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>${x(feed.title)}</title>
    <link>${x(feed.pageUrl)}</link>
    <description>${x(feed.subtitle)}</description>
    <atom:link href="${x(feed.rssUrl)}" rel="self" type="application/rss+xml"/>
    <lastBuildDate>${rfc822(feed.updated)}</lastBuildDate>
    <generator>Daily Papers</generator>
${items}
  </channel>
</rss>
`;
}
