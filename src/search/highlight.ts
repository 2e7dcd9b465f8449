/**
 * Search-result highlighting: the words of a title or abstract whose analysed term (stem) is a
 * query term are wrapped in <mark>. Works on the TeX source: math spans are rendered by KaTeX
 * untouched (a <mark> inside generated math markup would break it), the text around them is
 * escaped and marked. Output is HTML built only from escaped text and KaTeX's markup.
 */
import { escapeHtml, texToHtml } from "../papers/tex.js";
import { analyzeWord, words } from "./tokenize.js";

// The math delimiters tex.ts renders; anything else is plain text.
const MATH = /\$\$[^$]+?\$\$|\$[^$\n]+?\$|\\\(.+?\\\)/g;
const TOKEN = /[\p{L}\p{N}]+/gu;

function matches(token: string, terms: ReadonlySet<string>): boolean {
  for (const w of words(token)) {
    const t = analyzeWord(w);
    if (t !== "" && terms.has(t)) return true;
  }
  return false;
}

function markText(text: string, terms: ReadonlySet<string>): string {
  if (terms.size === 0) return escapeHtml(text);
  let out = "";
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    const start = m.index ?? 0;
    if (!matches(m[0], terms)) continue;
    out += `${escapeHtml(text.slice(last, start))}<mark>${escapeHtml(m[0])}</mark>`;
    last = start + m[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

/** HTML of a TeX text with the query's terms marked outside math. */
export function highlightTex(text: string, terms: ReadonlySet<string>): string {
  let out = "";
  let last = 0;
  for (const m of text.matchAll(MATH)) {
    const start = m.index ?? 0;
    out += markText(text.slice(last, start), terms);
    out += texToHtml(m[0]);
    last = start + m[0].length;
  }
  return out + markText(text.slice(last), terms);
}

/**
 * A window of about `max` characters of `text` around its first matching word (the start when
 * nothing matches), cut at spaces and never inside a formula.
 */
export function snippet(text: string, terms: ReadonlySet<string>, max: number): { text: string; cutStart: boolean; cutEnd: boolean } {
  if (text.length <= max) return { text, cutStart: false, cutEnd: false };
  const mathSpans: Array<[number, number]> = [];
  for (const m of text.matchAll(MATH)) mathSpans.push([m.index ?? 0, (m.index ?? 0) + m[0].length]);
  const inMath = (i: number): [number, number] | undefined => mathSpans.find(([a, b]) => i > a && i < b);
  let first = 0;
  for (const m of text.matchAll(TOKEN)) {
    const i = m.index ?? 0;
    if (!inMath(i) && matches(m[0], terms)) {
      first = i;
      break;
    }
  }
  let start = first < max * 0.6 ? 0 : Math.max(0, first - Math.floor(max * 0.25));
  if (start > 0) {
    const sp = text.indexOf(" ", start);
    start = sp >= 0 && sp < first ? sp + 1 : start;
    const span = inMath(start);
    if (span) start = span[0];
  }
  let end = Math.min(text.length, start + max);
  if (end < text.length) {
    const sp = text.lastIndexOf(" ", end);
    if (sp > start + max * 0.6) end = sp;
    const span = inMath(end);
    if (span) end = span[0];
  }
  return { text: text.slice(start, end).trim(), cutStart: start > 0, cutEnd: end < text.length };
}
