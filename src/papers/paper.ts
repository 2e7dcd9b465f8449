/**
 * The one shape of a paper's metadata that every source (bulk files, the arXiv API, OAI-PMH)
 * is parsed into before it is stored. Parsers are pure and produce this; `papers.queries.ts`
 * stores it.
 */
export interface PaperRecord {
  /** Normalised arXiv id without version: `2507.12345`, `hep-th/9901001`. */
  arxivId: string;
  /** Latest version number known for this record (1 when the source does not say). */
  version: number;
  title: string;
  abstract: string;
  /** Author display names, in order. */
  authors: string[];
  /** arXiv categories, primary first, no duplicates. */
  categories: string[];
  comment: string | null;
  journalRef: string | null;
  doi: string | null;
  /** When version 1 was submitted (or first listed, when the source has no timestamp). */
  firstVersionAt: Date;
  /** When the latest known version was submitted. */
  latestVersionAt: Date;
  /**
   * True when the source gives neither the version nor the submission time (the daily
   * corpus): such a record fills in a paper we lack but never replaces a stored one.
   */
  approximate?: boolean;
}

/** A paper as a source saw it, plus the days it was listed in a daily feed (bulk corpus only). */
export interface ImportedPaper {
  paper: PaperRecord;
  /** Feed days (YYYY-MM-DD) this paper was announced on, from the shared corpus format. */
  listingDates: string[];
}
