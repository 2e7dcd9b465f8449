import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_BM25, KeywordIndex, type Bm25Params, type KeywordDoc, type QueryTerm } from "./keyword.index.js";
import { tokenize } from "./tokenize.js";

const tiny: KeywordDoc[] = [
  { id: 1, title: "Graph neural networks for molecules", authors: "Ada Lovelace", abstract: "We predict molecular properties with message passing." },
  { id: 2, title: "Attention is all you need", authors: "Alan Turing", abstract: "Transformers replace recurrence with attention for translation." },
  { id: 3, title: "A survey of transformers", authors: "Grace Hopper", abstract: "Attention models, graph transformers and efficient attention variants." },
  { id: 4, title: "Protein folding", authors: "Ada Yonath", abstract: "Structure prediction of proteins from sequence." },
];

function ids(hits: { id: number }[]): number[] {
  return hits.map((h) => h.id);
}

test("ranks the obvious document first and title matches above abstract matches", () => {
  const idx = new KeywordIndex();
  idx.addAll(tiny);
  assert.deepEqual(ids(idx.search("attention")), [2, 3]);
  assert.deepEqual(ids(idx.search("graph")), [1, 3]);
  assert.deepEqual(ids(idx.search("transformers")), [3, 2]);
  assert.deepEqual(ids(idx.search("protein folding")), [4]);
  assert.deepEqual(ids(idx.search("Ada")), [1, 4]);
  assert.deepEqual(idx.search("nothing matches this"), []);
  assert.deepEqual(idx.search(""), []);
});

test("a repeated query word counts once", () => {
  const idx = new KeywordIndex();
  idx.addAll(tiny);
  assert.deepEqual(idx.search("graph graph graph attention"), idx.search("graph attention"));
});

test("k and filter limit the results", () => {
  const idx = new KeywordIndex();
  idx.addAll(tiny);
  assert.deepEqual(ids(idx.search("attention graph", { k: 1 })), [3]);
  assert.deepEqual(ids(idx.search("attention graph", { filter: (id) => id !== 3 })), [2, 1]);
  assert.deepEqual(idx.search("attention", { k: 0 }), []);
});

test("remove and replace take effect immediately and survive a merge", () => {
  const idx = new KeywordIndex();
  idx.addAll(tiny);
  assert.equal(idx.remove(2), true);
  assert.equal(idx.remove(2), false);
  assert.deepEqual(ids(idx.search("attention")), [3]);
  idx.add({ id: 3, title: "Protein language models", authors: "", abstract: "Sequences." });
  assert.deepEqual(ids(idx.search("attention")), []);
  assert.deepEqual(ids(idx.search("protein")), [4, 3]); // 4 also has it in the abstract
  assert.equal(idx.size, 3);
  idx.merge();
  assert.equal(idx.stats().slots, 3);
  assert.deepEqual(ids(idx.search("protein")), [4, 3]); // 4 also has it in the abstract
  assert.deepEqual(ids(idx.search("molecules")), [1]);
});

// Straightforward BM25F over all documents, to check the pruned windowed search.
function reference(docs: KeywordDoc[], p: Bm25Params): (query: QueryTerm[], k: number) => { id: number; score: number }[] {
  const fields = docs.map((d) => [tokenize(d.title), tokenize(d.authors), tokenize(d.abstract)]);
  const n = docs.length;
  const avg = [0, 1, 2].map((f) => fields.reduce((s, x) => s + x[f].length, 0) / n);
  const fp = [p.title, p.authors, p.abstract];
  const df = new Map<string, number>();
  for (const x of fields) for (const t of new Set(x.flat())) df.set(t, (df.get(t) ?? 0) + 1);
  return (query, k) => {
    const w = new Map<string, number>();
    for (const q of query) w.set(q.term, (w.get(q.term) ?? 0) + q.weight);
    const scored = docs.map((d, i) => {
      let score = 0;
      for (const [term, qw] of w) {
        const f = df.get(term) ?? 0;
        if (f === 0) continue;
        const idf = Math.log(1 + (n - f + 0.5) / (f + 0.5));
        let tfp = 0;
        for (let j = 0; j < 3; j++) {
          const tf = fields[i][j].filter((t) => t === term).length;
          if (tf) tfp += (fp[j].weight * tf) / (1 - fp[j].b + (fp[j].b * fields[i][j].length) / avg[j]);
        }
        if (tfp > 0) score += (qw * idf * tfp) / (p.k1 + tfp);
      }
      return { id: d.id, score };
    });
    return scored.filter((s) => s.score > 0).sort((a, b) => b.score - a.score || a.id - b.id).slice(0, k);
  };
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomCorpus(n: number, seed: number): KeywordDoc[] {
  const r = rng(seed);
  // Zipf-ish vocabulary so some terms are very common and pruning actually kicks in.
  const vocab = Array.from({ length: 300 }, (_, i) => `w${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}x`);
  const word = (): string => vocab[Math.floor(vocab.length * r() ** 3)];
  const text = (len: number): string => Array.from({ length: len }, word).join(" ");
  return Array.from({ length: n }, (_, i) => ({
    id: 1000 + i,
    title: text(2 + Math.floor(r() * 8)),
    authors: text(Math.floor(r() * 3)),
    abstract: text(5 + Math.floor(r() * 80)),
  }));
}

function checkAgainstReference(docs: KeywordDoc[], queries: number, seed: number, idx: KeywordIndex): void {
  const r = rng(seed);
  const ref = reference(docs, DEFAULT_BM25);
  const vocabTerms = [...new Set(docs.flatMap((d) => tokenize(d.abstract)))];
  for (let q = 0; q < queries; q++) {
    const len = 1 + Math.floor(r() * 6);
    const query = Array.from({ length: len }, () => ({ term: vocabTerms[Math.floor(vocabTerms.length * r() ** 2)], weight: 0.2 + r() }));
    for (const k of [1, 10, 50]) {
      const got = idx.searchTerms(query, { k });
      const want = ref(query, k);
      assert.deepEqual(ids(got), ids(want), `query ${JSON.stringify(query)} k=${k}`);
      for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i].score - want[i].score) < 1e-9);
    }
  }
}

test("pruned search returns exactly the exhaustive BM25F top k", () => {
  const docs = randomCorpus(600, 7);
  const idx = new KeywordIndex();
  idx.addAll(docs);
  checkAgainstReference(docs, 60, 99, idx);
});

test("exact across many accumulator windows, with part of the corpus still unmerged", () => {
  const docs = randomCorpus(12_000, 5);
  const idx = new KeywordIndex();
  idx.addAll(docs.slice(0, 10_000));
  for (const d of docs.slice(10_000)) idx.add(d);
  assert.ok(idx.stats().pendingPostings > 0);
  checkAgainstReference(docs, 15, 17, idx);
});

test("incremental adds, bulk build, merge and a snapshot all rank identically", () => {
  const docs = randomCorpus(400, 3);
  const bulk = new KeywordIndex();
  bulk.addAll(docs);
  const incremental = new KeywordIndex();
  incremental.addAll(docs.slice(0, 150));
  for (const d of docs.slice(150)) incremental.add(d); // stays in the delta (below merge size)
  assert.ok(incremental.stats().pendingPostings > 0);
  const restored = KeywordIndex.deserialize(bulk.serialize());
  const queries = ["wbax wcax", "waax", "wdax weax wfax wgax", "wzax wbbx"];
  for (const q of queries) {
    const want = bulk.search(q, { k: 20 });
    assert.ok(want.length > 0);
    assert.deepEqual(incremental.search(q, { k: 20 }).map((h) => h.id), want.map((h) => h.id));
    assert.deepEqual(restored.search(q, { k: 20 }), want);
  }
  const other: Bm25Params = { k1: 0.9, title: { weight: 1, b: 0.5 }, authors: { weight: 2, b: 0 }, abstract: { weight: 1, b: 0.3 } };
  const fresh = new KeywordIndex(other);
  fresh.addAll(docs);
  const reparam = KeywordIndex.deserialize(bulk.serialize(), other);
  for (const q of queries) assert.deepEqual(reparam.search(q, { k: 20 }), fresh.search(q, { k: 20 }));
  incremental.merge();
  for (const q of queries) assert.deepEqual(incremental.search(q, { k: 20 }), bulk.search(q, { k: 20 }));
});

test("a snapshot keeps removals, stays writable and rejects garbage", () => {
  const idx = new KeywordIndex();
  idx.addAll(tiny);
  idx.remove(1);
  const restored = KeywordIndex.deserialize(idx.serialize());
  assert.equal(restored.size, 3);
  assert.deepEqual(ids(restored.search("graph")), [3]);
  restored.add({ id: 9, title: "Graph kernels", authors: "", abstract: "" });
  assert.deepEqual(ids(restored.search("graph")), [9, 3]);
  assert.throws(() => KeywordIndex.deserialize(Buffer.from("not an index at all, clearly")));
  const empty = KeywordIndex.deserialize(new KeywordIndex().serialize());
  assert.deepEqual(empty.search("graph"), []);
});

test("auto-merge during many single adds keeps results exact", () => {
  const docs = randomCorpus(5000, 11);
  const a = new KeywordIndex();
  for (const d of docs) a.add(d);
  const b = new KeywordIndex();
  b.addAll(docs);
  for (const q of ["wbax wcax", "wkax"]) assert.deepEqual(a.search(q, { k: 15 }), b.search(q, { k: 15 }));
});

test("matchAll lists exactly the documents holding every query word", () => {
  const docs = randomCorpus(12_000, 23);
  const idx = new KeywordIndex();
  idx.addAll(docs.slice(0, 10_000));
  for (const d of docs.slice(10_000)) idx.add(d); // some postings stay in the delta chains
  assert.ok(idx.stats().pendingPostings > 0);
  // A removal and a replacement: neither old text may match any more.
  idx.remove(docs[5].id);
  const replaced = { ...docs[7], title: "wholly different words", abstract: "nothing shared" };
  idx.add(replaced);
  const live = docs.filter((d) => d.id !== docs[5].id).map((d) => (d.id === replaced.id ? replaced : d));
  const termsOf = new Map(live.map((d) => [d.id, new Set([...tokenize(d.title), ...tokenize(d.authors), ...tokenize(d.abstract)])]));
  const r = rng(31);
  const vocabTerms = [...new Set(docs.flatMap((d) => tokenize(d.abstract)))];
  let nonEmpty = 0;
  for (let q = 0; q < 40; q++) {
    const words = Array.from({ length: 1 + Math.floor(r() * 3) }, () => vocabTerms[Math.floor(vocabTerms.length * r() ** 2)]);
    const want = live.filter((d) => words.every((w) => termsOf.get(d.id)!.has(w))).map((d) => d.id).sort((a, b) => a - b);
    const got = idx.matchAll(words.join(" ")).sort((a, b) => a - b);
    assert.deepEqual(got, want, `query ${words.join(" ")}`);
    if (want.length > 0) nonEmpty++;
    const even = (id: number) => id % 2 === 0;
    assert.deepEqual(idx.matchAll(words.join(" "), even).sort((a, b) => a - b), want.filter(even));
  }
  assert.ok(nonEmpty > 20, "the queries exercise real intersections");
  assert.deepEqual(idx.matchAll(""), []);
  assert.deepEqual(idx.matchAll("waax neverseenword"), [], "an unknown word matches nothing");
});

test("knows which terms are in an author list, for live papers only", () => {
  const idx = new KeywordIndex();
  idx.addAll(tiny);
  assert.equal(idx.inAuthors("hopper"), true);
  assert.equal(idx.inAuthors("attention"), false, "a word of titles and abstracts");
  assert.equal(idx.inAuthors("nobody"), false);
  idx.add({ id: 5, title: "Hopper robots", authors: "Ann Jumper", abstract: "Legged hoppers." });
  assert.equal(idx.inAuthors("jumper"), true, "from the pending postings too");
  idx.remove(3);
  assert.equal(idx.inAuthors("hopper"), false, "its one paper by Grace Hopper is gone; the title use does not count");
});
