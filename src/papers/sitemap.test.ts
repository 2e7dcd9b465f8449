import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { eachDatabase } from "../../test/databases.js";
import { FEED_FIXTURES, testApp } from "../../test/app.js";
import { importFiles } from "../ingest/import.js";

eachDatabase("sitemaps and robots.txt", (t) => {
  let app: FastifyInstance;
  before(async () => {
    ({ app } = await testApp(t()));
    await importFiles(t().db, FEED_FIXTURES);
  });
  after(() => app.close());

  const locs = (xml: string) => [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);

  it("robots.txt names the sitemap and keeps crawlers out of personal and endless pages", async () => {
    const res = await app.inject("/robots.txt");
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers["content-type"]), /^text\/plain/);
    assert.match(res.body, /^User-agent: \*$/m);
    assert.match(res.body, /^Disallow: \/search$/m);
    assert.match(res.body, /^Disallow: \/settings$/m);
    assert.doesNotMatch(res.body, /^Disallow: \/papers/m);
    assert.match(res.body, /^Sitemap: http:\/\/papers\.test\/sitemap\.xml$/m);
  });

  it("the sitemap index lists the lists' sitemap and one per block of papers", async () => {
    const res = await app.inject("/sitemap.xml");
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers["content-type"]), /^application\/xml/);
    assert.match(res.body, /<sitemapindex xmlns="http:\/\/www\.sitemaps\.org\/schemas\/sitemap\/0\.9">/);
    assert.deepEqual(locs(res.body), ["http://papers.test/sitemaps/pages.xml", "http://papers.test/sitemaps/papers-1.xml"]);
    const pages = locs((await app.inject("/sitemaps/pages.xml")).body);
    assert.deepEqual(pages, ["http://papers.test/papers", "http://papers.test/papers/trending", "http://papers.test/papers/date/2025-03-25", "http://papers.test/papers/date/2025-03-18"]);
  });

  it("every visible paper is in its block's sitemap with its last version's date; others are 404", async () => {
    await t().db.updateTable("papers").set({ hidden: 1 }).where("arxiv_id", "=", "2503.11750").execute();
    const res = await app.inject("/sitemaps/papers-1.xml");
    assert.equal(res.statusCode, 200);
    const urls = locs(res.body);
    assert.equal(urls.length, 5);
    assert.ok(urls.includes("http://papers.test/papers/2503.99901"));
    assert.ok(!urls.includes("http://papers.test/papers/2503.11750"), "a hidden paper is left out");
    assert.equal(res.body.match(/<lastmod>\d{4}-\d{2}-\d{2}<\/lastmod>/g)?.length, 5);
    for (const bad of ["/sitemaps/papers-2.xml", "/sitemaps/papers-0.xml", "/sitemaps/papers-x.xml", "/sitemaps/other.xml"]) {
      assert.equal((await app.inject(bad)).statusCode, 404, bad);
    }
  });
});
