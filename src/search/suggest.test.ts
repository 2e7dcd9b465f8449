import { test } from "node:test";
import assert from "node:assert/strict";
import { KeywordIndex, type KeywordDoc } from "./keyword.index.js";
import { suggestSpelling } from "./suggest.js";

// A rare word is only "corrected" towards one at least 20 times as common: 24 papers each.
const docs: KeywordDoc[] = [
  ...Array.from({ length: 24 }, (_, i) => ({ id: i + 1, title: `Diffusion models ${i}`, authors: "Ada Lovelace", abstract: "Denoising diffusion models generate images." })),
  ...Array.from({ length: 24 }, (_, i) => ({ id: i + 101, title: `Canonical forms ${i}`, authors: "Alan Turing", abstract: "A canonical view of two models." })),
  { id: 200, title: "Attention over graphs", authors: "Léo Gagnon, Mia Diffusio", abstract: "Graph attention." },
];

const index = new KeywordIndex();
index.addAll(docs);
const texts = async (ids: number[]) => ids.map((id) => docs.find((d) => d.id === id)!);

test("a misspelt word gets the spelling most papers use", async () => {
  assert.equal(await suggestSpelling(index, "difusion modls", texts), "diffusion models");
});

test("an author's name is never taken for a typo, however rare", async () => {
  assert.equal(await suggestSpelling(index, "diffusio", texts), null);
  assert.equal(await suggestSpelling(index, "leo gagnon", texts), null);
  // The name stays while a real typo beside it is fixed.
  assert.equal(await suggestSpelling(index, "gagnon difusion", texts), "gagnon diffusion");
});
