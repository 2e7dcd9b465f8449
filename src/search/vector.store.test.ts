import { it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeRng } from "./train.js";
import { VectorStore } from "./vector.store.js";

function randomUnit(rng: () => number, dim: number): Float32Array {
  const v = new Float32Array(dim);
  let n = 0;
  for (let j = 0; j < dim; j++) n += (v[j] = rng() - 0.5) ** 2;
  for (let j = 0; j < dim; j++) v[j] /= Math.sqrt(n);
  return v;
}

it("int8 storage keeps the cosine close; exact scan and graph agree; save/load round-trips", () => {
  const dim = 32;
  const rng = makeRng(7);
  const vecs = Array.from({ length: 300 }, () => randomUnit(rng, dim));
  const ids = vecs.map((_, i) => i * 3 + 1);
  const m = new Float32Array(vecs.length * dim);
  vecs.forEach((v, i) => m.set(v, i * dim));
  const exact = new VectorStore(dim);
  const graph = new VectorStore(dim, { graphAbove: 100, expansionSearch: 200 });
  exact.addMany(ids, m);
  graph.addMany(ids, m);
  const q = vecs[10];
  let dot = 0;
  for (let j = 0; j < dim; j++) dot += q[j] * vecs[20][j];
  assert.ok(Math.abs(exact.score(ids[20], q)! - dot) < 0.01);
  const top = exact.search(q, 5);
  assert.equal(top[0].id, ids[10]);
  assert.deepEqual(graph.search(q, 5).map((h) => h.id), top.map((h) => h.id));
  // Filters apply before k is counted.
  assert.ok(exact.search(q, 5, (id) => id % 2 === 0).every((h) => h.id % 2 === 0));

  const dir = mkdtempSync(join(tmpdir(), "dp-vec-"));
  try {
    graph.remove(ids[10]);
    graph.save(join(dir, "v.bin"));
    const back = VectorStore.load(join(dir, "v.bin"), { graphAbove: 100, expansionSearch: 200 });
    assert.equal(back.size, 299);
    assert.equal(back.has(ids[10]), false);
    assert.equal(back.search(q, 1)[0].id === ids[10], false);
    assert.ok(Math.abs(back.score(ids[20], q)! - graph.score(ids[20], q)!) < 1e-6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
