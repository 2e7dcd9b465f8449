/**
 * Pure parser for arXiv's OAI-PMH `ListRecords` responses in the `arXiv` and `arXivRaw`
 * metadata formats.
 *
 * A page is all-or-nothing only at the XML level: a broken document or an OAI `<error>` is
 * one error value. Inside a good page each record stands alone: a record with a missing or
 * unusable field is reported (its id and what was wrong) and skipped, never half-returned,
 * so one bad record cannot stop a harvest. Deleted records (`<header status="deleted">`) are
 * returned separately so the caller can mark them.
 */
import { parseArxivId } from "../papers/arxiv-id.js";
import type { PaperRecord } from "../papers/paper.js";
import { squish } from "../lib/text.js";
import { attr, child, children, isNode, parseXml, text, uniqueCategories, type XmlValue } from "./arxiv-api.parse.js";

export type OaiMetadataPrefix = "arXiv" | "arXivRaw";

export interface OaiHeader {
  /** `oai:arXiv.org:2507.12345` */
  identifier: string;
  /** The arXiv id from the identifier, or null if it is not one. */
  arxivId: string | null;
  /** `YYYY-MM-DD`: when the record last changed; the harvest checkpoint. */
  datestamp: string;
  setSpecs: string[];
  deleted: boolean;
}

export interface OaiRecord {
  header: OaiHeader;
  paper: PaperRecord;
}

export interface OaiRecordError {
  identifier: string | null;
  arxivId: string | null;
  reason: string;
}

export interface ResumptionToken {
  /** null when the list is complete (an empty `<resumptionToken/>`). */
  token: string | null;
  cursor: number | null;
  completeListSize: number | null;
  expirationDate: string | null;
}

/** The OAI-PMH error codes (OAI-PMH 2.0, section 3.6); others are kept as strings. */
export type OaiErrorCode =
  | "badArgument"
  | "badResumptionToken"
  | "badVerb"
  | "cannotDisseminateFormat"
  | "idDoesNotExist"
  | "noRecordsMatch"
  | "noMetadataFormats"
  | "noSetHierarchy"
  | (string & {});

export interface OaiError {
  code: OaiErrorCode;
  message: string;
}

export type OaiPage =
  | {
      ok: true;
      responseDate: string | null;
      records: OaiRecord[];
      deleted: OaiHeader[];
      errors: OaiRecordError[];
      /** null when the response has no `<resumptionToken>` element (a single, complete page). */
      resumptionToken: ResumptionToken | null;
    }
  | { ok: false; kind: "oai-error"; responseDate: string | null; errors: OaiError[] }
  | { ok: false; kind: "malformed"; message: string };

const OAI_ID_PREFIX = /^oai:arXiv\.org:/i;

function parseHeader(h: XmlValue | undefined): OaiHeader | string {
  const identifier = text(child(h, "identifier"));
  if (identifier === null) return "header has no <identifier>";
  const datestamp = text(child(h, "datestamp"));
  if (datestamp === null || !/^\d{4}-\d{2}-\d{2}/.test(datestamp)) return `${identifier}: header has no valid <datestamp>`;
  const id = parseArxivId(identifier.replace(OAI_ID_PREFIX, ""));
  return {
    identifier,
    arxivId: id.ok ? id.id : null,
    datestamp,
    setSpecs: children(h, "setSpec")
      .map((s) => text(s))
      .filter((s): s is string => s !== null),
    deleted: attr(h, "status") === "deleted",
  };
}

/** A `YYYY-MM-DD` day (the `arXiv` format's dates) as midnight UTC. */
function day(v: string | null): Date | null {
  if (v === null || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return null;
  const d = new Date(`${v}T00:00:00.000Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v ? null : d;
}

/** An RFC 1123 date (`Mon, 2 Apr 2007 19:18:42 GMT`, the `arXivRaw` version dates). */
function rfcDate(v: string | null): Date | null {
  if (v === null || !/\d{4}/.test(v)) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Fields common to both formats, with the problems found. */
function commonFields(m: XmlValue) {
  const problems: string[] = [];
  const rawId = text(child(m, "id"));
  const id = rawId === null ? null : parseArxivId(rawId);
  if (id === null) problems.push("no <id>");
  else if (!id.ok) problems.push(`<id>: ${id.reason}`);
  const title = text(child(m, "title"));
  if (title === null) problems.push("no <title>");
  const abstract = text(child(m, "abstract"));
  if (abstract === null) problems.push("no <abstract>");
  const categories = uniqueCategories((text(child(m, "categories")) ?? "").split(" "));
  if (categories.length === 0) problems.push("no <categories>");
  return {
    problems,
    arxivId: id?.ok ? id.id : null,
    title,
    abstract,
    categories,
    comment: text(child(m, "comments")),
    journalRef: text(child(m, "journal-ref")),
    doi: text(child(m, "doi")),
  };
}

/** `<author><keyname/><forenames/><suffix/></author>` -> "Forenames Keyname Suffix". */
function arXivAuthor(a: XmlValue): string | null {
  const parts = [text(child(a, "forenames")), text(child(a, "keyname")), text(child(a, "suffix"))];
  // A collaboration has only a keyname; a name without a keyname is not a name.
  if (parts[1] === null) return null;
  return parts.filter((p): p is string => p !== null).join(" ");
}

function parseArXivFormat(m: XmlValue): { paper: PaperRecord } | { problems: string[] } {
  const f = commonFields(m);
  const problems = [...f.problems];
  const authors = children(child(m, "authors"), "author")
    .map(arXivAuthor)
    .filter((a): a is string => a !== null);
  if (authors.length === 0) problems.push("no <authors>");
  const created = day(text(child(m, "created")));
  if (created === null) problems.push("no valid <created> date");
  const updatedText = text(child(m, "updated"));
  const updated = updatedText === null ? created : day(updatedText);
  if (updatedText !== null && updated === null) problems.push(`<updated> "${updatedText}" is not a YYYY-MM-DD date`);
  if (problems.length || !f.arxivId || !f.title || !f.abstract || !created || !updated) return { problems };
  return {
    paper: {
      arxivId: f.arxivId,
      // This format does not say which version is current; see PaperRecord.version.
      version: 1,
      title: f.title,
      abstract: f.abstract,
      authors,
      categories: f.categories,
      comment: f.comment,
      journalRef: f.journalRef,
      doi: f.doi,
      firstVersionAt: created,
      latestVersionAt: updated < created ? created : updated,
    },
  };
}

/**
 * Splits an `arXivRaw` author string ("A. One, B. Two (MIT) and C. Three") into names,
 * dropping parenthesised affiliations and keeping suffixes like "Jr." with their name.
 */
export function splitAuthorString(s: string): string[] {
  let flat = s;
  // Remove (possibly nested) parenthesised groups, innermost first.
  for (let prev = ""; prev !== flat; ) {
    prev = flat;
    flat = flat.replace(/\([^()]*\)/g, " ");
  }
  const names: string[] = [];
  for (const piece of flat.split(/,|;|\band\b/)) {
    const name = squish(piece);
    if (name === "") continue;
    if (/^(Jr|Sr|II|III|IV)\.?$/i.test(name) && names.length > 0) names[names.length - 1] += `, ${name}`;
    else names.push(name);
  }
  return names;
}

function parseArXivRawFormat(m: XmlValue): { paper: PaperRecord } | { problems: string[] } {
  const f = commonFields(m);
  const problems = [...f.problems];
  const authors = splitAuthorString(text(child(m, "authors")) ?? "");
  if (authors.length === 0) problems.push("no <authors>");
  const versions: Array<{ n: number; date: Date }> = [];
  for (const v of children(m, "version")) {
    const label = attr(v, "version");
    const n = label && /^v\d+$/.test(label) ? Number(label.slice(1)) : null;
    const date = rfcDate(text(child(v, "date")));
    if (n === null) problems.push(`<version> has no vN label ("${label ?? ""}")`);
    else if (date === null) problems.push(`version v${n} has no valid <date> ("${text(child(v, "date")) ?? ""}")`);
    else versions.push({ n, date });
  }
  if (versions.length === 0 && !problems.some((p) => p.includes("version"))) problems.push("no <version> elements");
  if (problems.length || !f.arxivId || !f.title || !f.abstract) return { problems };
  // Versions are normally in order, but nothing in the format promises it.
  versions.sort((a, b) => a.n - b.n);
  const first = versions[0];
  const latest = versions[versions.length - 1];
  return {
    paper: {
      arxivId: f.arxivId,
      version: latest.n,
      title: f.title,
      abstract: f.abstract,
      authors,
      categories: f.categories,
      comment: f.comment,
      journalRef: f.journalRef,
      doi: f.doi,
      firstVersionAt: first.date,
      latestVersionAt: latest.date < first.date ? first.date : latest.date,
    },
  };
}

function toInt(v: string | null): number | null {
  return v !== null && /^\d+$/.test(v) ? Number(v) : null;
}

/**
 * Parses one `ListRecords` response. `metadataPrefix` says which format the records are in
 * (the response itself only says so in its namespace). Never throws.
 */
export function parseOaiListRecords(body: string, metadataPrefix: OaiMetadataPrefix): OaiPage {
  const xml = parseXml(body, ["record", "setSpec", "author", "version", "error"]);
  if (!xml.ok) return { ok: false, kind: "malformed", message: xml.message };
  const root = xml.doc["OAI-PMH"];
  if (!isNode(root)) return { ok: false, kind: "malformed", message: "no <OAI-PMH> root element" };
  const responseDate = text(child(root, "responseDate"));

  const errs = children(root, "error");
  if (errs.length > 0) {
    return {
      ok: false,
      kind: "oai-error",
      responseDate,
      errors: errs.map((e) => ({ code: attr(e, "code") ?? "unknown", message: text(e) ?? "" })),
    };
  }
  const list = child(root, "ListRecords");
  if (!isNode(list)) return { ok: false, kind: "malformed", message: "no <ListRecords> element and no <error>" };

  const records: OaiRecord[] = [];
  const deleted: OaiHeader[] = [];
  const errors: OaiRecordError[] = [];
  const formatTag = metadataPrefix === "arXiv" ? "arXiv" : "arXivRaw";
  for (const r of children(list, "record")) {
    const header = parseHeader(child(r, "header"));
    if (typeof header === "string") {
      errors.push({ identifier: text(child(child(r, "header"), "identifier")), arxivId: null, reason: header });
      continue;
    }
    const fail = (reason: string) => errors.push({ identifier: header.identifier, arxivId: header.arxivId, reason });
    if (header.deleted) {
      deleted.push(header);
      continue;
    }
    const meta = child(child(r, "metadata"), formatTag);
    if (!isNode(meta)) {
      fail(`no <${formatTag}> metadata`);
      continue;
    }
    const parsed = metadataPrefix === "arXiv" ? parseArXivFormat(meta) : parseArXivRawFormat(meta);
    if ("problems" in parsed) fail(parsed.problems.join("; "));
    else if (header.arxivId !== null && header.arxivId !== parsed.paper.arxivId) {
      fail(`header says ${header.arxivId} but metadata says ${parsed.paper.arxivId}`);
    } else records.push({ header, paper: parsed.paper });
  }

  const tokenNode = child(root, "resumptionToken") ?? child(list, "resumptionToken");
  const resumptionToken: ResumptionToken | null =
    tokenNode === undefined
      ? null
      : {
          token: text(tokenNode),
          cursor: toInt(attr(tokenNode, "cursor")),
          completeListSize: toInt(attr(tokenNode, "completeListSize")),
          expirationDate: attr(tokenNode, "expirationDate") ?? attr(tokenNode, "expires"),
        };
  return { ok: true, responseDate, records, deleted, errors, resumptionToken };
}
