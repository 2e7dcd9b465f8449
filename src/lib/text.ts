/** Collapses runs of whitespace (arXiv metadata wraps lines with newlines and indents). */
export function squish(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

/** Categories, primary first, without duplicates or empties. */
export function cleanCategories(list: string[]): string[] {
  return [...new Set(list.map((c) => c.trim()).filter(Boolean))];
}
