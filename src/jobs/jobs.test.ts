import { it } from "node:test";
import assert from "node:assert/strict";
import { eachDatabase } from "../../test/databases.js";
import { claimJob, enqueue, pendingJobs } from "./jobs.queries.js";
import { PermanentJobError, retryDelayMs, Worker } from "./worker.js";

eachDatabase("jobs", (t) => {
  it("a unique key enqueues once", async () => {
    const { db } = t();
    assert.equal(await enqueue(db, "x", { a: 1 }, { uniqueKey: "once" }), true);
    assert.equal(await enqueue(db, "x", { a: 2 }, { uniqueKey: "once" }), false);
    assert.equal((await pendingJobs(db, "x")).length, 1);
  });

  it("runs due jobs, retries failures with backoff, gives up after max attempts", async () => {
    const { db } = t();
    let clock = new Date("2026-01-01T00:00:00.000Z");
    const seen: unknown[] = [];
    let failures = 0;
    const worker = new Worker(db, {
      now: () => clock,
      handlers: {
        ok: async (p) => void seen.push(p),
        flaky: async () => {
          failures++;
          throw new Error("smtp 451 try later");
        },
        fatal: async () => {
          throw new PermanentJobError("550 no such mailbox");
        },
      },
    });
    await enqueue(db, "ok", { n: 1 }, {}, clock);
    await enqueue(db, "ok", { n: 2 }, { runAt: new Date("2026-01-02T00:00:00.000Z") }, clock);
    await enqueue(db, "flaky", {}, { maxAttempts: 2 }, clock);
    await enqueue(db, "fatal", {}, {}, clock);
    assert.equal(await worker.drain(), 3);
    assert.deepEqual(seen, [{ n: 1 }]);
    const flaky = (await db.selectFrom("jobs").selectAll().where("name", "=", "flaky").executeTakeFirstOrThrow());
    assert.equal(flaky.run_at, new Date(clock.getTime() + retryDelayMs(1)).toISOString());
    assert.match(flaky.last_error ?? "", /451/);
    const fatal = await db.selectFrom("jobs").selectAll().where("name", "=", "fatal").executeTakeFirstOrThrow();
    assert.ok(fatal.failed_at, "a permanent error is not retried");
    clock = new Date("2026-01-02T00:00:00.000Z");
    assert.equal(await worker.drain(), 2);
    assert.deepEqual(seen, [{ n: 1 }, { n: 2 }]);
    assert.equal(failures, 2);
    const after = await db.selectFrom("jobs").selectAll().where("name", "=", "flaky").executeTakeFirstOrThrow();
    assert.ok(after.failed_at, "gave up after max attempts");
  });

  it("a claimed job is invisible to other workers until its lease expires", async () => {
    const { db } = t();
    const now = new Date("2030-01-01T00:00:00.000Z");
    await enqueue(db, "lease", {}, {}, now);
    const a = await claimJob(db, "a", now, 60_000, ["lease"]);
    assert.ok(a);
    assert.equal(await claimJob(db, "b", now, 60_000, ["lease"]), null);
    const later = new Date(now.getTime() + 61_000);
    const b = await claimJob(db, "b", later, 60_000, ["lease"]);
    assert.equal(b?.id, a.id);
    assert.equal(b?.attempts, 2);
  });

  it("a job that outlasts its lease keeps it while it runs: no other worker takes it over", async () => {
    const { db } = t();
    await enqueue(db, "long", {});
    let began!: () => void;
    const started = new Promise<void>((resolve) => (began = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const worker = new Worker(db, { leaseMs: 300, handlers: { long: async () => { began(); await held; } } });
    const running = worker.runOne();
    await started;
    await new Promise((resolve) => setTimeout(resolve, 800)); // over twice the lease
    assert.equal(await claimJob(db, "other", new Date(), 300, ["long"]), null);
    release();
    assert.equal(await running, true);
    const row = await db.selectFrom("jobs").selectAll().where("name", "=", "long").executeTakeFirstOrThrow();
    assert.ok(row.done_at, "done, by the worker that claimed it");
    assert.equal(row.attempts, 1);
  });

  it("concurrent claimers never take the same job", async () => {
    const { db } = t();
    const now = new Date("2031-01-01T00:00:00.000Z");
    for (let i = 0; i < 20; i++) await enqueue(db, "race", { i }, {}, now);
    const claimed = await Promise.all(Array.from({ length: 30 }, (_, i) => claimJob(db, `w${i}`, now, 60_000, ["race"])));
    const ids = claimed.filter((j) => j !== null).map((j) => j!.id);
    assert.equal(ids.length, 20);
    assert.equal(new Set(ids).size, 20);
  });
});
