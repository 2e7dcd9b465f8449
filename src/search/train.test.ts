import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { cosine, embedPaper, embedQuery } from "./embed.js";
import { loadStaticModel, saveStaticModel } from "./model2vec.js";
import { dropCoin, rowKey, splitSentences, trainedToStaticModel, trainingWords, trainStaticModel, type TrainPaper } from "./train.js";

/**
 * A tiny made corpus: 8 topics, each with its own vocabulary, plus shared filler words.
 * Every paper mixes its topic's words with filler, so only training (or IDF) can tell topics apart.
 */
function makeCorpus(papersPerTopic: number): { papers: TrainPaper[]; topic: number[] } {
  const topics = [
    ["graph", "node", "edge", "message", "passing", "spectral"],
    ["image", "pixel", "segmentation", "mask", "convolution", "vision"],
    ["language", "token", "translation", "grammar", "sentence", "parsing"],
    ["robot", "grasp", "manipulation", "gripper", "arm", "control"],
    ["protein", "folding", "residue", "molecule", "binding", "enzyme"],
    ["speech", "audio", "acoustic", "phoneme", "spectrogram", "speaker"],
    ["privacy", "differential", "noise", "leakage", "attack", "membership"],
    ["quantum", "qubit", "circuit", "entanglement", "gate", "noise"],
  ];
  const filler = ["we", "propose", "a", "novel", "method", "results", "show", "the", "of", "and", "model", "data"];
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const pick = (arr: string[], k: number) => Array.from({ length: k }, () => arr[Math.floor(rnd() * arr.length)]);
  const papers: TrainPaper[] = [];
  const topic: number[] = [];
  for (let t = 0; t < topics.length; t++) {
    for (let i = 0; i < papersPerTopic; i++) {
      const sentence = () => {
        const w = [...pick(topics[t], 4), ...pick(filler, 5)];
        w.sort(() => rnd() - 0.5);
        return w.join(" ").replace(/^./, (c) => c.toUpperCase()) + ".";
      };
      papers.push({ title: pick(topics[t], 3).join(" "), abstract: [sentence(), sentence(), sentence(), sentence()].join(" ") });
      topic.push(t);
    }
  }
  return { papers, topic };
}

describe("training a static model", () => {
  const { papers, topic } = makeCorpus(16);
  const opts = { dim: 32, epochs: 15, batchSize: 32, seed: 7 };

  it("splits sentences and words the way the loader will", () => {
    assert.deepEqual(splitSentences("We do X. Then Y, e.g. z. 3 results! $x$ holds."), ["We do X.", "Then Y, e.g. z.", "3 results!", "$x$ holds."]);
    assert.deepEqual(trainingWords("Naïve GNNs (e.g., GCN)"), ["naive", "gnns", "e", "g", "gcn"]);
  });

  it("learns: a title is closer to its own abstract than to other topics' abstracts", () => {
    const trained = trainStaticModel(papers, opts);
    assert.ok(trained.stats.steps > 0);
    // Below chance level (ln 32 = 3.47); same-topic papers in a batch keep it well above 0.
    assert.ok(trained.stats.finalLoss < 3, `loss ${trained.stats.finalLoss}`);
    const model = trainedToStaticModel(trained);
    const docs = papers.map((p) => embedPaper(model, { title: "", abstract: p.abstract }));
    let correct = 0;
    for (let i = 0; i < papers.length; i++) {
      const q = embedQuery(model, papers[i].title);
      const own = cosine(q, docs[i]);
      const otherTopic = docs.filter((_, j) => topic[j] !== topic[i]).map((d) => cosine(q, d));
      if (own > Math.max(...otherTopic)) correct++;
    }
    assert.ok(correct / papers.length > 0.95, `accuracy ${correct / papers.length}`);
    // Words of one topic end up closer to each other than to another topic's words.
    const w = (s: string) => embedQuery(model, s);
    assert.ok(cosine(w("qubit"), w("entanglement")) > cosine(w("qubit"), w("pixel")));
  });

  it("is deterministic given the seed", () => {
    const a = trainStaticModel(papers, opts);
    const b = trainStaticModel(papers, opts);
    assert.deepEqual(a.vocab, b.vocab);
    assert.deepEqual(a.embeddings, b.embeddings);
    const c = trainStaticModel(papers, { ...opts, seed: 8 });
    assert.notDeepEqual(a.embeddings, c.embeddings);
  });

  it("vocabulary respects min count and cap; unknown words are skipped when embedding", () => {
    const trained = trainStaticModel(papers, { ...opts, epochs: 1, maxVocab: 10 });
    assert.equal(trained.vocab.length, 12);
    assert.deepEqual(trained.vocab.slice(0, 2), ["[PAD]", "[UNK]"]);
    const model = trainedToStaticModel(trained);
    const known = trained.vocab[2];
    assert.deepEqual(Array.from(model.embed(`${known} zyzzyva`)), Array.from(model.embed(known)));
    const none = trainStaticModel([{ title: "alpha", abstract: "Beta gamma." }], { ...opts, minCount: 2 });
    assert.equal(none.vocab.length, 2);
  });

  it("round-trips through the Model2Vec format", async () => {
    const dir = await mkdtemp(join(tmpdir(), "trained-"));
    try {
      const trained = trainStaticModel(papers, { ...opts, epochs: 2 });
      await saveStaticModel(dir, { vocab: trained.vocab, embeddings: trained.embeddings, dim: trained.dim });
      const loaded = await loadStaticModel(dir);
      const inMemory = trainedToStaticModel(trained);
      for (const p of papers.slice(0, 5)) {
        const a = embedPaper(loaded, p), b = embedPaper(inMemory, p);
        assert.ok(cosine(a, b) > 0.99999);
      }
      // A new paper with unseen words still embeds, with no retraining.
      const fresh = embedPaper(loaded, { title: "Qubit routing for superconducting chips", abstract: "Gate fidelity matters." });
      assert.ok(Math.abs(Math.hypot(...fresh) - 1) < 1e-5);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("words with one stem share a row; with tying off they train apart", () => {
    assert.equal(rowKey("reduces", true), rowKey("reduced", true));
    assert.equal(rowKey("improvement", true), rowKey("improved", true));
    assert.equal(rowKey("resnet50", true), "resnet50");
    assert.notEqual(rowKey("reduces", false), rowKey("reduced", false));
    const forms = [
      ...papers,
      { title: "graphs", abstract: "Graphs of nodes. Message passing on graphs." },
      { title: "graph", abstract: "A graph of nodes. Spectral graph methods." },
    ];
    const row = (t: ReturnType<typeof trainStaticModel>, w: string) => {
      const i = t.vocab.indexOf(w);
      assert.ok(i >= 0, w);
      return Array.from(t.embeddings.subarray(i * t.dim, (i + 1) * t.dim));
    };
    const tied = trainStaticModel(forms, { ...opts, epochs: 2 });
    assert.deepEqual(row(tied, "graphs"), row(tied, "graph"));
    const apart = trainStaticModel(forms, { ...opts, epochs: 2, tieStems: false });
    assert.notDeepEqual(row(apart, "graphs"), row(apart, "graph"));
    // A rare form of a common stem is kept even above the min count: its row is well trained.
    const rare = trainStaticModel(forms, { ...opts, epochs: 1, minCount: 2 });
    assert.ok(rare.vocab.includes("graphs"));
    assert.ok(!trainStaticModel(forms, { ...opts, epochs: 1, minCount: 2, tieStems: false }).vocab.includes("graphs"));
  });

  it("word dropout: a deterministic coin, near the asked share, and training still learns", () => {
    assert.equal(dropCoin(17, 99), dropCoin(17, 99));
    let below = 0;
    for (let w = 0; w < 20_000; w++) if (dropCoin(w, 12345) < 0.3) below++;
    assert.ok(Math.abs(below / 20_000 - 0.3) < 0.02, `share ${below / 20_000}`);
    let differs = 0;
    for (let salt = 0; salt < 100; salt++) if (dropCoin(5, salt) < 0.5 !== dropCoin(5, salt + 1000) < 0.5) differs++;
    assert.ok(differs > 20, "the salt changes which words drop");
    const a = trainStaticModel(papers, { ...opts, wordDropout: 0.3 });
    const b = trainStaticModel(papers, { ...opts, wordDropout: 0 });
    assert.notDeepEqual(a.embeddings, b.embeddings);
    assert.ok(a.stats.finalLoss < 3, `loss ${a.stats.finalLoss}`);
  });
});
