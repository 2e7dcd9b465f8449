import { test } from "node:test";
import assert from "node:assert/strict";
import { arxivIdMonth, isNormalisedArxivId, parseArxivId } from "./arxiv-id.js";

const ok: Array<[string, string, number | null]> = [
  ["2507.12345", "2507.12345", null],
  ["2507.12345v2", "2507.12345", 2],
  ["0704.0001", "0704.0001", null],
  ["1412.9999v13", "1412.9999", 13],
  ["1501.00001", "1501.00001", null],
  ["arXiv:2507.12345", "2507.12345", null],
  ["arxiv:2507.12345v1", "2507.12345", 1],
  ["  2507.12345  ", "2507.12345", null],
  ["hep-th/9901001", "hep-th/9901001", null],
  ["hep-th/9901001v3", "hep-th/9901001", 3],
  ["math.GT/0309136", "math.GT/0309136", null],
  ["math.GT/0309136v1", "math.GT/0309136", 1],
  ["cond-mat/0001001", "cond-mat/0001001", null],
  ["https://arxiv.org/abs/2507.12345", "2507.12345", null],
  ["https://arxiv.org/abs/2507.12345v2", "2507.12345", 2],
  ["http://arxiv.org/abs/2507.12345", "2507.12345", null],
  ["https://arxiv.org/pdf/2507.12345", "2507.12345", null],
  ["https://arxiv.org/pdf/2507.12345v3", "2507.12345", 3],
  ["https://arxiv.org/pdf/2507.12345.pdf", "2507.12345", null],
  ["https://arxiv.org/pdf/2507.12345v3.pdf", "2507.12345", 3],
  ["https://arxiv.org/html/2507.12345v1", "2507.12345", 1],
  ["https://arxiv.org/html/2507.12345", "2507.12345", null],
  ["https://www.arxiv.org/abs/2507.12345", "2507.12345", null],
  ["https://export.arxiv.org/abs/2507.12345", "2507.12345", null],
  ["arxiv.org/abs/2507.12345", "2507.12345", null],
  ["https://arxiv.org/abs/2507.12345?context=cs", "2507.12345", null],
  ["https://arxiv.org/abs/2507.12345#section", "2507.12345", null],
  ["https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001", null],
  ["https://arxiv.org/pdf/math.GT/0309136v1", "math.GT/0309136", 1],
  ["https://arxiv.org/abs/2507.12345/", "2507.12345", null],
];

for (const [input, id, version] of ok) {
  test(`parses ${JSON.stringify(input)}`, () => {
    assert.deepEqual(parseArxivId(input), { ok: true, id, version });
  });
}

const bad: Array<[string, RegExp]> = [
  ["", /empty/],
  ["   ", /empty/],
  ["hello", /not an arXiv id/],
  ["2507.123", /not an arXiv id/],
  ["2507.1234567", /not an arXiv id/],
  ["2513.12345", /month 13/],
  ["2500.12345", /month 00/],
  ["0612.0001", /2007-04/],
  ["1412.00001", /5 digits/],
  ["1501.0001", /4 digits/],
  ["2507.12345v0", /v0/],
  ["2507.12345v", /not an arXiv id/],
  ["HEP-TH/9901001", /not an arXiv id/],
  ["hep-th/990100", /not an arXiv id/],
  ["hep-th/9913001", /month 13/],
  ["https://example.com/abs/2507.12345", /not arxiv.org/],
  ["https://arxiv.org/list/cs.AI/recent", /not an arXiv abs/],
  ["https://arxiv.org/abs/", /not an arXiv abs/],
  ["https://arxiv.org/abs/banana", /not an arXiv id/],
  ["http://[invalid", /not a valid URL/],
  ["2507.12345; DROP TABLE papers", /not an arXiv id/],
  ["x".repeat(400), /too long/],
];

for (const [input, reason] of bad) {
  test(`rejects ${JSON.stringify(input.slice(0, 40))} with a reason`, () => {
    const r = parseArxivId(input);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.reason, reason);
  });
}

test("isNormalisedArxivId accepts only the bare canonical form", () => {
  assert.equal(isNormalisedArxivId("2507.12345"), true);
  assert.equal(isNormalisedArxivId("hep-th/9901001"), true);
  assert.equal(isNormalisedArxivId("2507.12345v2"), false);
  assert.equal(isNormalisedArxivId("arXiv:2507.12345"), false);
  assert.equal(isNormalisedArxivId("https://arxiv.org/abs/2507.12345"), false);
});

test("arxivIdMonth reads the issue month of both styles", () => {
  assert.deepEqual(arxivIdMonth("2507.12345"), { year: 2025, month: 7 });
  assert.deepEqual(arxivIdMonth("hep-th/9901001"), { year: 1999, month: 1 });
  assert.deepEqual(arxivIdMonth("math.GT/0309136"), { year: 2003, month: 9 });
  assert.equal(arxivIdMonth("nonsense"), null);
});
