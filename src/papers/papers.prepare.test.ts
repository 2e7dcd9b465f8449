import { test } from "node:test";
import assert from "node:assert/strict";
import { contentHash } from "./papers.prepare.js";

const row = {
  version: 3, title: "Ångström-scale $\\alpha$ models", abstract: "Line one.\nLine two — with “quotes” and 数学.",
  authors: JSON.stringify(["José García", "Ann Smith"]), categories: "cs.LG stat.ML", comment: null, journal_ref: null,
  doi: "10.1000/xyz", first_version_at: "2025-01-02T03:04:05.000Z", latest_version_at: "2025-02-03T04:05:06.000Z",
};

test("the content hash is the digest stored databases already hold", () => {
  // Pinned: a different digest for the same columns would count every stored paper as changed
  // at its next import, or need a migration recomputing them all.
  assert.equal(contentHash(row), "CbcjIq2uJHmjU3FSu1ydgOhxjzU");
});

test("the content hash tells every column apart, and null from empty", () => {
  const seen = new Set([contentHash(row)]);
  for (const change of [{ version: 4 }, { title: "Other" }, { comment: "" }, { doi: null }, { journal_ref: "J. 1" },
    { categories: "cs.LG" }, { latest_version_at: "2025-02-03T04:05:07.000Z" }]) {
    seen.add(contentHash({ ...row, ...change }));
  }
  assert.equal(seen.size, 8);
  // The boundary between two values counts: moving text from one column to the next changes it.
  assert.notEqual(contentHash({ ...row, title: "ab", abstract: "c" }), contentHash({ ...row, title: "a", abstract: "bc" }));
});
