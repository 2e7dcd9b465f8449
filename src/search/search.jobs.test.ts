import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import { eachDatabase } from "../../test/databases.js";
import { FEED_FIXTURES, testApp } from "../../test/app.js";
import type { AppContext } from "../context.js";
import { importFiles } from "../ingest/import.js";
import { enqueue, pendingJobs } from "../jobs/jobs.queries.js";
import { Worker } from "../jobs/worker.js";
import { FIRST_MODEL_JOB, FIRST_MODEL_MIN_PAPERS, queueFirstModel, searchJobHandlers } from "./search.jobs.js";

eachDatabase("the first search model", (t) => {
  let app: FastifyInstance;
  let ctx: AppContext;
  let dataDir: string;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "dp-first-model-"));
    ({ app, ctx } = await testApp(t(), { DATA_DIR: dataDir }));
    await importFiles(t().db, FEED_FIXTURES);
  });
  after(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("is not queued for a database with too few papers, nor with a pretrained model", async () => {
    assert.ok(FIRST_MODEL_MIN_PAPERS > 6);
    assert.equal(await queueFirstModel(ctx), false);
    const dir = mkdtempSync(join(tmpdir(), "dp-first-model-pre-"));
    const { app: other, ctx: pretrained } = await testApp(t(), { DATA_DIR: dir, MODEL_DIR: resolve("../shared/data/model2vec-test-models/test-model-float32") });
    try {
      assert.equal(await queueFirstModel(pretrained, 1), false);
    } finally {
      await other.close();
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal((await pendingJobs(ctx.db, FIRST_MODEL_JOB)).length, 0);
  });

  it("is trained by the worker in a child process, and this process then searches by meaning", async () => {
    assert.equal((await ctx.search.status()).mode, "keyword");
    const logged: string[] = [];
    const worker = new Worker(ctx.db, { handlers: searchJobHandlers(ctx, (m) => logged.push(m), { firstModelMinPapers: 5 }) });
    // The snapshot check queues the training once the database holds enough papers; the
    // same drain then runs it.
    await enqueue(ctx.db, "search-refresh", {});
    // Queued and not yet run: the results say ranking by meaning is on its way.
    assert.equal(await queueFirstModel(ctx, 5), true);
    assert.match((await app.inject("/search?q=gaussian+splatting")).body, /keyword ranking \(ranking by meaning joins in a few minutes: the search model is training on this archive\)/);
    assert.equal(await worker.drain(), 2);
    assert.ok(existsSync(join(dataDir, "search", "model", "model.safetensors")), logged.join("\n"));
    const status = await ctx.search.status();
    assert.equal(status.mode, "hybrid");
    assert.equal(status.vectors, 6);
    const res = await app.inject("/search?q=gaussian+splatting");
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /keyword and semantic ranking/);
    // Once only: a model exists now.
    assert.equal(await queueFirstModel(ctx, 1), false);
    await enqueue(ctx.db, "search-refresh", {});
    assert.equal(await worker.drain(), 1);
    assert.equal((await ctx.db.selectFrom("jobs").select("id").where("name", "=", FIRST_MODEL_JOB).execute()).length, 1);
  });
});
