/**
 * Presenters: the only way a paper leaves the server. The API shapes follow Hugging Face's
 * Papers API field for field, so its clients work against ours unchanged.
 */
import type { PaperRow } from "../db/schema.js";
import { arxivAbsUrl, arxivPdfUrl } from "./arxiv-id.js";
import type { FeedDoc } from "../web/feeds.js";
import type { HeadMeta } from "../web/layout.js";
import type { FeedEntry } from "./feed.queries.js";
import { texToText } from "./tex.js";

export interface HfUser {
  user: string;
  fullname: string;
  avatarUrl: string;
  type: "user";
}

export interface HfAuthor {
  name: string;
  hidden: boolean;
}

export interface HfPaper {
  id: string;
  authors: HfAuthor[];
  publishedAt: string;
  title: string;
  summary: string;
  upvotes: number;
  discussionId: string;
  githubRepo?: string;
  projectPage?: string;
  numComments?: number;
  submittedOnDailyAt?: string;
  submittedOnDailyBy?: HfUser;
}

export interface HfDailyItem {
  paper: HfPaper;
  publishedAt: string;
  title: string;
  summary: string;
  thumbnail: string;
  numComments: number;
  submittedBy: HfUser;
  isAuthorParticipating: boolean;
}

/** Who "submitted" a paper that entered the feed from the arXiv listing rather than a person. */
const LISTING_USER = { username: "arxiv-listing", displayName: "arXiv daily listing" };

/** Normalised author name for matching: case, accents, dots and spacing do not matter. */
export function authorKey(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[.\s]+/g, " ")
    .trim();
}

export function authorsOf(row: Pick<PaperRow, "authors">): string[] {
  const parsed: unknown = JSON.parse(row.authors);
  return Array.isArray(parsed) ? parsed.map(String) : [];
}

export function presentUser(baseUrl: string, u: { username: string; displayName: string } | null): HfUser {
  const who = u ?? LISTING_USER;
  return { user: who.username, fullname: who.displayName, avatarUrl: `${baseUrl}/avatars/${encodeURIComponent(who.username)}.svg`, type: "user" };
}

export function presentPaper(baseUrl: string, row: PaperRow, entry: FeedEntry | null): HfPaper {
  const out: HfPaper = {
    id: row.arxiv_id,
    authors: authorsOf(row).map((name) => ({ name, hidden: false })),
    publishedAt: row.first_version_at,
    title: row.title,
    summary: row.abstract,
    upvotes: row.upvotes,
    discussionId: String(row.id),
  };
  if (row.github_repo) out.githubRepo = row.github_repo;
  if (row.project_page) out.projectPage = row.project_page;
  out.numComments = row.num_comments;
  if (entry) {
    out.submittedOnDailyAt = entry.submittedAt;
    out.submittedOnDailyBy = presentUser(baseUrl, entry.submitter);
  }
  return out;
}

/** A paper in the daily-item shape; papers never featured (search hits) have no entry. */
export function presentDailyItem(baseUrl: string, item: { paper: PaperRow; entry: FeedEntry | null }): HfDailyItem {
  const paper = presentPaper(baseUrl, item.paper, item.entry);
  return {
    paper,
    publishedAt: item.entry?.submittedAt ?? item.paper.first_version_at,
    title: item.paper.title,
    summary: item.paper.abstract,
    thumbnail: `${baseUrl}/papers/${item.paper.arxiv_id}/thumbnail.svg`,
    numComments: item.paper.num_comments,
    submittedBy: presentUser(baseUrl, item.entry?.submitter ?? null),
    isAuthorParticipating: false,
  };
}

/** Extra links a page and its JSON twin show beside the HF fields. */
export function paperLinks(row: PaperRow): { abs: string; pdf: string; github: string | null; project: string | null } {
  return { abs: arxivAbsUrl(row.arxiv_id), pdf: arxivPdfUrl(row.arxiv_id), github: row.github_repo, project: row.project_page };
}

/** An Atom/RSS document listing papers, each entry their page; updated: the latest change among them. */
export function paperFeed(base: string, head: Omit<FeedDoc, "entries" | "updated">, papers: readonly PaperRow[]): FeedDoc {
  return {
    ...head,
    updated: papers.reduce((m, p) => (p.updated_at > m ? p.updated_at : m), "1970-01-01T00:00:00.000Z"),
    entries: papers.map((p) => ({
      id: `${base}/papers/${p.arxiv_id}`,
      url: `${base}/papers/${p.arxiv_id}`,
      title: p.title,
      summary: p.abstract,
      authors: authorsOf(p),
      categories: p.categories.split(" "),
      published: p.first_version_at,
      updated: p.updated_at,
    })),
  };
}

/** A page description from an abstract: TeX read as prose, cut at a word, at most `max` characters. */
export function summaryLine(abstract: string, max = 200): string {
  const text = texToText(abstract);
  if (text.length <= max) return text;
  const cut = text.lastIndexOf(" ", max - 1);
  return `${text.slice(0, cut > max / 2 ? cut : max - 1).replace(/[\s,;:.]+$/, "")}…`;
}

/**
 * The citation tags arXiv's own pages carry (Highwire Press style): what Zotero, Mendeley and
 * Google Scholar read to save or index a paper from its page.
 */
export function citationMeta(row: PaperRow): HeadMeta[] {
  const day = (iso: string) => iso.slice(0, 10).replaceAll("-", "/");
  return [
    { name: "citation_title", content: texToText(row.title) },
    ...authorsOf(row).map((name) => ({ name: "citation_author", content: name })),
    { name: "citation_date", content: day(row.first_version_at) },
    { name: "citation_online_date", content: day(row.latest_version_at) },
    { name: "citation_pdf_url", content: arxivPdfUrl(row.arxiv_id) },
    { name: "citation_arxiv_id", content: row.arxiv_id },
    ...(row.doi ? [{ name: "citation_doi", content: row.doi }] : []),
    { name: "citation_abstract", content: texToText(row.abstract) },
  ];
}
