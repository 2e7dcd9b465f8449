import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { ArxivFixtureServer, arxivFixture } from "../../test/arxiv.fixture-server.js";
import { HttpError } from "../web/errors.js";
import { ArxivApiClient, PoliteHttp } from "./arxiv.client.js";
import { arxivFetchUnknown, isNewAnnouncement } from "./arxiv.service.js";

const server = new ArxivFixtureServer();
let fetchUnknown: ReturnType<typeof arxivFetchUnknown>;
before(async () => {
  await server.start();
  const http = new PoliteHttp({ minIntervalMs: 1, backoffBaseMs: 1, maxAttempts: 2, timeoutMs: 2000 });
  fetchUnknown = arxivFetchUnknown(new ArxivApiClient({ baseUrl: server.apiUrl, http }));
});
after(() => server.close());

it("a submitted paper we do not hold is fetched with its metadata", async () => {
  server.enqueue({ kind: "body", body: arxivFixture("api-two-papers.xml"), contentType: "application/atom+xml" });
  const paper = await fetchUnknown("2507.00022");
  assert.ok(paper);
  assert.equal(paper.arxivId, "2507.00022");
  assert.ok(paper.title.length > 0);
  assert.ok(paper.categories.length > 0);
  assert.equal(server.requests.at(-1)?.query.id_list, "2507.00022");
});

it("an id arXiv does not know gives null", async () => {
  assert.equal(await fetchUnknown("2501.99999"), null);
});

it("a withdrawn paper and an unavailable arXiv are errors with a message", async () => {
  await assert.rejects(fetchUnknown("1504.01234"), (e: unknown) => e instanceof HttpError && e.statusCode === 409 && /withdrawn/.test(e.message));
  server.enqueue({ kind: "status", status: 503, retryAfter: "0" }, { kind: "status", status: 503, retryAfter: "0" });
  await assert.rejects(fetchUnknown("2501.00001"), (e: unknown) => e instanceof HttpError && e.statusCode === 503 && /try again/.test(e.message));
});

it("new announcements: version 1 first submitted within a week of the datestamp", () => {
  const p = (first: string, version = 1) => ({ arxivId: "x", version, title: "t", abstract: "a", authors: ["a"], categories: ["cs.LG"], comment: null, journalRef: null, doi: null, firstVersionAt: new Date(first), latestVersionAt: new Date(first) });
  assert.equal(isNewAnnouncement(p("2025-06-30T10:00:00Z"), "2025-07-01"), true);
  assert.equal(isNewAnnouncement(p("2025-06-20T10:00:00Z"), "2025-07-01"), false);
  assert.equal(isNewAnnouncement(p("2025-06-30T10:00:00Z", 2), "2025-07-01"), false);
});
