/**
 * Train a static (bag-of-words) embedding model on the papers the database holds, in pure
 * TypeScript on typed arrays, and emit it in the Model2Vec format so one loader serves trained
 * and pretrained models.
 *
 * Model: one vector per word; a text's embedding is the L2-normalised mean of its words' vectors
 * (exactly what the Model2Vec pipeline computes). A row's norm therefore acts as a learned word
 * weight: frequent, uninformative words learn small norms, as SIF/IDF weighting would give.
 *
 * Tokens: the BERT-uncased basic words (lowercase, accents stripped, punctuation split off), i.e.
 * what a WordPiece tokenizer sees before the wordpiece step. Saved as a whole-word WordPiece
 * vocabulary, loader-side tokenization of raw text reproduces the training tokens, and words the
 * model never saw simply become [UNK] and are dropped: new papers embed without retraining.
 *
 * Training: contrastive (InfoNCE, symmetric, in-batch negatives) on pairs taken from each paper:
 * title <-> abstract, and one abstract sentence <-> title + rest of the abstract (a sentence
 * plays the part of a short natural-language query). Each paper gives one pair per epoch, so a
 * batch never holds two pairs of the same paper (no false negatives). Sparse (lazy) Adam
 * touches only the rows of words in the batch.
 *
 * Two choices against memorising: words with the same Porter stem share one trained row (saved
 * as copies, so the file stays plain Model2Vec), and each side of a pair leaves out a random
 * 30% of its distinct words, so a pair cannot be matched by one rare word alone and the rows
 * of co-occurring words have to carry the meaning. On SciFact (train, dense only) nDCG@10 went
 * 0.615 -> 0.637 with the tied rows and -> 0.654 with the dropout too (0.2: 0.646, 0.5: 0.642).
 *
 * Initialisation: random Gaussian rows scaled by IDF. In high dimension random rows are nearly
 * orthogonal, so the untrained model already behaves like a (randomly projected) TF-IDF cosine;
 * training then pulls co-occurring words together, adding the semantic part. Deterministic given
 * the seed (single-threaded, fixed iteration order).
 */
import { bertBasicWords, isBertPunctuation } from "./model2vec.tokenizer.js";
import { stem } from "./tokenize.js";
import { StaticModel } from "./model2vec.js";
import { tokenizerFromJson, wordPieceTokenizerJson } from "./model2vec.tokenizer.js";
import { growI32 } from "../lib/typed-arrays.js";

export interface TrainPaper {
  title: string;
  abstract: string;
}

export interface TrainOptions {
  /** Vector size. */
  dim?: number;
  /** Words seen in fewer papers than this are left out of the vocabulary. Default: 1 below
   * 25k papers (on a small corpus the rare words are the best retrieval signal: SciFact nDCG@10
   * 0.575 -> 0.616 going from 2 to 1), then one more per 25k papers to keep typos out. */
  minCount?: number;
  /** Keep at most this many words (most frequent first). */
  maxVocab?: number;
  /** Passes over the corpus (one pair per paper per pass). Default: enough steps for the corpus size. */
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Softmax temperature of the contrastive loss. */
  temperature?: number;
  /** Share of pairs that are title <-> abstract (the rest are sentence <-> rest). */
  titlePairShare?: number;
  /** Share of a side's distinct words left out of each pair (augmentation against memorising
   * rare words); default 0.3, 0 turns it off. */
  wordDropout?: number;
  /** Words with the same Porter stem share one trained row (default true). */
  tieStems?: boolean;
  seed?: number;
  /** Stop training (keeping what was learnt) after this long, counted from the start (corpus
   * preparation included). The learning-rate decay follows it too. Makes the result depend on
   * machine speed, so it is not deterministic. */
  timeBudgetMs?: number;
  onProgress?: (p: TrainProgress) => void;
}

export interface TrainProgress {
  epoch: number;
  step: number;
  steps: number;
  loss: number;
  elapsedMs: number;
}

export interface TrainedModel {
  /** Token strings by row: "[PAD]", "[UNK]", then the words. */
  vocab: string[];
  /** Row-major [vocab.length x dim]; the [PAD] and [UNK] rows are zero. */
  embeddings: Float32Array;
  dim: number;
  stats: TrainStats;
}

export interface TrainStats {
  papers: number;
  tokens: number;
  vocabSize: number;
  steps: number;
  epochs: number;
  finalLoss: number;
  trainMs: number;
}

const SPECIALS = ["[PAD]", "[UNK]"];
/** WordPiece turns longer words into [UNK]; never put them in the vocabulary. */
const MAX_WORD_CHARS = 100;

// ---------------------------------------------------------------- deterministic randomness

export function makeRng(seed: number): () => number {
  let a = seed >>> 0 || 0x9e3779b9;
  // mulberry32: tiny, fast, good enough for shuffling and initialisation.
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rng: () => number): number {
  const u = rng() || 1e-12;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

function shuffle(arr: Int32Array, rng: () => number): void {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = arr[i]; arr[i] = arr[j]; arr[j] = t;
  }
}

// ---------------------------------------------------------------- corpus preparation

/** Split an abstract into sentences (a full stop, ?, ! followed by space and a capital/digit/TeX). */
export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+(?=[A-Z0-9$\\([])/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function isWordToken(w: string): boolean {
  if (w.length > MAX_WORD_CHARS) return false;
  // Single punctuation chars carry no topic; the loader will see them but they are [UNK] there.
  return !(w.length === 1 && isBertPunctuation(w));
}

/** Words of a text as training sees them (the loader tokenizes raw text the same way). */
export function trainingWords(text: string): string[] {
  return bertBasicWords(text).filter(isWordToken);
}

interface Corpus {
  /** Token ids of every segment, concatenated. */
  tokens: Int32Array;
  /** Segment s spans tokens[segStart[s] .. segStart[s+1]). */
  segStart: Int32Array;
  /** Paper p owns segments paperSeg[p] .. paperSeg[p+1]; the first is the title. */
  paperSeg: Int32Array;
  /** Words of the saved vocabulary (specials first). */
  vocab: string[];
  /** Trained row of each vocab word (words sharing a stem share a row). */
  rowOf: Int32Array;
  /** Number of trained rows; token ids are row ids. */
  rows: number;
  /** Number of papers each row's words occur in (for IDF). */
  docFreq: Int32Array;
  /**
   * Bags of words (distinct token + count): one per segment, then one per whole paper. Summing
   * count * row over distinct words is ~40% less work than over every occurrence.
   */
  bagStart: Int32Array;
  bagTok: Int32Array;
  bagCnt: Float32Array;
}

function buildBags(tokens: Int32Array, segStart: Int32Array, paperSeg: Int32Array, V: number) {
  const nSeg = segStart.length - 1, nPap = paperSeg.length - 1;
  const count = new Int32Array(V);
  const bagStart = new Int32Array(nSeg + nPap + 1);
  // Two passes over the bags, sizing then filling, so they land in typed arrays of the exact
  // size (tens of millions of entries on a large archive).
  let bagTok = new Int32Array(0), bagCnt = new Float32Array(0);
  let n = 0;
  const emit = (from: number, to: number, fill: boolean) => {
    const first = n;
    for (let k = from; k < to; k++) {
      const t = tokens[k];
      if (count[t]++ === 0) {
        if (fill) bagTok[n] = t;
        n++;
      }
    }
    // Counts back to zero for the next bag (stored first when filling).
    if (fill) {
      for (let i = first; i < n; i++) {
        bagCnt[i] = count[bagTok[i]];
        count[bagTok[i]] = 0;
      }
    } else for (let k = from; k < to; k++) count[tokens[k]] = 0;
  };
  for (const fill of [false, true]) {
    if (fill) { bagTok = new Int32Array(n); bagCnt = new Float32Array(n); n = 0; }
    for (let s = 0; s < nSeg; s++) { bagStart[s] = n; emit(segStart[s], segStart[s + 1], fill); }
    for (let p = 0; p < nPap; p++) { bagStart[nSeg + p] = n; emit(segStart[paperSeg[p]], segStart[paperSeg[p + 1]], fill); }
  }
  bagStart[nSeg + nPap] = n;
  return { bagStart, bagTok, bagCnt };
}

/**
 * Row key of a word: its Porter stem, so "improves", "improved" and "improvement" share one trained
 * row (a small corpus sees each form too rarely to learn it alone). Identifiers with digits and
 * non-ASCII words are their own key.
 */
export function rowKey(word: string, tieStems: boolean): string {
  return tieStems ? stem(word) : word;
}

function buildCorpus(papers: Iterable<TrainPaper>, minCount: number, maxVocab: number, tieStems: boolean): Corpus {
  // Pass 1: each distinct word gets a provisional id when first seen, and the text is kept as
  // runs of those ids in typed arrays (a large archive has hundreds of millions of words: as
  // arrays of strings they took gigabytes). Final ids are given once the vocabulary is cut.
  const wordIds = new Map<string, number>();
  const words: string[] = [];
  const keyIds = new Map<string, number>();
  let wordKey: Int32Array = new Int32Array(0); // provisional word -> its row key
  let wordDf: Int32Array = new Int32Array(0);
  let wordSeen: Int32Array = new Int32Array(0); // the last paper counted in wordDf
  let keyDf: Int32Array = new Int32Array(0);
  let keySeen: Int32Array = new Int32Array(0);
  let text: Int32Array = new Int32Array(0); // provisional ids, segment after segment
  let textLen = 0;
  let segEnd: Int32Array = new Int32Array(0);
  let nSegs = 0;
  const paperSegCounts: number[] = [];
  for (const p of papers) {
    const paper = paperSegCounts.length + 1; // 1-based: the seen arrays start at 0
    const segs = [trainingWords(p.title), ...splitSentences(p.abstract).map(trainingWords)];
    for (const seg of segs) {
      text = growI32(text, textLen + seg.length, 0);
      for (const w of seg) {
        let id = wordIds.get(w);
        if (id === undefined) {
          id = words.length;
          words.push(w);
          wordIds.set(w, id);
          const key = rowKey(w, tieStems);
          let k = keyIds.get(key);
          if (k === undefined) {
            k = keyIds.size;
            keyIds.set(key, k);
            keyDf = growI32(keyDf, k + 1, 0);
            keySeen = growI32(keySeen, k + 1, 0);
          }
          wordKey = growI32(wordKey, id + 1, 0);
          wordDf = growI32(wordDf, id + 1, 0);
          wordSeen = growI32(wordSeen, id + 1, 0);
          wordKey[id] = k;
        }
        // Document frequencies: a word (and its row key) counts once per paper.
        if (wordSeen[id] !== paper) {
          wordSeen[id] = paper;
          wordDf[id]++;
          const k = wordKey[id];
          if (keySeen[k] !== paper) {
            keySeen[k] = paper;
            keyDf[k]++;
          }
        }
        text[textLen++] = id;
      }
      segEnd = growI32(segEnd, nSegs + 1, 0);
      segEnd[nSegs++] = textLen;
    }
    paperSegCounts.push(segs.length);
  }
  // A word is kept when its row is seen often enough (a rare form of a common stem is kept).
  const kept: number[] = [];
  for (let id = 0; id < words.length; id++) if (keyDf[wordKey[id]] >= minCount) kept.push(id);
  kept.sort((a, b) => wordDf[b] - wordDf[a] || (words[a] < words[b] ? -1 : 1));
  const chosen = kept.slice(0, maxVocab);
  const vocab = [...SPECIALS, ...chosen.map((id) => words[id])];
  // Rows: the specials, then one per distinct key in order of first (most frequent) word.
  const keyRow = new Int32Array(keyIds.size).fill(-1);
  const rowOf = new Int32Array(vocab.length);
  for (let i = 0; i < SPECIALS.length; i++) rowOf[i] = i;
  let rows = SPECIALS.length;
  const wordRow = new Int32Array(words.length).fill(-1);
  chosen.forEach((id, i) => {
    const k = wordKey[id];
    if (keyRow[k] < 0) keyRow[k] = rows++;
    rowOf[i + SPECIALS.length] = wordRow[id] = keyRow[k];
  });
  const docFreq = new Int32Array(rows);
  for (let k = 0; k < keyRow.length; k++) if (keyRow[k] >= 0) docFreq[keyRow[k]] = keyDf[k];

  // Pass 2: the text in row ids, words outside the vocabulary left out.
  let total = 0;
  for (let i = 0; i < textLen; i++) if (wordRow[text[i]] >= 0) total++;
  const tokens = new Int32Array(total);
  const segStart = new Int32Array(nSegs + 1);
  let pos = 0;
  for (let s = 0, i = 0; s < nSegs; s++) {
    segStart[s] = pos;
    for (; i < segEnd[s]; i++) {
      const r = wordRow[text[i]];
      if (r >= 0) tokens[pos++] = r;
    }
  }
  segStart[nSegs] = pos;
  const paperSeg = new Int32Array(paperSegCounts.length + 1);
  for (let p = 0; p < paperSegCounts.length; p++) paperSeg[p + 1] = paperSeg[p] + paperSegCounts[p];
  return { tokens, segStart, paperSeg, vocab, rowOf, rows, docFreq, ...buildBags(tokens, segStart, paperSeg, rows) };
}

// ---------------------------------------------------------------- training

/** A side of a pair: the bag of words whose rows are summed. */
interface Side {
  /** Bag index: segment s is bag s, paper p is bag (segments + p). */
  bag: number;
  /** A bag whose counts are taken out of `bag` (the sentence used as the query), or -1. */
  minus: number;
  /** Seed of this side's word dropout (which distinct words are left out this time). */
  salt: number;
}

/** Deterministic coin for word dropout: a hash of (word, salt) mapped to [0, 1). */
export function dropCoin(word: number, salt: number): number {
  let h = Math.imul(word ^ salt, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

// Hot loops live in small functions: V8 optimises them far better than one huge loop body.

/** Dot product of a[ao..ao+len) and b[bo..bo+len), unrolled with four accumulators. */
function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, len: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let j = 0;
  for (; j + 3 < len; j += 4) {
    s0 += a[ao + j] * b[bo + j];
    s1 += a[ao + j + 1] * b[bo + j + 1];
    s2 += a[ao + j + 2] * b[bo + j + 2];
    s3 += a[ao + j + 3] * b[bo + j + 3];
  }
  for (; j < len; j++) s0 += a[ao + j] * b[bo + j];
  return s0 + s1 + s2 + s3;
}

/** S[i][k] = scale * <Q_i, D_k>. */
function scoreMatrix(Q: Float32Array, D: Float32Array, n: number, dim: number, scale: number, S: Float32Array): void {
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) S[i * n + k] = dot(Q, i * dim, D, k * dim, dim) * scale;
}

/** out (cols x rows) = transpose of m (rows x cols). */
function transpose(m: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
}

/**
 * dLoss/dS = G = ((Pr - I) + (Pc - I)) * c; then dQ = G D and dD = G^T Q, computed as dot
 * products against transposed copies (contiguous reads, no read-modify-write in the inner loop).
 */
function scoreGradients(
  Q: Float32Array, D: Float32Array, Pr: Float32Array, Pc: Float32Array, n: number, dim: number, c: number,
  dQ: Float32Array, dD: Float32Array, G: Float32Array, GT: Float32Array, QT: Float32Array, DT: Float32Array,
): void {
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) G[i * n + k] = (Pr[i * n + k] + Pc[i * n + k] - (i === k ? 2 : 0)) * c;
  }
  transpose(G, n, n, GT);
  transpose(D, n, dim, DT);
  transpose(Q, n, dim, QT);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) dQ[i * dim + j] = dot(G, i * n, DT, j * n, n);
  for (let k = 0; k < n; k++) for (let j = 0; j < dim; j++) dD[k * dim + j] = dot(GT, k * n, QT, j * n, n);
}

const BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;

/** One Adam update of a row from its accumulated gradient (which is then cleared). */
function adamRow(E: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, r: number, dim: number, stepSize: number): void {
  for (let j = r; j < r + dim; j++) {
    const g = grad[j];
    grad[j] = 0;
    const mj = (m[j] = BETA1 * m[j] + (1 - BETA1) * g);
    const vj = (v[j] = BETA2 * v[j] + (1 - BETA2) * g * g);
    E[j] -= (stepSize * mj) / (Math.sqrt(vj) + EPS);
  }
}

/** dst[off..off+dim) += c * src[r..r+dim). */
function addRow(dst: Float32Array, off: number, src: Float32Array, r: number, dim: number, c: number): void {
  for (let j = 0; j < dim; j++) dst[off + j] += c * src[r + j];
}

export function trainStaticModel(papersInput: Iterable<TrainPaper>, opts: TrainOptions = {}): TrainedModel {
  const t0 = Date.now();
  const dim = opts.dim ?? 256;
  const batchSize = opts.batchSize ?? 256;
  const lr0 = opts.learningRate ?? 0.02;
  const scale = 1 / (opts.temperature ?? 0.05);
  const titleShare = opts.titlePairShare ?? 0.3;
  const dropout = opts.wordDropout ?? 0.3;
  const rng = makeRng(opts.seed ?? 42);
  const papersList = Array.isArray(papersInput) ? (papersInput as TrainPaper[]) : [...papersInput];
  const minCount = opts.minCount ?? Math.max(1, Math.round(papersList.length / 25_000));
  const corpus = buildCorpus(papersList, minCount, opts.maxVocab ?? 100_000, opts.tieStems ?? true);
  const { tokens, segStart, paperSeg, vocab, rowOf, docFreq, bagStart, bagTok, bagCnt } = corpus;
  const nSegs = segStart.length - 1;
  const nPapers = paperSeg.length - 1;
  const V = corpus.rows;

  // IDF-scaled random rows: an untrained model is already a projected TF-IDF cosine.
  const E = new Float32Array(V * dim);
  const invSqrtDim = 1 / Math.sqrt(dim);
  for (let r = SPECIALS.length; r < V; r++) {
    const idf = Math.log((nPapers + 1) / (docFreq[r] + 0.5));
    const w = Math.max(idf, 0.05) * invSqrtDim;
    for (let j = 0; j < dim; j++) E[r * dim + j] = gaussian(rng) * w;
  }

  // Usable papers need a non-empty title or at least two sentences to form a pair.
  const usable: number[] = [];
  for (let p = 0; p < nPapers; p++) {
    let nonEmpty = 0;
    for (let s = paperSeg[p]; s < paperSeg[p + 1]; s++) if (segStart[s + 1] > segStart[s]) nonEmpty++;
    if (nonEmpty >= 2) usable.push(p);
  }
  const order = Int32Array.from(usable);
  const batchesPerEpoch = Math.max(1, Math.floor(order.length / batchSize));
  // Small corpora need many passes, large ones few; aim at roughly 500 steps (measured on
  // SciFact: 400 steps at lr 0.02 score as well as 800 at lr 0.01).
  const epochs = opts.epochs ?? Math.max(1, Math.min(40, Math.round(500 / batchesPerEpoch)));
  const totalSteps = order.length >= 2 ? epochs * batchesPerEpoch : 0;

  // Lazy Adam state, gradient buffer and the set of rows touched in the current batch.
  const m = new Float32Array(V * dim);
  const v = new Float32Array(V * dim);
  const grad = new Float32Array(V * dim);
  const touchedStamp = new Int32Array(V).fill(-1);
  const touched: number[] = [];

  const B = Math.min(batchSize, order.length);
  const qSides: Side[] = Array.from({ length: B }, () => ({ bag: 0, minus: -1, salt: 0 }));
  const dSides: Side[] = Array.from({ length: B }, () => ({ bag: 0, minus: -1, salt: 0 }));
  const Q = new Float32Array(B * dim), D = new Float32Array(B * dim);
  const qNorm = new Float32Array(B), dNorm = new Float32Array(B);
  const S = new Float32Array(B * B);
  const Pr = new Float32Array(B * B), Pc = new Float32Array(B * B);
  const dQ = new Float32Array(B * dim), dD = new Float32Array(B * dim);
  const G = new Float32Array(B * B), GT = new Float32Array(B * B);
  const QT = new Float32Array(B * dim), DT = new Float32Array(B * dim);

  /** Sum the rows of a side's tokens into out; returns the L2 norm and leaves out unit-length. */
  // Per-side word counts: the bag's counts minus the excluded sentence's.
  const minusCount = new Float32Array(V);
  const withMinus = (side: Side, fn: (t: number, c: number) => void): void => {
    if (side.minus >= 0) for (let k = bagStart[side.minus]; k < bagStart[side.minus + 1]; k++) minusCount[bagTok[k]] += bagCnt[k];
    for (let k = bagStart[side.bag]; k < bagStart[side.bag + 1]; k++) {
      const t = bagTok[k];
      const c = bagCnt[k] - minusCount[t];
      if (c > 0 && (dropout === 0 || dropCoin(t, side.salt) >= dropout)) fn(t, c);
    }
    if (side.minus >= 0) for (let k = bagStart[side.minus]; k < bagStart[side.minus + 1]; k++) minusCount[bagTok[k]] = 0;
  };

  /** Sum the rows of a side's words into out; returns the L2 norm and leaves out unit-length. */
  const pool = (side: Side, out: Float32Array, off: number): number => {
    out.fill(0, off, off + dim);
    withMinus(side, (t, c) => addRow(out, off, E, t * dim, dim, c));
    let n = 0;
    for (let j = 0; j < dim; j++) n += out[off + j] * out[off + j];
    n = Math.sqrt(n) || 1e-12;
    for (let j = 0; j < dim; j++) out[off + j] /= n;
    return n;
  };

  /** Back through the normalisation, then scatter the gradient to every word of the side. */
  const scatter = (side: Side, u: Float32Array, g: Float32Array, off: number, norm: number, step: number): void => {
    let dot = 0;
    for (let j = 0; j < dim; j++) dot += g[off + j] * u[off + j];
    for (let j = 0; j < dim; j++) g[off + j] = (g[off + j] - dot * u[off + j]) / norm;
    withMinus(side, (t, c) => {
      if (touchedStamp[t] !== step) { touchedStamp[t] = step; touched.push(t); }
      addRow(grad, t * dim, g, off, dim, c);
    });
  };

  const segLen = (s: number) => segStart[s + 1] - segStart[s];
  let step = 0;
  let lossAvg = 0;
  outer: for (let epoch = 0; epoch < epochs; epoch++) {
    shuffle(order, rng);
    for (let b = 0; b < batchesPerEpoch; b++) {
      if (opts.timeBudgetMs !== undefined && Date.now() - t0 > opts.timeBudgetMs) break outer;
      // Build pairs.
      let n = 0;
      for (let i = 0; i < B; i++) {
        const p = order[(b * B + i) % order.length];
        const first = paperSeg[p], end = paperSeg[p + 1];
        const q = qSides[n], d = dSides[n];
        const hasTitle = segLen(first) > 0;
        const nonEmptySentences: number[] = [];
        for (let s = first + 1; s < end; s++) if (segLen(s) > 0) nonEmptySentences.push(s);
        q.salt = (rng() * 4294967296) >>> 0;
        d.salt = (rng() * 4294967296) >>> 0;
        const useTitle = hasTitle && (nonEmptySentences.length < 2 || rng() < titleShare);
        if (useTitle) {
          q.bag = first; q.minus = -1;
          d.bag = nSegs + p; d.minus = first;
        } else {
          if (nonEmptySentences.length === 0) continue;
          const s = nonEmptySentences[Math.floor(rng() * nonEmptySentences.length)];
          q.bag = s; q.minus = -1;
          d.bag = nSegs + p; d.minus = s;
        }
        n++;
      }
      if (n < 2) continue;
      for (let i = 0; i < n; i++) {
        qNorm[i] = pool(qSides[i], Q, i * dim);
        dNorm[i] = pool(dSides[i], D, i * dim);
      }
      // Scores and both softmaxes (query -> docs by row, doc -> queries by column).
      scoreMatrix(Q, D, n, dim, scale, S);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        let mx = -Infinity;
        for (let k = 0; k < n; k++) mx = Math.max(mx, S[i * n + k]);
        let sum = 0;
        for (let k = 0; k < n; k++) sum += (Pr[i * n + k] = Math.exp(S[i * n + k] - mx));
        for (let k = 0; k < n; k++) Pr[i * n + k] /= sum;
        loss -= Math.log(Pr[i * n + i] + 1e-30);
      }
      for (let k = 0; k < n; k++) {
        let mx = -Infinity;
        for (let i = 0; i < n; i++) mx = Math.max(mx, S[i * n + k]);
        let sum = 0;
        for (let i = 0; i < n; i++) sum += (Pc[i * n + k] = Math.exp(S[i * n + k] - mx));
        for (let i = 0; i < n; i++) Pc[i * n + k] /= sum;
        loss -= Math.log(Pc[k * n + k] + 1e-30);
      }
      loss /= 2 * n;
      lossAvg = step === 0 ? loss : 0.95 * lossAvg + 0.05 * loss;
      // dLoss/dS = ((Pr - I) + (Pc - I)) / 2n, times the scale for d(u.u').
      scoreGradients(Q, D, Pr, Pc, n, dim, scale / (2 * n), dQ, dD, G, GT, QT, DT);
      touched.length = 0;
      for (let i = 0; i < n; i++) {
        scatter(qSides[i], Q, dQ, i * dim, qNorm[i], step);
        scatter(dSides[i], D, dD, i * dim, dNorm[i], step);
      }
      // Lazy Adam with linear decay of the learning rate.
      // Progress is the larger of steps done and time used, so a time budget still ends cool.
      let progress = step / Math.max(1, totalSteps);
      if (opts.timeBudgetMs !== undefined) progress = Math.max(progress, (Date.now() - t0) / opts.timeBudgetMs);
      const lr = lr0 * Math.max(0.05, 1 - progress);
      const bc1 = 1 - BETA1 ** (step + 1), bc2 = 1 - BETA2 ** (step + 1);
      const stepSize = (lr * Math.sqrt(bc2)) / bc1;
      for (const t of touched) adamRow(E, grad, m, v, t * dim, dim, stepSize);
      step++;
      if (opts.onProgress && (step % 50 === 0 || step === totalSteps)) {
        opts.onProgress({ epoch, step, steps: totalSteps, loss: lossAvg, elapsedMs: Date.now() - t0 });
      }
    }
  }
  // One row per vocabulary word (a stem's forms get copies of its row): the plain Model2Vec layout.
  const out = new Float32Array(vocab.length * dim);
  for (let w = 0; w < vocab.length; w++) out.set(E.subarray(rowOf[w] * dim, rowOf[w] * dim + dim), w * dim);
  return {
    vocab,
    embeddings: out,
    dim,
    stats: {
      papers: nPapers,
      tokens: tokens.length,
      vocabSize: vocab.length,
      steps: step,
      epochs,
      finalLoss: lossAvg,
      trainMs: Date.now() - t0,
    },
  };
}

/** Use a freshly trained model in memory, exactly as the loader would after saving it. */
export function trainedToStaticModel(trained: TrainedModel): StaticModel {
  return new StaticModel({
    tokenizer: tokenizerFromJson(wordPieceTokenizerJson(trained.vocab)),
    embeddings: trained.embeddings,
    dim: trained.dim,
    normalize: true,
    config: { trained_on_papers: trained.stats.papers },
  });
}
