/**
 * Code and project-page links mentioned in a paper's abstract or arXiv comment.
 *
 * arXiv metadata is TeX typed by authors, so URLs arrive in many shapes: `\url{...}`,
 * `\href{url}{text}`, TeX escapes inside them (`\_`), glued to the previous word
 * (`page:https://...`), bare (`github.com/owner/repo`, `www.example.org`), or broken by
 * spaces where a line was wrapped (`https:// github. com/owner/repo`). The helpers below
 * undo the common cases; the rest is deliberately left alone rather than guessed at.
 */

export interface ExtractedLinks {
  /** `https://github.com/owner/repo`, normalised; null when no repository link was found. */
  githubRepo: string | null;
  /** The most page-like other link (as written, minus trailing punctuation), or null. */
  projectPage: string | null;
}

// Path segments that look like owners on github.com but are GitHub's own pages.
const GITHUB_RESERVED_OWNERS = new Set([
  "about", "apps", "collections", "enterprise", "explore", "features", "login", "marketplace",
  "notifications", "orgs", "pricing", "search", "settings", "site", "sponsors", "topics", "trending",
]);

// Hosts whose links are code, data, videos or shorteners: kept as a last resort for the
// project page, because a paper's own site is what readers expect there.
const SECONDARY_HOSTS = [
  "huggingface.co", "gitlab.com", "bitbucket.org", "zenodo.org", "kaggle.com", "figshare.com",
  "osf.io", "anonymous.4open.science", "colab.research.google.com", "drive.google.com",
  "raw.githubusercontent.com", "gist.github.com", "youtube.com", "youtu.be", "bit.ly",
  "paperswithcode.com", "pypi.org", "openreview.net",
];

// Static-site hosts that almost always serve a project page.
const PAGE_HOSTS = ["github.io", "gitlab.io", "pages.dev", "netlify.app", "vercel.app"];

// Words that, just before a link, say it is the project page.
const PAGE_CONTEXT = /(project|home|web)\s*-?\s*page|website|homepage|demo|webpage|project\s*:/i;

/** Undoes TeX markup around and inside URLs so that one scan can find them. */
function untex(text: string): string {
  // Every replace but the last needs a backslash and none adds one, so most abstracts (no
  // backslash, often no brace either) can skip the regexes: they are a hot spot of the import.
  if (!text.includes("\\")) {
    return text.includes("{") || text.includes("}") ? text.replace(/[{}]/g, " ") : text;
  }
  return (
    text
      // \href{url}{label}: the label is often "here" or the url again, but some authors
      // swap the two (`\href{GitHub}{https://...}`), so both are kept for the scan.
      .replace(/\\href\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, " $1 $2 ")
      .replace(/\\verb(.)(.*?)\1/g, " $2 ")
      .replace(/\\(?=https?:)/gi, "")
      .replace(/\\url\s*\{([^{}]*)\}/g, " $1 ")
      .replace(/\\(textasciitilde|~)\s*(\{\})?/g, "~")
      .replace(/\\([_%#&])/g, "$1")
      // Any other command or brace ends a URL (e.g. `\textcolor{red}{https://...}`).
      .replace(/\\[a-zA-Z]+/g, " ")
      .replace(/[{}]/g, " ")
  );
}

// Square brackets end a URL too: Markdown links `[url](url)` are common in abstracts.
const URL_CHAR = /[^\s<>"'`{}|\\^[\]]/.source;
// A run of URL characters. A second scheme glued on (`https://githubhttps://github.com/...`)
// starts a new URL, so the run stops before one, except at its very start.
const URL_RUN = new RegExp(`${URL_CHAR}(?:(?!https?://)${URL_CHAR})*`, "iy");
// A scheme (possibly broken by spaces), or a bare github.com / www. link not inside a word.
// `https:/host` (one slash) is a typo seen often enough to accept. A bare github.com link may
// be glued to the previous word ("available atgithub.com/...").
const URL_START =
  /(https?)\s*:\s*\/\/?\s*|(?<![\w@./-])(?=www\.[a-z0-9-]+\.[a-z])|(?<![@./-])(?=github\.com\/)/iy;
// Every URL_START match begins with one of these literals. Searching for them first and
// trying URL_START only there is much faster than letting URL_START (whose lookbehinds defeat
// the regex engine's quick scan) try every position of the text.
const URL_START_CANDIDATE = /http|www\.|github\.com\//gi;

/** The first URL_START match at or after `from` (the same as a global URL_START would give). */
function nextUrlStart(text: string, from: number): RegExpExecArray | null {
  URL_START_CANDIDATE.lastIndex = from;
  let c: RegExpExecArray | null;
  while ((c = URL_START_CANDIDATE.exec(text)) !== null) {
    URL_START.lastIndex = c.index;
    const m = URL_START.exec(text);
    if (m) return m;
    URL_START_CANDIDATE.lastIndex = c.index + 1;
  }
  return null;
}

/**
 * Should the token after a space continue the URL read so far? Only when the URL is
 * obviously unfinished: a host ending in `.` or `-` (`https://github. com/...`), or a path
 * ending in `/` followed by something identifier-like (`github.com/ owner-x/ repo2`) rather
 * than a plain word (`github.com/user/ soon.`).
 */
function continues(url: string, next: string): boolean {
  if (!/^[A-Za-z0-9]/.test(next) || next.includes(":")) return false;
  const afterScheme = url.replace(/^https?:\/\//i, "");
  const inHost = !afterScheme.includes("/");
  if (inHost) return /[.-]$/.test(afterScheme) && afterScheme.length > 1;
  if (url.endsWith("-")) return true;
  if (url.endsWith("/")) {
    const word = next.replace(/[.,;:!?)\]]+$/, "");
    return word.length > 0 && /[0-9_A-Z/-]/.test(word.slice(1));
  }
  return false;
}

/** Strips sentence punctuation and unbalanced closing brackets from the end of a URL. */
function trimUrl(url: string): string {
  // `.../repo.(The code...` : a sentence end followed by a parenthesis, not part of the URL.
  let u = url.replace(/[.,;]\(.*$/, "");
  for (;;) {
    const before = u;
    u = u.replace(/[.,;:!?'"*%~#]+$/, "");
    for (const [open, close] of [["(", ")"], ["[", "]"]] as const) {
      if (u.endsWith(close) && u.split(close).length > u.split(open).length) u = u.slice(0, -1);
    }
    if (u === before) return u;
  }
}

interface FoundUrl {
  url: string;
  /** Up to 60 characters of text before the link, to judge what it is. */
  context: string;
}

function findUrls(raw: string): FoundUrl[] {
  const text = untex(raw);
  const found: FoundUrl[] = [];
  let m: RegExpExecArray | null;
  let from = 0;
  while ((m = nextUrlStart(text, from)) !== null) {
    let url = m[1] ? `${m[1].toLowerCase()}://` : "https://";
    let i = m.index + m[0].length;
    for (;;) {
      const start = i;
      URL_RUN.lastIndex = i;
      if (URL_RUN.test(text)) i = URL_RUN.lastIndex;
      url += text.slice(start, i);
      // Look past at most two spaces for a continuation of a wrapped URL.
      const gap = /^ {1,2}/.exec(text.slice(i, i + 3));
      if (!gap) break;
      const next = /^\S+/.exec(text.slice(i + gap[0].length))?.[0] ?? "";
      if (!continues(url, next)) break;
      i += gap[0].length;
    }
    from = i;
    const cleaned = trimUrl(url);
    if (/^https?:\/\/[^/]*[a-z0-9]\.[a-z]{2,}/i.test(cleaned)) {
      found.push({ url: cleaned, context: text.slice(Math.max(0, m.index - 60), m.index) });
    }
  }
  return found;
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** `https://github.com/owner/repo` for a link into a repository, else null. */
export function normaliseGithubRepo(url: string): string | null {
  const u = parseUrl(url);
  if (!u || !/^(www\.)?github\.com$/i.test(u.hostname)) return null;
  const [owner, repoRaw] = u.pathname.split("/").filter(Boolean);
  if (!owner || !repoRaw) return null;
  // Old accounts may end in a hyphen; new ones cannot start with one.
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(owner)) return null;
  if (GITHUB_RESERVED_OWNERS.has(owner.toLowerCase())) return null;
  const repo = repoRaw.replace(/\.git$/i, "");
  if (!/^[A-Za-z0-9_.-]+$/.test(repo) || /^\.+$/.test(repo)) return null;
  return `https://github.com/${owner}/${repo}`;
}

function isExcludedHost(host: string): boolean {
  return /(^|\.)(arxiv\.org|doi\.org|github\.com)$/i.test(host);
}

function hostIs(host: string, domains: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/^www\./, "");
  return domains.some((d) => h === d || h.endsWith(`.${d}`));
}

function pageScore(found: FoundUrl, host: string): number {
  let score = 0;
  if (PAGE_CONTEXT.test(found.context.slice(-40))) score += 3;
  if (hostIs(host, PAGE_HOSTS)) score += 2;
  if (hostIs(host, SECONDARY_HOSTS)) score -= 2;
  return score;
}

/**
 * Finds the paper's GitHub repository and project page. The abstract is read before the
 * comment; the first repository link wins; the project page is the best-scoring other link
 * (named as a project page just before it > static-site host > any > code/data hosts), the
 * earliest on ties.
 */
export function extractLinks(abstract: string, comment: string | null): ExtractedLinks {
  const found = [...findUrls(abstract), ...(comment ? findUrls(comment) : [])];
  let githubRepo: string | null = null;
  let best: { url: string; score: number } | null = null;
  for (const f of found) {
    const repo = normaliseGithubRepo(f.url);
    if (repo) {
      githubRepo ??= repo;
      continue;
    }
    const u = parseUrl(f.url);
    if (!u || isExcludedHost(u.hostname)) continue;
    const score = pageScore(f, u.hostname);
    if (!best || score > best.score) best = { url: f.url, score };
  }
  return { githubRepo, projectPage: best?.url ?? null };
}
