// In-memory BM25F inverted index. Our own rather than SQLite FTS5 / Postgres tsvector so that
// ranking is identical whichever database a deployment runs on.
//
// Layout: one immutable CSR block ("base": per-term ranges over Int32 doc slots and Uint16
// packed field frequencies) plus a small "delta" of postings added since the last merge,
// kept as per-term chains in a shared pool. Slots only grow, so base postings of a term always
// precede its delta postings and a term's list stays sorted by slot: that lets queries run
// document-at-a-time with MaxScore pruning, which is what keeps common terms cheap at 1M docs.
// Removal is a tombstone; merges drop tombstoned documents.
import { TopK } from "./topk.js";
import { analyzeWord, tokenize, words } from "./tokenize.js";

export interface KeywordDoc {
  id: number;
  title: string;
  authors: string;
  abstract: string;
}

export interface FieldParams {
  /** Multiplier on the field's length-normalised term frequency. */
  weight: number;
  /** Length normalisation strength, 0..1. */
  b: number;
}

export interface Bm25Params {
  k1: number;
  title: FieldParams;
  authors: FieldParams;
  abstract: FieldParams;
}

// Chosen on SciFact train (bench/beir-keyword.ts): the k1/b/title plateau is flat within
// +-0.003 nDCG@10 and these sit in its middle; title weight 3 won consistently. Authors have
// no SciFact signal, so their weight is a product judgement: a surname match should count
// like an abstract word, and the length of an author list says nothing about relevance.
export const DEFAULT_BM25: Bm25Params = {
  k1: 1.2,
  title: { weight: 3, b: 0.75 },
  authors: { weight: 1, b: 0 },
  abstract: { weight: 1, b: 0.75 },
};

export interface SearchOptions {
  /** How many hits to return (default 10). */
  k?: number;
  /** Only documents whose id passes are returned. */
  filter?: (docId: number) => boolean;
}

export interface SearchHit {
  id: number;
  score: number;
}

export interface QueryTerm {
  /** An analysed term, as produced by tokenize(). */
  term: string;
  weight: number;
}

export interface KeywordIndexStats {
  documents: number;
  slots: number;
  terms: number;
  postings: number;
  pendingPostings: number;
  bytes: number;
}

// Field frequencies packed in 16 bits: title 4, authors 4, abstract 8. Caps are far above what
// real text produces and BM25 saturates long before them anyway.
const TITLE_SHIFT = 12;
const AUTHORS_SHIFT = 8;
const TITLE_CAP = 15;
const AUTHORS_CAP = 15;
const ABSTRACT_CAP = 255;
const LENGTH_CAP = 65535;
const END = 0x7fffffff;
const MIN_MERGE_POSTINGS = 1 << 18;
const WORD_CACHE_LIMIT = 500_000;
const CHUNK_BITS = 20;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;
const EMPTY_I32 = new Int32Array(0);
const EMPTY_U16 = new Uint16Array(0);
const WINDOW = 4096;
const WINDOW_WORDS = WINDOW >> 5;

const MAGIC = 0x444b5750; // "PWKD"
const FORMAT_VERSION = 2;

function grow<T extends Int32Array | Uint16Array | Uint8Array | Float32Array | Float64Array>(
  a: T,
  need: number,
  fill?: number,
): T {
  if (need <= a.length) return a;
  let cap = Math.max(16, a.length);
  while (cap < need) cap *= 2;
  const ctor = a.constructor as new (n: number) => T;
  const b = new ctor(cap);
  b.set(a);
  if (fill !== undefined) b.fill(fill, a.length);
  return b;
}

/** Document-at-a-time reader over one term's base range followed by its delta chain. */
class Cursor {
  doc = END;
  private pos: number;
  private readonly end: number;
  private node: number;
  constructor(
    private readonly baseDocs: Int32Array,
    private readonly baseTfs: Uint16Array,
    private readonly poolDoc: Int32Array,
    private readonly poolTf: Uint16Array,
    private readonly poolNext: Int32Array,
    start: number,
    end: number,
    head: number,
  ) {
    this.pos = start;
    this.end = end;
    this.node = head;
    this.load();
  }

  private load(): void {
    if (this.pos < this.end) this.doc = this.baseDocs[this.pos];
    else if (this.node >= 0) this.doc = this.poolDoc[this.node];
    else this.doc = END;
  }

  tf(): number {
    return this.pos < this.end ? this.baseTfs[this.pos] : this.poolTf[this.node];
  }

  next(): void {
    if (this.pos < this.end) this.pos++;
    else if (this.node >= 0) this.node = this.poolNext[this.node];
    this.load();
  }

  /** Adds this term's score for every posting in [from, to) into acc, marking bits; stops at to. */
  accumulate(from: number, to: number, w: number, k1: number, norms: Norms, acc: Float64Array, bits: Int32Array): void {
    const docs = this.baseDocs;
    const tfs = this.baseTfs;
    let pos = this.pos;
    const end = this.end;
    while (pos < end) {
      const d = docs[pos];
      if (d >= to) break;
      const tfp = norms.tfp(tfs[pos], d);
      const off = d - from;
      acc[off] += (w * tfp) / (k1 + tfp);
      bits[off >> 5] |= 1 << (off & 31);
      pos++;
    }
    this.pos = pos;
    if (pos >= end) {
      let node = this.node;
      while (node >= 0) {
        const d = this.poolDoc[node];
        if (d >= to) break;
        const tfp = norms.tfp(this.poolTf[node], d);
        const off = d - from;
        acc[off] += (w * tfp) / (k1 + tfp);
        bits[off >> 5] |= 1 << (off & 31);
        node = this.poolNext[node];
      }
      this.node = node;
    }
    this.load();
  }

  /** Moves to the first posting with slot >= target (galloping inside the base range). */
  advance(target: number): void {
    if (this.doc >= target) return;
    if (this.pos < this.end) {
      const docs = this.baseDocs;
      const end = this.end;
      if (docs[end - 1] < target) {
        this.pos = end;
      } else {
        let lo = this.pos;
        let step = 1;
        let hi = lo + 1;
        while (hi < end && docs[hi] < target) {
          lo = hi;
          step *= 2;
          hi = lo + step;
        }
        if (hi > end - 1) hi = end - 1;
        // docs[lo] < target <= docs[hi]
        while (hi - lo > 1) {
          const mid = (lo + hi) >>> 1;
          if (docs[mid] < target) lo = mid;
          else hi = mid;
        }
        this.pos = hi;
        this.doc = docs[hi];
        return;
      }
    }
    this.load();
    while (this.doc < target) this.next();
  }
}

export class KeywordIndex {
  readonly params: Bm25Params;

  private vocab = new Map<string, number>();
  private terms: string[] = [];
  private df = new Int32Array(1024);
  // Upper bound of the field-weighted, length-normalised tf of each term over its postings,
  // computed with average lengths >= boundAvg (see scaleBound).
  private maxTfp = new Float32Array(1024);
  private boundAvg = [Infinity, Infinity, Infinity];

  private baseStart = new Int32Array(1);
  private baseDocs = new Int32Array(0);
  private baseTfs = new Uint16Array(0);
  private baseTerms = 0;

  private head = new Int32Array(1024).fill(-1);
  private tail = new Int32Array(1024).fill(-1);
  private poolDoc = new Int32Array(0);
  private poolTf = new Uint16Array(0);
  private poolNext = new Int32Array(0);
  private poolSize = 0;

  // Bulk batch (inside addAll): postings in document order, inverted in one merge at the end.
  private bulk = false;
  private batchFirstSlot = 0;
  // Fixed-size chunks: no slack and no copy when growing, and each chunk can be released as
  // soon as the merge has scattered it (the batch is the biggest transient of a bulk build).
  private batchTerm: Int32Array[] = [];
  private batchTf: Uint16Array[] = [];
  private batchDocEnd = new Int32Array(0);
  private batchSize = 0;

  private ids = new Float64Array(1024);
  private lenTitle = new Uint16Array(1024);
  private lenAuthors = new Uint16Array(1024);
  private lenAbstract = new Uint16Array(1024);
  private alive = new Uint8Array(1024);
  private slots = 0;
  private live = 0;
  private sumLen = [0, 0, 0];
  // id -> slot, built lazily: a reloaded snapshot that only serves queries never needs it.
  private slotMap: Map<number, number> | null = new Map<number, number>();
  // Raw word -> term id (-1 for stopwords), bounded.
  private wordTerm = new Map<string, number>();

  // Per-search window scratch, reused: search is synchronous, so never shared by two calls.
  private readonly acc = new Float64Array(WINDOW);
  private readonly bits = new Int32Array(WINDOW_WORDS);

  private scratchTitle = new Uint16Array(1024);
  private scratchAuthors = new Uint16Array(1024);
  private scratchAbstract = new Uint16Array(1024);

  constructor(params: Bm25Params = DEFAULT_BM25) {
    this.params = params;
  }

  get size(): number {
    return this.live;
  }

  private get slotOf(): Map<number, number> {
    if (this.slotMap === null) {
      const m = new Map<number, number>();
      for (let s = 0; s < this.slots; s++) if (this.alive[s]) m.set(this.ids[s], s);
      this.slotMap = m;
    }
    return this.slotMap;
  }

  has(id: number): boolean {
    return this.slotOf.has(id);
  }

  stats(): KeywordIndexStats {
    const postings = this.baseStart[this.baseTerms] + this.poolSize + this.batchSize;
    const bytes =
      this.baseDocs.byteLength + this.baseTfs.byteLength + this.baseStart.byteLength +
      this.poolDoc.byteLength * 2 + this.poolTf.byteLength + this.head.byteLength * 2 +
      this.df.byteLength + this.maxTfp.byteLength + this.ids.byteLength +
      this.lenTitle.byteLength * 3 + this.alive.byteLength;
    return {
      documents: this.live,
      slots: this.slots,
      terms: this.terms.length,
      postings,
      pendingPostings: this.poolSize + this.batchSize,
      bytes,
    };
  }

  /** Every analysed term indexed so far, by term id (spelling suggestions scan it). */
  vocabulary(): readonly string[] {
    return this.terms;
  }

  /** Document frequency of an analysed term (may count removed documents until the next merge). */
  docFrequency(term: string): number {
    const t = this.vocab.get(term);
    return t === undefined ? 0 : Math.min(this.df[t], this.live);
  }

  /**
   * Whether an analysed term is in some paper's author list: a name, which a spelling
   * suggestion must leave alone however rare it is. Walks the term's postings, so it is meant
   * for rare terms (the suggestion only asks about those).
   */
  inAuthors(term: string): boolean {
    const t = this.vocab.get(term);
    if (t === undefined) return false;
    for (const c = this.cursor(t); c.doc !== END; c.next()) {
      if (this.alive[c.doc] && ((c.tf() >> AUTHORS_SHIFT) & AUTHORS_CAP) > 0) return true;
    }
    return false;
  }

  idf(term: string): number {
    return this.idfOf(this.docFrequency(term));
  }

  private idfOf(df: number): number {
    const n = this.live;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  private avg(field: number): number {
    return this.live > 0 ? Math.max(this.sumLen[field] / this.live, 1e-9) : 1;
  }

  private termId(term: string): number {
    let t = this.vocab.get(term);
    if (t === undefined) {
      t = this.terms.length;
      this.vocab.set(term, t);
      this.terms.push(term);
      if (t >= this.df.length) {
        const need = t + 1;
        this.df = grow(this.df, need);
        this.maxTfp = grow(this.maxTfp, need);
        this.head = grow(this.head, need, -1);
        this.tail = grow(this.tail, need, -1);
        this.scratchTitle = grow(this.scratchTitle, need);
        this.scratchAuthors = grow(this.scratchAuthors, need);
        this.scratchAbstract = grow(this.scratchAbstract, need);
      }
    }
    return t;
  }

  /** Adds a document, replacing any earlier version with the same id. */
  add(doc: KeywordDoc): void {
    if (this.slotOf.has(doc.id)) this.remove(doc.id);
    const slot = this.slots++;
    if (slot >= this.ids.length) {
      const need = slot + 1;
      this.ids = grow(this.ids, need);
      this.lenTitle = grow(this.lenTitle, need);
      this.lenAuthors = grow(this.lenAuthors, need);
      this.lenAbstract = grow(this.lenAbstract, need);
      this.alive = grow(this.alive, need);
    }
    this.ids[slot] = doc.id;
    this.alive[slot] = 1;
    this.slotOf.set(doc.id, slot);
    this.live++;

    const touched: number[] = [];
    const count = (text: string, scratch: Uint16Array): number => {
      let len = 0;
      for (const w of words(text)) {
        // Same terms as tokenize(), but one map lookup per token instead of two: indexing
        // time is dominated by these lookups.
        let t = this.wordTerm.get(w);
        if (t === undefined) {
          const term = analyzeWord(w);
          t = term.length > 0 ? this.termId(term) : -1;
          if (this.wordTerm.size >= WORD_CACHE_LIMIT) this.wordTerm = new Map();
          this.wordTerm.set(w, t);
        }
        if (t < 0) continue;
        len++;
        if (this.scratchTitle[t] === 0 && this.scratchAuthors[t] === 0 && this.scratchAbstract[t] === 0) {
          touched.push(t);
        }
        if (scratch[t] < LENGTH_CAP) scratch[t]++;
      }
      return Math.min(len, LENGTH_CAP);
    };
    const lt = count(doc.title ?? "", this.scratchTitle);
    const la = count(doc.authors ?? "", this.scratchAuthors);
    const lb = count(doc.abstract ?? "", this.scratchAbstract);
    this.lenTitle[slot] = lt;
    this.lenAuthors[slot] = la;
    this.lenAbstract[slot] = lb;
    this.sumLen[0] += lt;
    this.sumLen[1] += la;
    this.sumLen[2] += lb;

    if (this.bulk) {
      this.appendBatch(touched);
    } else {
      this.appendDelta(slot, touched);
      const base = this.baseStart[this.baseTerms];
      if (this.poolSize >= Math.max(MIN_MERGE_POSTINGS, base >> 3)) this.merge();
    }
  }

  private packTakeScratch(t: number): number {
    const packed =
      (Math.min(this.scratchTitle[t], TITLE_CAP) << TITLE_SHIFT) |
      (Math.min(this.scratchAuthors[t], AUTHORS_CAP) << AUTHORS_SHIFT) |
      Math.min(this.scratchAbstract[t], ABSTRACT_CAP);
    this.scratchTitle[t] = 0;
    this.scratchAuthors[t] = 0;
    this.scratchAbstract[t] = 0;
    return packed;
  }

  private appendDelta(slot: number, touched: number[]): void {
    const need = this.poolSize + touched.length;
    if (need > this.poolDoc.length) {
      this.poolDoc = grow(this.poolDoc, need);
      this.poolTf = grow(this.poolTf, need);
      this.poolNext = grow(this.poolNext, need);
    }
    const norms = this.norms();
    for (const t of touched) {
      const packed = this.packTakeScratch(t);
      const p = this.poolSize++;
      this.poolDoc[p] = slot;
      this.poolTf[p] = packed;
      this.poolNext[p] = -1;
      if (this.tail[t] >= 0) this.poolNext[this.tail[t]] = p;
      else this.head[t] = p;
      this.tail[t] = p;
      this.df[t]++;
      const tfp = norms.tfp(packed, slot);
      if (tfp > this.maxTfp[t]) this.maxTfp[t] = tfp;
    }
    for (let f = 0; f < 3; f++) this.boundAvg[f] = Math.min(this.boundAvg[f], this.avg(f));
  }

  private appendBatch(touched: number[]): void {
    touched.sort((a, b) => a - b);
    for (const t of touched) {
      const p = this.batchSize++;
      const c = p >>> CHUNK_BITS;
      if (c === this.batchTerm.length) {
        this.batchTerm.push(new Int32Array(CHUNK));
        this.batchTf.push(new Uint16Array(CHUNK));
      }
      this.batchTerm[c][p & CHUNK_MASK] = t;
      this.batchTf[c][p & CHUNK_MASK] = this.packTakeScratch(t);
      this.df[t]++;
    }
    const i = this.slots - 1 - this.batchFirstSlot;
    this.batchDocEnd = grow(this.batchDocEnd, i + 1);
    this.batchDocEnd[i] = this.batchSize;
  }

  /** Bulk load: much faster than repeated add() and ends fully merged. */
  addAll(docs: Iterable<KeywordDoc>): void {
    this.bulk = true;
    this.batchFirstSlot = this.slots;
    this.batchSize = 0;
    try {
      for (const d of docs) this.add(d);
    } finally {
      this.bulk = false;
      this.merge();
    }
  }

  /** Tombstones a document; returns whether it was present. */
  remove(id: number): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    this.slotOf.delete(id);
    this.alive[slot] = 0;
    this.live--;
    this.sumLen[0] -= this.lenTitle[slot];
    this.sumLen[1] -= this.lenAuthors[slot];
    this.sumLen[2] -= this.lenAbstract[slot];
    return true;
  }

  /** Folds pending postings into the base block and drops removed documents. */
  merge(): void {
    const nTerms = this.terms.length;
    const oldSlots = this.slots;
    const compacting = this.live < oldSlots;
    // Old slot -> new slot (-1 for removed documents).
    let remap: Int32Array | null = null;
    if (compacting) {
      remap = new Int32Array(oldSlots);
      let n = 0;
      for (let s = 0; s < oldSlots; s++) {
        if (this.alive[s]) {
          remap[s] = n;
          this.ids[n] = this.ids[s];
          this.lenTitle[n] = this.lenTitle[s];
          this.lenAuthors[n] = this.lenAuthors[s];
          this.lenAbstract[n] = this.lenAbstract[s];
          this.alive[n] = 1;
          n++;
        } else remap[s] = -1;
      }
      this.alive.fill(0, n, oldSlots);
      this.slots = n;
      this.slotMap = null;
    }

    const baseStart = this.baseStart;
    const baseDocs = this.baseDocs;
    const baseTfs = this.baseTfs;
    const poolDoc = this.poolDoc;
    const poolNext = this.poolNext;
    const poolTf = this.poolTf;
    const alive = remap;

    // Pass 1: live postings per term.
    const count = new Int32Array(nTerms + 1);
    for (let t = 0; t < nTerms; t++) {
      let c = 0;
      if (t < this.baseTerms) {
        if (alive === null) c = baseStart[t + 1] - baseStart[t];
        else for (let p = baseStart[t]; p < baseStart[t + 1]; p++) if (alive[baseDocs[p]] >= 0) c++;
      }
      for (let p = this.head[t]; p >= 0; p = poolNext[p]) if (alive === null || alive[poolDoc[p]] >= 0) c++;
      count[t] = c;
    }
    const firstBatch = this.batchFirstSlot;
    const batchDocs = this.bulk || this.batchSize === 0 ? 0 : oldSlots - firstBatch;
    {
      let p = 0;
      for (let i = 0; i < batchDocs; i++) {
        const end = this.batchDocEnd[i];
        const ok = alive === null || alive[firstBatch + i] >= 0;
        for (; p < end; p++) if (ok) count[this.batchTerm[p >>> CHUNK_BITS][p & CHUNK_MASK]]++;
      }
    }
    const start = new Int32Array(nTerms + 1);
    for (let t = 0; t < nTerms; t++) start[t + 1] = start[t] + count[t];
    const total = start[nTerms];
    const docs = new Int32Array(total);
    const tfs = new Uint16Array(total);

    // Pass 2: base then delta chain per term (both already in slot order), then the batch.
    const cursor = count; // reused as write position
    for (let t = 0; t < nTerms; t++) {
      let w = start[t];
      if (t < this.baseTerms) {
        const a = baseStart[t];
        const b = baseStart[t + 1];
        if (alive === null) {
          docs.set(baseDocs.subarray(a, b), w);
          tfs.set(baseTfs.subarray(a, b), w);
          w += b - a;
        } else {
          for (let p = a; p < b; p++) {
            const s = alive[baseDocs[p]];
            if (s >= 0) {
              docs[w] = s;
              tfs[w++] = baseTfs[p];
            }
          }
        }
      }
      for (let p = this.head[t]; p >= 0; p = poolNext[p]) {
        const s = alive === null ? poolDoc[p] : alive[poolDoc[p]];
        if (s >= 0) {
          docs[w] = s;
          tfs[w++] = poolTf[p];
        }
      }
      cursor[t] = w;
    }
    {
      let p = 0;
      let released = 0;
      for (let i = 0; i < batchDocs; i++) {
        const end = this.batchDocEnd[i];
        const s = alive === null ? firstBatch + i : alive[firstBatch + i];
        for (; p < end; p++) {
          if (s < 0) continue;
          const t = this.batchTerm[p >>> CHUNK_BITS][p & CHUNK_MASK];
          const w = cursor[t]++;
          docs[w] = s;
          tfs[w] = this.batchTf[p >>> CHUNK_BITS][p & CHUNK_MASK];
        }
        for (; released < p >>> CHUNK_BITS; released++) {
          this.batchTerm[released] = EMPTY_I32;
          this.batchTf[released] = EMPTY_U16;
        }
      }
    }

    this.baseStart = start;
    this.baseDocs = docs;
    this.baseTfs = tfs;
    this.baseTerms = nTerms;
    this.head.fill(-1);
    this.tail.fill(-1);
    this.poolDoc = new Int32Array(0);
    this.poolTf = new Uint16Array(0);
    this.poolNext = new Int32Array(0);
    this.poolSize = 0;
    this.batchTerm = [];
    this.batchTf = [];
    this.batchDocEnd = new Int32Array(0);
    this.batchSize = 0;
    this.batchFirstSlot = this.slots;
    this.recomputeStats();
  }

  /** Exact df, average lengths and per-term score bounds from the base block. */
  private recomputeStats(): void {
    const n = this.slots;
    this.sumLen = [0, 0, 0];
    for (let s = 0; s < n; s++) {
      if (!this.alive[s]) continue;
      this.sumLen[0] += this.lenTitle[s];
      this.sumLen[1] += this.lenAuthors[s];
      this.sumLen[2] += this.lenAbstract[s];
    }
    const norms = this.norms();
    const nTerms = this.baseTerms;
    const start = this.baseStart;
    const docs = this.baseDocs;
    const tfs = this.baseTfs;
    for (let t = 0; t < nTerms; t++) {
      let m = 0;
      const a = start[t];
      const b = start[t + 1];
      for (let p = a; p < b; p++) {
        const v = norms.tfp(tfs[p], docs[p]);
        if (v > m) m = v;
      }
      this.maxTfp[t] = m;
      this.df[t] = b - a;
    }
    for (let f = 0; f < 3; f++) this.boundAvg[f] = this.avg(f);
  }

  private norms(): Norms {
    return new Norms(this.params, [this.avg(0), this.avg(1), this.avg(2)], this.lenTitle, this.lenAuthors, this.lenAbstract);
  }

  // Bounds were computed with average lengths boundAvg; if averages grew since, every
  // normalised tf can have grown by at most avgNow/avgThen (norm = 1-b+b*len/avg).
  private boundScale(): number {
    let s = 1;
    for (let f = 0; f < 3; f++) {
      const r = this.avg(f) / this.boundAvg[f];
      if (r > s) s = r;
    }
    return s;
  }

  /** A reader over term `t`'s postings: its merged base range, then its delta chain. */
  private cursor(t: number): Cursor {
    const base = t < this.baseTerms;
    return new Cursor(
      this.baseDocs, this.baseTfs, this.poolDoc, this.poolTf, this.poolNext,
      base ? this.baseStart[t] : 0, base ? this.baseStart[t + 1] : 0, this.head[t],
    );
  }

  /**
   * Ids of every document holding every analysed term of the query (boolean AND, unranked, in
   * index order): the result set of a "newest first" search, which must list all matches and
   * not only the best-scored few. Empty when a term is in no document or the query has no
   * terms. The rarest term leads; the others skip to its documents (leapfrog intersection).
   */
  matchAll(query: string, filter?: (id: number) => boolean): number[] {
    const termIds = new Set<number>();
    for (const word of tokenize(query)) {
      const t = this.vocab.get(word);
      if (t === undefined || this.df[t] === 0) return [];
      termIds.add(t);
    }
    if (termIds.size === 0 || this.live === 0) return [];
    const cursors = [...termIds].sort((a, b) => this.df[a] - this.df[b]).map((t) => this.cursor(t));
    const lead = cursors[0];
    const out: number[] = [];
    let target = lead.doc;
    search: while (target !== END) {
      for (const c of cursors) {
        c.advance(target);
        if (c.doc !== target) {
          // Past the target: no document before c.doc can hold every term.
          target = c.doc;
          continue search;
        }
      }
      if (this.alive[target] && (filter === undefined || filter(this.ids[target]))) out.push(this.ids[target]);
      lead.next();
      target = lead.doc;
    }
    return out;
  }

  /** Analyses the query and returns the best documents; each distinct term counts once. */
  search(query: string, options: SearchOptions = {}): SearchHit[] {
    const seen = new Set<string>();
    const terms: QueryTerm[] = [];
    for (const t of tokenize(query)) {
      if (seen.has(t)) continue;
      seen.add(t);
      terms.push({ term: t, weight: 1 });
    }
    return this.searchTerms(terms, options);
  }

  /** Scores weighted analysed terms (as produced by RM3); duplicate terms add their weights. */
  searchTerms(query: readonly QueryTerm[], options: SearchOptions = {}): SearchHit[] {
    const k = options.k ?? 10;
    const filter = options.filter;
    if (k <= 0 || this.live === 0) return [];
    const weights = new Map<number, number>();
    for (const q of query) {
      const t = this.vocab.get(q.term);
      if (t === undefined || !(q.weight > 0)) continue;
      weights.set(t, (weights.get(t) ?? 0) + q.weight);
    }
    if (weights.size === 0) return [];

    const k1 = this.params.k1;
    const norms = this.norms();
    const scale = this.boundScale();
    type Term = { cursor: Cursor; w: number; ub: number };
    const list: Term[] = [];
    for (const [t, qw] of weights) {
      const df = Math.min(this.df[t], this.live);
      if (df === 0) continue;
      const w = qw * this.idfOf(df);
      const m = this.maxTfp[t] * scale;
      const cursor = this.cursor(t);
      // Slightly inflated so float rounding can never prune a document that belongs.
      list.push({ cursor, w, ub: (w * m) / (k1 + m) * (1 + 1e-9) + 1e-12 });
    }
    // MaxScore: terms in increasing bound order; a prefix whose bounds sum to <= threshold
    // is "non-essential": documents matching only those cannot enter the top k, so only the
    // essential terms drive candidate generation and the rest are probed by skipping.
    list.sort((a, b) => a.ub - b.ub);
    const n = list.length;
    const cursors = list.map((x) => x.cursor);
    const qw = Float64Array.from(list, (x) => x.w);
    const cum = new Float64Array(n);
    for (let i = 0, s = 0; i < n; i++) cum[i] = s += list[i].ub;

    const heap = new TopK(k);
    const alive = this.alive;
    const ids = this.ids;
    const acc = this.acc;
    const bits = this.bits;
    let theta = 0;
    let firstEssential = 0;
    // Windowed MaxScore (as in Lucene's MaxScoreBulkScorer): essential terms are scored
    // term-at-a-time into a small window accumulator, which is much cheaper per posting than
    // interleaving cursors; each window candidate is then completed by probing the
    // non-essential terms, stopping as soon as it cannot reach the threshold.
    for (;;) {
      let windowStart = END;
      for (let i = firstEssential; i < n; i++) if (cursors[i].doc < windowStart) windowStart = cursors[i].doc;
      if (windowStart === END) break;
      const windowEnd = windowStart + WINDOW;
      for (let i = firstEssential; i < n; i++) cursors[i].accumulate(windowStart, windowEnd, qw[i], k1, norms, acc, bits);
      for (let word = 0; word < WINDOW_WORDS; word++) {
        let x = bits[word];
        if (x === 0) continue;
        bits[word] = 0;
        while (x !== 0) {
          const low = x & -x;
          x ^= low;
          const off = (word << 5) + 31 - Math.clz32(low);
          let score = acc[off];
          acc[off] = 0;
          const cand = windowStart + off;
          if (score + (firstEssential > 0 ? cum[firstEssential - 1] : 0) <= theta || !alive[cand]) continue;
          let pruned = false;
          for (let i = firstEssential - 1; i >= 0; i--) {
            if (score + cum[i] <= theta) {
              pruned = true;
              break;
            }
            const c = cursors[i];
            c.advance(cand);
            if (c.doc === cand) {
              const tfp = norms.tfp(c.tf(), cand);
              score += (qw[i] * tfp) / (k1 + tfp);
            }
          }
          if (pruned || score <= theta) continue;
          if (filter !== undefined && !filter(ids[cand])) continue;
          heap.push(score, cand);
          if (heap.full) {
            theta = heap.threshold;
            while (firstEssential < n && cum[firstEssential] <= theta) firstEssential++;
          }
        }
      }
      if (firstEssential >= n) break;
    }
    return heap.sorted().map((h) => ({ id: ids[h.slot], score: h.score }));
  }

  /** Snapshot of the whole index (merged first) in a compact binary form. */
  serialize(): Buffer {
    if (this.poolSize > 0 || this.live < this.slots) this.merge();
    const termsBuf = Buffer.from(this.terms.join("\n"), "utf8");
    // Score bounds depend on the ranking parameters; they are reused on load only if those match.
    const paramsBuf = Buffer.from(JSON.stringify(this.params), "utf8");
    const n = this.slots;
    const nTerms = this.terms.length;
    const parts: Uint8Array[] = [];
    const header = new Int32Array([MAGIC, FORMAT_VERSION, n, nTerms, this.baseStart[nTerms], termsBuf.length, paramsBuf.length, 0]);
    const pad = (len: number): void => {
      const r = len % 8;
      if (r) parts.push(new Uint8Array(8 - r));
    };
    const push = (a: ArrayBufferView): void => {
      parts.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      pad(a.byteLength);
    };
    push(header);
    push(termsBuf);
    push(this.baseStart.subarray(0, nTerms + 1));
    push(this.baseDocs);
    push(this.baseTfs);
    push(this.ids.subarray(0, n));
    push(this.lenTitle.subarray(0, n));
    push(this.lenAuthors.subarray(0, n));
    push(this.lenAbstract.subarray(0, n));
    push(paramsBuf);
    push(Float64Array.from(this.boundAvg));
    push(this.maxTfp.subarray(0, nTerms));
    return Buffer.concat(parts);
  }

  /** Loads a serialize() snapshot; large arrays are views over the buffer, not copies. */
  static deserialize(buf: Uint8Array, params: Bm25Params = DEFAULT_BM25): KeywordIndex {
    // Typed-array views need aligned offsets; a pooled Buffer may not be.
    if (buf.byteOffset % 8 !== 0) buf = new Uint8Array(buf);
    let off = buf.byteOffset;
    const ab = buf.buffer;
    const take = <T>(ctor: { new (b: ArrayBufferLike, o: number, n: number): T; BYTES_PER_ELEMENT: number }, count: number): T => {
      const bytes = count * ctor.BYTES_PER_ELEMENT;
      if (off + bytes > buf.byteOffset + buf.byteLength) throw new Error("keyword index: truncated snapshot");
      const v = new ctor(ab, off, count);
      off += bytes + ((8 - (bytes % 8)) % 8);
      return v;
    };
    const header = take(Int32Array, 8);
    if (header[0] !== MAGIC || header[1] !== FORMAT_VERSION) throw new Error("keyword index: not a snapshot of this format");
    const [, , n, nTerms, total, termBytes, paramBytes] = header;
    const termsRaw = take(Uint8Array, termBytes);
    const idx = new KeywordIndex(params);
    idx.terms = nTerms === 0 ? [] : Buffer.from(termsRaw.buffer, termsRaw.byteOffset, termsRaw.byteLength).toString("utf8").split("\n");
    if (idx.terms.length !== nTerms) throw new Error("keyword index: corrupt vocabulary");
    for (let t = 0; t < nTerms; t++) idx.vocab.set(idx.terms[t], t);
    idx.baseStart = take(Int32Array, nTerms + 1);
    idx.baseDocs = take(Int32Array, total);
    idx.baseTfs = take(Uint16Array, total);
    idx.baseTerms = nTerms;
    idx.ids = take(Float64Array, n);
    idx.lenTitle = take(Uint16Array, n);
    idx.lenAuthors = take(Uint16Array, n);
    idx.lenAbstract = take(Uint16Array, n);
    idx.alive = new Uint8Array(n).fill(1);
    idx.slots = n;
    idx.live = n;
    idx.slotMap = null;
    const cap = Math.max(nTerms, 16);
    idx.df = new Int32Array(cap);
    idx.maxTfp = new Float32Array(cap);
    idx.head = new Int32Array(cap).fill(-1);
    idx.tail = new Int32Array(cap).fill(-1);
    idx.scratchTitle = new Uint16Array(cap);
    idx.scratchAuthors = new Uint16Array(cap);
    idx.scratchAbstract = new Uint16Array(cap);
    idx.batchFirstSlot = n;
    const paramsRaw = take(Uint8Array, paramBytes);
    const boundAvg = take(Float64Array, 3);
    const maxTfp = take(Float32Array, nTerms);
    const sameParams = Buffer.from(paramsRaw.buffer, paramsRaw.byteOffset, paramsRaw.byteLength).toString("utf8") === JSON.stringify(params);
    if (sameParams) {
      idx.maxTfp.set(maxTfp);
      for (let t = 0; t < nTerms; t++) idx.df[t] = idx.baseStart[t + 1] - idx.baseStart[t];
      for (let s = 0; s < n; s++) {
        idx.sumLen[0] += idx.lenTitle[s];
        idx.sumLen[1] += idx.lenAuthors[s];
        idx.sumLen[2] += idx.lenAbstract[s];
      }
      idx.boundAvg = [boundAvg[0], boundAvg[1], boundAvg[2]];
    } else {
      idx.recomputeStats();
    }
    return idx;
  }
}

/** BM25F pseudo-frequency: field-weighted tf, each field normalised by its own length. */
class Norms {
  private readonly wt: number;
  private readonly wa: number;
  private readonly wb: number;
  private readonly ct: number;
  private readonly ca: number;
  private readonly cb: number;
  private readonly dt: number;
  private readonly da: number;
  private readonly db: number;
  constructor(
    p: Bm25Params,
    avg: number[],
    private readonly lt: Uint16Array,
    private readonly la: Uint16Array,
    private readonly lb: Uint16Array,
  ) {
    this.wt = p.title.weight;
    this.wa = p.authors.weight;
    this.wb = p.abstract.weight;
    this.ct = 1 - p.title.b;
    this.ca = 1 - p.authors.b;
    this.cb = 1 - p.abstract.b;
    this.dt = p.title.b / avg[0];
    this.da = p.authors.b / avg[1];
    this.db = p.abstract.b / avg[2];
  }

  tfp(packed: number, slot: number): number {
    let v = 0;
    const tb = packed & 0xff;
    if (tb !== 0) v += (this.wb * tb) / (this.cb + this.db * this.lb[slot]);
    const tt = packed >>> TITLE_SHIFT;
    if (tt !== 0) v += (this.wt * tt) / (this.ct + this.dt * this.lt[slot]);
    const ta = (packed >>> AUTHORS_SHIFT) & 0xf;
    if (ta !== 0) v += (this.wa * ta) / (this.ca + this.da * this.la[slot]);
    return v;
  }
}
