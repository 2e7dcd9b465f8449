/**
 * One digest as an email: an HTML part built for mail clients (tables, inline CSS, no external
 * styles or images, readable in light and dark mode) and a plain-text part with the same
 * content. Pure: the selected digest and the papers in, strings out; the browser view
 * (/digests/:id) shows the same HTML.
 */
import { texToText } from "../papers/tex.js";
import type { DigestSection, Reason, SectionKind, SelectedDigest } from "./digest.select.js";

export interface RenderPaper {
  arxivId: string;
  title: string;
  authors: string[];
  abstract: string;
}

export interface RenderLinks {
  baseUrl: string;
  /** Shown at the top: "Monday, June 29, 2026" or "the week of June 22, 2026". */
  periodLabel: string;
  frequency: "daily" | "weekly";
  browserUrl: string;
  manageUrl: string;
  unsubscribeUrl: string;
}

export interface RenderedDigest {
  subject: string;
  html: string;
  text: string;
}

export const SECTION_TITLES: Record<SectionKind, string> = {
  topics: "Your topic alerts",
  authors: "Authors you follow",
  for_you: "For you",
  trending: "Trending",
};

const ABSTRACT_CHARS = 320;
const MAX_AUTHORS = 6;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/**
 * Every reader of a period gets the same few hundred papers: their plain title and short
 * abstract are computed once (TeX to text is most of the cost of rendering a digest).
 */
function memo(fn: (s: string) => string): (s: string) => string {
  const cache = new Map<string, string>();
  return (s) => {
    let v = cache.get(s);
    if (v === undefined) {
      if (cache.size >= 20_000) cache.clear();
      cache.set(s, (v = fn(s)));
    }
    return v;
  };
}

const plainTitle = memo(texToText);
const plainShortAbstract = memo((a) => shortAbstract(a));

/** A short plain abstract: TeX made readable, cut at a word boundary. */
export function shortAbstract(abstract: string, max = ABSTRACT_CHARS): string {
  const plain = texToText(abstract);
  if (plain.length <= max) return plain;
  const cut = plain.lastIndexOf(" ", max);
  return `${plain.slice(0, cut > max * 0.6 ? cut : max).replace(/[\s,;:.]+$/, "")}…`;
}

export function authorLine(authors: string[]): string {
  return authors.length <= MAX_AUTHORS ? authors.join(", ") : `${authors.slice(0, MAX_AUTHORS).join(", ")} et al. (${authors.length} authors)`;
}

export function reasonText(r: Reason): string {
  switch (r.kind) {
    case "topic":
      return `matches "${r.query}"`;
    case "author":
      return `by ${r.name}, whom you follow`;
    case "similar":
      return `similar to "${plainTitle(r.seedTitle)}", which you ${r.via}`;
    case "trending":
      return `trending #${r.rank}`;
  }
}

export function paperUrl(baseUrl: string, arxivId: string): string {
  return `${baseUrl}/papers/${arxivId}`;
}

function count(n: number): string {
  return `${n} paper${n === 1 ? "" : "s"}`;
}

export function digestSubject(d: SelectedDigest, l: Pick<RenderLinks, "periodLabel" | "frequency">): string {
  const n = d.sections.reduce((a, s) => a + s.items.length, 0);
  return `Daily Papers ${l.frequency === "daily" ? "digest" : "weekly digest"}: ${count(n)} for ${l.periodLabel}`;
}

// Light colours inline (every client applies them); the dark overrides in <style> reach the
// clients that honour prefers-color-scheme (Apple Mail, iOS, Outlook.com), and the rest
// invert light designs on their own. No background images: inversion cannot break them.
const C = { text: "#1f2328", muted: "#59636e", link: "#0b57d0", rule: "#d1d9e0", chip: "#eef2f7", bg: "#ffffff" };

function sectionHtml(s: DigestSection, papers: ReadonlyMap<number, RenderPaper>, baseUrl: string): string {
  const rows = s.items
    .map((item) => {
      const p = papers.get(item.paperId);
      if (!p) return "";
      const url = paperUrl(baseUrl, p.arxivId);
      const reasons = item.reasons.map((r) => `<span class="dp-chip" style="display:inline-block;margin:0 4px 4px 0;padding:1px 8px;border-radius:10px;background:${C.chip};color:${C.muted};font-size:12px;line-height:18px">${escapeHtml(reasonText(r))}</span>`).join("");
      return `<tr><td style="padding:14px 0;border-bottom:1px solid ${C.rule}">
<div style="margin:0 0 6px 0">${reasons}</div>
<a href="${escapeHtml(url)}" class="dp-link" style="color:${C.link};font-size:17px;line-height:23px;font-weight:600;text-decoration:none">${escapeHtml(plainTitle(p.title))}</a>
<div class="dp-muted" style="color:${C.muted};font-size:13px;line-height:19px;margin:4px 0 6px 0">${escapeHtml(authorLine(p.authors))}</div>
<div class="dp-text" style="color:${C.text};font-size:14px;line-height:21px">${escapeHtml(plainShortAbstract(p.abstract))}</div>
<div style="font-size:13px;line-height:19px;margin-top:6px"><a href="${escapeHtml(url)}" class="dp-link" style="color:${C.link}">Read on Daily Papers</a> &middot; <a href="https://arxiv.org/abs/${escapeHtml(p.arxivId)}" class="dp-link" style="color:${C.link}">arXiv</a> &middot; <a href="https://arxiv.org/pdf/${escapeHtml(p.arxivId)}" class="dp-link" style="color:${C.link}">PDF</a></div>
</td></tr>`;
    })
    .join("\n");
  return `<tr><td style="padding:22px 0 0 0"><h2 class="dp-text" style="margin:0;color:${C.text};font-size:19px;line-height:25px">${escapeHtml(SECTION_TITLES[s.kind])}</h2></td></tr>
${rows}`;
}

export function renderDigestHtml(d: SelectedDigest, papers: ReadonlyMap<number, RenderPaper>, l: RenderLinks): string {
  const subject = digestSubject(d, l);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark">
<title>${escapeHtml(subject)}</title>
<style>
@media (prefers-color-scheme: dark) {
  .dp-body, .dp-card { background:#0d1117 !important; }
  .dp-text { color:#e6edf3 !important; }
  .dp-muted { color:#9198a1 !important; }
  .dp-link { color:#58a6ff !important; }
  .dp-chip { background:#21262d !important; color:#c9d1d9 !important; }
}
</style></head>
<body class="dp-body" style="margin:0;padding:0;background:${C.bg};font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" class="dp-body" style="background:${C.bg}"><tr><td align="center" style="padding:20px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" class="dp-card" style="max-width:640px;background:${C.bg}">
<tr><td style="padding:0 0 8px 0;border-bottom:2px solid ${C.rule}">
<div class="dp-text" style="color:${C.text};font-size:22px;line-height:28px;font-weight:700">Daily Papers</div>
<div class="dp-muted" style="color:${C.muted};font-size:14px;line-height:20px">Your ${l.frequency} digest for ${escapeHtml(l.periodLabel)} &middot; <a href="${escapeHtml(l.browserUrl)}" class="dp-link" style="color:${C.link}">view in browser</a></div>
</td></tr>
${d.sections.map((s) => sectionHtml(s, papers, l.baseUrl)).join("\n")}
<tr><td class="dp-muted" style="padding:24px 0 0 0;color:${C.muted};font-size:12px;line-height:18px">
You get this email because you subscribed to Daily Papers digests at ${escapeHtml(l.baseUrl)}.<br>
<a href="${escapeHtml(l.manageUrl)}" class="dp-link" style="color:${C.link}">Change what you receive</a> &middot; <a href="${escapeHtml(l.unsubscribeUrl)}" class="dp-link" style="color:${C.link}">Unsubscribe</a>
</td></tr>
</table></td></tr></table>
</body></html>`;
}

export function renderDigestText(d: SelectedDigest, papers: ReadonlyMap<number, RenderPaper>, l: RenderLinks): string {
  const out: string[] = [`Daily Papers: your ${l.frequency} digest for ${l.periodLabel}`, `View in a browser: ${l.browserUrl}`, ""];
  for (const s of d.sections) {
    const title = SECTION_TITLES[s.kind];
    out.push(title, "=".repeat(title.length), "");
    for (const item of s.items) {
      const p = papers.get(item.paperId);
      if (!p) continue;
      out.push(
        `* ${plainTitle(p.title)}`,
        `  ${authorLine(p.authors)}`,
        `  Why: ${item.reasons.map(reasonText).join("; ")}`,
        `  ${plainShortAbstract(p.abstract)}`,
        `  ${paperUrl(l.baseUrl, p.arxivId)}`,
        `  arXiv: https://arxiv.org/abs/${p.arxivId}  PDF: https://arxiv.org/pdf/${p.arxivId}`,
        "",
      );
    }
  }
  out.push("--", `Change what you receive: ${l.manageUrl}`, `Unsubscribe: ${l.unsubscribeUrl}`);
  return out.join("\n");
}

export function renderDigest(d: SelectedDigest, papers: ReadonlyMap<number, RenderPaper>, l: RenderLinks): RenderedDigest {
  return { subject: digestSubject(d, l), html: renderDigestHtml(d, papers, l), text: renderDigestText(d, papers, l) };
}
