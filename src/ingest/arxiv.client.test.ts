import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ArxivFixtureServer, FakeClock, arxivFixture } from "../../test/arxiv.fixture-server.js";
import { ArxivApiClient, ArxivApiError, HttpError, PoliteHttp, parseRetryAfter, type RetryEvent } from "./arxiv.client.js";

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

function client(opts: ConstructorParameters<typeof ArxivApiClient>[0] = {}) {
  const clock = new FakeClock();
  const retries: RetryEvent[] = [];
  const c = new ArxivApiClient({
    baseUrl: server.apiUrl,
    clock,
    random: () => 0,
    backoffBaseMs: 1000,
    timeoutMs: 2000,
    onRetry: (e) => retries.push(e),
    ...opts,
  });
  return { c, clock, retries };
}

describe("ArxivApiClient.fetchById against the fixture server", () => {
  it("fetches two papers in one request, with a descriptive User-Agent and explicit max_results", async () => {
    const { c } = client({ userAgent: "DailyPapers-test/1 (mailto:ops@example.org)" });
    const r = await c.fetchById(["2507.00022v1", "https://arxiv.org/abs/hep-th/9711200"]);
    assert.deepEqual(r.papers.map((p) => [p.arxivId, p.version]), [["2507.00022", 1], ["hep-th/9711200", 3]]);
    assert.deepEqual(r.missingIds, []);
    assert.deepEqual(r.invalid, []);
    assert.equal(server.requests.length, 1);
    assert.deepEqual(server.requests[0].query, { id_list: "2507.00022,hep-th/9711200", start: "0", max_results: "2" });
    assert.equal(server.requests[0].userAgent, "DailyPapers-test/1 (mailto:ops@example.org)");
  });

  it("sends a default User-Agent naming the program", async () => {
    const { c } = client();
    await c.fetchById(["2507.99999"]);
    assert.match(server.requests[0].userAgent ?? "", /^DailyPapers\//);
  });

  it("reports unknown ids as missing and bad inputs as invalid without sending them", async () => {
    const { c } = client();
    const r = await c.fetchById(["2507.99999", "not-an-id", "2507.99999v2"]);
    assert.deepEqual(r.papers, []);
    assert.deepEqual(r.missingIds, ["2507.99999"]);
    assert.equal(r.invalid.length, 1);
    assert.equal(r.invalid[0].input, "not-an-id");
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].query.id_list, "2507.99999");

    const none = await c.fetchById(["nope"]);
    assert.equal(none.invalid.length, 1);
    assert.equal(server.requests.length, 1, "no request when no id is valid");
  });

  it("returns withdrawn papers separately", async () => {
    const { c } = client();
    const r = await c.fetchById(["1504.01234"]);
    assert.deepEqual(r.papers, []);
    assert.equal(r.withdrawn.length, 1);
    assert.equal(r.withdrawn[0].paper.arxivId, "1504.01234");
    assert.deepEqual(r.missingIds, []);
  });

  it("splits long id lists into batches", async () => {
    const { c, clock } = client({ batchSize: 2 });
    const r = await c.fetchById(["2507.00022", "2507.00023", "2507.00024"]);
    assert.deepEqual(server.requests.map((q) => q.query.id_list), ["2507.00022,2507.00023", "2507.00024"]);
    assert.deepEqual(r.missingIds, ["2507.00022", "2507.00023", "2507.00024"]);
    assert.deepEqual(clock.sleeps, [3000], "the second batch waited the default 3 s");
  });

  it("throws ArxivApiError for the API's error entry, even on HTTP 400", async () => {
    const { c } = client();
    server.enqueue({ kind: "body", status: 400, body: arxivFixture("api-error.xml") });
    await assert.rejects(c.fetchById(["2507.00022"]), (e: unknown) => {
      assert.ok(e instanceof ArxivApiError);
      assert.equal(e.kind, "api-error");
      assert.match(e.message, /incorrect id format for 1309\.119/);
      return true;
    });
    assert.equal(server.requests.length, 1, "client errors are not retried");
  });

  it("throws ArxivApiError for a non-feed answer", async () => {
    const { c } = client();
    server.enqueue({ kind: "body", status: 404, body: "<html><body>Not Found</body></html>", contentType: "text/html" });
    await assert.rejects(c.fetchById(["2507.00022"]), (e: unknown) => e instanceof ArxivApiError && e.kind === "malformed");
  });
});

describe("PoliteHttp retries and timeouts (arXiv API client)", () => {
  it("retries 503 honouring Retry-After seconds, then succeeds", async () => {
    const { c, clock, retries } = client({ minIntervalMs: 0 });
    server.enqueue({ kind: "status", status: 503, retryAfter: "7" }, { kind: "status", status: 503, retryAfter: "7" });
    const r = await c.fetchById(["1504.01234"]);
    assert.equal(r.withdrawn.length, 1);
    assert.equal(server.requests.length, 3);
    assert.deepEqual(clock.sleeps, [7000, 7000]);
    assert.deepEqual(retries.map((e) => [e.attempt, e.reason]), [[1, "HTTP 503"], [2, "HTTP 503"]]);
  });

  it("backs off exponentially with jitter on other 5xx and gives up after maxAttempts", async () => {
    const { c, clock } = client({ minIntervalMs: 0, maxAttempts: 4, random: () => 0.5 });
    server.enqueue(...Array.from({ length: 4 }, () => ({ kind: "status" as const, status: 502 })));
    await assert.rejects(c.fetchById(["2507.00022"]), (e: unknown) => {
      assert.ok(e instanceof HttpError);
      assert.equal(e.kind, "status");
      assert.equal(e.status, 502);
      assert.equal(e.attempts, 4);
      return true;
    });
    assert.equal(server.requests.length, 4);
    assert.deepEqual(clock.sleeps, [1500, 3000, 6000]);
  });

  it("caps waits at maxDelayMs even when the server asks for longer", async () => {
    const { c, clock } = client({ minIntervalMs: 0, maxDelayMs: 60_000 });
    server.enqueue({ kind: "status", status: 503, retryAfter: "3600" });
    await c.fetchById(["2507.99999"]);
    assert.deepEqual(clock.sleeps, [60_000]);
  });

  it("retries the plain-text 'Rate exceeded.' answer", async () => {
    const { c, retries } = client({ minIntervalMs: 0 });
    server.enqueue({ kind: "body", body: arxivFixture("api-rate-exceeded.txt"), contentType: "text/plain" });
    const r = await c.fetchById(["2507.00022", "hep-th/9711200"]);
    assert.equal(r.papers.length, 2);
    assert.equal(retries[0].reason, "rate exceeded");
  });

  it("times out a hanging request and retries it", async () => {
    const { c, retries } = client({ minIntervalMs: 0, timeoutMs: 150 });
    server.enqueue({ kind: "hang" });
    const started = performance.now();
    const r = await c.fetchById(["1504.01234"]);
    assert.equal(r.withdrawn.length, 1);
    assert.equal(server.requests.length, 2);
    assert.match(retries[0].reason, /timed out after 150 ms/);
    assert.ok(performance.now() - started < 2000);
  });

  it("fails with a timeout HttpError when every attempt hangs", async () => {
    const { c } = client({ minIntervalMs: 0, timeoutMs: 100, maxAttempts: 2 });
    server.enqueue({ kind: "hang" }, { kind: "hang" });
    await assert.rejects(c.fetchById(["2507.00022"]), (e: unknown) => e instanceof HttpError && e.kind === "timeout" && e.attempts === 2);
  });

  it("retries network errors and reports them", async () => {
    const dead = new ArxivFixtureServer();
    await dead.start();
    const url = dead.apiUrl;
    await dead.close(); // nothing listens on that port any more
    const { c, clock } = client({ baseUrl: url, minIntervalMs: 0, maxAttempts: 3 });
    await assert.rejects(c.fetchById(["2507.00022"]), (e: unknown) => e instanceof HttpError && e.kind === "network" && e.attempts === 3);
    assert.deepEqual(clock.sleeps, [1000, 2000]);
  });

  it("stops at once, without retrying, when the caller aborts", async () => {
    const { c } = client({ minIntervalMs: 0, timeoutMs: 5000 });
    server.enqueue({ kind: "hang" });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("shutting down")), 50);
    await assert.rejects(c.fetchById(["2507.00022"], { signal: ac.signal }), /shutting down/);
    assert.equal(server.requests.length, 1);
  });
});

describe("PoliteHttp spacing", () => {
  it("serialises concurrent calls and spaces them by at least minIntervalMs (real clock)", async () => {
    const http = new PoliteHttp({ minIntervalMs: 120 });
    const c = new ArxivApiClient({ baseUrl: server.apiUrl, http });
    await Promise.all([c.fetchById(["2507.00001"]), c.fetchById(["2507.00002"]), c.fetchById(["2507.00003"])]);
    assert.deepEqual(server.requests.map((r) => r.query.id_list), ["2507.00001", "2507.00002", "2507.00003"]);
    const times = server.requests.map((r) => r.at);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 115, `gap ${times[i] - times[i - 1]} ms`);
  });

  it("waits the default 3 s between requests, counted from the end of the previous one", async () => {
    const clock = new FakeClock();
    const c = new ArxivApiClient({ baseUrl: server.apiUrl, clock });
    await c.fetchById(["2507.00001"]);
    clock.t += 1000; // the caller did other work for a second
    await c.fetchById(["2507.00002"]);
    await c.fetchById(["2507.00003"]);
    assert.deepEqual(clock.sleeps, [2000, 3000]);
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates, and ignores garbage", () => {
    assert.equal(parseRetryAfter("120"), 120_000);
    assert.equal(parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT")), 30_000);
    assert.equal(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", Date.parse("Wed, 21 Oct 2015 08:00:00 GMT")), 0);
    assert.equal(parseRetryAfter("soon"), null);
    assert.equal(parseRetryAfter(null), null);
  });
});
