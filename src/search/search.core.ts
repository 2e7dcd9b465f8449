/**
 * The in-memory search engine, free of I/O: the keyword index, the per-paper facts filters
 * need (day and categories), the model and the paper vectors, and the query pipeline that
 * fuses them. `search.service.ts` keeps it in step with the database and on disk; the benches
 * drive it directly.
 */
import { embedPaper, embedQuery, isZeroVector } from "./embed.js";
import { DEFAULT_FUSION, fuseScores, type FusedHit, type FusionParams } from "./fusion.js";
import { KeywordIndex, type SearchHit } from "./keyword.index.js";
import type { StaticModel } from "./model2vec.js";
import { tokenize } from "./tokenize.js";
import { TopK } from "./topk.js";
import { VectorStore } from "./vector.store.js";
import { growI32 } from "../lib/typed-arrays.js";

export interface IndexDoc {
  id: number;
  title: string;
  /** Author names joined with ", ". */
  authors: string;
  abstract: string;
  categories: readonly string[];
  /** First-version day, YYYY-MM-DD. */
  day: string;
}

export type SearchSort = "relevance" | "date";

export interface SearchQuery {
  q: string;
  categories?: readonly string[];
  /** Inclusive day range on the first-version date, YYYY-MM-DD. */
  from?: string;
  to?: string;
  sort?: SearchSort;
  offset?: number;
  limit?: number;
  /** Rank by BM25F alone even when a model is loaded (evaluation, and the `mode=keyword` option). */
  keywordOnly?: boolean;
}

export interface CoreResult {
  hits: FusedHit[];
  /** Number of ranked candidates: a lower bound of all matches, as ranking stops at a depth. */
  total: number;
  mode: "keyword" | "hybrid";
  /** The analysed query terms (for highlighting). */
  terms: string[];
  /** Keyword matches among the keyword candidates (few or none: worth a spelling suggestion). */
  keywordMatches: number;
}

/** Deepest result a query can page to; past it, refine the query. */
export const MAX_RESULTS = 1000;

const DAY_MS = 86_400_000;
/** Days since 1970-01-01 of a YYYY-MM-DD (or ISO timestamp) string; NaN when unreadable. */
export function dayNumber(day: string): number {
  const t = Date.parse(`${day.slice(0, 10)}T00:00:00Z`);
  return Number.isFinite(t) ? Math.floor(t / DAY_MS) : NaN;
}

/**
 * Day and category set of every indexed paper, by paper id. Category sets repeat a lot
 * ("cs.CV cs.AI"), so each distinct set is stored once and papers point at it: a few bytes per
 * paper even at a million.
 */
export class DocFacts {
  day: Int32Array = new Int32Array(0);
  combo: Int32Array = new Int32Array(0);
  readonly combos: string[][] = [];
  private readonly comboIds = new Map<string, number>();

  // Ids newest first (day, then id, descending), built when first asked for after a change:
  // a listing by filters alone walks it and stops once it has enough.
  private newest: Int32Array | null = null;

  /** Every indexed id, newest first (by day; the same day, the later stored first). */
  newestFirst(): Int32Array {
    if (this.newest) return this.newest;
    const ids: number[] = [];
    for (let id = 0; id < this.combo.length; id++) if (this.combo[id] >= 0) ids.push(id);
    const day = this.day;
    ids.sort((a, b) => day[b] - day[a] || b - a);
    return (this.newest = Int32Array.from(ids));
  }

  set(id: number, categories: readonly string[], day: string): void {
    this.newest = null;
    this.day = growI32(this.day, id + 1, 0);
    this.combo = growI32(this.combo, id + 1, -1);
    const key = categories.join(" ");
    let c = this.comboIds.get(key);
    if (c === undefined) {
      c = this.combos.length;
      this.combos.push([...categories]);
      this.comboIds.set(key, c);
    }
    this.combo[id] = c;
    const d = dayNumber(day);
    this.day[id] = Number.isFinite(d) ? d : 0;
  }

  /** Restores saved arrays (a snapshot); category sets keep their numbers. */
  restore(day: Int32Array, combo: Int32Array, combos: readonly string[][]): void {
    this.newest = null;
    this.allowedCache.clear();
    this.day = day;
    this.combo = combo;
    this.combos.length = 0;
    this.comboIds.clear();
    combos.forEach((set, i) => {
      this.combos.push([...set]);
      this.comboIds.set(set.join(" "), i);
    });
  }

  delete(id: number): void {
    this.newest = null;
    if (id < this.combo.length) this.combo[id] = -1;
  }

  has(id: number): boolean {
    return id >= 0 && id < this.combo.length && this.combo[id] >= 0;
  }

  // Which category sets a category filter allows, by filter: testing every set is most of a
  // filtered query's cost, and readers ask for the same few categories again and again. Sets
  // are only ever appended, so a cached answer is completed, never redone. Bounded.
  private readonly allowedCache = new Map<string, Uint8Array>();

  private allowedCombos(cats: readonly string[]): Uint8Array {
    const wanted = new Set(cats.map((c) => c.toLowerCase()));
    const key = [...wanted].sort().join(" ");
    const known = this.allowedCache.get(key);
    if (known && known.length === this.combos.length) return known;
    if (!known && this.allowedCache.size >= 256) this.allowedCache.clear();
    // "cs" selects every cs.* category, as arXiv's own listings do.
    const match = (c: string): boolean => {
      const l = c.toLowerCase();
      return wanted.has(l) || wanted.has(l.split(".")[0]);
    };
    const allowed = new Uint8Array(this.combos.length);
    if (known) allowed.set(known);
    for (let i = known?.length ?? 0; i < this.combos.length; i++) if (this.combos[i].some(match)) allowed[i] = 1;
    this.allowedCache.set(key, allowed);
    return allowed;
  }

  /** A predicate over paper ids, or undefined when nothing is filtered. */
  filter(categories: readonly string[] | undefined, from: string | undefined, to: string | undefined): ((id: number) => boolean) | undefined {
    const cats = (categories ?? []).filter(Boolean);
    const lo = from ? dayNumber(from) : NaN;
    const hi = to ? dayNumber(to) : NaN;
    if (cats.length === 0 && Number.isNaN(lo) && Number.isNaN(hi)) return undefined;
    const allowed = cats.length > 0 ? this.allowedCombos(cats) : null;
    const day = this.day;
    const combo = this.combo;
    const a = allowed;
    return (id: number) => {
      if (id >= combo.length) return false;
      const c = combo[id];
      if (c < 0) return false;
      if (a !== null && a[c] === 0) return false;
      const d = day[id];
      if (!Number.isNaN(lo) && d < lo) return false;
      if (!Number.isNaN(hi) && d > hi) return false;
      return true;
    };
  }
}

export interface CoreOptions {
  fusion?: FusionParams;
}

export class SearchCore {
  keyword = new KeywordIndex();
  facts = new DocFacts();
  model: StaticModel | null = null;
  vectors: VectorStore | null = null;
  fusion: FusionParams;

  constructor(opts: CoreOptions = {}) {
    this.fusion = opts.fusion ?? DEFAULT_FUSION;
  }

  get size(): number {
    return this.keyword.size;
  }

  /** Bulk load of the keyword side (vectors come from the indexer or `embedMissing`). */
  addAll(docs: Iterable<IndexDoc>): void {
    const facts = this.facts;
    function* withFacts(): Generator<IndexDoc> {
      for (const d of docs) {
        facts.set(d.id, d.categories, d.day);
        yield d;
      }
    }
    this.keyword.addAll(withFacts());
  }

  /** Adds or replaces one paper everywhere, embedding it when a model is loaded. */
  upsert(doc: IndexDoc): void {
    this.keyword.add(doc);
    this.facts.set(doc.id, doc.categories, doc.day);
    if (this.model && this.vectors) this.vectors.add(doc.id, embedPaper(this.model, doc));
  }

  remove(id: number): void {
    this.keyword.remove(id);
    this.facts.delete(id);
    this.vectors?.remove(id);
  }

  get hybrid(): boolean {
    return this.model !== null && this.vectors !== null && this.vectors.size > 0 && this.vectors.dim === this.model.dim;
  }

  search(query: SearchQuery): CoreResult {
    const q = (query.q ?? "").slice(0, 1000);
    const offset = Math.max(0, Math.floor(query.offset ?? 0));
    const limit = Math.max(0, Math.floor(query.limit ?? 20));
    const need = Math.min(MAX_RESULTS, offset + limit);
    const terms = [...new Set(tokenize(q))];
    const filter = this.facts.filter(query.categories, query.from, query.to);
    if (terms.length === 0 && filter !== undefined) {
      // Filters alone (a category, a date range) list the papers they allow, newest first: a
      // walk down the archive by date, which stops once the page is found and the count has
      // reached what is shown of it (1,000 at most).
      const hits: FusedHit[] = [];
      let count = 0;
      for (const id of this.facts.newestFirst()) {
        if (!filter(id)) continue;
        if (count >= offset && count < need) hits.push({ id, score: 0, keyword: null, dense: null });
        if (++count >= MAX_RESULTS) break;
      }
      return { hits, total: Math.min(count, MAX_RESULTS), mode: "keyword", terms, keywordMatches: count };
    }
    if (query.sort === "date" && terms.length > 0) {
      // Newest first lists every paper holding every word, not the best-scored page of them
      // reordered by date; below, the relevance hits stand in when no paper holds them all.
      const all = this.keyword.matchAll(q, filter).filter((id) => this.facts.has(id));
      if (all.length > 0) return this.newestPage(all, need, offset, terms);
    }
    const fusion = this.fusion;
    const qv = this.hybrid && !query.keywordOnly && q.trim() ? embedQuery(this.model!, q) : null;
    // Keyword-only ranking needs just the page asked for; fusion needs its candidate depth.
    // Sorted by date (a fallback here: no paper holds every word), every candidate is ordered.
    const depth = query.sort === "date" ? MAX_RESULTS : qv ? Math.max(fusion.keywordDepth, need) : need;
    const keywordHits: SearchHit[] = terms.length === 0 ? [] : this.keyword.search(q, { k: depth, filter });
    let hits: FusedHit[];
    let mode: CoreResult["mode"] = "keyword";
    if (qv && !isZeroVector(qv)) {
      mode = "hybrid";
      hits = fuseScores(keywordHits, this.denseScores(qv, keywordHits, filter), fusion);
      if (fusion.prfDocs > 0 && fusion.prfWeight > 0 && hits.length > 0) {
        const moved = this.feedbackQuery(qv, hits.slice(0, fusion.prfDocs).map((h) => h.id), fusion.prfWeight);
        if (moved) hits = fuseScores(keywordHits, this.denseScores(moved, keywordHits, filter), fusion);
      }
    } else {
      hits = keywordHits.map((h) => ({ id: h.id, score: h.score, keyword: h.score, dense: null }));
    }
    hits = hits.filter((h) => this.facts.has(h.id));
    if (query.sort === "date") {
      const day = this.facts.day;
      // Stable: the same day keeps the relevance order.
      hits = hits.map((h, i) => ({ h, i })).sort((a, b) => day[b.h.id] - day[a.h.id] || a.i - b.i).map((x) => x.h);
    }
    const total = Math.min(hits.length, MAX_RESULTS);
    return { hits: hits.slice(offset, Math.min(offset + limit, MAX_RESULTS)), total, mode, terms, keywordMatches: keywordHits.length };
  }

  /**
   * A page of the newest of `ids` (by feed day; the same day, the later stored first), from
   * `offset`. Only the newest `need` are ordered: a common word can match half the archive.
   */
  private newestPage(ids: readonly number[], need: number, offset: number, terms: string[]): CoreResult {
    const day = this.facts.day;
    const newest = new TopK(need);
    // Negated ids: the heap prefers the smaller slot on ties.
    for (const id of ids) newest.push(day[id], -id);
    const hits = newest.sorted().slice(offset).map((h) => ({ id: -h.slot, score: 0, keyword: null, dense: null }));
    return { hits, total: Math.min(ids.length, MAX_RESULTS), mode: "keyword", terms, keywordMatches: ids.length };
  }

  /** Cosine of the dense candidates and of every keyword candidate (exact, from stored vectors). */
  private denseScores(qv: Float32Array, keywordHits: readonly SearchHit[], filter: ((id: number) => boolean) | undefined): Map<number, number> {
    const dense = new Map<number, number>();
    for (const h of this.vectors!.search(qv, this.fusion.denseDepth, filter)) dense.set(h.id, h.score);
    for (const h of keywordHits) {
      if (dense.has(h.id)) continue;
      const s = this.vectors!.score(h.id, qv);
      if (s !== null) dense.set(h.id, s);
    }
    return dense;
  }

  /** Unit vector q + weight * (unit mean of the feedback papers' vectors); null without feedback. */
  private feedbackQuery(qv: Float32Array, ids: readonly number[], weight: number): Float32Array | null {
    const d = qv.length;
    const mean = new Float32Array(d);
    let used = 0;
    for (const id of ids) {
      const v = this.vectors!.vector(id);
      if (!v) continue;
      for (let j = 0; j < d; j++) mean[j] += v[j];
      used++;
    }
    if (used === 0) return null;
    let mn = 0;
    for (let j = 0; j < d; j++) mn += mean[j] * mean[j];
    if (mn === 0) return null;
    const out = new Float32Array(d);
    let on = 0;
    for (let j = 0; j < d; j++) {
      out[j] = qv[j] + (weight * mean[j]) / Math.sqrt(mn);
      on += out[j] * out[j];
    }
    for (let j = 0; j < d; j++) out[j] /= Math.sqrt(on);
    return out;
  }

  /** Nearest papers to one paper, itself excluded; keyword similarity of its title without a model. */
  similar(id: number, doc: { title: string; abstract: string } | null, k: number): Array<{ id: number; score: number }> {
    if (k <= 0) return [];
    const v = this.hybrid ? this.vectors!.vector(id) : null;
    if (v && !isZeroVector(v)) {
      return this.vectors!.search(v, k + 1).filter((h) => h.id !== id && this.facts.has(h.id)).slice(0, k);
    }
    if (!doc) return [];
    return this.keyword.search(doc.title, { k: k + 1 }).filter((h) => h.id !== id).slice(0, k);
  }

  /** Papers closest to free text by the embedding alone (zero-result help); [] without a model. */
  nearest(q: string, k: number): Array<{ id: number; score: number }> {
    if (!this.hybrid || k <= 0) return [];
    const qv = embedQuery(this.model!, q.slice(0, 1000));
    if (isZeroVector(qv)) return [];
    return this.vectors!.search(qv, k).filter((h) => this.facts.has(h.id));
  }
}
