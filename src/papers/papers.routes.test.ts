import { before, after, it } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { eachDatabase } from "../../test/databases.js";
import { testApp, TEST_BASE_URL } from "../../test/app.js";
import { importFiles } from "../ingest/import.js";

// Five real papers listed on 2025-03-18..2025-03-21 (see the fixture), plus one on a later day
// with TeX and a GitHub link, written here.
const FIX = "test/fixtures/import/corpus.jsonl";

eachDatabase("feed pages", (t) => {
  let app: FastifyInstance;
  let days: string[];
  before(async () => {
    ({ app } = await testApp(t()));
    await importFiles(t().db, [FIX, "test/fixtures/import/feed-extra.jsonl"]);
    days = (await t().db.selectFrom("daily_entries").select("day").distinct().orderBy("day").execute()).map((r) => r.day);
  });
  after(() => app.close());

  it("/papers shows the latest day with a link to the previous non-empty day", async () => {
    const res = await app.inject("/papers");
    assert.equal(res.statusCode, 200);
    assert.match(res.headers["content-type"] as string, /text\/html/);
    const latest = days[days.length - 1];
    assert.equal(latest, "2025-03-25");
    assert.match(res.body, /<h1>Tuesday, March 25, 2025<\/h1>/);
    // The day before the latest with entries is skipped to, whatever the gap.
    assert.match(res.body, new RegExp(`rel="prev" href="/papers/date/${days[days.length - 2]}"`));
    assert.match(res.body, /rel="alternate" type="application\/atom\+xml"[^>]*href="http:\/\/papers\.test\/papers\.atom"/);
  });

  it("a card shows TeX rendered, escaped text, authors with et al., categories and links", async () => {
    const res = await app.inject("/papers/date/2025-03-25");
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /class="katex"/);
    assert.doesNotMatch(res.body, /<script>alert/);
    assert.match(res.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(res.body, /et al\. \(\+2\)/);
    assert.match(res.body, /href="https:\/\/github.com\/example\/texgraph"/);
    assert.match(res.body, /href="https:\/\/arxiv.org\/pdf\/2503.99901"/);
    assert.match(res.body, /class="cat primary"[^>]*>cs.LG</);
  });

  it("every page answers as JSON from the same handler", async () => {
    const res = await app.inject("/papers/date/2025-03-25.json");
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.from, "2025-03-25");
    assert.equal(body.papers.length, 1);
    assert.equal(body.papers[0].paper.id, "2503.99901");
    assert.equal(body.papers[0].paper.githubRepo, "https://github.com/example/texgraph");
    const paper = (await app.inject("/papers/2503.99901.json")).json();
    assert.equal(paper.id, "2503.99901");
    assert.deepEqual(paper.categories, ["cs.LG", "cs.AI"]);
    assert.equal(paper.feedDay, "2025-03-25");
    const week = (await app.inject("/papers/week/2025-W12.json")).json();
    assert.equal(week.from, "2025-03-17");
    assert.equal(week.to, "2025-03-23");
    assert.equal(week.papers.length, 5);
    const month = (await app.inject("/papers/month/2025-03.json")).json();
    assert.equal(month.papers.length, 6);
    // A paper cites as BibTeX, linked from its page; a list of papers has no .bib.
    const bib = await app.inject("/papers/2503.99901.bib");
    assert.equal(bib.statusCode, 200);
    assert.match(String(bib.headers["content-type"]), /^text\/plain/);
    assert.match(bib.body, /^@misc\{one2025graphtransformers,\n {2}title = \{Graph transformers in \$\\mathcal\{O\}\(n \\log n\)\$ <script>alert\(1\)<\/script>\},\n {2}author = \{Ada One and Bo Two and Cy Three and Di Four and Ed Five\},/);
    assert.match((await app.inject("/papers/2503.99901")).body, /<a class="btn" href="\/papers\/2503\.99901\.bib"/);
    assert.equal((await app.inject("/papers/2503.99901v2.bib")).headers.location, "/papers/2503.99901.bib");
    assert.equal((await app.inject("/papers/date/2025-03-25.bib")).statusCode, 404);
    const trending = (await app.inject("/papers/trending.json")).json();
    assert.ok(trending.papers.length >= 1);
    assert.equal(trending.papers[0].paper.id, "2503.99901");
  });

  it("feeds: valid Atom and RSS with absolute links, unique ids and escaped content", async () => {
    const atom = await app.inject("/papers/month/2025-03.atom");
    assert.equal(atom.statusCode, 200);
    assert.match(atom.headers["content-type"] as string, /application\/atom\+xml/);
    assert.match(atom.body, /^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
    const ids = [...atom.body.matchAll(/<entry>\s*<id>([^<]+)<\/id>/g)].map((m) => m[1]);
    assert.equal(ids.length, 6);
    assert.equal(new Set(ids).size, 6);
    assert.ok(ids.every((id) => id.startsWith(`${TEST_BASE_URL}/papers/`)));
    assert.match(atom.body, /<link rel="self" type="application\/atom\+xml" href="http:\/\/papers.test\/papers\/month\/2025-03.atom"\/>/);
    assert.match(atom.body, /<updated>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z<\/updated>/);
    assert.doesNotMatch(atom.body, /<script>/);
    const rss = await app.inject("/papers.rss");
    assert.equal(rss.statusCode, 200);
    assert.match(rss.body, /<rss version="2.0"/);
    assert.match(rss.body, /<guid isPermaLink="true">http:\/\/papers.test\/papers\/2503.99901<\/guid>/);
    assert.match(rss.body, /<pubDate>Tue, 25 Mar 2025 00:00:00 GMT<\/pubDate>/);
    assert.equal((await app.inject("/papers/trending.atom")).statusCode, 200);
    assert.equal((await app.inject("/papers/2503.99901.atom")).statusCode, 404);
  });

  it("paper pages: any id form redirects to the canonical URL; unknown ids get a styled 404", async () => {
    const r1 = await app.inject("/papers/2503.99901v3");
    assert.equal(r1.statusCode, 301);
    assert.equal(r1.headers.location, "/papers/2503.99901");
    const r2 = await app.inject("/papers/arXiv:2503.99901.json");
    assert.equal(r2.statusCode, 301);
    assert.equal(r2.headers.location, "/papers/2503.99901.json");
    const page = await app.inject("/papers/2503.99901");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Graph transformers/);
    assert.match(page.body, /href="\/papers\/date\/2025-03-25"/);
    // Head metadata: link previews (Open Graph) and citation tags for reference managers,
    // TeX read as prose and everything escaped.
    const metas = [...page.body.matchAll(/<meta (?:name|property)="([^"]+)" content="([^"]*)"\/>/g)].map((m) => [m[1], m[2]]);
    const meta = (key: string) => metas.filter(([k]) => k === key).map(([, v]) => v);
    assert.deepEqual(meta("og:type"), ["article"]);
    assert.deepEqual(meta("og:url"), ["http://papers.test/papers/2503.99901"]);
    assert.deepEqual(meta("citation_title"), ["Graph transformers in O(n log n) &lt;script>alert(1)&lt;/script>"]);
    assert.deepEqual(meta("og:title"), meta("citation_title"));
    assert.deepEqual(meta("citation_author"), ["Ada One", "Bo Two", "Cy Three", "Di Four", "Ed Five"]);
    assert.deepEqual(meta("citation_pdf_url"), ["https://arxiv.org/pdf/2503.99901"]);
    assert.deepEqual(meta("citation_arxiv_id"), ["2503.99901"]);
    assert.match(meta("citation_date")[0] ?? "", /^\d{4}\/\d{2}\/\d{2}$/);
    const description = meta("description")[0] ?? "";
    assert.ok(description.length > 50 && description.length <= 200, description);
    assert.doesNotMatch(description, /\$/);
    assert.doesNotMatch(page.body, /<script>alert/);
    // The address in the abstract is a link; the sentence's full stop is not part of it.
    assert.match(page.body, /<a href="https:\/\/github\.com\/example\/texgraph" rel="nofollow ugc noopener">https:\/\/github\.com\/example\/texgraph<\/a>\./);
    const missing = await app.inject("/papers/2503.00002");
    assert.equal(missing.statusCode, 404);
    assert.match(missing.body, /<h1>Page not found<\/h1>/);
    assert.match(missing.body, /We do not have arXiv:2503.00002/);
    const junk = await app.inject("/papers/not-a-paper");
    assert.equal(junk.statusCode, 404);
    const nowhere = await app.inject("/nowhere");
    assert.equal(nowhere.statusCode, 404);
    assert.match(nowhere.body, /class="error-page"/);
    assert.equal((await app.inject("/nowhere.json")).json().error.length > 0, true);
  });

  it("bad period parameters get a 400 page with the reason", async () => {
    const r = await app.inject("/papers/week/2025-W54");
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /week 54 does not exist in 2025/);
    assert.equal((await app.inject("/papers/date/2025-02-30")).statusCode, 400);
    assert.equal((await app.inject("/papers/month/2025-13.json")).statusCode, 400);
    assert.equal((await app.inject("/papers?p=-1")).statusCode, 400);
    assert.equal((await app.inject("/papers?p=abc")).statusCode, 400);
  });

  it("pages carry an ETag and answer 304 when unchanged, 200 after a change", async () => {
    const first = await app.inject("/papers/date/2025-03-25");
    const etag = first.headers.etag as string;
    assert.match(etag, /^W\/"/);
    const again = await app.inject({ url: "/papers/date/2025-03-25", headers: { "if-none-match": etag } });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, "");
    await t().db.updateTable("papers").set({ upvotes: 7 }).where("arxiv_id", "=", "2503.99901").execute();
    const changed = await app.inject({ url: "/papers/date/2025-03-25", headers: { "if-none-match": etag } });
    assert.equal(changed.statusCode, 200);
    assert.match(changed.body, /aria-label="7 upvotes"/);
    const feed = await app.inject("/papers.atom");
    assert.ok(feed.headers.etag);
  });

  it("the thumbnail and avatar images render", async () => {
    const th = await app.inject("/papers/2503.99901/thumbnail.svg");
    assert.equal(th.statusCode, 200);
    assert.match(th.headers["content-type"] as string, /image\/svg\+xml/);
    assert.match(th.body, /Graph transformers/);
    const av = await app.inject("/avatars/arxiv-listing.svg");
    assert.match(av.body, />AR</);
  });
});
