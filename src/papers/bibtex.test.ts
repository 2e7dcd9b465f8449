import { test } from "node:test";
import assert from "node:assert/strict";
import type { PaperRow } from "../db/schema.js";
import { bibtexEntry, bibtexFile, bibtexKey, bibValue } from "./bibtex.js";

function row(p: Partial<PaperRow>): PaperRow {
  return {
    arxiv_id: "1706.03762", title: "Attention Is All You Need", authors: JSON.stringify(["Ashish Vaswani", "Noam Shazeer"]),
    categories: "cs.CL cs.LG", first_version_at: "2017-06-12T17:57:34.000Z", doi: null, ...p,
  } as PaperRow;
}

test("an entry in arXiv's shape: @misc with eprint, archivePrefix, primaryClass and url", () => {
  assert.equal(bibtexEntry(row({})), [
    "@misc{vaswani2017attentionneed,",
    "  title = {Attention Is All You Need},",
    "  author = {Ashish Vaswani and Noam Shazeer},",
    "  year = {2017},",
    "  eprint = {1706.03762},",
    "  archivePrefix = {arXiv},",
    "  primaryClass = {cs.CL},",
    "  url = {https://arxiv.org/abs/1706.03762},",
    "}",
    "",
  ].join("\n"));
  assert.match(bibtexEntry(row({ doi: "10.1000/x_y" })), /\n {2}doi = \{10\.1000\/x\\_y\},\n/);
});

test("keys: family name, year, two title words; accents folded, math and stopwords skipped", () => {
  assert.equal(bibtexKey(row({ authors: JSON.stringify(["Kurt Gödel"]), title: "On $\\mathcal{O}(n)$ Formally Undecidable Propositions" })), "godel2017formallyundecidable");
  assert.equal(bibtexKey(row({ authors: "[]", title: "$x$", arxiv_id: "hep-th/9901001" })), "arxivhepth9901001");
});

test("TeX is kept; what would break a LaTeX run outside the math is escaped or dropped", () => {
  assert.equal(bibValue("Q&A at 100% for #1 with snake_case and $x_1$ and \\& kept"), "Q\\&A at 100\\% for \\#1 with snake\\_case and $x_1$ and \\& kept");
  assert.equal(bibValue("A {B} title"), "A {B} title");
  assert.equal(bibValue("An unbalanced } brace {"), "An unbalanced  brace ");
});

test("a file of several entries makes repeated keys unique", () => {
  const file = bibtexFile([row({}), row({ arxiv_id: "1706.99999" }), row({ arxiv_id: "1706.99998" })]);
  assert.deepEqual([...file.matchAll(/@misc\{([^,]+),/g)].map((m) => m[1]), ["vaswani2017attentionneed", "vaswani2017attentionneeda", "vaswani2017attentionneedb"]);
});
