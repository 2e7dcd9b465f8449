/**
 * Where topic alerts and "for you" find their papers. A small interface, so selection does
 * not care which engine answers:
 *  - `searchServiceSources`: the site's search (ctx.search: BM25F fused with embeddings when
 *    a model is loaded), restricted to the period's dates, so an alert matches what /search
 *    shows for the same query; "similar to" is a search for the reader's paper's own title
 *    and abstract opening within the period.
 *  - `keywordSources`: no search engine needed: an in-memory tf-idf index of the period's
 *    papers (a day or a week: hundreds to a few thousand) answers both, with the search's own
 *    tokenizer. The fallback when the search service cannot open, and the fast option: the
 *    database's full-text search (fullTextSearch) ranks a topic over the whole archive first,
 *    which cost ~50 ms per topic on 74k papers, against microseconds within the period.
 * "Similar to" uses the period's tf-idf index in both: one search-service query per seed paper
 * (thousands of distinct seeds in a run) costs more than the whole selection.
 * Both are called once per distinct topic or seed paper and period (PeriodData caches).
 */
import type { SearchService } from "../search/search.service.js";
import { tokenize } from "../search/tokenize.js";
import { addDays } from "../lib/dates.js";
import type { PeriodData, WindowPaper } from "./digest.build.js";
import type { Topic } from "./subscriptions.queries.js";

export interface SeedPaper {
  id: number;
  arxivId: string;
  title: string;
  abstract: string;
}

export interface DigestSources {
  readonly name: string;
  /** Papers of the period matching a saved search, best first. */
  searchTopic(topic: Topic, period: PeriodData): Promise<number[]>;
  /** Papers of the period similar to one of the reader's papers, with a similarity score. */
  similarTo(seed: SeedPaper, period: PeriodData): Promise<Array<{ id: number; score: number }>>;
}

/** Hits a topic or seed contributes at most (selection keeps far fewer). */
const HITS = 40;
/** Papers may enter a feed some days after their first version (submissions up to two weeks). */
const FIRST_VERSION_SLACK_DAYS = 14;

const inCategories = (p: WindowPaper, cats: string[]) => cats.length === 0 || p.categories.some((c) => cats.includes(c));

export function keywordSources(): DigestSources {
  return {
    name: "keyword",
    async searchTopic(topic, period) {
      return period.termIndex().search(topic.query, HITS * 4).filter((id) => inCategories(period.papers.get(id)!, topic.categories)).slice(0, HITS);
    },
    async similarTo(seed, period) {
      return period.termIndex().similar(`${seed.title} ${seed.title} ${seed.abstract}`, HITS, seed.id);
    },
  };
}

export function searchServiceSources(search: SearchService, fallback: DigestSources): DigestSources {
  const query = async (q: string, categories: string[], period: PeriodData) => {
    const r = await search.search({ q, categories, from: addDays(period.period.from, -FIRST_VERSION_SLACK_DAYS), to: period.period.to, limit: 200 });
    const out: Array<{ id: number; score: number }> = [];
    for (const h of r.hits) {
      if (period.papers.has(h.id)) out.push({ id: h.id, score: h.score });
      if (out.length >= HITS) break;
    }
    return out;
  };
  return {
    name: "search",
    async searchTopic(topic, period) {
      try {
        return (await query(topic.query, topic.categories, period)).map((h) => h.id);
      } catch {
        return fallback.searchTopic(topic, period);
      }
    },
    similarTo: (seed, period) => fallback.similarTo(seed, period),
  };
}

/**
 * A tf-idf index of one period's papers (a day or a week: hundreds to a few thousand), built
 * once per period: "similar to" scores candidates by the idf-weighted terms they share with
 * the reader's paper, normalised by length so long abstracts do not win by size.
 */
export class TermIndex {
  private readonly postings = new Map<string, Array<{ id: number; tf: number }>>();
  private readonly norms = new Map<number, number>();
  private readonly n: number;

  constructor(papers: Iterable<WindowPaper>) {
    let n = 0;
    for (const p of papers) {
      n++;
      const tf = new Map<string, number>();
      for (const t of tokenize(`${p.title} ${p.title} ${p.abstract}`)) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [t, c] of tf) {
        let list = this.postings.get(t);
        if (!list) this.postings.set(t, (list = []));
        list.push({ id: p.id, tf: c });
      }
      this.norms.set(p.id, Math.sqrt(tf.size || 1));
    }
    this.n = n;
  }

  private idf(t: string): number {
    const df = this.postings.get(t)?.length ?? 0;
    return df === 0 ? 0 : Math.log(1 + this.n / df);
  }

  /** Papers containing every word of the query, by tf-idf. */
  search(query: string, k: number): number[] {
    const terms = [...new Set(tokenize(query))];
    if (terms.length === 0 || terms.some((t) => !this.postings.has(t))) return [];
    let scores: Map<number, number> | null = null;
    for (const t of terms) {
      const idf = this.idf(t);
      const next = new Map<number, number>();
      for (const { id, tf } of this.postings.get(t)!) {
        const prev = scores === null ? 0 : scores.get(id);
        if (prev !== undefined) next.set(id, prev + idf * (1 + Math.log(tf)));
      }
      scores = next;
    }
    return [...scores!].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, k).map(([id]) => id);
  }

  similar(text: string, k: number, exclude?: number): Array<{ id: number; score: number }> {
    const q = new Map<string, number>();
    for (const t of tokenize(text)) q.set(t, (q.get(t) ?? 0) + 1);
    // The seed's 25 most distinctive terms: enough to say what it is about, few enough to be fast.
    const terms = [...q].map(([t, c]) => ({ t, w: c * this.idf(t) })).filter((x) => x.w > 0).sort((a, b) => b.w - a.w).slice(0, 25);
    const scores = new Map<number, number>();
    for (const { t, w } of terms) {
      const idf = this.idf(t);
      // Terms in more than a fifth of the period's papers say little about similarity.
      const list = this.postings.get(t)!;
      if (list.length > this.n / 5 && this.n > 50) continue;
      for (const { id, tf } of list) if (id !== exclude) scores.set(id, (scores.get(id) ?? 0) + w * idf * Math.min(tf, 3));
    }
    const ranked = [...scores].map(([id, s]) => ({ id, score: s / this.norms.get(id)! })).sort((a, b) => b.score - a.score || a.id - b.id);
    // A paper that shares only a word or two is not "similar": keep those close to the best.
    const best = ranked[0]?.score ?? 0;
    return ranked.filter((h) => h.score >= best * 0.35).slice(0, k);
  }
}
