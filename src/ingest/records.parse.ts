/**
 * Pure parsers for the two bulk formats: the shared daily-listing corpus and the Kaggle
 * "arXiv metadata OAI snapshot". One JSON object per line; each parser returns a paper or a
 * reason the line was rejected. The format is recognised per line from its fields.
 */
import { z } from "zod";
import { parseArxivId } from "../papers/arxiv-id.js";
import type { ImportedPaper } from "../papers/paper.js";
import { cleanCategories, squish } from "../lib/text.js";

export type LineResult = { ok: true; item: ImportedPaper } | { ok: false; reason: string };

const DAY = /^\d{4}-\d{2}-\d{2}$/;
// Most text in the bulk files is already on one line with single spaces: checking that is far
// cheaper than rebuilding every string, and bulk imports spend much of their time here.
const NEEDS_SQUISH = /\s\s|[^\S ]|^ | $/;
function squishFast(s: string): string {
  return NEEDS_SQUISH.test(s) ? squish(s) : s;
}

const day = z.string().regex(DAY, "must be a YYYY-MM-DD date");
const text = z.string().transform(squishFast).pipe(z.string().min(1, "must not be empty"));

const corpusSchema = z.object({
  id: z.string(),
  title: text,
  abstract: text,
  authors: z.array(z.string()).min(1, "must list at least one author"),
  categories: z.array(z.string()).min(1, "must list at least one category"),
  comment: z.string().nullish(),
  date: day,
  listing_dates: z.array(day).optional(),
});

const kaggleSchema = z.object({
  id: z.string(),
  title: text,
  abstract: text,
  authors: z.string().optional(),
  authors_parsed: z.array(z.array(z.string())).optional(),
  categories: z.string().min(1, "must not be empty"),
  comments: z.string().nullish(),
  "journal-ref": z.string().nullish(),
  doi: z.string().nullish(),
  versions: z.array(z.object({ version: z.string(), created: z.string() })).min(1, "must list at least one version"),
  update_date: z.string().optional(),
});

type CorpusFields = z.infer<typeof corpusSchema>;
type KaggleFields = z.infer<typeof kaggleSchema>;

function isStringArray(v: unknown): v is string[] {
  if (!Array.isArray(v)) return false;
  for (const x of v) if (typeof x !== "string") return false;
  return true;
}

/**
 * The corpus schema checked by hand: the same rules as `corpusSchema`, about ten times faster,
 * which matters at bulk-import rates. It only ever accepts; anything it does not accept goes
 * through zod, so a rejected line gets zod's exact reason.
 */
function fastCorpus(o: Record<string, unknown>): CorpusFields | null {
  const { id, title, abstract, authors, categories, comment, date, listing_dates: listing } = o;
  if (typeof id !== "string" || typeof title !== "string" || typeof abstract !== "string") return null;
  if (!isStringArray(authors) || authors.length === 0 || !isStringArray(categories) || categories.length === 0) return null;
  if (comment !== undefined && comment !== null && typeof comment !== "string") return null;
  if (typeof date !== "string" || !DAY.test(date)) return null;
  if (listing !== undefined) {
    if (!isStringArray(listing)) return null;
    for (const d of listing) if (!DAY.test(d)) return null;
  }
  const t = squishFast(title);
  const a = squishFast(abstract);
  if (t === "" || a === "") return null;
  return { id, title: t, abstract: a, authors, categories, comment, date, listing_dates: listing };
}

function isNullishString(v: unknown): v is string | null | undefined {
  return v === undefined || v === null || typeof v === "string";
}

/**
 * The snapshot schema checked by hand, as `fastCorpus` does for the corpus. The snapshot is
 * the large bulk source (millions of records), and zod's copy of every record was a third of
 * its parsing time. Only ever accepts; anything else goes through zod for its exact reasons.
 */
function fastKaggle(o: Record<string, unknown>): KaggleFields | null {
  const { id, title, abstract, authors, authors_parsed: parsed, categories, comments, doi, versions, update_date: updated } = o;
  const journalRef = o["journal-ref"];
  if (typeof id !== "string" || typeof title !== "string" || typeof abstract !== "string") return null;
  if (typeof categories !== "string" || categories === "") return null;
  if (authors !== undefined && typeof authors !== "string") return null;
  if (parsed !== undefined) {
    if (!Array.isArray(parsed)) return null;
    for (const name of parsed) if (!isStringArray(name)) return null;
  }
  if (!isNullishString(comments) || !isNullishString(journalRef) || !isNullishString(doi)) return null;
  if (updated !== undefined && typeof updated !== "string") return null;
  if (!Array.isArray(versions) || versions.length === 0) return null;
  for (const v of versions as unknown[]) {
    if (typeof v !== "object" || v === null) return null;
    const { version, created } = v as Record<string, unknown>;
    if (typeof version !== "string" || typeof created !== "string") return null;
  }
  const t = squishFast(title);
  const a = squishFast(abstract);
  if (t === "" || a === "") return null;
  return {
    id, title: t, abstract: a, authors, authors_parsed: parsed as string[][] | undefined, categories, comments,
    "journal-ref": journalRef, doi, versions: versions as KaggleFields["versions"], update_date: updated,
  };
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}

function nullable(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  const t = squishFast(s);
  return t === "" ? null : t;
}

/** A record's fields: from the hand-written check when it accepts, else from zod, whose reasons a rejection gets. */
function validate<T>(obj: Record<string, unknown>, fast: (o: Record<string, unknown>) => T | null, schema: z.ZodType<T, z.ZodTypeDef, unknown>):
  { ok: true; data: T } | { ok: false; reason: string } {
  const data = fast(obj);
  if (data) return { ok: true, data };
  const r = schema.safeParse(obj);
  return r.success ? { ok: true, data: r.data } : { ok: false, reason: describe(r.error) };
}

function parseCorpus(obj: Record<string, unknown>): LineResult {
  const v = validate(obj, fastCorpus, corpusSchema);
  if (!v.ok) return v;
  const d = v.data;
  const id = parseArxivId(d.id);
  if (!id.ok) return { ok: false, reason: `id: ${id.reason}` };
  // The corpus has no submission time: the first listing day stands for it.
  const first = new Date(`${d.date}T00:00:00.000Z`);
  if (Number.isNaN(first.getTime())) return { ok: false, reason: `date: "${d.date}" is not a real date` };
  const listing = d.listing_dates && d.listing_dates.length ? d.listing_dates : [d.date];
  return {
    ok: true,
    item: {
      paper: {
        arxivId: id.id,
        version: id.version ?? 1,
        title: d.title,
        abstract: d.abstract,
        authors: d.authors.map(squishFast).filter(Boolean),
        categories: cleanCategories(d.categories),
        comment: nullable(d.comment),
        journalRef: null,
        doi: null,
        firstVersionAt: first,
        latestVersionAt: first,
        approximate: true,
      },
      listingDates: listing,
    },
  };
}

/** "Last, First, Suffix" triples as the snapshot gives them, into display names. */
function kaggleAuthors(parsed: string[][] | undefined, raw: string | undefined): string[] {
  if (parsed && parsed.length) {
    // Most names need no squish once their empty parts (usually the suffix) are left out.
    return parsed.map(([last = "", first = "", suffix = ""]) => squishFast([first, last, suffix].filter(Boolean).join(" "))).filter(Boolean);
  }
  if (!raw) return [];
  return squish(raw).split(/,\s*|\s+and\s+/).map(squish).filter(Boolean);
}

function parseKaggle(obj: Record<string, unknown>): LineResult {
  const v = validate(obj, fastKaggle, kaggleSchema);
  if (!v.ok) return v;
  const d = v.data;
  const id = parseArxivId(d.id);
  if (!id.ok) return { ok: false, reason: `id: ${id.reason}` };
  const versions: Array<{ n: number; at: Date }> = [];
  for (const v of d.versions) {
    const n = /^v(\d+)$/.exec(v.version);
    const at = new Date(v.created);
    if (!n || Number.isNaN(at.getTime())) return { ok: false, reason: `versions: "${v.version}" created "${v.created}" is not a valid version and date` };
    versions.push({ n: Number(n[1]), at });
  }
  versions.sort((a, b) => a.n - b.n);
  const authors = kaggleAuthors(d.authors_parsed, d.authors);
  if (authors.length === 0) return { ok: false, reason: "authors: must list at least one author" };
  const latest = versions[versions.length - 1];
  return {
    ok: true,
    item: {
      paper: {
        arxivId: id.id,
        version: latest.n,
        title: d.title,
        abstract: d.abstract,
        authors,
        categories: cleanCategories(d.categories.split(/\s+/)),
        comment: nullable(d.comments),
        journalRef: nullable(d["journal-ref"]),
        doi: nullable(d.doi),
        firstVersionAt: versions[0].at,
        latestVersionAt: latest.at,
      },
      // The snapshot says nothing about daily listings: such papers are archive-only
      // until a curator or submitter features them.
      listingDates: [],
    },
  };
}

/** Parses one line of either format. Never throws. */
export function parseRecordLine(line: string): LineResult {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch (e) {
    return { ok: false, reason: `broken JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return { ok: false, reason: "not a JSON object" };
  if ("versions" in obj || "authors_parsed" in obj || "update_date" in obj) return parseKaggle(obj as Record<string, unknown>);
  if ("date" in obj || "listing_dates" in obj) return parseCorpus(obj as Record<string, unknown>);
  if (!("title" in obj)) return { ok: false, reason: "title: missing" };
  return { ok: false, reason: "unknown format: expected the daily corpus fields (date) or the arXiv snapshot fields (versions)" };
}
