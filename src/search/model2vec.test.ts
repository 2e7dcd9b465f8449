import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { loadStaticModel, saveStaticModel, StaticModel } from "./model2vec.js";
import { encodeSafetensors, floatToHalf, halfToFloat, parseSafetensors, tensorToFloat32 } from "./model2vec.safetensors.js";
import { bertBasicWords, tokenizerFromJson, wordPieceTokenizerJson } from "./model2vec.tokenizer.js";

// Shared fixtures live next to the repository; tests run from the repository root.
const FIXTURES = resolve("../shared/data/model2vec-test-models");
const LONG_HELLO = Array(1000).fill("hello").join(" ");

async function reference(name: string): Promise<number[]> {
  const rows = JSON.parse(await readFile(join(FIXTURES, name), "utf8")) as number[][];
  return rows[0];
}

/** Same criterion as the reference implementation's parity tests: max relative error. */
function assertClose(actual: Float32Array, expected: number[], maxRelative: number): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    const rel = Math.abs(a - e) / Math.max(Math.abs(a), Math.abs(e), 1e-12);
    assert.ok(rel <= maxRelative, `dim ${i}: ${a} vs ${e} (relative ${rel})`);
  }
}

describe("model2vec loader: parity with the Python reference", () => {
  it("float32: short and long inputs", async () => {
    const m = await loadStaticModel(join(FIXTURES, "test-model-float32"));
    assert.equal(m.dim, 2);
    assertClose(m.embed("hello world"), await reference("embeddings_short.json"), 1e-5);
    assertClose(m.embed(LONG_HELLO), await reference("embeddings_long.json"), 1e-5);
  });

  it("vocab-quantized (centroids * per-token weight, Unigram tokenizer)", async () => {
    const m = await loadStaticModel(join(FIXTURES, "test-model-vocab-quantized"));
    assert.equal(m.dim, 64);
    assert.ok(m.mapping && m.weights);
    assertClose(m.embed(LONG_HELLO), await reference("embeddings_vocab_quantized.json"), 1e-5);
  });

  it("float16 and int8 agree with float32 within quantisation error", async () => {
    const f32 = await loadStaticModel(join(FIXTURES, "test-model-float32"));
    for (const q of ["float16", "int8"]) {
      const m = await loadStaticModel(join(FIXTURES, `test-model-${q}`));
      for (const text of ["hello world", LONG_HELLO, "static embeddings for paper search"]) {
        assertClose(m.embed(text), Array.from(f32.embed(text)), 1e-1);
      }
    }
    const f16 = await loadStaticModel(join(FIXTURES, "test-model-float16"));
    assertClose(f16.embed("hello world"), await reference("embeddings_short.json"), 1e-3);
  });

  it("sentence-transformers layout gives the same vectors as the native layout", async () => {
    const native = await loadStaticModel(join(FIXTURES, "test-model-float32"));
    const st = await loadStaticModel(join(FIXTURES, "test-model-sentence-transformers"));
    assert.equal(st.normalize, true);
    for (const text of ["hello", "world test sentence"]) assertClose(st.embed(text), Array.from(native.embed(text)), 1e-6);
  });

  it("normalises to unit length unless told not to; empty text is the zero vector", async () => {
    const m = await loadStaticModel(join(FIXTURES, "test-model-float32"));
    const raw = await loadStaticModel(join(FIXTURES, "test-model-float32"), { normalize: false });
    const norm = (v: Float32Array) => Math.hypot(...v);
    assert.ok(Math.abs(norm(m.embed("test sentence")) - 1) < 1e-6);
    assert.ok(norm(raw.embed("test sentence")) > 1.5);
    assert.deepEqual(Array.from(m.embed("")), [0, 0]);
  });

  it("rejects a folder without a model", async () => {
    await assert.rejects(loadStaticModel(FIXTURES), /no valid model layout/);
  });
});

describe("model2vec tokenizer", () => {
  it("BERT basic: lowercase, strip accents, split punctuation", () => {
    assert.deepEqual(bertBasicWords("Café naïve, GPT-4o's $x^2$!\tOK"), [
      "cafe", "naive", ",", "gpt", "-", "4o", "'", "s", "$", "x", "^", "2", "$", "!", "ok",
    ]);
  });

  it("WordPiece: greedy longest match with ##, unknown words dropped", async () => {
    const m = await loadStaticModel(join(FIXTURES, "test-model-float32"));
    const json = JSON.parse(await readFile(join(FIXTURES, "test-model-float32", "tokenizer.json"), "utf8")) as unknown;
    const tok = tokenizerFromJson(json);
    const ids = tok.encode("Tokenization");
    assert.deepEqual(ids.map((i) => tok.vocab[i]), ["token", "##ization"]);
    // A word made of a char no piece covers becomes [UNK], which the model drops.
    assert.ok(tok.encode("hello \u{1F9EA}").includes(tok.unkId));
    assert.deepEqual(m.tokenize("hello \u{1F9EA}"), m.tokenize("hello"));
  });

  it("whole-word vocab: known words map 1:1, unknown words vanish", () => {
    const tok = tokenizerFromJson(wordPieceTokenizerJson(["[PAD]", "[UNK]", "graph", "neural", "networks"]));
    const words = (t: string) => tok.encode(t).filter((i) => i !== tok.unkId).map((i) => tok.vocab[i]);
    assert.deepEqual(words("Graph Neural-Networks for graphene"), ["graph", "neural", "networks"]);
  });
});

describe("safetensors", () => {
  it("round-trips F32, F16 and I32 tensors", () => {
    const data = new Float32Array([0, 1, -2.5, 65504, 1e-5, 0.333]);
    const bytes = encodeSafetensors({
      a: { dtype: "F32", shape: [2, 3], data },
      b: { dtype: "F16", shape: [6], data },
      c: { dtype: "I32", shape: [2], data: new Int32Array([7, -1]) },
    });
    const { tensors } = parseSafetensors(bytes);
    assert.deepEqual(Array.from(tensorToFloat32(tensors.get("a")!)), Array.from(data));
    const half = tensorToFloat32(tensors.get("b")!);
    for (let i = 0; i < data.length; i++) assert.ok(Math.abs(half[i] - data[i]) <= Math.abs(data[i]) * 1e-3 + 1e-7);
    assert.deepEqual(tensors.get("c")!.shape, [2]);
  });

  it("half-float conversion is exact for representable values", () => {
    for (const x of [0, 1, -1, 0.5, 2048, -0.00006103515625, 65504]) assert.equal(halfToFloat(floatToHalf(x)), x);
  });
});

describe("saving a trained-style model", () => {
  it("round-trips through the loader", async () => {
    const dir = await mkdtemp(join(tmpdir(), "m2v-"));
    try {
      const vocab = ["[PAD]", "[UNK]", "alpha", "beta"];
      const embeddings = new Float32Array([0, 0, 0, 0, 1, 0, 0, 1]);
      await saveStaticModel(dir, { vocab, embeddings, dim: 2 });
      const m: StaticModel = await loadStaticModel(dir);
      assert.equal(m.vocabSize, 4);
      assertClose(m.embed("Alpha beta gamma"), [Math.SQRT1_2, Math.SQRT1_2], 1e-6);
      await saveStaticModel(dir, { vocab, embeddings, dim: 2, float16: true });
      assertClose((await loadStaticModel(dir)).embed("beta"), [0, 1], 1e-6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
