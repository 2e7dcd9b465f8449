import { test } from "node:test";
import assert from "node:assert/strict";
import { escapeHtml, texPreview, texToHtml, texToText } from "./tex.js";

test("math is rendered by KaTeX, text around it escaped", () => {
  const html = texToHtml("Runs in $\\mathcal{O}(n)$ time <script>alert(1)</script>");
  assert.match(html, /class="katex"/);
  assert.doesNotMatch(html, /<script>/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.doesNotMatch(html, /\$\\mathcal/);
});

test("unparseable TeX stays readable and escaped", () => {
  const html = texToHtml("bad $\\frac{<b>$ math");
  assert.match(html, /\$\\frac\{&lt;b&gt;\$/);
});

test("TeX commands that could inject are not trusted", () => {
  const html = texToHtml("$\\href{javascript:alert(1)}{x}$");
  assert.doesNotMatch(html, /href="javascript/);
});

test("texToText reads like prose", () => {
  assert.equal(texToText("Costs $\\mathcal{O}(n \\log n)$ and $\\alpha \\leq 2$"), "Costs O(n log n) and α ≤ 2");
  assert.equal(escapeHtml(`<a href="x">'`), "&lt;a href=&quot;x&quot;&gt;&#39;");
});

test("previews cut at words and never inside a formula", () => {
  const text = "We show that $a+b = c$ holds for all widgets and gadgets in the long run of things.";
  const p = texPreview(text, 20);
  assert.equal(p.truncated, true);
  assert.equal(p.preview, "We show that");
  assert.deepEqual(texPreview("short", 20), { preview: "short", truncated: false });
});
