import { it } from "node:test";
import assert from "node:assert/strict";
import { highlightTex, snippet } from "./highlight.js";
import { tokenize } from "./tokenize.js";

const terms = (q: string) => new Set(tokenize(q));

it("marks words by stem, escapes the rest", () => {
  const html = highlightTex("Transformers & <b>transforming</b> the network", terms("transformer"));
  assert.equal(html, "<mark>Transformers</mark> &amp; &lt;b&gt;<mark>transforming</mark>&lt;/b&gt; the network");
});

it("never marks inside math: formulas are rendered whole by KaTeX", () => {
  const html = highlightTex("Bounds of $\\mathcal{O}(n \\log n)$ for log factors", terms("log"));
  assert.match(html, /class="katex"/);
  assert.equal((html.match(/<mark>/g) ?? []).length, 1);
  assert.match(html, /for <mark>log<\/mark> factors/);
});

it("no terms: plain escaped text; stopwords are never marked", () => {
  assert.equal(highlightTex("a <i>b</i>", new Set()), "a &lt;i&gt;b&lt;/i&gt;");
  assert.equal(highlightTex("the cat", terms("the")), "the cat");
});

it("snippets start near the first match and never cut a formula", () => {
  const text = `${"Lorem ipsum dolor sit amet. ".repeat(20)}We study $x^2 + y^2$ diffusion models here. ${"More words follow. ".repeat(20)}`;
  const s = snippet(text, terms("diffusion"), 120);
  assert.ok(s.cutStart && s.cutEnd);
  assert.match(s.text, /diffusion/);
  assert.equal((s.text.match(/\$/g) ?? []).length % 2, 0);
  assert.deepEqual(snippet("short", terms("x"), 100), { text: "short", cutStart: false, cutEnd: false });
});
