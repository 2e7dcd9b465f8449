/**
 * arXiv identifiers: parse and normalise every form a user or a source may give.
 *
 * New style (since 2007-04): `YYMM.NNNN` (until 2014-12) or `YYMM.NNNNN` (since 2015-01),
 * optional `vN`. Old style: `archive(.SUBJ)?/YYMMNNN`, e.g. `hep-th/9901001`,
 * `math.GT/0309136v1`. URLs: abs, pdf (with or without `.pdf`), html, on arxiv.org or
 * export.arxiv.org, http or https, with an optional `arxiv:` prefix on bare ids.
 */

export type ArxivIdResult =
  | { ok: true; id: string; version: number | null }
  | { ok: false; reason: string };

const NEW_STYLE = /^(\d{2})(\d{2})\.(\d{4,5})(?:v(\d+))?$/;
// Archive names are lowercase letters with optional dashes (hep-th, cond-mat, q-bio);
// the optional subject class after a dot is upper case (math.GT, cs.AI in old ids).
const OLD_STYLE = /^([a-z]+(?:-[a-z]+)*)(?:\.([A-Z]{2}))?\/(\d{2})(\d{2})(\d{3})(?:v(\d+))?$/;
const URL_PATH = /^\/(?:abs|pdf|html|format|ps)\/(.+?)(?:\.pdf)?\/?$/;

function parseBare(raw: string): ArxivIdResult {
  const s = raw.replace(/^arxiv:/i, "");
  const m = NEW_STYLE.exec(s);
  if (m) {
    const month = Number(m[2]);
    if (month < 1 || month > 12) return { ok: false, reason: `month ${m[2]} in "${raw}" is not 01..12` };
    const yymm = Number(m[1] + m[2]);
    if (yymm < 704) return { ok: false, reason: `new-style ids start in 2007-04; "${raw}" is older` };
    // Five-digit sequence numbers began in January 2015; four-digit ones ended then.
    if (m[3].length === 5 && yymm < 1501) return { ok: false, reason: `"${raw}" has 5 digits but predates 1501` };
    if (m[3].length === 4 && yymm >= 1501) return { ok: false, reason: `"${raw}" has 4 digits but ids since 1501 have 5` };
    const version = m[4] === undefined ? null : Number(m[4]);
    if (version === 0) return { ok: false, reason: `version v0 in "${raw}" does not exist (versions start at v1)` };
    return { ok: true, id: `${m[1]}${m[2]}.${m[3]}`, version };
  }
  const o = OLD_STYLE.exec(s);
  if (o) {
    const month = Number(o[4]);
    if (month < 1 || month > 12) return { ok: false, reason: `month ${o[4]} in "${raw}" is not 01..12` };
    const version = o[6] === undefined ? null : Number(o[6]);
    if (version === 0) return { ok: false, reason: `version v0 in "${raw}" does not exist (versions start at v1)` };
    const subject = o[2] ? `.${o[2]}` : "";
    return { ok: true, id: `${o[1]}${subject}/${o[3]}${o[4]}${o[5]}`, version };
  }
  return { ok: false, reason: `"${raw}" is not an arXiv id (expected e.g. 2507.12345, 2507.12345v2 or hep-th/9901001)` };
}

/** Parses an arXiv id or URL; never throws. */
export function parseArxivId(input: string): ArxivIdResult {
  const raw = input.trim();
  if (raw === "") return { ok: false, reason: "empty arXiv id" };
  if (raw.length > 300) return { ok: false, reason: "too long to be an arXiv id or URL" };
  if (/^(https?:\/\/|(www\.|export\.)?arxiv\.org\/)/i.test(raw)) {
    let url: URL;
    try {
      url = new URL(/^https?:\/\//i.test(raw) ? raw : `https://${raw}`);
    } catch {
      return { ok: false, reason: `"${raw}" is not a valid URL` };
    }
    if (!/^(www\.|export\.)?arxiv\.org$/i.test(url.hostname)) {
      return { ok: false, reason: `${url.hostname} is not arxiv.org` };
    }
    const m = URL_PATH.exec(decodeURIComponent(url.pathname));
    if (!m) return { ok: false, reason: `${url.pathname} is not an arXiv abs, pdf or html link` };
    return parseBare(m[1]);
  }
  return parseBare(raw);
}

/** True for an id already in normalised form (no version, no URL). */
export function isNormalisedArxivId(id: string): boolean {
  const r = parseArxivId(id);
  return r.ok && r.version === null && r.id === id;
}

/** The year and month an id was issued, from its YYMM part. */
export function arxivIdMonth(id: string): { year: number; month: number } | null {
  const m = /^(\d{2})(\d{2})\./.exec(id) ?? /\/(\d{2})(\d{2})\d{3}$/.exec(id);
  if (!m) return null;
  const yy = Number(m[1]);
  // Old-style ids run from 1991 to 2007; new-style ones from 2007 on.
  const year = id.includes("/") ? (yy >= 91 ? 1900 + yy : 2000 + yy) : 2000 + yy;
  return { year, month: Number(m[2]) };
}

export function arxivAbsUrl(id: string, version?: number | null): string {
  return `https://arxiv.org/abs/${id}${version ? `v${version}` : ""}`;
}

export function arxivPdfUrl(id: string, version?: number | null): string {
  return `https://arxiv.org/pdf/${id}${version ? `v${version}` : ""}`;
}
