/**
 * What text goes into a paper's vector and a query's vector, so indexing and searching agree.
 * Pure: takes a loaded model, returns unit vectors.
 */
import type { StaticModel } from "./model2vec.js";

export interface PaperText {
  title: string;
  abstract: string;
}

/** The text a paper is embedded from: title then abstract (the training pairs use the same join). */
export function paperText(paper: PaperText): string {
  const title = paper.title.trim();
  const abstract = paper.abstract.trim();
  return title && abstract ? `${title}. ${abstract}` : title || abstract;
}

// Paper texts are whole abstracts: do not cut them at the reference's 512-token default.
const NO_LIMIT = { maxTokens: null } as const;

export function embedPaper(model: StaticModel, paper: PaperText): Float32Array {
  return model.embed(paperText(paper), NO_LIMIT);
}

export function embedPapers(model: StaticModel, papers: readonly PaperText[]): Float32Array[] {
  return papers.map((p) => embedPaper(model, p));
}

export function embedQuery(model: StaticModel, query: string): Float32Array {
  return model.embed(query.trim(), NO_LIMIT);
}

/** True when no token of the text is known to the model (its vector is all zeros). */
export function isZeroVector(v: Float32Array): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) return false;
  return true;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
