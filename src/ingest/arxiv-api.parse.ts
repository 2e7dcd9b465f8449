/**
 * Pure parser for the arXiv API's Atom feed (`/api/query?id_list=...` or `search_query=...`).
 *
 * The API answers HTTP 200 for almost everything, so the body has to say what happened:
 * - a normal feed: one `<entry>` per paper, `opensearch:*` counts;
 * - an error: a feed with a single entry whose `<id>` is `http://arxiv.org/api/errors#...`
 *   and whose `<summary>` is the message (e.g. "incorrect id format for 1309.119");
 * - an unknown but well-formed id: no entry at all (older API versions sent an entry with
 *   no title instead; both come out as "not returned", see `missingIds` in the client);
 * - throttling: the plain-text body "Rate exceeded." instead of XML.
 * Withdrawn papers are ordinary entries whose comment (or abstract) says so.
 * Nothing here throws: every problem is a value that says what was wrong.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { squish } from "../lib/text.js";
import { parseArxivId } from "../papers/arxiv-id.js";
import type { PaperRecord } from "../papers/paper.js";

/** One `<entry>` of a feed, classified. */
export type ApiEntry =
  | { kind: "paper"; paper: PaperRecord }
  /** Still a full record (the metadata stays on arXiv), with the withdrawal notice. */
  | { kind: "withdrawn"; paper: PaperRecord; notice: string }
  /** An entry that could not be turned into a record: its id if known, and why. */
  | { kind: "rejected"; id: string | null; reason: string };

export type ArxivApiFeed =
  | {
      ok: true;
      /** `opensearch:totalResults` etc.; null when the feed omits them. */
      totalResults: number | null;
      startIndex: number | null;
      itemsPerPage: number | null;
      entries: ApiEntry[];
    }
  /** `api-error`: arXiv's error entry; `rate-limited`: "Rate exceeded."; `malformed`: not a feed. */
  | { ok: false; kind: "api-error" | "rate-limited" | "malformed"; message: string };

// ---------------------------------------------------------------------------------------------
// XML helpers shared with the OAI-PMH parser.

/** A parsed XML node as fast-xml-parser gives it (attributes prefixed `@_`, text `#text`). */
export type XmlNode = { [key: string]: XmlValue };
export type XmlValue = string | XmlNode | XmlValue[];

/**
 * Validates then parses XML. Namespace prefixes are dropped (`arxiv:comment` -> `comment`)
 * because the prefixes are the publisher's choice, not part of the format; tag values stay
 * strings (an id like `2507.12340` must not become the number 2507.1234). Entities are left
 * to `decodeXmlEntities` (via `text`/`attr`): the library does not decode numeric
 * character references, and DOCTYPE entity expansion has no place in these responses.
 */
export function parseXml(xml: string, arrayTags: readonly string[]): { ok: true; doc: XmlNode } | { ok: false; message: string } {
  if (xml.trim() === "") return { ok: false, message: "empty response body" };
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    return { ok: false, message: `invalid XML at line ${valid.err.line}, column ${valid.err.col ?? "?"}: ${valid.err.msg}` };
  }
  const tags = new Set(arrayTags);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    processEntities: false,
    isArray: (name, _path, _leaf, isAttribute) => !isAttribute && tags.has(name),
  });
  try {
    return { ok: true, doc: parser.parse(xml) as XmlNode };
  } catch (e) {
    return { ok: false, message: `invalid XML: ${e instanceof Error ? e.message : String(e)}` };
  }
}

export function isNode(v: XmlValue | undefined): v is XmlNode {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function child(node: XmlValue | undefined, name: string): XmlValue | undefined {
  return isNode(node) ? node[name] : undefined;
}

export function children(node: XmlValue | undefined, name: string): XmlValue[] {
  const v = child(node, name);
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** The text of an element (whitespace collapsed), or null when absent or empty. */
export function text(node: XmlValue | undefined): string | null {
  let raw: XmlValue | undefined = node;
  if (isNode(raw)) raw = raw["#text"];
  if (typeof raw !== "string") return null;
  const s = squish(decodeXmlEntities(raw));
  return s === "" ? null : s;
}

export function attr(node: XmlValue | undefined, name: string): string | null {
  const v = child(node, `@_${name}`);
  return typeof v === "string" ? decodeXmlEntities(v) : null;
}

const NAMED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Decodes the five XML entities and numeric character references, in one pass. */
export function decodeXmlEntities(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (whole, e: string) => {
    if (e[0] !== "#") return NAMED_ENTITIES[e];
    const code = e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

export function uniqueCategories(list: Array<string | null>): string[] {
  return [...new Set(list.filter((c): c is string => c !== null && c !== ""))];
}

// ---------------------------------------------------------------------------------------------

const WITHDRAWN =
  /\b(this|the)\s+(paper|article|submission|manuscript|work|version)\s+(has\s+been|was|is)\s+withdrawn\b|^\s*withdrawn\b/i;

/** The withdrawal notice, when the comment or the abstract carries one. */
export function withdrawalNotice(comment: string | null, abstract: string | null): string | null {
  if (comment && WITHDRAWN.test(comment)) return comment;
  // Some withdrawals replace the abstract itself with the notice.
  if (abstract && WITHDRAWN.test(abstract.slice(0, 200))) return abstract;
  return null;
}

function toInt(v: string | null): number | null {
  if (v === null || !/^\d+$/.test(v)) return null;
  return Number(v);
}

function toDate(v: string | null): Date | null {
  if (v === null) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

function parseEntry(entry: XmlValue): ApiEntry {
  const rawId = text(child(entry, "id"));
  if (rawId === null) return { kind: "rejected", id: null, reason: "entry has no <id>" };
  const parsed = parseArxivId(rawId);
  if (!parsed.ok) return { kind: "rejected", id: rawId, reason: `<id>: ${parsed.reason}` };
  const id = parsed.id;

  const problems: string[] = [];
  const title = text(child(entry, "title"));
  if (title === null) problems.push("no title");
  const abstract = text(child(entry, "summary"));
  if (abstract === null) problems.push("no summary");
  const authors = children(entry, "author")
    .map((a) => text(child(a, "name")))
    .filter((n): n is string => n !== null);
  if (authors.length === 0) problems.push("no authors");
  const categories = uniqueCategories([
    attr(child(entry, "primary_category"), "term"),
    ...children(entry, "category").map((c) => attr(c, "term")),
  ]);
  if (categories.length === 0) problems.push("no categories");
  const published = toDate(text(child(entry, "published")));
  if (published === null) problems.push("no valid <published> date");
  // `<updated>` is the latest version's date; a v1-only paper may omit nothing, but be lenient.
  const updated = toDate(text(child(entry, "updated"))) ?? published;
  if (problems.length > 0 || title === null || abstract === null || published === null || updated === null) {
    return { kind: "rejected", id, reason: problems.join("; ") };
  }

  const comment = text(child(entry, "comment"));
  const paper: PaperRecord = {
    arxivId: id,
    version: parsed.version ?? 1,
    title,
    abstract,
    authors,
    categories,
    comment,
    journalRef: text(child(entry, "journal_ref")),
    doi: text(child(entry, "doi")),
    firstVersionAt: published,
    latestVersionAt: updated < published ? published : updated,
  };
  const notice = withdrawalNotice(comment, abstract);
  return notice === null ? { kind: "paper", paper } : { kind: "withdrawn", paper, notice };
}

const API_ERROR_ID = /^https?:\/\/(export\.)?arxiv\.org\/api\/errors/i;

/** Parses one response body of the arXiv API. Never throws. */
export function parseArxivApiFeed(body: string): ArxivApiFeed {
  if (/^\s*Rate exceeded/i.test(body)) return { ok: false, kind: "rate-limited", message: squish(body) };
  const xml = parseXml(body, ["entry", "author", "category", "link"]);
  if (!xml.ok) return { ok: false, kind: "malformed", message: xml.message };
  const feed = xml.doc["feed"];
  if (!isNode(feed)) return { ok: false, kind: "malformed", message: "no Atom <feed> element" };

  const entries = children(feed, "entry");
  for (const e of entries) {
    const id = text(child(e, "id"));
    if (id !== null && API_ERROR_ID.test(id)) {
      // The message is in <summary>; the id's fragment repeats it with underscores.
      const message = text(child(e, "summary")) ?? decodeURIComponent(id.replace(/^[^#]*#?/, "")).replace(/_/g, " ");
      return { ok: false, kind: "api-error", message: message || "unspecified arXiv API error" };
    }
  }
  return {
    ok: true,
    totalResults: toInt(text(child(feed, "totalResults"))),
    startIndex: toInt(text(child(feed, "startIndex"))),
    itemsPerPage: toInt(text(child(feed, "itemsPerPage"))),
    entries: entries.map(parseEntry),
  };
}
