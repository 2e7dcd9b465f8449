import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { decodeXmlEntities, parseArxivApiFeed, withdrawalNotice, type ApiEntry } from "./arxiv-api.parse.js";

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/arxiv/${name}`, import.meta.url), "utf8");

function ok(body: string) {
  const r = parseArxivApiFeed(body);
  if (!r.ok) assert.fail(`expected a feed, got ${r.kind}: ${r.message}`);
  return r;
}

function paperOf(e: ApiEntry) {
  if (e.kind === "rejected") assert.fail(`rejected: ${e.reason}`);
  return e.paper;
}

describe("parseArxivApiFeed", () => {
  it("parses two papers, with counts, versions, dates, categories and links", () => {
    const feed = ok(fixture("api-two-papers.xml"));
    assert.equal(feed.totalResults, 2);
    assert.equal(feed.startIndex, 0);
    assert.equal(feed.itemsPerPage, 10);
    assert.deepEqual(feed.entries.map((e) => e.kind), ["paper", "paper"]);

    const glu = paperOf(feed.entries[0]);
    assert.equal(glu.arxivId, "2507.00022");
    assert.equal(glu.version, 1);
    assert.equal(glu.title, "GLU Attention Improve Transformer");
    assert.ok(glu.abstract.startsWith("Gated Linear Units (GLU) have shown great potential in enhancing neural network performance."));
    assert.ok(!/\s{2}|\n/.test(glu.abstract), "abstract whitespace is collapsed");
    assert.deepEqual(glu.authors, ["Zehao Wang"]);
    assert.deepEqual(glu.categories, ["cs.LG", "cs.AI", "cs.CL", "cs.NE"]);
    assert.equal(glu.comment, "4 pages 4 figures");
    assert.equal(glu.journalRef, null);
    assert.equal(glu.doi, null);
    assert.equal(glu.firstVersionAt.toISOString(), "2025-06-16T09:12:44.000Z");

    const adscft = paperOf(feed.entries[1]);
    assert.equal(adscft.arxivId, "hep-th/9711200");
    assert.equal(adscft.version, 3);
    assert.equal(adscft.title, "The Large N Limit of Superconformal Field Theories and Supergravity");
    assert.deepEqual(adscft.authors, ["Juan M. Maldacena"]);
    assert.deepEqual(adscft.categories, ["hep-th"]);
    assert.equal(adscft.journalRef, "Adv.Theor.Math.Phys.2:231-252,1998");
    assert.equal(adscft.doi, "10.1023/A:1026654312961");
    assert.equal(
      adscft.comment,
      "20 pages, harvmac, v2: section on AdS2 corrected, references added, v3: More references and a sign in eqns 2.8 and 2.9 corrected",
    );
    assert.equal(adscft.firstVersionAt.toISOString(), "1997-11-27T21:37:42.000Z");
    assert.equal(adscft.latestVersionAt.toISOString(), "1998-01-22T21:43:48.000Z");
  });

  it("puts the primary category first even when the API lists it later", () => {
    const body = fixture("api-two-papers.xml").replace(
      '<category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>\n    <category term="cs.AI" scheme="http://arxiv.org/schemas/atom"/>',
      '<category term="cs.AI" scheme="http://arxiv.org/schemas/atom"/>\n    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>',
    );
    assert.deepEqual(paperOf(ok(body).entries[0]).categories, ["cs.LG", "cs.AI", "cs.CL", "cs.NE"]);
  });

  it("returns no entries for an unknown id", () => {
    const feed = ok(fixture("api-empty.xml"));
    assert.equal(feed.totalResults, 0);
    assert.deepEqual(feed.entries, []);
  });

  it("recognises the API's error entry", () => {
    assert.deepEqual(parseArxivApiFeed(fixture("api-error.xml")), {
      ok: false,
      kind: "api-error",
      message: "incorrect id format for 1309.119",
    });
  });

  it("recognises a withdrawn paper and keeps its metadata", () => {
    const feed = ok(fixture("api-withdrawn.xml"));
    const e = feed.entries[0];
    assert.equal(e.kind, "withdrawn");
    if (e.kind !== "withdrawn") return;
    assert.equal(e.paper.arxivId, "1504.01234");
    assert.equal(e.paper.version, 2);
    assert.equal(e.paper.title, "On the Convergence of Stochastic Gradient Descent for Sparse Recovery");
    assert.deepEqual(e.paper.categories, ["math.OC", "cs.LG", "stat.ML"]);
    assert.match(e.notice, /^This paper has been withdrawn by the author/);
  });

  it("recognises throttling", () => {
    const r = parseArxivApiFeed(fixture("api-rate-exceeded.txt"));
    assert.deepEqual(r, { ok: false, kind: "rate-limited", message: "Rate exceeded." });
  });

  it("reports malformed XML with its position instead of throwing", () => {
    const body = fixture("api-two-papers.xml").slice(0, 2000);
    const r = parseArxivApiFeed(body);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.kind, "malformed");
    assert.match(r.message, /line \d+/);
    for (const bad of ["", "<html><body>502 Bad Gateway</body></html>", "not xml at all", "<feed><entry></feed>"]) {
      const x = parseArxivApiFeed(bad);
      assert.equal(x.ok, false, `should reject ${JSON.stringify(bad)}`);
    }
  });

  it("rejects an entry with missing fields, naming the id and what is missing", () => {
    const body = fixture("api-two-papers.xml")
      .replace("<title>GLU Attention Improve Transformer</title>", "<title>  </title>")
      .replace("<published>2025-06-16T09:12:44Z</published>", "<published>yesterday</published>");
    const feed = ok(body);
    assert.deepEqual(feed.entries[0], { kind: "rejected", id: "2507.00022", reason: "no title; no valid <published> date" });
    assert.equal(feed.entries[1].kind, "paper", "the other entry is unaffected");
  });

  it("rejects an entry whose id is not an arXiv id", () => {
    const body = fixture("api-two-papers.xml").replace("http://arxiv.org/abs/2507.00022v1</id>", "http://arxiv.org/abs/garbage</id>");
    const e = ok(body).entries[0];
    assert.equal(e.kind, "rejected");
    if (e.kind === "rejected") assert.equal(e.id, "http://arxiv.org/abs/garbage");
  });

  it("accepts https ids and root-declared namespaces (the newer API)", () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <opensearch:totalResults>1</opensearch:totalResults>
  <entry>
    <id>https://arxiv.org/abs/2507.00022v4</id>
    <updated>2025-07-01T00:00:00Z</updated><published>2025-06-16T09:12:44Z</published>
    <title>T</title><summary>S</summary>
    <author><name>A</name></author><author><name>B</name></author>
    <arxiv:primary_category term="cs.LG"/><category term="cs.LG"/><category term="cs.LG"/>
  </entry>
</feed>`;
    const p = paperOf(ok(body).entries[0]);
    assert.equal(p.version, 4);
    assert.deepEqual(p.authors, ["A", "B"]);
    assert.deepEqual(p.categories, ["cs.LG"]);
    assert.equal(p.latestVersionAt.toISOString(), "2025-07-01T00:00:00.000Z");
  });
});

describe("decodeXmlEntities", () => {
  it("decodes named and numeric references exactly once", () => {
    assert.equal(decodeXmlEntities("Caf&#233; &#x3B1;-&#X3b2; &lt;b&gt; &quot;q&quot; &apos;a&apos; &amp;amp; &amp;#233; &bogus; &#0;"), "Café α-&#X3b2; <b> \"q\" 'a' &amp; &#233; &bogus; &#0;");
  });
  it("is applied to titles, abstracts and attributes of a feed", () => {
    const body = fixture("api-two-papers.xml")
      .replace("GLU Attention Improve Transformer", "GLU &amp; Caf&#233; &lt;3")
      .replace('term="cs.AI"', 'term="cs&#46;AI"');
    const p = paperOf(ok(body).entries[0]);
    assert.equal(p.title, "GLU & Café <3");
    assert.deepEqual(p.categories, ["cs.LG", "cs.AI", "cs.CL", "cs.NE"]);
  });
});

describe("withdrawalNotice", () => {
  it("finds the usual phrasings and ignores ordinary comments", () => {
    assert.ok(withdrawalNotice("This paper has been withdrawn by the authors.", null));
    assert.ok(withdrawalNotice("Withdrawn: duplicate of 2401.00001", null));
    assert.ok(withdrawalNotice(null, "This submission has been withdrawn by arXiv administrators"));
    assert.equal(withdrawalNotice("Accepted at ICML 2025; 12 pages", "We study withdrawn drugs."), null);
    assert.equal(withdrawalNotice(null, null), null);
  });
});
