/**
 * Cosine top-k over paper vectors. Two implementations behind one interface:
 *  - `ExactVectorIndex`: brute force in plain TypeScript; exact, no native code, and faster than
 *    a graph index for small sets (a few thousand vectors).
 *  - `HnswVectorIndex`: usearch's HNSW graph (approximate, sub-linear), with save/load/view.
 * Keys are non-negative integers (e.g. paper row ids); adding an existing key replaces its vector.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { Index, MetricKind, ScalarKind } from "usearch";

export interface VectorHit {
  key: number;
  /** Cosine similarity in [-1, 1]. */
  score: number;
}

export interface VectorIndex {
  readonly dim: number;
  readonly size: number;
  add(key: number, vector: Float32Array): void;
  /** Returns whether the key was present. */
  remove(key: number): boolean;
  has(key: number): boolean;
  search(query: Float32Array, k: number): VectorHit[];
  save(path: string): void;
}

function checkKey(key: number): void {
  if (!Number.isSafeInteger(key) || key < 0) throw new Error(`vector index: key must be a non-negative integer, got ${key}`);
}

function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  const out = new Float32Array(v.length);
  if (n === 0) return out;
  const s = 1 / Math.sqrt(n);
  for (let i = 0; i < v.length; i++) out[i] = v[i] * s;
  return out;
}

/** Exact cosine search; vectors are stored unit-normalised so a dot product is the cosine. */
export class ExactVectorIndex implements VectorIndex {
  private readonly vectors = new Map<number, Float32Array>();
  constructor(readonly dim: number) {}

  get size(): number {
    return this.vectors.size;
  }

  add(key: number, vector: Float32Array): void {
    checkKey(key);
    if (vector.length !== this.dim) throw new Error(`vector index: expected ${this.dim} dims, got ${vector.length}`);
    this.vectors.set(key, unit(vector));
  }

  remove(key: number): boolean {
    return this.vectors.delete(key);
  }

  has(key: number): boolean {
    return this.vectors.has(key);
  }

  keys(): IterableIterator<number> {
    return this.vectors.keys();
  }

  search(query: Float32Array, k: number): VectorHit[] {
    const q = unit(query);
    const hits: VectorHit[] = [];
    for (const [key, v] of this.vectors) {
      let dot = 0;
      for (let i = 0; i < q.length; i++) dot += q[i] * v[i];
      hits.push({ key, score: dot });
    }
    // Ties broken by key so results are deterministic.
    hits.sort((a, b) => b.score - a.score || a.key - b.key);
    return hits.slice(0, k);
  }

  /** Binary file: "VEC1", dim, count (u32 LE), then per entry a float64 key and dim float32s. */
  save(path: string): void {
    const n = this.vectors.size;
    const buf = new ArrayBuffer(12 + n * (8 + this.dim * 4));
    const view = new DataView(buf);
    new Uint8Array(buf).set(new TextEncoder().encode("VEC1"), 0);
    view.setUint32(4, this.dim, true);
    view.setUint32(8, n, true);
    let pos = 12;
    for (const [key, v] of this.vectors) {
      view.setFloat64(pos, key, true);
      pos += 8;
      for (let i = 0; i < this.dim; i++, pos += 4) view.setFloat32(pos, v[i], true);
    }
    writeFileSync(path, new Uint8Array(buf));
  }

  static load(path: string): ExactVectorIndex {
    const bytes = readFileSync(path);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (new TextDecoder().decode(bytes.subarray(0, 4)) !== "VEC1") throw new Error("vector index: not an exact index file");
    const dim = view.getUint32(4, true);
    const n = view.getUint32(8, true);
    const index = new ExactVectorIndex(dim);
    let pos = 12;
    for (let e = 0; e < n; e++) {
      const key = view.getFloat64(pos, true);
      pos += 8;
      const v = new Float32Array(dim);
      for (let i = 0; i < dim; i++, pos += 4) v[i] = view.getFloat32(pos, true);
      index.vectors.set(key, v);
    }
    return index;
  }
}

export interface HnswOptions {
  /** Storage precision inside the graph; f16 halves memory with no visible loss for ranking. */
  quantization?: "f32" | "f16" | "i8";
  /** Graph degree (usearch default 16). */
  connectivity?: number;
  expansionAdd?: number;
  /** Candidate list size at query time; larger = better recall, slower. */
  expansionSearch?: number;
}

const SCALARS = { f32: ScalarKind.F32, f16: ScalarKind.F16, i8: ScalarKind.I8 } as const;

/** Approximate cosine search with usearch's HNSW. */
export class HnswVectorIndex implements VectorIndex {
  private readonly index: Index;
  private readOnly = false;

  constructor(readonly dim: number, opts: HnswOptions = {}) {
    this.index = new Index({
      dimensions: dim,
      metric: MetricKind.Cos,
      quantization: SCALARS[opts.quantization ?? "f32"],
      connectivity: opts.connectivity ?? 16,
      expansion_add: opts.expansionAdd ?? 128,
      expansion_search: opts.expansionSearch ?? 64,
      multi: false,
    });
  }

  get size(): number {
    return this.index.size();
  }

  add(key: number, vector: Float32Array): void {
    checkKey(key);
    if (this.readOnly) throw new Error("vector index: a viewed (memory-mapped) index is read-only");
    if (vector.length !== this.dim) throw new Error(`vector index: expected ${this.dim} dims, got ${vector.length}`);
    const k = BigInt(key);
    // usearch refuses duplicate keys: replace = remove + add.
    if (this.index.contains(k)) this.index.remove(k);
    this.index.add(k, vector);
  }

  remove(key: number): boolean {
    checkKey(key);
    if (this.readOnly) throw new Error("vector index: a viewed (memory-mapped) index is read-only");
    return (this.index.remove(BigInt(key)) as number) > 0;
  }

  has(key: number): boolean {
    checkKey(key);
    return this.index.contains(BigInt(key)) as boolean;
  }

  search(query: Float32Array, k: number): VectorHit[] {
    const size = this.index.size();
    if (size === 0 || k <= 0) return [];
    const m = this.index.search(query, Math.min(k, size), 0);
    const hits: VectorHit[] = [];
    for (let i = 0; i < m.keys.length; i++) {
      // Unfilled slots are padded with max keys / infinite distances.
      if (!Number.isFinite(m.distances[i]) || m.keys[i] === 0xffffffffffffffffn) continue;
      hits.push({ key: Number(m.keys[i]), score: 1 - m.distances[i] });
    }
    return hits;
  }

  save(path: string): void {
    this.index.save(path);
  }

  /** Load a saved index fully into memory (mutable). */
  static load(path: string, dim: number, opts: HnswOptions = {}): HnswVectorIndex {
    const idx = new HnswVectorIndex(dim, opts);
    idx.index.load(path);
    return idx;
  }

  /** Memory-map a saved index (read-only, near-instant open, shares pages with the OS cache). */
  static view(path: string, dim: number, opts: HnswOptions = {}): HnswVectorIndex {
    const idx = new HnswVectorIndex(dim, opts);
    idx.index.view(path);
    idx.readOnly = true;
    return idx;
  }
}

/** Below this many vectors brute force is exact and about as fast as the graph. */
export const EXACT_SEARCH_LIMIT = 5000;

/** Pick an implementation for an expected collection size. */
export function createVectorIndex(dim: number, expectedSize: number, opts: HnswOptions = {}): VectorIndex {
  return expectedSize <= EXACT_SEARCH_LIMIT ? new ExactVectorIndex(dim) : new HnswVectorIndex(dim, opts);
}
