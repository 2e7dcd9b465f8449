/**
 * "Did you mean": a query word the index has never seen is replaced by the indexed term within
 * one or two edits that the most papers use. Terms are stems ("transform"), so the suggestion
 * is shown in a spelling taken from a paper that uses it ("transformer").
 */
import type { KeywordIndex } from "./keyword.index.js";
import { analyzeWord, words } from "./tokenize.js";

/** Terms used by fewer papers are typos themselves more often than not (small archives: any term). */
const MIN_DF = 3;
const SMALL_ARCHIVE = 2000;
/** A word in fewer papers than this may still be a typo ... */
const RARE_DF = 3;
/** ... when a near spelling is used by this many times more papers. */
const RARE_FACTOR = 20;

interface Frequent {
  size: number;
  /** Terms by length (index = length), each with its document frequency. */
  byLength: Array<{ terms: string[]; df: number[] }>;
}

const cache = new WeakMap<KeywordIndex, Frequent>();

function frequentTerms(index: KeywordIndex): Frequent {
  const hit = cache.get(index);
  // Rebuilt when the vocabulary grew by a tenth: new terms rarely matter for spelling.
  const vocab = index.vocabulary();
  if (hit && vocab.length < hit.size * 1.1 + 100) return hit;
  const minDf = index.size < SMALL_ARCHIVE ? 1 : MIN_DF;
  const byLength: Frequent["byLength"] = [];
  for (const t of vocab) {
    if (t.length < 3 || t.length > 40) continue;
    const df = index.docFrequency(t);
    if (df < minDf) continue;
    const bucket = (byLength[t.length] ??= { terms: [], df: [] });
    bucket.terms.push(t);
    bucket.df.push(df);
  }
  const f = { size: vocab.length, byLength };
  cache.set(index, f);
  return f;
}

// Two reused rows: the scan compares one term against tens of thousands.
let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/** Levenshtein distance, or max + 1 as soon as it must exceed `max`. */
export function boundedEditDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (rowA.length <= b.length) {
    rowA = new Int32Array(b.length * 2 + 1);
    rowB = new Int32Array(b.length * 2 + 1);
  }
  let prev = rowA;
  let cur = rowB;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      let v = prev[j - 1] + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      if (prev[j] + 1 < v) v = prev[j] + 1;
      if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[b.length];
}

/** The closest frequent term to an unknown (or very rare) one, or null. */
export function closestTerm(index: KeywordIndex, term: string, minDf = 1): string | null {
  const max = term.length <= 5 ? 1 : 2;
  const { byLength } = frequentTerms(index);
  let best: string | null = null;
  let bestD = max + 1;
  let bestDf = 0;
  for (let len = Math.max(3, term.length - max); len <= term.length + max; len++) {
    const bucket = byLength[len];
    if (!bucket) continue;
    const { terms, df } = bucket;
    for (let i = 0; i < terms.length; i++) {
      if (df[i] < minDf) continue;
      const t = terms[i];
      if (t === term) continue;
      // Typos rarely touch the first letter; skipping those keeps the scan to a fraction.
      if (t.charCodeAt(0) !== term.charCodeAt(0) && max < 2) continue;
      const d = boundedEditDistance(term, t, Math.min(max, bestD));
      if (d < bestD || (d === bestD && df[i] > bestDf)) {
        best = t;
        bestD = d;
        bestDf = df[i];
      }
    }
  }
  return bestD <= max ? best : null;
}

/**
 * A corrected query when some of its words are unknown to the index and close to known ones,
 * else null. `texts` fetches papers' text to find a readable spelling of a suggested stem.
 */
export async function suggestSpelling(
  index: KeywordIndex,
  query: string,
  texts: (ids: number[]) => Promise<Array<{ title: string; abstract: string }>>,
): Promise<string | null> {
  const raw = words(query.slice(0, 250));
  let changed = false;
  const out: string[] = [];
  for (const w of raw) {
    const term = analyzeWord(w);
    const df = term === "" ? 0 : index.docFrequency(term);
    // Known words stay, except the very rare ones (arXiv has its own typos: "splating"), and
    // names always do: an author's name is rare by nature, not a typo ("Gagnon", not "canonical").
    if (term === "" || df >= RARE_DF || /[0-9]/.test(w) || w.length < 3 || (df > 0 && index.inAuthors(term))) {
      out.push(w);
      continue;
    }
    const fix = closestTerm(index, term, df > 0 ? df * RARE_FACTOR : 1);
    if (fix === null) {
      out.push(w);
      continue;
    }
    changed = true;
    out.push(await spellingOf(index, fix, w, texts));
  }
  return changed ? out.join(" ") : null;
}

async function spellingOf(
  index: KeywordIndex,
  term: string,
  typed: string,
  texts: (ids: number[]) => Promise<Array<{ title: string; abstract: string }>>,
): Promise<string> {
  const hits = index.searchTerms([{ term, weight: 1 }], { k: 5 });
  const counts = new Map<string, number>();
  for (const t of await texts(hits.map((h) => h.id))) {
    for (const w of words(`${t.title} ${t.abstract}`)) if (analyzeWord(w) === term) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  // The spelling nearest to what was typed ("splating" -> "splatting", not "splats"), then the
  // most used one.
  let best = term;
  let bestD = Infinity;
  let n = 0;
  for (const [w, c] of counts) {
    const d = boundedEditDistance(typed, w, 8);
    if (d < bestD || (d === bestD && (c > n || (c === n && w < best)))) [best, bestD, n] = [w, d, c];
  }
  return best;
}
