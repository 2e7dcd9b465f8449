import { it } from "node:test";
import assert from "node:assert/strict";
import { fuseScores, normaliseScores } from "./fusion.js";

it("min-max maps onto [0, 1], z-score onto mean 0 / sd 1, max onto s / max", () => {
  assert.deepEqual(normaliseScores([2, 4, 6], "minmax"), [0, 0.5, 1]);
  const z = normaliseScores([2, 4, 6], "zscore");
  assert.ok(Math.abs(z[0] + 1.2247) < 1e-4 && Math.abs(z[1]) < 1e-12 && Math.abs(z[2] - 1.2247) < 1e-4);
  assert.deepEqual(normaliseScores([1, 2, 4], "max"), [0.25, 0.5, 1]);
  // A constant list carries no order: every entry gets the same value, no NaN.
  assert.deepEqual(normaliseScores([3, 3], "zscore"), [1, 1]);
  assert.deepEqual(normaliseScores([], "minmax"), []);
});

it("the weight decides between the rankers; missing scores take the list's floor", () => {
  const keyword = [{ id: 1, score: 10 }, { id: 2, score: 9 }, { id: 3, score: 1 }];
  // Dense strongly prefers 2, and knows 4 (no keyword match).
  const dense = new Map([[1, 0.1], [2, 0.9], [3, 0.2], [4, 0.8]]);
  const kwHeavy = fuseScores(keyword, dense, { keywordWeight: 0.9, normalisation: "minmax" });
  // 3 matched the keywords worst of all, so its floor ties with 4's, and 4 is closer by meaning.
  assert.deepEqual(kwHeavy.map((h) => h.id), [1, 2, 4, 3]);
  const denseHeavy = fuseScores(keyword, dense, { keywordWeight: 0.2, normalisation: "minmax" });
  assert.deepEqual(denseHeavy.map((h) => h.id).slice(0, 2), [2, 4]);
  const four = denseHeavy.find((h) => h.id === 4)!;
  assert.equal(four.keyword, null);
  assert.equal(four.dense, 0.8);
});

it("without dense scores the keyword order and raw scores are kept", () => {
  const keyword = [{ id: 7, score: 3 }, { id: 5, score: 2 }];
  const fused = fuseScores(keyword, new Map(), { keywordWeight: 0.6, normalisation: "zscore" });
  assert.deepEqual(fused.map((h) => h.id), [7, 5]);
  assert.equal(fused[0].keyword, 3);
});

it("equal fused scores fall back to BM25, then to the id", () => {
  const fused = fuseScores([{ id: 9, score: 1 }, { id: 8, score: 1 }], new Map([[9, 0.5], [8, 0.5]]), { keywordWeight: 0.5, normalisation: "minmax" });
  assert.deepEqual(fused.map((h) => h.id), [8, 9]);
});
