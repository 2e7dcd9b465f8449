import { test } from "node:test";
import assert from "node:assert/strict";
import { escapeHtml, linkifyText, texPreview, texToHtml, texToText } from "./tex.js";

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

test("web addresses in running text become links, without the punctuation around them", () => {
  const link = (href: string, text = href) => `<a href="${href}" rel="nofollow ugc noopener">${text}</a>`;
  assert.equal(linkifyText("Code: https://github.com/a/b."), `Code: ${link("https://github.com/a/b")}.`);
  assert.equal(linkifyText("(see https://x.org/p_(1)), then"), `(see ${link("https://x.org/p_(1)")}), then`);
  assert.equal(linkifyText("page:https://kartik-3004.github.io/FaceMoE/"), `page:${link("https://kartik-3004.github.io/FaceMoE/")}`);
  assert.equal(linkifyText("at www.example.org; or"), `at ${link("https://www.example.org", "www.example.org")}; or`);
  assert.equal(linkifyText("\\url{https://a.io/x}"), `\\url{${link("https://a.io/x")}}`);
  assert.equal(linkifyText("[https://a.io/x](https://a.io/x)."), `[${link("https://a.io/x")}](${link("https://a.io/x")}).`);
  // Query strings stay whole and escaped; nothing but http(s) and www. is a link.
  assert.equal(linkifyText("https://a.io/?q=1&r=2"), link("https://a.io/?q=1&amp;r=2"));
  assert.equal(linkifyText("javascript:alert(1) ftp://a.io https:// www."), "javascript:alert(1) ftp://a.io https:// www.");
  // An address cannot break out of its attribute.
  assert.doesNotMatch(linkifyText(`https://a.io/"onmouseover="x`), /"onmouseover/);
});

test("texToHtml links addresses only when asked, and never inside math", () => {
  const text = "See https://a.io/x and $\\text{https://b.io}$.";
  assert.doesNotMatch(texToHtml(text), /<a /);
  const html = texToHtml(text, { links: true });
  assert.equal(html.match(/<a /g)?.length, 1);
  assert.match(html, /href="https:\/\/a\.io\/x"/);
});
