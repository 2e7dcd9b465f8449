/**
 * arXiv titles and abstracts keep their TeX (`$\mathcal{O}(n)$`). We render the math with
 * KaTeX on the server (its output is generated markup, never user HTML) and escape the text
 * around it. Rendering is cached because the same abstracts are shown again and again.
 */
import katex from "katex";

const MATH = /\$\$([^$]+?)\$\$|\$([^$\n]+?)\$|\\\((.+?)\\\)/g;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const cache = new Map<string, string>();
const CACHE_LIMIT = 20000;

// A web address in running text: http(s) or www., up to a space, a quote, an angle bracket or
// TeX markup (`\url{...}` leaves the address between its braces).
const WEB_ADDRESS = /\b(?:https?:\/\/|www\.)[^\s<>"'{}\\|^`]+/gi;

/** How many times `c` occurs in `s`. */
function occurrences(s: string, c: string): number {
  let n = 0;
  for (const x of s) if (x === c) n++;
  return n;
}

/**
 * Escaped text whose web addresses are links. Punctuation that ends a sentence is not part
 * of the address, nor is a closing bracket the address did not open ("(see https://x.org)").
 * The links are `nofollow ugc`: authors' text is not ours to vouch for.
 */
export function linkifyText(text: string): string {
  let out = "";
  let last = 0;
  const scan = new RegExp(WEB_ADDRESS);
  for (let m = scan.exec(text); m !== null; m = scan.exec(text)) {
    let url = m[0];
    // Markdown, as some authors write it: `[https://a.io](https://a.io)`. The first address
    // ends at "](", and the scan resumes there to find the second.
    const markdown = url.indexOf("](");
    if (markdown > 0) url = url.slice(0, markdown);
    scan.lastIndex = m.index + url.length;
    for (;;) {
      const end = url.at(-1) ?? "";
      if (".,;:!?".includes(end)) url = url.slice(0, -1);
      else if (end === ")" && occurrences(url, "(") < occurrences(url, ")")) url = url.slice(0, -1);
      else if (end === "]" && occurrences(url, "[") < occurrences(url, "]")) url = url.slice(0, -1);
      else break;
    }
    const href = /^www\./i.test(url) ? `https://${url}` : url;
    // "https://" alone, or "www." cut back to nothing worth a link.
    if (!/[a-z0-9]\.[a-z]/i.test(url)) continue;
    out += `${escapeHtml(text.slice(last, m.index))}<a href="${escapeHtml(href)}" rel="nofollow ugc noopener">${escapeHtml(url)}</a>`;
    last = m.index + url.length;
  }
  return out + escapeHtml(text.slice(last));
}

/**
 * HTML for text with inline TeX: math rendered, everything else escaped; with `links`, the
 * web addresses outside the math become links (the paper page's abstract and comment).
 */
export function texToHtml(text: string, opts: { links?: boolean } = {}): string {
  const key = opts.links ? `\u0001${text}` : text;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const plain = opts.links ? linkifyText : escapeHtml;
  let out = "";
  let last = 0;
  for (const m of text.matchAll(MATH)) {
    out += plain(text.slice(last, m.index));
    const tex = m[1] ?? m[2] ?? m[3] ?? "";
    try {
      out += katex.renderToString(tex, { throwOnError: true, displayMode: false, output: "html", strict: "ignore", trust: false, maxSize: 10, maxExpand: 200 });
    } catch {
      // TeX that KaTeX cannot parse stays as the author wrote it, escaped.
      out += escapeHtml(m[0]);
    }
    last = m.index + m[0].length;
  }
  out += plain(text.slice(last));
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, out);
  return out;
}

/** Plain readable text for places that cannot show markup (feeds' titles, emails, meta tags). */
export function texToText(text: string): string {
  return text
    .replace(MATH, (_m, a: string | undefined, b: string | undefined, c: string | undefined) => {
      const tex = a ?? b ?? c ?? "";
      return tex
        .replace(/\\(mathcal|mathbf|mathrm|mathit|mathbb|text|textbf|textit|emph|operatorname)\s*\{([^}]*)\}/g, "$2")
        .replace(/\\(times)/g, "×").replace(/\\(cdot)/g, "·").replace(/\\(leq|le)\b/g, "≤").replace(/\\(geq|ge)\b/g, "≥")
        .replace(/\\(approx)/g, "≈").replace(/\\(sim)\b/g, "~").replace(/\\(infty)/g, "∞").replace(/\\(pm)/g, "±")
        .replace(/\\(alpha)/g, "α").replace(/\\(beta)/g, "β").replace(/\\(gamma)/g, "γ").replace(/\\(delta)/g, "δ")
        .replace(/\\(epsilon|varepsilon)/g, "ε").replace(/\\(lambda)/g, "λ").replace(/\\(mu)/g, "μ").replace(/\\(sigma)/g, "σ")
        .replace(/\\(rightarrow|to)\b/g, "→").replace(/\\%/g, "%").replace(/\\([a-zA-Z]+)/g, "$1")
        .replace(/[{}]/g, "").replace(/\^/g, "^").replace(/\s+/g, " ").trim();
    })
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * The first `max` characters of a TeX text, cut at a word boundary and never inside a
 * formula, for card previews.
 */
export function texPreview(text: string, max: number): { preview: string; truncated: boolean } {
  if (text.length <= max) return { preview: text, truncated: false };
  let cut = text.lastIndexOf(" ", max);
  if (cut < max * 0.6) cut = max;
  let preview = text.slice(0, cut);
  // An odd number of $ means the cut fell inside inline math: cut before that formula.
  if ((preview.match(/\$/g)?.length ?? 0) % 2 === 1) preview = preview.slice(0, preview.lastIndexOf("$"));
  return { preview: preview.replace(/[\s,;:]+$/, ""), truncated: true };
}
