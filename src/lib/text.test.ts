import { test } from "node:test";
import assert from "node:assert/strict";
import { cleanCategories, squish } from "./text.js";

// The rule squish implements, written the obvious way: every whitespace run becomes one space.
const reference = (s: string) => s.replace(/\s+/g, " ").trim();

test("squish collapses every whitespace run to one space and trims", () => {
  assert.equal(squish("  We study\nthe   problem\tof\r\n  learning.\n"), "We study the problem of learning.");
  assert.equal(squish("one two"), "one two");
  assert.equal(squish(""), "");
  assert.equal(squish(" \n\t "), "");
  // Unicode spaces count too (no-break, ideographic, line separator).
  assert.equal(squish("a\u00a0b\u3000\u3000c\u2028d"), "a b c d");
});

test("squish gives exactly what replacing every \\s+ gives, on generated text", () => {
  const pieces = ["a", "word", "é", " ", "  ", "\n", "\t", "\r\n", "\u00a0", " \n ", "\u2009", "x\u200by"];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let i = 0; i < 5000; i++) {
    let s = "";
    for (let j = next() % 12; j > 0; j--) s += pieces[next() % pieces.length];
    assert.equal(squish(s), reference(s), JSON.stringify(s));
  }
});

test("cleanCategories keeps the primary first and drops repeats and blanks", () => {
  assert.deepEqual(cleanCategories([" cs.LG", "cs.AI", "", "cs.LG", "stat.ML "]), ["cs.LG", "cs.AI", "stat.ML"]);
});
