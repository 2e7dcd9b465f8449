import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { eachDatabase } from "../../test/databases.js";
import { testApp } from "../../test/app.js";
import type { ImportedPaper } from "./paper.js";
import { upsertPapers } from "./papers.queries.js";

function paper(id: string, day: string, authors: string[]): ImportedPaper {
  const at = new Date(`${day}T12:00:00Z`);
  return {
    paper: { arxivId: id, version: 1, title: `Paper ${id}`, abstract: "An abstract about nothing in particular.", authors, categories: ["cs.LG"], comment: null, journalRef: null, doi: null, firstVersionAt: at, latestVersionAt: at },
    listingDates: [day],
  };
}

eachDatabase("author pages", (t) => {
  let app: FastifyInstance;
  before(async () => {
    ({ app } = await testApp(t()));
    await upsertPapers(t().db, [
      paper("2504.00001", "2025-04-01", ["Ann Smith", "John Doe"]),
      paper("2504.00002", "2025-04-03", ["José García", "Ann Smith"]),
      paper("2504.00003", "2025-04-02", ["Bo Li"]),
      paper("2504.00004", "2025-04-04", ["Ann Smithson"]),
    ]);
  });
  after(() => app.close());

  it("list an author's papers newest first, whatever the case, dots and spacing of the name", async () => {
    const json = (await app.inject("/authors/Ann%20Smith.json")).json();
    assert.equal(json.author, "Ann Smith");
    assert.equal(json.total, 2);
    assert.deepEqual(json.papers.map((p: { paper: { id: string } }) => p.paper.id), ["2504.00002", "2504.00001"]);
    const page = await app.inject("/authors/ann%20%20smith.");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1>Ann Smith<\/h1>/);
    assert.match(page.body, /2 papers on Daily Papers/);
    // One address for the author, spelled as their papers spell the name.
    assert.match(page.body, /<link rel="canonical" href="http:\/\/papers\.test\/authors\/Ann%20Smith"\/>/);
    // Following them by email, and their feed.
    assert.match(page.body, /href="\/subscribe\?author=Ann%20Smith"/);
    const atom = await app.inject("/authors/Ann%20Smith.atom");
    assert.equal(atom.statusCode, 200);
    assert.equal(atom.body.match(/<entry>/g)?.length, 2);
  });

  it("match whole names: not a longer one, nor words that span two authors", async () => {
    assert.equal((await app.inject("/authors/Smith%20John")).statusCode, 404);
    assert.deepEqual((await app.inject("/authors/Ann%20Smithson.json")).json().total, 1);
    const missing = await app.inject("/authors/Nobody%20Here");
    assert.equal(missing.statusCode, 404);
    assert.match(missing.body, /We have no papers by Nobody Here\./);
    assert.equal((await app.inject("/authors/%21%3F")).statusCode, 404, "no letters: no author");
    const long = await app.inject(`/authors/${"a".repeat(101)}.json`);
    assert.equal(long.statusCode, 400);
    assert.match(long.json().error, /at most 100 characters/);
  });

  it("every author name on a card and a paper page leads to their page", async () => {
    const page = await app.inject("/papers/2504.00002");
    assert.match(page.body, /<a href="\/authors\/Jos%C3%A9%20Garc%C3%ADa">José García<\/a>, <a href="\/authors\/Ann%20Smith">Ann Smith<\/a>/);
    const feed = await app.inject("/papers/date/2025-04-03");
    assert.match(feed.body, /<a href="\/authors\/Ann%20Smith">Ann Smith<\/a>/);
    assert.equal((await app.inject("/authors/Jos%C3%A9%20Garc%C3%ADa.json")).json().total, 1);
    // Typed without its accents, on either database: the same author, spelled as their papers spell it.
    const plain = (await app.inject("/authors/jose%20garcia.json")).json();
    assert.equal(plain.total, 1);
    assert.equal(plain.author, "José García");
  });

  it("name who the author writes with most, two joint papers or more, spelled as their newest paper has it", async () => {
    await upsertPapers(t().db, [
      paper("2505.00011", "2025-05-01", ["Kim Lee", "Ravi Rao", "Ola Nord"]),
      paper("2505.00012", "2025-05-02", ["Kim Lee", "Ravi Rao"]),
      paper("2505.00013", "2025-05-03", ["kim lee", "Ravi  Rao.", "Pia Holm"]),
      paper("2505.00014", "2025-05-04", ["Kim Lee", "Pia Holm"]),
    ]);
    const json = (await app.inject("/authors/Kim%20Lee.json")).json();
    assert.deepEqual(json.coauthors, [{ name: "Ravi  Rao.", papers: 3 }, { name: "Pia Holm", papers: 2 }]);
    const page = (await app.inject("/authors/Kim%20Lee")).body;
    assert.match(page, /Often writes with <a href="\/authors\/Ravi%20%20Rao\.">Ravi {2}Rao\.<\/a> <span class="joint">\(3\)<\/span>, <a href="\/authors\/Pia%20Holm">Pia Holm<\/a>/);
    assert.doesNotMatch(page, /Ola Nord<\/a> <span class="joint">/, "one joint paper is not enough");
    // Someone with no frequent co-author gets no such line.
    assert.doesNotMatch((await app.inject("/authors/Bo%20Li")).body, /Often writes with/);
  });

  it("keep the author in sight on their page's cards when a long author list is cut", async () => {
    await upsertPapers(t().db, [paper("2505.00021", "2025-05-05", ["Al One", "Bea Two", "Cy Three", "Di Four", "Ed Five", "Zed Last"])]);
    const theirs = (await app.inject("/authors/Zed%20Last")).body;
    assert.match(theirs, /<a href="\/authors\/Al%20One">Al One<\/a>, <a href="\/authors\/Bea%20Two">Bea Two<\/a>, … <a href="\/authors\/Zed%20Last" class="self">Zed Last<\/a> <span class="et-al" title="Cy Three, Di Four, Ed Five">et al\. \(\+3\)<\/span>/);
    // Elsewhere the list is cut as usual, and among the first names theirs is marked in place.
    const day = (await app.inject("/papers/date/2025-05-05")).body;
    assert.match(day, /Cy Three<\/a> <span class="et-al" title="Di Four, Ed Five, Zed Last">et al\. \(\+3\)<\/span>/);
    assert.match((await app.inject("/authors/Bea%20Two")).body, /<a href="\/authors\/Bea%20Two" class="self">Bea Two<\/a>, <a href="\/authors\/Cy%20Three">/);
  });

  it("the email form opened from an author page has them filled in to follow", async () => {
    const form = await app.inject("/subscribe?author=Ann%20Smith");
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Ann Smith is added below to the authors you follow/);
    assert.match(form.body, /<textarea id="dg-authors" name="authors"[^>]*>Ann Smith<\/textarea>/);
    // A name the form would refuse is not offered.
    assert.doesNotMatch((await app.inject(`/subscribe?author=${"x".repeat(101)}`)).body, /is added below/);
  });
});
