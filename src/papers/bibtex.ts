/**
 * BibTeX entries for papers, in the shape arXiv's own "Export BibTeX citation" gives
 * (`@misc` with eprint, archivePrefix and primaryClass, which biblatex and natbib styles know).
 * Titles keep their TeX, since BibTeX is read by TeX; what would break a LaTeX run outside the
 * math (a bare `&`, `%`, `#` or `_`, unbalanced braces) is escaped or dropped.
 */
import type { PaperRow } from "../db/schema.js";
import { arxivAbsUrl } from "./arxiv-id.js";
import { authorsOf } from "./papers.present.js";

const MATH = /\$[^$]*\$/g;

/** Words a citation key skips, as arXiv's keys do ("attentionneed" for "Attention Is All You Need"). */
const KEY_STOPWORDS = new Set("a an and are as at be by can do for from how in is it of on or the to via we what when where which who why with you your all".split(" "));

function balanced(s: string): boolean {
  let depth = 0;
  for (const c of s) {
    if (c === "{") depth++;
    else if (c === "}" && --depth < 0) return false;
  }
  return depth === 0;
}

/** A field value safe inside `{...}`: TeX kept, LaTeX's special characters escaped outside math. */
export function bibValue(text: string): string {
  let out = "";
  let last = 0;
  const plain = (s: string) => s.replace(/(?<!\\)[&%#_]/g, "\\$&");
  for (const m of text.matchAll(MATH)) {
    out += plain(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  out += plain(text.slice(last));
  // An unbalanced brace would end the field early (or never): keep the text, drop the braces.
  return balanced(out) ? out : out.replace(/(?<!\\)[{}]/g, "");
}

/** ASCII letters of a name or word, lowercased: "Gödel" -> "godel". */
function keyPart(s: string): string {
  return s.normalize("NFKD").replace(/[^A-Za-z0-9]/g, "").toLowerCase();
}

/** arXiv's key shape: first author's family name, year, two significant title words. */
export function bibtexKey(row: Pick<PaperRow, "authors" | "title" | "first_version_at" | "arxiv_id">): string {
  const first = authorsOf(row)[0] ?? "";
  const family = keyPart(first.split(/\s+/).filter(Boolean).pop() ?? "");
  const words = row.title.replace(MATH, " ").split(/[^\p{L}\p{N}]+/u).map(keyPart).filter((w) => w && !KEY_STOPWORDS.has(w));
  // Neither a name nor a word to go by: the arXiv id names it.
  if (!family && words.length === 0) return `arxiv${keyPart(row.arxiv_id)}`;
  return `${family}${row.first_version_at.slice(0, 4)}${words.slice(0, 2).join("")}`;
}

export function bibtexEntry(row: PaperRow, key = bibtexKey(row)): string {
  const [primary] = row.categories.split(" ").filter(Boolean);
  const fields: Array<[string, string]> = [
    ["title", bibValue(row.title)],
    ["author", authorsOf(row).map(bibValue).join(" and ")],
    ["year", row.first_version_at.slice(0, 4)],
    ["eprint", row.arxiv_id],
    ["archivePrefix", "arXiv"],
    ...(primary ? [["primaryClass", primary] as [string, string]] : []),
    ...(row.doi ? [["doi", bibValue(row.doi)] as [string, string]] : []),
    ["url", arxivAbsUrl(row.arxiv_id)],
  ];
  return `@misc{${key},\n${fields.map(([k, v]) => `  ${k} = {${v}},`).join("\n")}\n}\n`;
}

/**
 * Entries for several papers, one file. Two papers with one key (same first author, year and
 * title words) get "a", "b", ... after the second, as reference managers do.
 */
export function bibtexFile(rows: readonly PaperRow[]): string {
  const seen = new Map<string, number>();
  return rows
    .map((row) => {
      const key = bibtexKey(row);
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      return bibtexEntry(row, n === 0 ? key : `${key}${n <= 26 ? String.fromCharCode(96 + n) : `_${n}`}`);
    })
    .join("\n");
}
