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

/** HTML for text with inline TeX: math rendered, everything else escaped. */
export function texToHtml(text: string): string {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  let out = "";
  let last = 0;
  for (const m of text.matchAll(MATH)) {
    out += escapeHtml(text.slice(last, m.index));
    const tex = m[1] ?? m[2] ?? m[3] ?? "";
    try {
      out += katex.renderToString(tex, { throwOnError: true, displayMode: false, output: "html", strict: "ignore", trust: false, maxSize: 10, maxExpand: 200 });
    } catch {
      // TeX that KaTeX cannot parse stays as the author wrote it, escaped.
      out += escapeHtml(m[0]);
    }
    last = m.index + m[0].length;
  }
  out += escapeHtml(text.slice(last));
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(text, out);
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
