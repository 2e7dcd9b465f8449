import { test } from "node:test";
import assert from "node:assert/strict";
import { summaryLine } from "./papers.present.js";

test("a page description reads the TeX as prose and is cut at a word", () => {
  assert.equal(summaryLine("Runs in $\\mathcal{O}(n)$ time."), "Runs in O(n) time.");
  const long = `We study ${"transformers and their ".repeat(20)}limits.`;
  const line = summaryLine(long, 60);
  assert.ok(line.length <= 60, line);
  assert.match(line, /^We study transformers and their transformers and their\S*…$/);
  assert.doesNotMatch(line, /\s…$/);
  // One long word: cut inside it rather than return nothing.
  assert.equal(summaryLine("x".repeat(300), 10), `${"x".repeat(9)}…`);
});
