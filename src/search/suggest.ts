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

interface Frequent {
  size: number;
  terms: string[];
  df: Int32Array;
}

const cache = new WeakMap<KeywordIndex, Frequent>();

function frequentTerms(index: KeywordIndex): Frequent {
  const hit = cache.get(index);
  // Rebuilt when the vocabulary grew by a tenth: new terms rarely matter for spelling.
  const vocab = index.vocabulary();
  if (hit && vocab.length < hit.size * 1.1 + 100) return hit;
  const terms: string[] = [];
  const dfs: number[] = [];
  const minDf = index.size < SMALL_ARCHIVE ? 1 : MIN_DF;
  for (const t of vocab) {
    const df = index.docFrequency(t);
    if (df >= minDf && t.length >= 3) {
      terms.push(t);
      dfs.push(df);
    }
  }
  const f = { size: vocab.length, terms, df: Int32Array.from(dfs) };
  cache.set(index, f);
  return f;
}

/** Levenshtein distance, or max + 1 as soon as it must exceed `max`. */
export function boundedEditDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (cur[j] < rowMin) rowMin = cur[j];
    }
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/** The closest frequent term to an unknown one, or null. */
export function closestTerm(index: KeywordIndex, term: string): string | null {
  const max = term.length <= 5 ? 1 : 2;
  const { terms, df } = frequentTerms(index);
  let best: string | null = null;
  let bestD = max + 1;
  let bestDf = 0;
  for (let i = 0; i < terms.length; i++) {
    const t = terms[i];
    if (Math.abs(t.length - term.length) > max || t === term) continue;
    const d = boundedEditDistance(term, t, Math.min(max, bestD));
    if (d < bestD || (d === bestD && df[i] > bestDf)) {
      best = t;
      bestD = d;
      bestDf = df[i];
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
    if (term === "" || index.docFrequency(term) > 0 || /[0-9]/.test(w) || w.length < 3) {
      out.push(w);
      continue;
    }
    const fix = closestTerm(index, term);
    if (fix === null) {
      out.push(w);
      continue;
    }
    changed = true;
    out.push(await spellingOf(index, fix, texts));
  }
  return changed ? out.join(" ") : null;
}

async function spellingOf(
  index: KeywordIndex,
  term: string,
  texts: (ids: number[]) => Promise<Array<{ title: string; abstract: string }>>,
): Promise<string> {
  const hits = index.searchTerms([{ term, weight: 1 }], { k: 3 });
  const counts = new Map<string, number>();
  for (const t of await texts(hits.map((h) => h.id))) {
    for (const w of words(`${t.title} ${t.abstract}`)) if (analyzeWord(w) === term) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  let best = term;
  let n = 0;
  for (const [w, c] of counts) if (c > n || (c === n && w < best)) [best, n] = [w, c];
  return best;
}
