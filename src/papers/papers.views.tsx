/** Server-rendered views of papers: the card of a feed, the feed pages and the paper page. */
import type { VNode } from "preact";
import { UpvoteButton, type VoteState } from "../community/index.js";
import type { PaperRow } from "../db/schema.js";
import { humanShortDay } from "../lib/dates.js";
import { arxivAbsUrl, arxivPdfUrl } from "./arxiv-id.js";
import type { FeedEntry } from "./feed.queries.js";
import { authorKey, authorsOf } from "./papers.present.js";
import { texPreview, texToHtml } from "./tex.js";

/** Authors past this count collapse into "et al." on cards. */
const CARD_AUTHORS = 4;
/** Characters of abstract a card shows before "more". */
const PREVIEW_CHARS = 280;

function Tex({ text, as: Tag = "span", class: cls, links }: { text: string; as?: "span" | "p" | "h1" | "h2" | "div" | "dd"; class?: string; links?: boolean }): VNode {
  return <Tag class={cls} dangerouslySetInnerHTML={{ __html: texToHtml(text, { links }) }} />;
}

export function paperPath(arxivId: string): string {
  return `/papers/${arxivId}`;
}

/** An author's page: their papers here, and following them by email. */
export function authorPath(name: string): string {
  return `/authors/${encodeURIComponent(name)}`;
}

function Categories({ categories }: { categories: string }): VNode {
  const [primary, ...cross] = categories.split(" ").filter(Boolean);
  return (
    <ul class="categories" aria-label="Categories">
      {primary && <li class="cat primary" title="Primary category">{primary}</li>}
      {cross.map((c) => (
        <li class="cat">{c}</li>
      ))}
    </ul>
  );
}

/**
 * A paper's authors, the first few linked to their pages and the rest as "et al.". `featured`
 * (an `authorKey`) keeps one author in sight when the list is cut: on their own page, a card
 * shows "A, B, … Them et al." with their name marked, not "A, B, C et al.".
 */
function Authors({ names, max, featured }: { names: string[]; max?: number; featured?: string }): VNode {
  const cut = max !== undefined && names.length > max;
  const first = cut ? names.slice(0, max - 1) : names;
  const at = featured === undefined ? -1 : names.findIndex((n) => authorKey(n) === featured);
  const late = at >= first.length;
  const lead = late ? first.slice(0, -1) : first;
  const hidden = names.filter((_, i) => i >= lead.length && !(late && i === at));
  const link = (name: string) => <a href={authorPath(name)} class={authorKey(name) === featured ? "self" : undefined}>{name}</a>;
  return (
    <p class="authors">
      {lead.map((name, i) => <>{i > 0 && ", "}{link(name)}</>)}
      {late && <>{lead.length > 0 && ", "}… {link(names[at]!)}</>}
      {hidden.length > 0 && <> <span class="et-al" title={hidden.join(", ")}>et al. (+{hidden.length})</span></>}
    </p>
  );
}

function CommentIcon(): VNode {
  return (
    <svg class="icon" viewBox="0 0 20 20" width="14" height="14" aria-hidden="true" focusable="false">
      <path fill="currentColor" d="M4 3h12a2 2 0 0 1 2 2v7a2 2 0 0 1-2 2h-5.6l-3.7 3.1A.8.8 0 0 1 5.4 16.5V14H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2Zm0 1.6a.4.4 0 0 0-.4.4v7c0 .2.2.4.4.4h3v2.3l2.8-2.3H16a.4.4 0 0 0 .4-.4V5a.4.4 0 0 0-.4-.4Z" />
    </svg>
  );
}

/** The upvote count of a card, for visitors who cannot vote here (and search hits). */
export function VoteCount({ upvotes }: { upvotes: number }): VNode {
  return (
    <div class="votes" role="img" aria-label={`${upvotes} upvotes`}>
      <span class="arrow" aria-hidden="true">▲</span>
      <span class="count">{upvotes}</span>
    </div>
  );
}

export function PaperCard({ paper, entry, rank, vote, returnTo, featuredAuthor }: { paper: PaperRow; entry?: FeedEntry | null; rank?: number; vote?: VoteState; returnTo?: string; featuredAuthor?: string }): VNode {
  const { preview, truncated } = texPreview(paper.abstract, PREVIEW_CHARS);
  const url = paperPath(paper.arxiv_id);
  return (
    <article class="card" aria-labelledby={`t-${paper.id}`}>
      {vote ? (
        <div class="votes">
          <UpvoteButton arxivId={paper.arxiv_id} upvotes={paper.upvotes} state={vote} returnTo={returnTo ?? url} />
        </div>
      ) : (
        <VoteCount upvotes={paper.upvotes} />
      )}
      <div class="card-body">
        <h2 class="card-title" id={`t-${paper.id}`}>
          {rank !== undefined && <span class="rank">{rank}.</span>}
          <a href={url} dangerouslySetInnerHTML={{ __html: texToHtml(paper.title) }} />
        </h2>
        <Authors names={authorsOf(paper)} max={CARD_AUTHORS} featured={featuredAuthor} />
        <Categories categories={paper.categories} />
        {truncated ? (
          <details class="abstract">
            <summary>
              <Tex text={`${preview}…`} class="preview" />
              <span class="more">more</span>
              <span class="less">less</span>
            </summary>
            <Tex text={paper.abstract} as="p" class="full" />
          </details>
        ) : (
          <Tex text={paper.abstract} as="p" class="abstract-short" />
        )}
        <ul class="links">
          <li><a href={arxivAbsUrl(paper.arxiv_id)} rel="noopener">arXiv</a></li>
          <li><a href={arxivPdfUrl(paper.arxiv_id)} rel="noopener">PDF</a></li>
          {paper.github_repo && <li><a href={paper.github_repo} rel="noopener nofollow">Code</a></li>}
          {paper.project_page && <li><a href={paper.project_page} rel="noopener nofollow">Project</a></li>}
          <li><a href={`${url}#discussion`} aria-label={`${paper.num_comments} comments on this paper`}><CommentIcon /> {paper.num_comments}</a></li>
          {entry && (
            <li class="meta">
              {entry.submitter ? (
                <>{entry.source === "curator" ? "Featured by" : "Submitted by"} <a href={`/u/${entry.submitter.username}`}>{entry.submitter.displayName}</a></>
              ) : (
                <>Listed {humanShortDay(entry.day)}</>
              )}
            </li>
          )}
        </ul>
      </div>
    </article>
  );
}

export interface PeriodNav {
  label: string;
  prev: { href: string; label: string } | null;
  next: { href: string; label: string } | null;
  /** Links to the other granularities (day, week, month) of the same period. */
  views: Array<{ href: string; label: string; current: boolean }>;
}

export function FeedPage(p: {
  heading: string;
  intro?: string;
  nav: PeriodNav | null;
  items: Array<{ paper: PaperRow; entry: FeedEntry | null }>;
  page: number;
  hasMore: boolean;
  basePath: string;
  feedPath: string;
  /** Links of the page's own beside its feed (an author page's "Follow by email"). */
  tools?: VNode;
  /** A line under the heading, before the papers (an author page's co-authors). */
  lead?: VNode | null;
  /** The author whose page this is (an `authorKey`): their name stays in sight on every card. */
  featuredAuthor?: string;
  /** Upvote buttons: the viewer's CSRF token (null when signed out) and the papers they upvoted. */
  votes?: { csrf: string | null; voted: Set<number> };
}): VNode {
  return (
    <>
      <section class="feed-head">
        <div>
          <h1>{p.heading}</h1>
          {p.intro && <p class="intro">{p.intro}</p>}
        </div>
        <div class="feed-tools">
          {p.nav && (
            <nav class="period-nav" aria-label="Other periods">
              {p.nav.prev ? <a class="btn" rel="prev" href={p.nav.prev.href}>← {p.nav.prev.label}</a> : <span class="btn disabled" aria-disabled="true">← Previous</span>}
              {p.nav.next ? <a class="btn" rel="next" href={p.nav.next.href}>{p.nav.next.label} →</a> : <span class="btn disabled" aria-disabled="true">Next →</span>}
            </nav>
          )}
          {p.nav && p.nav.views.length > 0 && (
            <nav class="granularity" aria-label="Period length">
              {p.nav.views.map((v) => (
                <a href={v.href} aria-current={v.current ? "page" : undefined}>{v.label}</a>
              ))}
            </nav>
          )}
          {p.tools}
          <a class="feed-link" href={`${p.feedPath}.atom`} title="Atom feed of this page">Feed</a>
        </div>
      </section>
      {p.lead}
      {p.items.length === 0 ? (
        <p class="empty">No papers here yet.</p>
      ) : (
        <ol class="cards" start={p.page * 50 + 1}>
          {p.items.map((it) => (
            <li>
              <PaperCard paper={it.paper} entry={it.entry} vote={p.votes && { csrf: p.votes.csrf, voted: p.votes.voted.has(it.paper.id) }} returnTo={p.page > 0 ? `${p.basePath}?p=${p.page}` : p.basePath} featuredAuthor={p.featuredAuthor} />
            </li>
          ))}
        </ol>
      )}
      {(p.page > 0 || p.hasMore) && (
        <nav class="pager" aria-label="Pages">
          {p.page > 0 && <a class="btn" href={`${p.basePath}?p=${p.page - 1}`}>← Newer</a>}
          {p.hasMore && <a class="btn" href={`${p.basePath}?p=${p.page + 1}`}>More →</a>}
        </nav>
      )}
    </>
  );
}

export function PaperPage({ paper, entry, vote, community, similar }: { paper: PaperRow; entry: FeedEntry | null; vote?: VoteState; community?: { tools: VNode | null; save: VNode | null; discussion: VNode }; similar?: VNode | null }): VNode {
  const authors = authorsOf(paper);
  return (
    <article class="paper" aria-labelledby="paper-title">
      <p class="paper-id">
        <a href={arxivAbsUrl(paper.arxiv_id)}>arXiv:{paper.arxiv_id}v{paper.version}</a>
        {" · "}
        <time dateTime={paper.first_version_at}>{humanShortDay(paper.first_version_at.slice(0, 10))}, {paper.first_version_at.slice(0, 4)}</time>
      </p>
      <h1 id="paper-title" dangerouslySetInnerHTML={{ __html: texToHtml(paper.title) }} />
      <Authors names={authors} />
      <Categories categories={paper.categories} />
      <div class="paper-actions">
        {vote ? (
          <div class="votes big">
            <UpvoteButton arxivId={paper.arxiv_id} upvotes={paper.upvotes} state={vote} returnTo={paperPath(paper.arxiv_id)} />
          </div>
        ) : (
          <div class="votes big" role="img" aria-label={`${paper.upvotes} upvotes`}>
            <span class="arrow" aria-hidden="true">▲</span> <span class="count">{paper.upvotes}</span>
          </div>
        )}
        <ul class="links">
          <li><a class="btn" href={arxivAbsUrl(paper.arxiv_id)} rel="noopener">arXiv page</a></li>
          <li><a class="btn" href={arxivPdfUrl(paper.arxiv_id)} rel="noopener">PDF</a></li>
          {paper.github_repo && <li><a class="btn" href={paper.github_repo} rel="noopener nofollow">Code</a></li>}
          {paper.project_page && <li><a class="btn" href={paper.project_page} rel="noopener nofollow">Project page</a></li>}
          <li><a class="btn" href={`${paperPath(paper.arxiv_id)}.bib`} title="Cite this paper: its BibTeX entry">BibTeX</a></li>
        </ul>
      </div>
      <section aria-labelledby="abstract-h">
        <h2 id="abstract-h">Abstract</h2>
        <Tex text={paper.abstract} as="p" class="abstract-full" links />
      </section>
      <dl class="facts">
        {paper.comment && (<><dt>Comment</dt><Tex text={paper.comment} as="dd" links /></>)}
        {paper.journal_ref && (<><dt>Journal ref</dt><dd>{paper.journal_ref}</dd></>)}
        {paper.doi && (<><dt>DOI</dt><dd><a href={`https://doi.org/${paper.doi}`}>{paper.doi}</a></dd></>)}
        {entry && (
          <>
            <dt>In the daily feed</dt>
            <dd>
              <a href={`/papers/date/${entry.day}`}>{humanShortDay(entry.day)}, {entry.day.slice(0, 4)}</a>
              {entry.submitter && <> · {entry.source === "curator" ? "featured by" : "submitted by"} <a href={`/u/${entry.submitter.username}`}>{entry.submitter.displayName}</a></>}
            </dd>
          </>
        )}
      </dl>
      {community?.tools}
      {community?.save}
      {similar}
      <section id="discussion" aria-labelledby="discussion-h">
        <h2 id="discussion-h">Discussion ({paper.num_comments})</h2>
        {community ? community.discussion : paper.num_comments === 0 && <p class="empty">No comments yet.</p>}
      </section>
    </article>
  );
}

/** An author's papers, newest first, with following them by email and their feed. */
export function AuthorPage(p: { name: string; total: number; coauthors: Array<{ name: string; papers: number }>; items: Array<{ paper: PaperRow; entry: FeedEntry | null }>; page: number; hasMore: boolean; votes?: { csrf: string | null; voted: Set<number> } }): VNode {
  const path = authorPath(p.name);
  return FeedPage({
    heading: p.name,
    intro: `${p.total === 1 ? "One paper" : `${p.total.toLocaleString("en-US")} papers`} on Daily Papers, newest first.`,
    nav: null,
    items: p.items,
    page: p.page,
    hasMore: p.hasMore,
    basePath: path,
    feedPath: path,
    votes: p.votes,
    tools: <a class="feed-link alert" href={`/subscribe?author=${encodeURIComponent(p.name)}`} title="Get this author's new papers by email">Follow by email</a>,
    featuredAuthor: authorKey(p.name),
    lead: p.coauthors.length > 0 && p.page === 0
      ? (
        <p class="coauthors">
          Often writes with{" "}
          {p.coauthors.map((c, i) => (
            <>{i > 0 && ", "}<a href={authorPath(c.name)}>{c.name}</a> <span class="joint">({c.papers})</span></>
          ))}
        </p>
      )
      : null,
  });
}
