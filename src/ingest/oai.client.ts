/**
 * OAI-PMH harvesting of arXiv: `ListRecords` pages followed through resumption tokens.
 *
 * `listRecords` is an async generator of pages so that the caller stores each page and
 * checkpoints before the next request is made: after a crash it resumes with the last
 * `resumptionToken` (while it is still valid) or re-harvests `from` the last `maxDatestamp`
 * (always valid; harvesting is idempotent). Requests go through `PoliteHttp`: one at a time,
 * spaced, retried on 503 (arXiv's flow control) and other transient failures.
 */
import { PoliteHttp, type PoliteHttpOptions } from "./arxiv.client.js";
import {
  parseOaiListRecords,
  type OaiError,
  type OaiHeader,
  type OaiMetadataPrefix,
  type OaiPage,
  type OaiRecord,
  type OaiRecordError,
} from "./oai.parse.js";

export const DEFAULT_OAI_URL = "https://oaipmh.arxiv.org/oai";

export interface OaiClientOptions extends PoliteHttpOptions {
  baseUrl?: string;
  /** Use an existing PoliteHttp (shared spacing with other clients); overrides the options above. */
  http?: PoliteHttp;
}

export interface ListRecordsParams {
  /** Default `arXiv`. */
  metadataPrefix?: OaiMetadataPrefix;
  /** An OAI set, e.g. `cs` or `cs:cs:LG` (arXiv's newer set names). */
  set?: string;
  /** Inclusive `YYYY-MM-DD` bounds on the records' datestamps. */
  from?: string;
  until?: string;
  /** Resume a list from a checkpointed token; the other selection parameters are then ignored. */
  resumptionToken?: string;
  signal?: AbortSignal;
}

export interface OaiHarvestPage {
  records: OaiRecord[];
  deleted: OaiHeader[];
  /** Records skipped because of missing or bad fields. */
  errors: OaiRecordError[];
  /** The token for the next page; null on the last page. */
  resumptionToken: string | null;
  cursor: number | null;
  completeListSize: number | null;
  responseDate: string | null;
  /** The latest datestamp on this page (records and deletions), for a `from` checkpoint. */
  maxDatestamp: string | null;
  /** The request that produced the page (for logs). */
  url: string;
}

/** An OAI-PMH protocol error other than `noRecordsMatch`, or a page that could not be parsed. */
export class OaiProtocolError extends Error {
  override readonly name = "OaiProtocolError";
  constructor(
    message: string,
    /** The first OAI error code (e.g. `badResumptionToken`), or `malformed`. */
    readonly code: string,
    readonly errors: OaiError[],
    readonly url: string,
  ) {
    super(message);
  }
}

export class OaiClient {
  readonly http: PoliteHttp;
  readonly baseUrl: string;

  constructor(opts: OaiClientOptions = {}) {
    this.http = opts.http ?? new PoliteHttp(opts);
    this.baseUrl = opts.baseUrl ?? DEFAULT_OAI_URL;
  }

  /** Builds the ListRecords URL; with a token, only the token is sent (OAI-PMH 2.0, 3.5). */
  listRecordsUrl(params: ListRecordsParams, token: string | null): string {
    const url = new URL(this.baseUrl);
    url.searchParams.set("verb", "ListRecords");
    if (token !== null) {
      url.searchParams.set("resumptionToken", token);
      return url.toString();
    }
    url.searchParams.set("metadataPrefix", params.metadataPrefix ?? "arXiv");
    if (params.set) url.searchParams.set("set", params.set);
    if (params.from) url.searchParams.set("from", params.from);
    if (params.until) url.searchParams.set("until", params.until);
    return url.toString();
  }

  /**
   * Yields every page of a ListRecords request. Ends after the page without a token, or at
   * once when nothing matches (`noRecordsMatch` is an empty list, not a failure). Throws
   * `OaiProtocolError` for other OAI errors (e.g. `badResumptionToken`: restart from the
   * datestamp checkpoint) and for pages still broken after retries; `HttpError` when the
   * server keeps failing.
   */
  async *listRecords(params: ListRecordsParams = {}): AsyncGenerator<OaiHarvestPage, void, undefined> {
    const prefix = params.metadataPrefix ?? "arXiv";
    let token: string | null = params.resumptionToken ?? null;
    const seenTokens = new Set<string>();
    for (;;) {
      const url = this.listRecordsUrl(params, token);
      // Pages run to megabytes: the parse done to decide on a retry is kept and reused.
      let last: { body: string; page: OaiPage } | null = null;
      const parse = (body: string): OaiPage => {
        if (last?.body !== body) last = { body, page: parseOaiListRecords(body, prefix) };
        return last.page;
      };
      const res = await this.http.get(url, {
        signal: params.signal,
        // A cut-off page is usually a dropped connection: worth another (spaced) try.
        retryOnBody: (r) => {
          const p = parse(r.body);
          return !p.ok && p.kind === "malformed" ? p.message : null;
        },
      });
      const page = parse(res.body);
      if (!page.ok) {
        if (page.kind === "malformed") {
          throw new OaiProtocolError(`OAI response is not usable (HTTP ${res.status}): ${page.message}`, "malformed", [], url);
        }
        if (page.errors.some((e) => e.code === "noRecordsMatch")) return;
        const first = page.errors[0];
        throw new OaiProtocolError(
          `OAI error ${page.errors.map((e) => `${e.code}: ${e.message}`).join("; ")}`,
          first?.code ?? "unknown",
          page.errors,
          url,
        );
      }
      const next = page.resumptionToken?.token ?? null;
      yield {
        records: page.records,
        deleted: page.deleted,
        errors: page.errors,
        resumptionToken: next,
        cursor: page.resumptionToken?.cursor ?? null,
        completeListSize: page.resumptionToken?.completeListSize ?? null,
        responseDate: page.responseDate,
        maxDatestamp: maxDatestamp(page.records.map((r) => r.header).concat(page.deleted)),
        url,
      };
      if (next === null) return;
      // A server handing back a token it already gave would otherwise loop for ever.
      if (seenTokens.has(next)) throw new OaiProtocolError(`resumption token ${next} repeated`, "repeatedToken", [], url);
      seenTokens.add(next);
      token = next;
    }
  }
}

function maxDatestamp(headers: OaiHeader[]): string | null {
  let max: string | null = null;
  for (const h of headers) if (max === null || h.datestamp > max) max = h.datestamp;
  return max;
}
