/**
 * A stand-in for arXiv on 127.0.0.1 (random port) serving the recorded responses in
 * test/fixtures/arxiv by query parameters, for tests of the real HTTP clients:
 * - `/api/query?id_list=...`: by id list (unknown lists get the empty feed);
 * - `/oai?verb=ListRecords&...`: page 1 / page 2 by resumption token, arXivRaw by prefix,
 *   `noRecordsMatch` for `from=2030-01-01`, `badArgument` for an unparseable `from`,
 *   the broken page for `set=broken`, `badResumptionToken` for unknown tokens.
 * Tests can script the next answers (`enqueue`): a status with `Retry-After`, a hang (no
 * answer, for timeouts) or a given body. Every request is recorded with its arrival time.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { Clock } from "../src/ingest/arxiv.client.js";

const FIXTURES = new URL("./fixtures/arxiv/", import.meta.url);

export function arxivFixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), "utf8");
}

export type ScriptedAnswer =
  | { kind: "status"; status: number; retryAfter?: string; body?: string }
  | { kind: "hang" }
  | { kind: "body"; body: string; status?: number; contentType?: string };

export interface RecordedRequest {
  /** performance.now() on arrival. */
  at: number;
  path: string;
  query: Record<string, string>;
  userAgent: string | undefined;
}

const API_BY_ID_LIST: Record<string, string> = {
  "2507.00022,hep-th/9711200": "api-two-papers.xml",
  "1309.119": "api-error.xml",
  "1504.01234": "api-withdrawn.xml",
};

const OAI_TOKENS: Record<string, string> = { "7093551|1001": "oai-arxiv-page2.xml" };

export class ArxivFixtureServer {
  readonly requests: RecordedRequest[] = [];
  private readonly script: ScriptedAnswer[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private server: Server | null = null;
  baseUrl = "";

  /** The next answers, in order, before normal routing resumes. */
  enqueue(...answers: ScriptedAnswer[]): void {
    this.script.push(...answers);
  }

  get apiUrl(): string {
    return `${this.baseUrl}/api/query`;
  }

  get oaiUrl(): string {
    return `${this.baseUrl}/oai`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", this.baseUrl);
    const query = Object.fromEntries(url.searchParams);
    this.requests.push({ at: performance.now(), path: url.pathname, query, userAgent: req.headers["user-agent"] });

    const scripted = this.script.shift();
    if (scripted) {
      if (scripted.kind === "hang") {
        this.hanging.add(res);
        return;
      }
      if (scripted.kind === "status") {
        const headers: Record<string, string> = { "content-type": "text/plain" };
        if (scripted.retryAfter !== undefined) headers["retry-after"] = scripted.retryAfter;
        res.writeHead(scripted.status, headers).end(scripted.body ?? `HTTP ${scripted.status}`);
        return;
      }
      res.writeHead(scripted.status ?? 200, { "content-type": scripted.contentType ?? "text/xml" }).end(scripted.body);
      return;
    }

    if (url.pathname === "/api/query") return this.xml(res, API_BY_ID_LIST[query.id_list ?? ""] ?? "api-empty.xml");
    if (url.pathname === "/oai") return this.xml(res, this.routeOai(query));
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  }

  private routeOai(q: Record<string, string>): string {
    if (q.verb !== "ListRecords") return "oai-error-badargument.xml";
    if (q.resumptionToken !== undefined) return OAI_TOKENS[q.resumptionToken] ?? "oai-error-badtoken.xml";
    if (q.from !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(q.from)) return "oai-error-badargument.xml";
    if (q.from === "2030-01-01") return "oai-error-norecords.xml";
    if (q.set === "broken") return "oai-broken.xml";
    if (q.metadataPrefix === "arXivRaw") return "oai-arxivraw.xml";
    if (q.metadataPrefix === "arXiv") return "oai-arxiv-page1.xml";
    return "oai-error-badargument.xml";
  }

  private xml(res: ServerResponse, fixture: string): void {
    res.writeHead(200, { "content-type": "text/xml; charset=utf-8" }).end(arxivFixture(fixture));
  }
}

export async function startArxivFixtureServer(): Promise<ArxivFixtureServer> {
  return new ArxivFixtureServer().start();
}

/** Virtual time: sleeps return at once and are recorded, so politeness is checked without waiting. */
export class FakeClock implements Clock {
  t = 0;
  readonly sleeps: number[] = [];
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(Math.round(ms));
    this.t += ms;
  }
}
