/** The search page: the form with filters, highlighted results, paging and zero-result help. */
import type { VNode } from "preact";
import type { PaperRow } from "../db/schema.js";
import { humanShortDay } from "../lib/dates.js";
import { arxivAbsUrl, arxivPdfUrl } from "../papers/arxiv-id.js";
import { authorsOf } from "../papers/papers.present.js";
import { texToHtml } from "../papers/tex.js";
import { authorPath, VoteCount } from "../papers/papers.views.js";
import { highlightTex, snippet } from "./highlight.js";

/** Characters of abstract shown around the first match. */
const SNIPPET_CHARS = 320;
const CARD_AUTHORS = 6;

export interface SearchForm {
  q: string;
  categories: string[];
  from: string;
  to: string;
  sort: "relevance" | "date";
}

export interface SearchPageProps {
  form: SearchForm;
  papers: PaperRow[];
  /** Analysed query terms, for highlighting. */
  terms: ReadonlySet<string>;
  total: number;
  page: number;
  pageSize: number;
  hasMore: boolean;
  mode: "keyword" | "hybrid";
  /** No model yet, and the first one is being trained: ranking by meaning is minutes away. */
  modelTraining?: boolean;
  suggestion: string | null;
  /** The author the query names: their newest papers, and how many their page lists. */
  author: { name: string; total: number; papers: PaperRow[] } | null;
  /** Papers closest by meaning, shown when nothing matched. */
  nearest: PaperRow[];
  /** An arXiv id the query named but the archive lacks. */
  missingId: string | null;
  categoryChoices: string[];
}

/** The query string of a search with some fields changed (page links, suggestions). */
/** True when the search has filters (a category, a date range): alone, they list the newest papers. */
export function hasFilters(form: SearchForm): boolean {
  return form.categories.length > 0 || Boolean(form.from) || Boolean(form.to);
}

/** How a search reads in titles: its words, or else the filters that make the list. */
export function searchLabel(form: SearchForm): string {
  if (form.q.trim()) return form.q;
  const parts: string[] = [];
  if (form.categories.length) parts.push(form.categories.join(", "));
  if (form.from && form.to) parts.push(`${form.from} to ${form.to}`);
  else if (form.from) parts.push(`since ${form.from}`);
  else if (form.to) parts.push(`until ${form.to}`);
  return parts.join(", ");
}

/** The digest form with this search offered as a topic alert (its words and categories). */
export function alertHref(form: SearchForm): string {
  const params = new URLSearchParams({ topic: form.q });
  for (const c of form.categories) params.append("cat", c);
  return `/subscribe?${params}`;
}

export function searchHref(form: SearchForm, changes: Partial<SearchForm> & { p?: number } = {}): string {
  const f = { ...form, ...changes };
  const params = new URLSearchParams();
  if (f.q) params.set("q", f.q);
  for (const c of f.categories) params.append("cat", c);
  if (f.from) params.set("from", f.from);
  if (f.to) params.set("to", f.to);
  if (f.sort !== "relevance") params.set("sort", f.sort);
  if (changes.p) params.set("p", String(changes.p));
  const s = params.toString();
  return s ? `/search?${s}` : "/search";
}

function ResultCard({ paper, terms }: { paper: PaperRow; terms: ReadonlySet<string> }): VNode {
  const names = authorsOf(paper);
  const shown = names.length > CARD_AUTHORS ? names.slice(0, CARD_AUTHORS - 1) : names;
  const rest = names.length - shown.length;
  const cut = snippet(paper.abstract, terms, SNIPPET_CHARS);
  const url = `/papers/${paper.arxiv_id}`;
  return (
    <article class="card search-hit" aria-labelledby={`t-${paper.id}`}>
      <VoteCount upvotes={paper.upvotes} />
      <div class="card-body">
        <h2 class="card-title" id={`t-${paper.id}`}>
          <a href={url} dangerouslySetInnerHTML={{ __html: highlightTex(paper.title, terms) }} />
        </h2>
        <p class="authors">
          {shown.map((name, i) => (
            <>{i > 0 && ", "}<a href={authorPath(name)} dangerouslySetInnerHTML={{ __html: highlightTex(name, terms) }} /></>
          ))}
          {rest > 0 && <>, et al. (+{rest})</>}
        </p>
        <p class="search-meta">
          <span>arXiv:{paper.arxiv_id}</span> · <time dateTime={paper.first_version_at}>{humanShortDay(paper.first_version_at.slice(0, 10))}, {paper.first_version_at.slice(0, 4)}</time>
          {" · "}
          {paper.categories.split(" ").filter(Boolean).join(", ")}
        </p>
        <p class="search-snippet" dangerouslySetInnerHTML={{ __html: `${cut.cutStart ? "… " : ""}${highlightTex(cut.text, terms)}${cut.cutEnd ? " …" : ""}` }} />
        <ul class="links">
          <li><a href={arxivAbsUrl(paper.arxiv_id)} rel="noopener">arXiv</a></li>
          <li><a href={arxivPdfUrl(paper.arxiv_id)} rel="noopener">PDF</a></li>
          {paper.github_repo && <li><a href={paper.github_repo} rel="noopener nofollow">Code</a></li>}
          <li><a href={`${url}#similar`}>Similar papers</a></li>
        </ul>
      </div>
    </article>
  );
}

function Filters({ form, categoryChoices }: { form: SearchForm; categoryChoices: string[] }): VNode {
  return (
    <form class="search-form" action="/search" method="get" role="search" id="search-form">
      <div class="search-row">
        <label class="visually-hidden" for="search-q">Search</label>
        <input id="search-q" name="q" type="search" value={form.q} maxLength={250} placeholder="Keywords, a sentence, authors or an arXiv id…" autoComplete="off" autoFocus={!form.q} />
        <button class="btn primary" type="submit">Search</button>
      </div>
      <fieldset class="search-filters">
        <legend class="visually-hidden">Filters</legend>
        <label>
          Category
          <input name="cat" list="search-cats" value={form.categories.join(",")} placeholder="any (e.g. cs.CV)" size={12} />
          <datalist id="search-cats">
            {categoryChoices.map((c) => <option value={c} />)}
          </datalist>
        </label>
        <label>
          From <input type="date" name="from" value={form.from} />
        </label>
        <label>
          To <input type="date" name="to" value={form.to} />
        </label>
        <label>
          Sort
          <select name="sort">
            <option value="relevance" selected={form.sort === "relevance"}>Relevance</option>
            <option value="date" selected={form.sort === "date"}>Newest first</option>
          </select>
        </label>
      </fieldset>
    </form>
  );
}

/** A query that names an author: their newest papers first, then the way to all of them. */
function AuthorHit({ author, terms }: { author: NonNullable<SearchPageProps["author"]>; terms: ReadonlySet<string> }): VNode {
  const href = authorPath(author.name);
  return (
    <section class="author-hit" aria-labelledby="author-hit-h">
      <h2 id="author-hit-h">Papers by <a href={href}>{author.name}</a></h2>
      <ol class="cards">
        {author.papers.map((paper) => <li><ResultCard paper={paper} terms={terms} /></li>)}
      </ol>
      <p class="author-all">
        {author.total > author.papers.length
          ? <a href={href}>All {author.total.toLocaleString("en-US")} papers by {author.name} →</a>
          : <a href={href}>{author.name}'s page</a>}
        {" · "}
        <a href={`/subscribe?author=${encodeURIComponent(author.name)}`}>Follow by email</a>
      </p>
    </section>
  );
}

export function SearchResults(p: SearchPageProps): VNode {
  const { form } = p;
  if (!form.q.trim() && !hasFilters(form)) {
    return (
      <div id="search-results" aria-live="polite">
        <p class="empty">Type keywords, a sentence describing what you look for, an author's name, or paste an arXiv id or URL.</p>
      </div>
    );
  }
  return (
    <div id="search-results" aria-live="polite">
      {p.missingId && (
        <p class="notice">
          arXiv:{p.missingId} is not in this archive yet. <a href={`/submit?id=${encodeURIComponent(p.missingId)}`}>Submit it</a> or open it <a href={arxivAbsUrl(p.missingId)} rel="noopener">on arXiv</a>.
        </p>
      )}
      {p.author && <AuthorHit author={p.author} terms={p.terms} />}
      {p.author && <h2 class="all-results">All results</h2>}
      {p.suggestion && (
        <p class="suggestion">
          Did you mean <a href={searchHref(form, { q: p.suggestion })}><em>{p.suggestion}</em></a>?
        </p>
      )}
      {p.papers.length === 0 ? (
        <>
          <p class="empty">
            {form.q.trim() ? <>No papers match <strong>{form.q}</strong></> : <>No papers in <strong>{searchLabel(form)}</strong></>}
            {form.q.trim() && hasFilters(form) && <> with these filters. <a href={searchHref({ ...form, categories: [], from: "", to: "" })}>Search without filters</a></>}.
          </p>
          {p.nearest.length > 0 && (
            <section aria-labelledby="nearest-h">
              <h2 id="nearest-h">Closest papers by meaning</h2>
              <ol class="cards">
                {p.nearest.map((paper) => <li><ResultCard paper={paper} terms={p.terms} /></li>)}
              </ol>
            </section>
          )}
        </>
      ) : (
        <>
          <p class="search-count">
            {/* Ranking stops at a depth, so the count is a lower bound when there are more pages. */}
            {p.total >= 1000 ? "Over 1,000" : p.total.toLocaleString("en-US")}{p.hasMore && p.total < 1000 ? "+" : ""} result{p.total === 1 && !p.hasMore ? "" : "s"}
            {p.page > 0 && <>, page {p.page + 1}</>}
            {!form.q.trim() ? ` in ${searchLabel(form)} · newest first` : (
              <>
                {p.mode === "hybrid" ? " · keyword and semantic ranking" : " · keyword ranking"}
                {p.modelTraining && " (ranking by meaning joins in a few minutes: the search model is training on this archive)"}
                {form.sort === "date" && " · newest first"}
              </>
            )}
          </p>
          <ol class="cards" start={p.page * p.pageSize + 1}>
            {p.papers.map((paper) => <li><ResultCard paper={paper} terms={p.terms} /></li>)}
          </ol>
          {(p.page > 0 || p.hasMore) && (
            <nav class="pager" aria-label="Pages">
              {p.page > 0 && <a class="btn" rel="prev" href={searchHref(form, { p: p.page - 1 })}>← Previous</a>}
              {p.hasMore && <a class="btn" rel="next" href={searchHref(form, { p: p.page + 1 })}>Next →</a>}
            </nav>
          )}
        </>
      )}
    </div>
  );
}

export function SearchPage(p: SearchPageProps): VNode {
  return (
    <>
      <link rel="stylesheet" href="/static/search.css?v=4" />
      <section class="feed-head">
        <div>
          <h1>Search</h1>
          <p class="intro">Title, authors and abstract of every paper in the archive, ranked by keywords and by meaning.</p>
        </div>
        {/* Always there, so search-as-you-type can swap in the links of the new query. */}
        <div class="feed-links" id="search-links">
          {p.form.q && <a class="feed-link alert" href={alertHref(p.form)} title="Get new papers matching this search by email">Email alert</a>}
          {(p.form.q || hasFilters(p.form)) && <a class="feed-link" href={`${searchHref(p.form).replace(/^\/search/, "/search.atom")}`} title="Atom feed of this search">Feed</a>}
        </div>
      </section>
      <Filters form={p.form} categoryChoices={p.categoryChoices} />
      <SearchResults {...p} />
      <script src="/static/search.js?v=2" defer />
    </>
  );
}

/** The "Similar papers" list of a paper page. */
export function SimilarPapers({ papers }: { papers: PaperRow[] }): VNode | null {
  if (papers.length === 0) return null;
  return (
    <section id="similar" aria-labelledby="similar-h" class="similar">
      <h2 id="similar-h">Similar papers</h2>
      <ul class="similar-list">
        {papers.map((paper) => (
          <li>
            <a href={`/papers/${paper.arxiv_id}`} dangerouslySetInnerHTML={{ __html: texToHtml(paper.title) }} />
            <span class="similar-meta"> · {authorsOf(paper).slice(0, 3).join(", ")}{authorsOf(paper).length > 3 ? " et al." : ""} · {paper.first_version_at.slice(0, 10)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
