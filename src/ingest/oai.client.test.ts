import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ArxivFixtureServer, FakeClock, arxivFixture } from "../../test/arxiv.fixture-server.js";
import { ArxivApiClient, HttpError, PoliteHttp } from "./arxiv.client.js";
import { OaiClient, OaiProtocolError, type ListRecordsParams, type OaiHarvestPage } from "./oai.client.js";

let server: ArxivFixtureServer;
before(async () => {
  server = await new ArxivFixtureServer().start();
});
after(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

function client(opts: ConstructorParameters<typeof OaiClient>[0] = {}) {
  const clock = new FakeClock();
  return { c: new OaiClient({ baseUrl: server.oaiUrl, clock, random: () => 0, backoffBaseMs: 1000, timeoutMs: 2000, ...opts }), clock };
}

async function collect(c: OaiClient, params: ListRecordsParams): Promise<OaiHarvestPage[]> {
  const pages: OaiHarvestPage[] = [];
  for await (const p of c.listRecords(params)) pages.push(p);
  return pages;
}

describe("OaiClient.listRecords against the fixture server", () => {
  it("follows the resumption token across two pages, yielding checkpoints", async () => {
    const { c, clock } = client();
    const pages = await collect(c, { set: "cs", from: "2025-07-01", metadataPrefix: "arXiv" });
    assert.equal(pages.length, 2);

    const [p1, p2] = pages;
    assert.deepEqual(p1.records.map((r) => r.paper.arxivId), ["2506.22556"]);
    assert.deepEqual(p1.deleted.map((d) => d.arxivId), ["2506.20001"]);
    assert.equal(p1.resumptionToken, "7093551|1001");
    assert.equal(p1.cursor, 0);
    assert.equal(p1.completeListSize, 4);
    assert.equal(p1.responseDate, "2025-07-02T06:00:01Z");
    assert.equal(p1.maxDatestamp, "2025-07-01");

    assert.deepEqual(p2.records.map((r) => r.paper.arxivId), ["2506.23134"]);
    assert.deepEqual(p2.errors.map((e) => [e.arxivId, e.reason]), [["2506.23001", "no <title>"]]);
    assert.equal(p2.resumptionToken, null);
    assert.equal(p2.maxDatestamp, "2025-07-02");

    assert.deepEqual(server.requests.map((r) => r.query), [
      { verb: "ListRecords", metadataPrefix: "arXiv", set: "cs", from: "2025-07-01" },
      // With a token, OAI-PMH forbids the other arguments.
      { verb: "ListRecords", resumptionToken: "7093551|1001" },
    ]);
    assert.deepEqual(clock.sleeps, [3000], "pages are 3 s apart by default");
  });

  it("resumes from a checkpointed token", async () => {
    const { c } = client();
    const pages = await collect(c, { resumptionToken: "7093551|1001" });
    assert.equal(pages.length, 1);
    assert.equal(pages[0].records[0].paper.arxivId, "2506.23134");
  });

  it("harvests the arXivRaw format", async () => {
    const { c } = client();
    const pages = await collect(c, { set: "cs", from: "2025-07-01", metadataPrefix: "arXivRaw" });
    assert.equal(pages.length, 1);
    assert.deepEqual(pages[0].records.map((r) => [r.paper.arxivId, r.paper.version]), [["0704.0002", 2], ["2506.22871", 3]]);
    assert.equal(pages[0].errors.length, 1);
    assert.equal(server.requests[0].query.metadataPrefix, "arXivRaw");
  });

  it("treats noRecordsMatch as an empty list", async () => {
    const { c } = client();
    assert.deepEqual(await collect(c, { set: "cs", from: "2030-01-01" }), []);
    assert.equal(server.requests.length, 1);
  });

  it("throws badResumptionToken for a stale token", async () => {
    const { c } = client();
    await assert.rejects(collect(c, { resumptionToken: "7093551|9999" }), (e: unknown) => {
      assert.ok(e instanceof OaiProtocolError);
      assert.equal(e.code, "badResumptionToken");
      assert.match(e.message, /Invalid or expired resumption token/);
      return true;
    });
  });

  it("throws badArgument with every error the server listed", async () => {
    const { c } = client();
    await assert.rejects(collect(c, { from: "yesterday" }), (e: unknown) => {
      assert.ok(e instanceof OaiProtocolError);
      assert.equal(e.code, "badArgument");
      assert.deepEqual(e.errors.map((x) => x.code), ["badArgument", "cannotDisseminateFormat"]);
      return true;
    });
    assert.equal(server.requests.length, 1, "protocol errors are not retried");
  });

  it("retries a broken page, then fails with a malformed error", async () => {
    const { c, clock } = client({ maxAttempts: 3, minIntervalMs: 0 });
    await assert.rejects(collect(c, { set: "broken" }), (e: unknown) => e instanceof OaiProtocolError && e.code === "malformed" && /invalid XML at line/.test(e.message));
    assert.equal(server.requests.length, 3);
    assert.deepEqual(clock.sleeps, [1000, 2000]);
  });

  it("recovers when a retry of a broken page succeeds", async () => {
    const { c } = client();
    server.enqueue({ kind: "body", body: arxivFixture("oai-broken.xml") });
    const pages = await collect(c, { set: "cs", metadataPrefix: "arXiv" });
    assert.equal(pages.length, 2);
    assert.equal(server.requests.length, 3);
  });

  it("honours 503 Retry-After between pages (arXiv's flow control) and carries on", async () => {
    const { c, clock } = client();
    const gen = c.listRecords({ set: "cs" });
    const first = await gen.next();
    assert.equal(first.done, false);
    server.enqueue({ kind: "status", status: 503, retryAfter: "10" });
    const second = await gen.next();
    assert.equal(second.done, false);
    if (!second.done) assert.equal(second.value.records[0].paper.arxivId, "2506.23134");
    assert.equal((await gen.next()).done, true);
    assert.deepEqual(clock.sleeps, [3000, 10_000]);
    assert.equal(server.requests.length, 3);
  });

  it("gives up with HttpError when the server keeps answering 503", async () => {
    const { c } = client({ maxAttempts: 2 });
    server.enqueue({ kind: "status", status: 503, retryAfter: "1" }, { kind: "status", status: 503, retryAfter: "1" });
    await assert.rejects(collect(c, { set: "cs" }), (e: unknown) => e instanceof HttpError && e.status === 503);
  });

  it("times out a hanging page and retries it", async () => {
    const { c } = client({ timeoutMs: 100, minIntervalMs: 0 });
    server.enqueue({ kind: "hang" });
    const pages = await collect(c, { set: "cs", metadataPrefix: "arXivRaw" });
    assert.equal(pages[0].records.length, 2);
    assert.equal(server.requests.length, 2);
  });

  it("stops if the server hands back a token it already gave", async () => {
    const { c } = client({ minIntervalMs: 0 });
    // Page 1 again for the token request: the same token would loop for ever.
    server.enqueue({ kind: "body", body: arxivFixture("oai-arxiv-page1.xml") }, { kind: "body", body: arxivFixture("oai-arxiv-page1.xml") });
    await assert.rejects(collect(c, { set: "cs" }), (e: unknown) => e instanceof OaiProtocolError && e.code === "repeatedToken");
    assert.equal(server.requests.length, 2);
  });

  it("makes no request until the first page is asked for, and none after the caller stops", async () => {
    const { c } = client();
    const gen = c.listRecords({ set: "cs" });
    assert.equal(server.requests.length, 0);
    await gen.next();
    await gen.return(undefined);
    assert.equal(server.requests.length, 1);
  });

  it("shares politeness with the API client through one PoliteHttp (real clock)", async () => {
    const http = new PoliteHttp({ minIntervalMs: 100 });
    const oai = new OaiClient({ baseUrl: server.oaiUrl, http });
    const api = new ArxivApiClient({ baseUrl: server.apiUrl, http });
    await Promise.all([collect(oai, { set: "cs" }), api.fetchById(["2507.00022"])]);
    assert.equal(server.requests.length, 3);
    const times = server.requests.map((r) => r.at).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 95, `gap ${times[i] - times[i - 1]} ms`);
  });
});
