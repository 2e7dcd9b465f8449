import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createVectorIndex, ExactVectorIndex, HnswVectorIndex, type VectorIndex } from "./vector.index.js";

/** Deterministic pseudo-random vectors (no Math.random in tests). */
function randomVectors(n: number, dim: number, seed: number): Float32Array[] {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  return Array.from({ length: n }, () => Float32Array.from({ length: dim }, next));
}

function exercise(make: (dim: number) => VectorIndex): void {
  const dim = 16;
  const vecs = randomVectors(300, dim, 7);
  const index = make(dim);
  vecs.forEach((v, i) => index.add(i + 10, v));
  assert.equal(index.size, 300);
  // Each vector is its own nearest neighbour with cosine ~1.
  for (const i of [0, 57, 299]) {
    const [top] = index.search(vecs[i], 3);
    assert.equal(top.key, i + 10);
    assert.ok(Math.abs(top.score - 1) < 1e-4);
  }
  assert.equal(index.remove(10), true);
  assert.equal(index.remove(10), false);
  assert.equal(index.has(10), false);
  assert.notEqual(index.search(vecs[0], 1)[0].key, 10);
  // Replacing a key's vector moves it.
  index.add(11, vecs[0]);
  assert.equal(index.size, 299);
  assert.equal(index.search(vecs[0], 1)[0].key, 11);
}

describe("vector index", () => {
  it("exact: add, search, remove, replace", () => exercise((d) => new ExactVectorIndex(d)));
  it("hnsw: add, search, remove, replace", () => exercise((d) => new HnswVectorIndex(d)));

  it("hnsw agrees with exact search on the top hits", () => {
    const dim = 32;
    const vecs = randomVectors(2000, dim, 3);
    const exact = new ExactVectorIndex(dim);
    const hnsw = new HnswVectorIndex(dim, { expansionSearch: 128 });
    vecs.forEach((v, i) => { exact.add(i, v); hnsw.add(i, v); });
    let overlap = 0;
    const queries = randomVectors(20, dim, 99);
    for (const q of queries) {
      const a = new Set(exact.search(q, 10).map((h) => h.key));
      overlap += hnsw.search(q, 10).filter((h) => a.has(h.key)).length;
      const top = exact.search(q, 1)[0];
      assert.ok(top.score <= 1 && top.score >= -1);
    }
    assert.ok(overlap / (queries.length * 10) > 0.9, `recall@10 ${overlap / 200}`);
  });

  it("save and load / view keep the results", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vec-"));
    try {
      const dim = 8;
      const vecs = randomVectors(50, dim, 5);
      const exact = new ExactVectorIndex(dim);
      const hnsw = new HnswVectorIndex(dim);
      vecs.forEach((v, i) => { exact.add(i, v); hnsw.add(i, v); });
      exact.save(join(dir, "e.bin"));
      hnsw.save(join(dir, "h.usearch"));
      const q = vecs[13];
      const e2 = ExactVectorIndex.load(join(dir, "e.bin"));
      assert.deepEqual(e2.search(q, 5), exact.search(q, 5));
      const h2 = HnswVectorIndex.load(join(dir, "h.usearch"), dim);
      assert.equal(h2.size, 50);
      assert.equal(h2.search(q, 1)[0].key, 13);
      const h3 = HnswVectorIndex.view(join(dir, "h.usearch"), dim);
      assert.equal(h3.search(q, 1)[0].key, 13);
      assert.throws(() => h3.add(99, q), /read-only/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("picks brute force for small sets, HNSW for large ones; empty index returns nothing", () => {
    assert.ok(createVectorIndex(4, 100) instanceof ExactVectorIndex);
    assert.ok(createVectorIndex(4, 100_000) instanceof HnswVectorIndex);
    assert.deepEqual(new HnswVectorIndex(4).search(new Float32Array(4), 3), []);
    assert.throws(() => new ExactVectorIndex(4).add(-1, new Float32Array(4)));
  });
});
