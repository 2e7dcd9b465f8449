import { test } from "node:test";
import assert from "node:assert/strict";
import { isStopword, stem, tokenize, tokenizeUnstemmed, words } from "./tokenize.js";

test("lowercases, splits on punctuation, drops stopwords and stems", () => {
  assert.deepEqual(
    tokenize("Large Language Models (LLMs) have demonstrated remarkable capabilities"),
    ["larg", "languag", "model", "llm", "demonstr", "remark", "capabl"],
  );
  assert.deepEqual(tokenizeUnstemmed("The Transformers are all you need"), ["transformers", "all", "need"]);
  assert.deepEqual(words("The Transformers"), ["the", "transformers"]);
});

test("TeX markup leaves no formatting commands or math variables behind", () => {
  assert.deepEqual(tokenize("$\\mathcal{O}(n)$ time"), ["time"]);
  assert.deepEqual(tokenize("$O(n^2)$ sorting over $\\mathbb{R}^d$"), ["sort", "over"]);
  assert.deepEqual(tokenize("\\textbf{Bold} claims"), ["bold", "claim"]);
  assert.deepEqual(tokenize("\\(x_1 + \\text{softmax}\\)"), ["softmax"]);
  assert.deepEqual(tokenize("G\\\"odel's theorem"), ["godel", "theorem"]);
});

test("Greek letters meet whether written in Unicode, TeX or spelled out", () => {
  const expected = ["alpha", "synuclein"];
  assert.deepEqual(tokenize("α-synuclein"), expected);
  assert.deepEqual(tokenize("$\\alpha$-synuclein"), expected);
  assert.deepEqual(tokenize("Alpha-synuclein"), expected);
  assert.deepEqual(tokenize("$\\varepsilon$-greedy"), ["epsilon", "greedi"]);
});

test("accents, ligatures and compatibility forms fold to ASCII", () => {
  assert.deepEqual(tokenize("naïve café Ångström"), ["naiv", "cafe", "angstrom"]);
  assert.deepEqual(tokenize("ﬁne-tuning"), ["fine", "tune"]);
});

test("numbers and identifiers are kept unstemmed outside formulas", () => {
  assert.deepEqual(tokenize("GPT-4 beats Llama 3 on 3D tasks"), ["gpt", "4", "beat", "llama", "3", "3d", "task"]);
  assert.equal(stem("resnet50s"), "resnet50s");
});

test("CJK text is indexed one character at a time, Hangul and kana stay intact", () => {
  assert.deepEqual(tokenize("日本語の論文"), ["日", "本", "語", "の", "論", "文"]);
  assert.deepEqual(tokenize("한국어"), ["한", "국", "어"]);
  assert.deepEqual(tokenize("が"), ["が"]);
});

test("query syntax characters are just separators", () => {
  assert.deepEqual(tokenize('"graph neural" * NEAR -pooling (attention) OR'), ["graph", "neural", "near", "pool", "attent"]);
});

test("never throws and returns nothing useless on hostile input", () => {
  const inputs = [
    "", " ", "$", "$$", "\\", "\\\\", "$\\", "{}", "🎉🎉", "\ud800", "*", "-", "()", "\u0000",
    "a".repeat(100), "word ".repeat(200_000), "$".repeat(10_001), "\\frac{".repeat(1000),
  ];
  for (const input of inputs) {
    const out = tokenize(input);
    assert.ok(Array.isArray(out));
    for (const t of out) assert.ok(t.length > 0 && t.length <= 48, `bad token ${t}`);
  }
  assert.deepEqual(tokenize("a".repeat(100)), []);
  assert.equal(tokenize("word ".repeat(200_000)).length, 200_000);
  assert.deepEqual(tokenize(undefined as unknown as string), []);
});

test("stopword list is small and English", () => {
  assert.ok(isStopword("the"));
  assert.ok(isStopword("we"));
  assert.ok(!isStopword("model"));
});
