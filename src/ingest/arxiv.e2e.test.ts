/**
 * The live-arXiv paths end to end, against the local stand-in for arXiv: a submission of a
 * paper we do not hold fetches it through the real API client, and the scheduled harvest runs
 * as a job through the worker.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { eachDatabase } from "../../test/databases.js";
import { testApp } from "../../test/app.js";
import { ArxivFixtureServer, arxivFixture } from "../../test/arxiv.fixture-server.js";
import type { AppContext } from "../context.js";
import { Client, makeUser } from "../community/testing.js";
import { enqueue } from "../jobs/jobs.queries.js";
import { jobHandlers } from "../jobs/handlers.js";
import { recurringJobs } from "../jobs/schedule.js";
import { Worker } from "../jobs/worker.js";
import { findPaperByArxivId } from "../papers/papers.queries.js";

const NOW = new Date("2025-06-20T15:00:00.000Z");

eachDatabase("arXiv end to end", (t) => {
  const arxiv = new ArxivFixtureServer();
  let app: FastifyInstance;
  let ctx: AppContext;
  before(async () => {
    await arxiv.start();
    ({ app, ctx } = await testApp(
      t(),
      { ARXIV_API_URL: arxiv.apiUrl, ARXIV_OAI_URL: arxiv.oaiUrl, ARXIV_INTERVAL_MS: "1", HARVEST_CATEGORIES: "cs.LG", AUTO_FEED: "true" },
      { now: () => NOW },
    ));
  });
  after(async () => {
    await app.close();
    await arxiv.close();
  });

  it("submitting an unknown paper fetches it from arXiv, stores it and features it", async () => {
    const alice = await makeUser(t().db, { username: "alice" });
    const c = await new Client(app).signInAs(t().db, alice.id);
    arxiv.enqueue({ kind: "body", body: arxivFixture("api-two-papers.xml"), contentType: "application/atom+xml" });
    const res = await c.post("/api/submissions", { paper: "https://arxiv.org/abs/2507.00022v1" }, { json: true });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().paper.id, "2507.00022");
    assert.equal(res.json().paper.submittedOnDailyBy.user, "alice");
    const stored = await findPaperByArxivId(t().db, "2507.00022");
    assert.ok(stored);
    assert.equal(stored.first_version_at, "2025-06-16T09:12:44.000Z");
  });

  it("withdrawn and unknown papers get a clear message, nothing is stored", async () => {
    const bob = await makeUser(t().db, { username: "bob" });
    const c = await new Client(app).signInAs(t().db, bob.id);
    const withdrawn = await c.post("/api/submissions", { paper: "1504.01234" }, { json: true });
    assert.equal(withdrawn.statusCode, 409);
    assert.match(withdrawn.json().error, /withdrawn/);
    const unknown = await c.post("/api/submissions", { paper: "2506.99999" }, { json: true });
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.json().error, /arXiv has no paper 2506.99999/);
    assert.equal(await findPaperByArxivId(t().db, "1504.01234"), undefined);
  });

  it("the scheduled harvest is a recurring job that stores papers (arXivRaw, exact versions)", async () => {
    const harvestJob = recurringJobs(ctx).find((j) => j.name === "harvest");
    assert.equal(harvestJob?.cron, "30 */4 * * *");
    assert.deepEqual(harvestJob.payload(NOW), { categories: ["cs.LG"] });
    await enqueue(t().db, "harvest", harvestJob.payload(NOW), {}, NOW);
    const { harvest } = jobHandlers(ctx, () => {});
    const worker = new Worker(t().db, { handlers: { harvest }, now: () => NOW });
    assert.equal(await worker.drain(), 1);
    const job = await t().db.selectFrom("jobs").selectAll().where("name", "=", "harvest").executeTakeFirstOrThrow();
    assert.ok(job.done_at, job.last_error ?? "");
    const paper = await findPaperByArxivId(t().db, "2506.22871");
    assert.ok(paper, "the harvested paper is stored");
    assert.equal(paper.version, 3);
    // A third version is an update, not a new announcement: it does not enter the feed.
    const entry = await t().db.selectFrom("daily_entries").selectAll().where("paper_id", "=", paper.id).executeTakeFirst();
    assert.equal(entry, undefined);
    const state = await t().db.selectFrom("harvest_state").selectAll().executeTakeFirstOrThrow();
    assert.deepEqual([state.set_spec, state.last_datestamp], ["cs:cs:LG", "2025-07-01"]);
  });
});
