/**
 * Polite HTTP access to arXiv, and the arXiv API client built on it.
 *
 * arXiv asks machines for at most one request every 3 seconds, one connection at a time,
 * and uses HTTP 503 with `Retry-After` to slow clients down. `PoliteHttp` enforces that for
 * every request made through one instance: requests are serialised, each starts at least
 * `minIntervalMs` after the previous one finished, each has a timeout, and 503/429, other
 * 5xx, timeouts and network errors are retried with exponential backoff and jitter.
 * Share one instance between the API and OAI clients of a process so that they are polite
 * together. Time is injected (`Clock`) so tests do not wait.
 */
import { parseArxivId } from "../papers/arxiv-id.js";
import type { PaperRecord } from "../papers/paper.js";
import { parseArxivApiFeed } from "./arxiv-api.parse.js";

export interface Clock {
  /** Milliseconds, monotonic enough for spacing requests. */
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const t = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = () => {
        clearTimeout(t);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

export const DEFAULT_USER_AGENT = "DailyPapers/0.1 (self-hosted arXiv paper reader; metadata harvester)";

export interface PoliteHttpOptions {
  /** Minimum gap between the end of one request and the start of the next. Default 3000. */
  minIntervalMs?: number;
  /** Per-attempt timeout, headers and body included. Default 30000. */
  timeoutMs?: number;
  /** Attempts per request, the first included. Default 5. */
  maxAttempts?: number;
  /** First backoff delay; doubled on each retry, plus up to 100% jitter. Default 5000. */
  backoffBaseMs?: number;
  /** Cap on any single wait, including a server's Retry-After. Default 300000 (5 min). */
  maxDelayMs?: number;
  /** Sent on every request; operators should add a contact (URL or email). */
  userAgent?: string;
  clock?: Clock;
  /** [0, 1) source for jitter. */
  random?: () => number;
  fetch?: typeof globalThis.fetch;
  /** Observability hook: called before each retry wait. */
  onRetry?: (event: RetryEvent) => void;
}

export interface RetryEvent {
  url: string;
  attempt: number;
  reason: string;
  delayMs: number;
}

export interface HttpResponse {
  url: string;
  status: number;
  headers: Headers;
  body: string;
  attempts: number;
}

export interface GetOptions {
  signal?: AbortSignal;
  /**
   * A response that looks successful but asks to be retried (e.g. arXiv's "Rate exceeded."
   * body, or a truncated page). If still true after the last attempt, that response is returned.
   */
  retryOnBody?: (res: HttpResponse) => string | null;
}

/** A request that failed for good: a retryable failure on every attempt. */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    message: string,
    readonly url: string,
    readonly kind: "status" | "timeout" | "network",
    readonly status: number | null,
    readonly attempts: number,
  ) {
    super(message);
  }
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; null if absent/unusable. */
export function parseRetryAfter(value: string | null, nowMs: number = Date.now()): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - nowMs);
}

type Attempt = { ok: true; res: HttpResponse } | { ok: false; reason: string; kind: HttpError["kind"]; status: number | null; retryAfterMs: number | null };

export class PoliteHttp {
  readonly minIntervalMs: number;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  readonly maxDelayMs: number;
  readonly userAgent: string;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly fetchFn: typeof globalThis.fetch;
  private readonly onRetry?: (event: RetryEvent) => void;
  /** Tail of the queue of requests: each waits for the previous one to finish. */
  private queue: Promise<unknown> = Promise.resolve();
  private lastFinishedAt: number | null = null;

  constructor(opts: PoliteHttpOptions = {}) {
    this.minIntervalMs = opts.minIntervalMs ?? 3000;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 5);
    this.backoffBaseMs = opts.backoffBaseMs ?? 5000;
    this.maxDelayMs = opts.maxDelayMs ?? 300_000;
    this.userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
    this.fetchFn = opts.fetch ?? globalThis.fetch;
    this.onRetry = opts.onRetry;
  }

  /** GETs `url` as text, politely; resolves with any non-retryable response (4xx included). */
  get(url: string, opts: GetOptions = {}): Promise<HttpResponse> {
    const run = this.queue.then(() => this.withRetries(url, opts));
    // The next request waits for this one whether it succeeds or fails.
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async withRetries(url: string, opts: GetOptions): Promise<HttpResponse> {
    let extraWait = 0;
    for (let attempt = 1; ; attempt++) {
      await this.waitTurn(extraWait, opts.signal);
      let result: Attempt;
      try {
        result = await this.attempt(url, attempt, opts.signal);
      } finally {
        this.lastFinishedAt = this.clock.now();
      }
      if (result.ok) {
        const why = opts.retryOnBody?.(result.res) ?? null;
        if (why === null || attempt >= this.maxAttempts) return result.res;
        result = { ok: false, reason: why, kind: "status", status: result.res.status, retryAfterMs: parseRetryAfter(result.res.headers.get("retry-after")) };
      }
      if (attempt >= this.maxAttempts) {
        throw new HttpError(`GET ${url} failed after ${attempt} attempts: ${result.reason}`, url, result.kind, result.status, attempt);
      }
      // Exponential backoff with jitter, so that restarted harvesters do not retry in step;
      // a server's Retry-After is a floor, as it knows best when it will be ready.
      const backoff = this.backoffBaseMs * 2 ** (attempt - 1) * (1 + this.random());
      extraWait = Math.min(this.maxDelayMs, Math.max(backoff, result.retryAfterMs ?? 0));
      this.onRetry?.({ url, attempt, reason: result.reason, delayMs: extraWait });
    }
  }

  /** Sleeps until both the spacing since the last request and `extraWait` have passed. */
  private async waitTurn(extraWait: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    // Both the spacing and a retry's backoff count from the end of the previous attempt.
    const required = Math.max(this.minIntervalMs, extraWait);
    const since = this.lastFinishedAt === null ? Infinity : this.clock.now() - this.lastFinishedAt;
    const wait = required - since;
    if (wait > 0) await this.clock.sleep(wait, signal);
  }

  private async attempt(url: string, attempt: number, signal?: AbortSignal): Promise<Attempt> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error("timeout")), this.timeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const r = await this.fetchFn(url, {
        headers: { "user-agent": this.userAgent, accept: "application/atom+xml, application/xml, text/xml;q=0.9, */*;q=0.1" },
        signal: controller.signal,
        redirect: "follow",
      });
      const body = await r.text();
      const res: HttpResponse = { url, status: r.status, headers: r.headers, body, attempts: attempt };
      if (r.status === 503 || r.status === 429 || r.status >= 500) {
        return { ok: false, reason: `HTTP ${r.status}`, kind: "status", status: r.status, retryAfterMs: parseRetryAfter(r.headers.get("retry-after")) };
      }
      return { ok: true, res };
    } catch (e) {
      // The caller's own cancellation is not a failure to retry.
      if (signal?.aborted) throw signal.reason ?? e;
      if (controller.signal.aborted) {
        return { ok: false, reason: `timed out after ${this.timeoutMs} ms`, kind: "timeout", status: null, retryAfterMs: null };
      }
      const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : "";
      return { ok: false, reason: `${e instanceof Error ? e.message : String(e)}${cause}`, kind: "network", status: null, retryAfterMs: null };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// arXiv API client

export const DEFAULT_ARXIV_API_URL = "http://export.arxiv.org/api/query";

export interface ArxivApiClientOptions extends PoliteHttpOptions {
  baseUrl?: string;
  /** Ids per request (the API's `max_results` is set to match). Default 50. */
  batchSize?: number;
  /** Use an existing PoliteHttp (shared spacing with other clients); overrides the options above. */
  http?: PoliteHttp;
}

export interface FetchByIdResult {
  papers: PaperRecord[];
  withdrawn: Array<{ paper: PaperRecord; notice: string }>;
  /** Entries arXiv returned that could not be used. */
  rejected: Array<{ id: string | null; reason: string }>;
  /** Inputs that are not arXiv ids (never sent). */
  invalid: Array<{ input: string; reason: string }>;
  /** Valid ids arXiv returned nothing usable for (unknown ids). */
  missingIds: string[];
}

/** The API said no (error entry), answered garbage, or kept throttling. */
export class ArxivApiError extends Error {
  override readonly name = "ArxivApiError";
  constructor(
    message: string,
    readonly kind: "api-error" | "malformed" | "rate-limited" | "http-status",
    readonly url: string,
  ) {
    super(message);
  }
}

export class ArxivApiClient {
  readonly http: PoliteHttp;
  readonly baseUrl: string;
  readonly batchSize: number;

  constructor(opts: ArxivApiClientOptions = {}) {
    this.http = opts.http ?? new PoliteHttp(opts);
    this.baseUrl = opts.baseUrl ?? DEFAULT_ARXIV_API_URL;
    this.batchSize = Math.max(1, Math.min(opts.batchSize ?? 50, 2000));
  }

  /**
   * Fetches the latest metadata of papers by id (any form `parseArxivId` accepts; versions are
   * dropped so the latest version comes back). Throws `ArxivApiError` or `HttpError` when a
   * request fails for good; results of earlier batches are then lost, so keep batches small
   * or call per batch when that matters.
   */
  async fetchById(ids: readonly string[], opts: { signal?: AbortSignal } = {}): Promise<FetchByIdResult> {
    const result: FetchByIdResult = { papers: [], withdrawn: [], rejected: [], invalid: [], missingIds: [] };
    const wanted: string[] = [];
    for (const input of ids) {
      const p = parseArxivId(input);
      if (!p.ok) result.invalid.push({ input, reason: p.reason });
      else if (!wanted.includes(p.id)) wanted.push(p.id);
    }
    const found = new Set<string>();
    for (let i = 0; i < wanted.length; i += this.batchSize) {
      const batch = wanted.slice(i, i + this.batchSize);
      const url = new URL(this.baseUrl);
      url.searchParams.set("id_list", batch.join(","));
      url.searchParams.set("start", "0");
      url.searchParams.set("max_results", String(batch.length));
      const res = await this.http.get(url.toString(), {
        signal: opts.signal,
        retryOnBody: (r) => (/^\s*Rate exceeded/i.test(r.body) ? "rate exceeded" : null),
      });
      const feed = parseArxivApiFeed(res.body);
      if (!feed.ok) {
        throw new ArxivApiError(`arXiv API ${feed.kind} (HTTP ${res.status}): ${feed.message}`, feed.kind, res.url);
      }
      if (res.status >= 400) throw new ArxivApiError(`arXiv API answered HTTP ${res.status}`, "http-status", res.url);
      for (const e of feed.entries) {
        if (e.kind === "rejected") result.rejected.push({ id: e.id, reason: e.reason });
        else if (e.kind === "withdrawn") result.withdrawn.push({ paper: e.paper, notice: e.notice });
        else result.papers.push(e.paper);
        if (e.kind !== "rejected") found.add(e.paper.arxivId);
      }
    }
    result.missingIds = wanted.filter((id) => !found.has(id));
    return result;
  }
}
