import { test } from "node:test";
import assert from "node:assert/strict";
import { KeywordIndex } from "./keyword.index.js";
import { rm3Expand, searchWithRm3 } from "./rm3.js";

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

test("interpolates the normalised query with the score-weighted relevance model", () => {
  const out = rm3Expand(
    [{ term: "graph", weight: 1 }, { term: "pool", weight: 1 }],
    [
      { score: 3, terms: ["graph", "graph", "node", "edg"] },
      { score: 1, terms: ["node", "pool"] },
    ],
    { fbDocs: 10, fbTerms: 2, originalWeight: 0.5 },
  );
  // model: graph 3/4*2/4 = .375, node 3/4*1/4 + 1/4*1/2 = .3125, edg .1875, pool .125
  // top 2 = graph .375, node .3125 -> normalised .545454.., .454545..
  const w = new Map(out.map((t) => [t.term, t.weight]));
  assert.deepEqual([...w.keys()], ["graph", "pool", "node"]);
  close(w.get("graph")!, 0.25 + 0.5 * (0.375 / 0.6875));
  close(w.get("node")!, 0.5 * (0.3125 / 0.6875));
  close(w.get("pool")!, 0.25);
  close(out.reduce((s, t) => s + t.weight, 0), 1);
});

test("without feedback or with originalWeight 1 the query is unchanged", () => {
  const q = [{ term: "a", weight: 2 }, { term: "b", weight: 2 }];
  assert.deepEqual(rm3Expand(q, []), [{ term: "a", weight: 0.5 }, { term: "b", weight: 0.5 }]);
  assert.deepEqual(rm3Expand(q, [{ score: 1, terms: ["c"] }], { fbDocs: 5, fbTerms: 5, originalWeight: 1 }), [
    { term: "a", weight: 0.5 },
    { term: "b", weight: 0.5 },
  ]);
});

test("feedback pulls in a document that shares no query word", () => {
  const docs = [
    { id: 1, title: "Graph neural networks", authors: "", abstract: "message passing on molecules" },
    { id: 2, title: "Graph neural networks again", authors: "", abstract: "message passing for chemistry" },
    { id: 3, title: "Molecules", authors: "", abstract: "message passing chemistry molecules" },
    { id: 4, title: "Unrelated", authors: "", abstract: "tax law" },
  ];
  const idx = new KeywordIndex();
  idx.addAll(docs);
  const text = new Map(docs.map((d) => [d.id, `${d.title} ${d.abstract}`]));
  assert.deepEqual(idx.search("graph").map((h) => h.id), [1, 2]);
  const hits = searchWithRm3(idx, "graph", (id) => text.get(id), { k: 10 }, { fbDocs: 2, fbTerms: 5, originalWeight: 0.5 });
  assert.deepEqual(hits.map((h) => h.id), [1, 2, 3]);
  assert.deepEqual(searchWithRm3(idx, "", (id) => text.get(id)), []);
});
