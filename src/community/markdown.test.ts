import { test } from "node:test";
import assert from "node:assert/strict";
import { renderMarkdown, safeHref } from "./markdown.js";

const html = (s: string) => renderMarkdown(s).html;

/** No markup but the renderer's own: no script, no event handler, no dangerous URL. */
function assertInert(out: string): void {
  assert.doesNotMatch(out, /<script/i, out);
  assert.doesNotMatch(out, /<(img|iframe|object|embed|svg|math|style|form|input|textarea|base|meta|link)\b/i, out);
  // Every tag's attributes are double-quoted (no quote can be broken out of: values are
  // escaped) and from the allow-list.
  for (const tag of out.match(/<[a-z][^>]*>/gi) ?? []) {
    const m = /^<([a-z0-9]+)((?:\s+[a-z-]+="[^"<>]*")*)\s*\/?>$/i.exec(tag);
    assert.ok(m, `unexpected tag shape ${tag} in ${out}`);
    for (const [, name] of m[2].matchAll(/\s+([a-z-]+)="[^"]*"/gi)) assert.ok(["href", "title", "rel", "class", "start", "align"].includes(name), `attribute ${name} in ${out}`);
  }
  assert.doesNotMatch(out, /href="\s*(javascript|data|vbscript):/i, out);
}

test("Markdown renders: emphasis, code, lists, quotes, links with rel=nofollow ugc", () => {
  assert.equal(html("Some *emphasis* and `code <b>`"), "<p>Some <em>emphasis</em> and <code>code &lt;b&gt;</code></p>\n");
  assert.equal(html("[the paper](https://arxiv.org/abs/2503.01234)"), '<p><a href="https://arxiv.org/abs/2503.01234" rel="nofollow ugc noopener">the paper</a></p>\n');
  assert.match(html("- one\n- two"), /<ul>\n<li>one<\/li>\n<li>two<\/li>\n<\/ul>/);
  assert.match(html("> quoted"), /<blockquote>/);
  assert.match(html("https://example.org/x"), /<a href="https:\/\/example.org\/x" rel="nofollow ugc noopener">/);
  assert.equal(html("# Big"), "<p><strong>Big</strong></p>\n");
  assert.match(html("```\n<script>x</script>\n```"), /<pre><code>&lt;script&gt;x&lt;\/script&gt;/);
});

test("XSS vectors come out inert", () => {
  const vectors = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](jav&#x61;script&colon;alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "[x][1]\n\n[1]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "[[nested](javascript:alert(1))](https://ok.example)",
    "[a](https://ok.example \"t\\\" onmouseover=\\\"alert(1)\")",
    "![alt](javascript:alert(1))",
    "![x\" onerror=\"alert(1)](https://img.example/a.png)",
    "<svg/onload=alert(1)>",
    "<iframe src=//evil.example></iframe>",
    "<details open ontoggle=alert(1)>",
    "`<img src=x onerror=alert(1)>`",
    "<style>body{display:none}</style>",
    "**<b onclick=alert(1)>bold</b>**",
  ];
  for (const v of vectors) assertInert(html(v));
  assert.equal(html("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
  assert.equal(html("[x](javascript:alert(1))"), "<p>x</p>\n");
  assert.equal(html("[x](&#106;avascript:alert(1))"), "<p>x</p>\n");
});

test("images become links, never <img>", () => {
  assert.equal(html("![a chart](https://img.example/c.png)"), '<p><a href="https://img.example/c.png" rel="nofollow ugc noopener">[image: a chart]</a></p>\n');
  assert.equal(html("![x](javascript:alert(1))"), "<p>[image: x]</p>\n");
});

test("safeHref keeps http(s), mailto and local paths only", () => {
  assert.equal(safeHref("https://a.example/x?y=1"), "https://a.example/x?y=1");
  assert.equal(safeHref("mailto:a@b.example"), "mailto:a@b.example");
  assert.equal(safeHref("/papers/2503.01234"), "/papers/2503.01234");
  assert.equal(safeHref("//evil.example"), null);
  assert.equal(safeHref(" javascript:alert(1)"), null);
  assert.equal(safeHref("data:text/html,x"), null);
  assert.equal(safeHref("relative/path"), null);
});

test("@mentions link to profiles and are collected; emails and code are not mentions", () => {
  const r = renderMarkdown("Thanks @Ada_L and @bob-smith! Mail joe@example.org, not `@code`. @ab is too short.");
  assert.deepEqual(r.mentions, ["ada_l", "bob-smith"]);
  assert.match(r.html, /<a class="mention" href="\/u\/ada_l">@ada_l<\/a>/);
  assert.doesNotMatch(r.html, /href="\/u\/example/);
  assert.deepEqual(renderMarkdown("(@carol) @carol").mentions, ["carol"]);
});
