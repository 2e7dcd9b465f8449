import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseRecordLine } from "./records.parse.js";

const kaggleLines = readFileSync("test/fixtures/import/kaggle.jsonl", "utf8").trim().split("\n");

test("corpus line: listing day, categories primary first, squished text", () => {
  const line = JSON.stringify({
    id: "2510.24801", title: "A  title\n with breaks", abstract: " Abstract. ", authors: ["A. B", "C D"],
    categories: ["cs.LG", "cs.AI", "cs.LG"], comment: "", date: "2025-10-30", listing_dates: ["2025-10-30", "2025-10-31"],
  });
  const r = parseRecordLine(line);
  assert.ok(r.ok);
  assert.equal(r.item.paper.title, "A title with breaks");
  assert.deepEqual(r.item.paper.categories, ["cs.LG", "cs.AI"]);
  assert.equal(r.item.paper.comment, null);
  assert.equal(r.item.paper.version, 1);
  assert.equal(r.item.paper.firstVersionAt.toISOString(), "2025-10-30T00:00:00.000Z");
  assert.deepEqual(r.item.listingDates, ["2025-10-30", "2025-10-31"]);
});

test("snapshot line: latest version, dates from versions, authors from authors_parsed", () => {
  const r = parseRecordLine(kaggleLines[0]);
  assert.ok(r.ok);
  const p = r.item.paper;
  assert.equal(p.arxivId, "2503.11731");
  assert.equal(p.version, 2);
  assert.equal(p.firstVersionAt.toISOString(), "2025-03-18T17:59:59.000Z");
  assert.equal(p.latestVersionAt.toISOString(), "2025-04-14T09:00:00.000Z");
  assert.equal(p.authors[0], "Xianming Zeng");
  assert.equal(p.doi, "10.1000/xyz0");
  assert.equal(p.comment, "12 pages");
  assert.deepEqual(r.item.listingDates, []);
  assert.ok(!p.abstract.startsWith(" "));
});

test("old-style snapshot id and journal ref", () => {
  const r = parseRecordLine(kaggleLines[2]);
  assert.ok(r.ok);
  assert.equal(r.item.paper.arxivId, "hep-th/9901001");
  assert.equal(r.item.paper.title, "A classic string theory paper");
  assert.deepEqual(r.item.paper.authors, ["Jane Doe", "John Roe"]);
  assert.deepEqual(r.item.paper.categories, ["hep-th", "gr-qc"]);
  assert.equal(r.item.paper.journalRef, "Phys.Rev. D59 (1999) 1");
});

test("snapshot line as the snapshot wraps it: indented, broken lines squished; names from their parts", () => {
  const r = parseRecordLine(JSON.stringify({
    id: "2503.11731", title: "Wrapped\n  title", abstract: "  We study\nwrapped   abstracts.\n", categories: "cs.CL  cs.LG",
    authors: "ignored when parsed names are given", comments: " 12 pages,\n 3 figures ", "journal-ref": null, doi: null,
    versions: [{ version: "v1", created: "Mon, 17 Mar 2025 10:00:00 GMT" }], update_date: "2025-03-18",
    authors_parsed: [["Doe", "Jane", ""], [" Roe ", "John\n", "Jr."], ["", "", ""], ["Plato", "", ""]],
  }));
  assert.ok(r.ok);
  const p = r.item.paper;
  assert.equal(p.title, "Wrapped title");
  assert.equal(p.abstract, "We study wrapped abstracts.");
  assert.equal(p.comment, "12 pages, 3 figures");
  assert.deepEqual(p.authors, ["Jane Doe", "John Roe Jr.", "Plato"]);
  assert.deepEqual(p.categories, ["cs.CL", "cs.LG"]);
  assert.equal(p.latestVersionAt.toISOString(), "2025-03-17T10:00:00.000Z");
});

test("rejects say why", () => {
  const cases: Array<[string, RegExp]> = [
    ['{"id": "2503.1', /broken JSON/],
    ["[1,2]", /not a JSON object/],
    ['{"foo": 1}', /title: missing/],
    [JSON.stringify({ id: "2503.11731", title: "", abstract: "x", authors: ["a"], categories: ["cs.AI"], date: "2025-03-18" }), /title: must not be empty/],
    [JSON.stringify({ id: "junk", title: "t", abstract: "x", authors: ["a"], categories: ["cs.AI"], date: "2025-03-18" }), /id: .*not an arXiv id/],
    [JSON.stringify({ id: "2503.11731", title: "t", abstract: "x", authors: ["a"], categories: ["cs.AI"], date: "18/03/2025" }), /date: must be a YYYY-MM-DD/],
    [JSON.stringify({ id: "2503.11731", title: "t", abstract: "x", categories: "cs.AI", versions: [{ version: "one", created: "x" }] }), /versions/],
    [JSON.stringify({ id: "2503.11731", title: "t", abstract: "x", categories: "cs.AI", versions: [] }), /at least one version/],
    // Snapshot fields of the wrong type: the reasons name the field.
    [JSON.stringify({ id: "2503.11731", title: "t", abstract: "x", categories: "cs.AI", versions: [{ version: "v1" }] }), /versions\.0\.created: Required/],
    [JSON.stringify({ id: "2503.11731", title: "t", abstract: "x", categories: "cs.AI", authors: null, versions: [{ version: "v1", created: "Mon, 17 Mar 2025 10:00:00 GMT" }] }), /authors: Expected string, received null/],
    [JSON.stringify({ id: "2503.11731", title: "t", abstract: "x", categories: "cs.AI", doi: 5, versions: [{ version: "v1", created: "Mon, 17 Mar 2025 10:00:00 GMT" }] }), /doi: Expected string, received number/],
    [JSON.stringify({ id: "2503.11731", title: "t", abstract: " \n ", categories: "cs.AI", versions: [{ version: "v1", created: "Mon, 17 Mar 2025 10:00:00 GMT" }] }), /abstract: must not be empty/],
    [JSON.stringify({ id: "2503.11731", title: "t", abstract: "x", categories: "", versions: [{ version: "v1", created: "Mon, 17 Mar 2025 10:00:00 GMT" }] }), /categories: must not be empty/],
  ];
  for (const [line, reason] of cases) {
    const r = parseRecordLine(line);
    assert.equal(r.ok, false, line);
    if (!r.ok) assert.match(r.reason, reason);
  }
});
