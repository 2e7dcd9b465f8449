import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseOaiListRecords, splitAuthorString, type OaiMetadataPrefix } from "./oai.parse.js";

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/arxiv/${name}`, import.meta.url), "utf8");

function page(name: string, prefix: OaiMetadataPrefix = "arXiv") {
  const r = parseOaiListRecords(fixture(name), prefix);
  if (!r.ok) assert.fail(`expected a page, got ${r.kind}`);
  return r;
}

describe("parseOaiListRecords, arXiv format", () => {
  it("parses page 1: a record, a deleted record, and the resumption token", () => {
    const p = page("oai-arxiv-page1.xml");
    assert.equal(p.responseDate, "2025-07-02T06:00:01Z");
    assert.equal(p.records.length, 1);
    const { header, paper } = p.records[0];
    assert.deepEqual(header, {
      identifier: "oai:arXiv.org:2506.22556",
      arxivId: "2506.22556",
      datestamp: "2025-07-01",
      setSpecs: ["cs", "eess"],
      deleted: false,
    });
    assert.equal(paper.arxivId, "2506.22556");
    assert.equal(paper.version, 1);
    assert.equal(paper.title, "Recomposed realities: animating still images via patch clustering and randomness");
    assert.deepEqual(paper.authors, ["Markus Juvonen", "Samuli Siltanen"]);
    assert.deepEqual(paper.categories, ["cs.CV", "eess.IV"]);
    assert.equal(paper.comment, "22 pages, 19 figures");
    assert.equal(paper.journalRef, null);
    assert.ok(paper.abstract.startsWith("We present a patch-based image reconstruction"));
    assert.ok(paper.abstract.endsWith("sharing local structures."));
    assert.equal(paper.firstVersionAt.toISOString(), "2025-06-27T00:00:00.000Z");
    assert.equal(paper.latestVersionAt.toISOString(), "2025-06-27T00:00:00.000Z");

    assert.deepEqual(p.deleted, [
      { identifier: "oai:arXiv.org:2506.20001", arxivId: "2506.20001", datestamp: "2025-07-01", setSpecs: ["cs"], deleted: true },
    ]);
    assert.deepEqual(p.errors, []);
    assert.deepEqual(p.resumptionToken, { token: "7093551|1001", cursor: 0, completeListSize: 4, expirationDate: null });
  });

  it("parses page 2: updated dates, journal ref, DOI, entities; skips and reports the record without a title", () => {
    const p = page("oai-arxiv-page2.xml");
    assert.equal(p.records.length, 1);
    const paper = p.records[0].paper;
    assert.equal(paper.arxivId, "2506.23134");
    assert.deepEqual(paper.authors, ["Athanasios Kehagias"]);
    assert.deepEqual(paper.categories, ["cs.GT", "math.OC"]);
    assert.equal(paper.journalRef, "Dynamic Games and Applications 15 (2025) 101-130");
    assert.equal(paper.doi, "10.1007/s13235-025-00000-0");
    assert.match(paper.abstract, /Iterated Prisoner's Dilemma/);
    assert.equal(paper.firstVersionAt.toISOString(), "2025-06-29T00:00:00.000Z");
    assert.equal(paper.latestVersionAt.toISOString(), "2025-07-01T00:00:00.000Z");
    assert.deepEqual(p.errors, [{ identifier: "oai:arXiv.org:2506.23001", arxivId: "2506.23001", reason: "no <title>" }]);
    assert.deepEqual(p.resumptionToken, { token: null, cursor: 2, completeListSize: 4, expirationDate: null });
  });

  it("reports every missing field of a record at once", () => {
    const body = fixture("oai-arxiv-page2.xml")
      .replace("<categories>cs.GT math.OC</categories>", "<categories> </categories>")
      .replace("<created>2025-06-29</created>", "<created>2025-02-30</created>")
      .replace(/<authors><author><keyname>Kehagias<\/keyname><forenames>Athanasios<\/forenames><\/author><\/authors>/, "<authors/>");
    const r = parseOaiListRecords(body, "arXiv");
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.equal(r.records.length, 0);
    assert.equal(r.errors[0].arxivId, "2506.23134");
    assert.equal(r.errors[0].reason, "no <categories>; no <authors>; no valid <created> date");
  });

  it("reports a record whose metadata is in another format than asked for", () => {
    const r = parseOaiListRecords(fixture("oai-arxiv-page1.xml"), "arXivRaw");
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.deepEqual(r.records, []);
    assert.deepEqual(r.errors.map((e) => e.reason), ["no <arXivRaw> metadata"]);
    assert.equal(r.deleted.length, 1);
  });

  it("rejects a record whose header and metadata ids disagree", () => {
    const body = fixture("oai-arxiv-page1.xml").replace("<id>2506.22556</id>", "<id>2506.22557</id>");
    const r = parseOaiListRecords(body, "arXiv");
    assert.ok(r.ok && r.records.length === 0);
    if (r.ok) assert.match(r.errors[0].reason, /header says 2506.22556 but metadata says 2506.22557/);
  });
});

describe("parseOaiListRecords, arXivRaw format", () => {
  it("takes versions (in any order) for version number and dates, splits authors, reports a bad date", () => {
    const p = page("oai-arxivraw.xml", "arXivRaw");
    assert.equal(p.records.length, 2);
    const [streinu, p2u] = p.records.map((r) => r.paper);
    assert.equal(streinu.arxivId, "0704.0002");
    assert.equal(streinu.version, 2);
    assert.deepEqual(streinu.authors, ["Ileana Streinu", "Louis Theran"]);
    assert.deepEqual(streinu.categories, ["math.CO", "cs.CG"]);
    assert.equal(streinu.comment, "To appear in Graphs and Combinatorics");
    assert.equal(streinu.firstVersionAt.toISOString(), "2007-03-31T02:26:18.000Z");
    assert.equal(streinu.latestVersionAt.toISOString(), "2008-12-13T17:26:00.000Z");
    assert.match(streinu.abstract, /^We describe a new algorithm, the \$\(k,\\ell\)\$-pebble game/);

    assert.equal(p2u.version, 3);
    assert.deepEqual(p2u.authors, ["Homayun Afrabandpey", "Hamed Rezazadegan Tavakoli"]);
    assert.equal(p2u.firstVersionAt.toISOString(), "2025-06-28T12:37:11.000Z");
    assert.equal(p2u.latestVersionAt.toISOString(), "2025-07-01T08:00:00.000Z");

    assert.deepEqual(p.errors, [
      { identifier: "oai:arXiv.org:2506.22999", arxivId: "2506.22999", reason: 'version v1 has no valid <date> ("not a date")' },
    ]);
    assert.deepEqual(p.resumptionToken, { token: null, cursor: 0, completeListSize: 3, expirationDate: null });
  });
});

describe("parseOaiListRecords, errors", () => {
  it("returns OAI errors with their codes", () => {
    assert.deepEqual(parseOaiListRecords(fixture("oai-error-norecords.xml"), "arXiv"), {
      ok: false,
      kind: "oai-error",
      responseDate: "2025-07-02T06:20:00Z",
      errors: [{ code: "noRecordsMatch", message: "No records match the requested parameters" }],
    });
    const bad = parseOaiListRecords(fixture("oai-error-badtoken.xml"), "arXiv");
    assert.ok(!bad.ok && bad.kind === "oai-error");
    if (!bad.ok && bad.kind === "oai-error") assert.equal(bad.errors[0].code, "badResumptionToken");
    const arg = parseOaiListRecords(fixture("oai-error-badargument.xml"), "arXiv");
    assert.ok(!arg.ok && arg.kind === "oai-error");
    if (!arg.ok && arg.kind === "oai-error") assert.deepEqual(arg.errors.map((e) => e.code), ["badArgument", "cannotDisseminateFormat"]);
  });

  it("reports a broken page as malformed, with the position", () => {
    const r = parseOaiListRecords(fixture("oai-broken.xml"), "arXiv");
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.kind, "malformed");
    if (r.kind === "malformed") assert.match(r.message, /invalid XML at line \d+/);
  });

  it("reports well-formed XML that is not an OAI ListRecords response", () => {
    for (const body of ["<html><body>Service Unavailable</body></html>", "<OAI-PMH><responseDate>x</responseDate></OAI-PMH>"]) {
      const r = parseOaiListRecords(body, "arXiv");
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.kind, "malformed");
    }
  });
});

describe("splitAuthorString", () => {
  it("splits on commas and 'and', drops affiliations, keeps suffixes", () => {
    assert.deepEqual(splitAuthorString("C. Bal\\'azs, E. L. Berger (ANL), P. M. Nadolsky and C.-P. Yuan"), [
      "C. Bal\\'azs",
      "E. L. Berger",
      "P. M. Nadolsky",
      "C.-P. Yuan",
    ]);
    assert.deepEqual(splitAuthorString("John Smith, Jr., Ann Lee (Dept. of X (Y Univ.), Z)"), ["John Smith, Jr.", "Ann Lee"]);
    assert.deepEqual(splitAuthorString("ATLAS Collaboration"), ["ATLAS Collaboration"]);
    assert.deepEqual(splitAuthorString("Alexander Anderson"), ["Alexander Anderson"]);
    assert.deepEqual(splitAuthorString(""), []);
  });
});
