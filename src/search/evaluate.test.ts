import { test } from "node:test";
import assert from "node:assert/strict";
import { meanMetric, ndcgAtK, recallAtK } from "./evaluate.js";

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

test("nDCG@k on hand-computed examples", () => {
  const judged = new Map([["a", 1], ["b", 1]]);
  close(ndcgAtK(["a", "b", "c"], judged, 10), 1);
  // hits at ranks 2 and 3: (1/log2 3 + 1/log2 4) / (1 + 1/log2 3)
  close(ndcgAtK(["x", "a", "b"], judged, 10), (1 / Math.log2(3) + 0.5) / (1 + 1 / Math.log2(3)));
  close(ndcgAtK(["x", "a", "b"], judged, 2), 1 / Math.log2(3) / (1 + 1 / Math.log2(3)));
  close(ndcgAtK([], judged, 10), 0);
  // graded: ideal order is (2, 1); run puts grade 1 first.
  const graded = new Map([["a", 2], ["b", 1], ["n", 0]]);
  close(ndcgAtK(["b", "a"], graded, 10), (1 + 2 / Math.log2(3)) / (2 + 1 / Math.log2(3)));
  // a duplicated document is not counted twice
  close(ndcgAtK(["a", "a"], new Map([["a", 1]]), 10), 1);
  close(ndcgAtK(["n"], new Map([["n", 0]]), 10), 0);
});

test("recall@k counts distinct relevant documents in the first k", () => {
  const judged = new Map([["a", 1], ["b", 1], ["c", 1], ["z", 0]]);
  close(recallAtK(["a", "z", "b"], judged, 3), 2 / 3);
  close(recallAtK(["a", "z", "b"], judged, 2), 1 / 3);
  close(recallAtK(["a", "a"], judged, 10), 1 / 3);
});

test("mean over judged queries, missing runs count as zero", () => {
  const qrels = new Map([["q1", new Map([["a", 1]])], ["q2", new Map([["b", 1]])]]);
  const run = new Map([["q1", ["a"]], ["q3", ["b"]]]);
  close(meanMetric(run, qrels, (r, j) => recallAtK(r, j, 10)), 0.5);
});
