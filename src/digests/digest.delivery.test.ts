import { before, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SMTPServer, type SMTPServerAddress } from "smtp-server";
import type { AppContext } from "../context.js";
import { eachDatabase } from "../../test/databases.js";
import { testApp, TEST_BASE_URL } from "../../test/app.js";
import { importFiles } from "../ingest/import.js";
import { refreshTrendingScores } from "../community/index.js";
import { enqueue } from "../jobs/jobs.queries.js";
import { DIGEST_PLAN_JOB } from "./digest.jobs.js";
import { digestWorker, writeFixture } from "./testing.js";

/** 01:00 in New York on Tuesday 2026-06-30: Monday's feed day has closed. */
const TUESDAY_NIGHT = "2026-06-30T05:00:00.000Z";
const SUBSCRIBERS = 12;
const LEASE_MS = 5 * 60_000;

/**
 * A real SMTP server that counts accepted messages per recipient. `hold` may delay the reply
 * to a message it has already received in full (to kill the sender in that window), `refuse`
 * may answer a recipient with an SMTP error.
 */
async function countingSmtp(opts: { hold?: (n: number) => Promise<void>; refuse?: (rcpt: string) => { code: number; message: string } | null } = {}) {
  const delivered = new Map<string, number>();
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      const r = opts.refuse?.(address.address.toLowerCase());
      if (r) return callback(Object.assign(new Error(r.message), { responseCode: r.code }));
      callback();
    },
    onData(stream, session, callback) {
      stream.on("data", () => {});
      stream.on("end", () => {
        count++;
        for (const r of session.envelope.rcptTo as SMTPServerAddress[]) delivered.set(r.address.toLowerCase(), (delivered.get(r.address.toLowerCase()) ?? 0) + 1);
        (opts.hold?.(count) ?? Promise.resolve()).then(() => callback(), () => callback());
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.server.address();
  if (!addr || typeof addr === "string") throw new Error("no port");
  return { url: `smtp://127.0.0.1:${addr.port}`, delivered, total: () => count, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function addSubscribers(ctx: AppContext, prefix: string, n: number): Promise<void> {
  const now = new Date().toISOString();
  await ctx.db
    .insertInto("digest_subscriptions")
    .values(Array.from({ length: n }, (_, i) => ({ email: `${prefix}${i}@example.org`, user_id: null, frequency: "daily", trending: 1, for_you: 0, topics: 0, authors: 0, status: "active", confirm_token_hash: null, confirm_expires_at: null, created_at: now, confirmed_at: now, updated_at: now })))
    .execute();
}

eachDatabase("digest delivery", (t) => {
  let dataDir: string;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "dp-digest-crash-"));
    await importFiles(t().db, [writeFixture()]);
    await refreshTrendingScores(t().db);
  });

  it("a worker killed mid-send, restarted, sends the rest and nothing twice", async () => {
    let child: ChildProcess | null = null;
    let childExit: Promise<unknown> = Promise.resolve();
    const KILL_AT = 5;
    // The 5th message is received in full; before the server answers "250 accepted", the
    // worker process is killed: the case where nobody knows whether it was delivered.
    const smtp = await countingSmtp({
      hold: async (n) => {
        if (n === KILL_AT && child) {
          child.kill("SIGKILL");
          await childExit;
        }
      },
    });
    const { app, ctx } = await testApp(t(), { SMTP_URL: smtp.url, DATA_DIR: dataDir });
    try {
      await addSubscribers(ctx, "crash", SUBSCRIBERS);
      await enqueue(ctx.db, DIGEST_PLAN_JOB, { at: TUESDAY_NIGHT }, {}, new Date());
      const target = t().target;
      child = spawn(process.execPath, ["--import", "tsx", "src/digests/testing.crash-worker.ts"], {
        env: { ...process.env, DATABASE_URL: target.kind === "sqlite" ? target.path : target.url, SMTP_URL: smtp.url, BASE_URL: TEST_BASE_URL, DATA_DIR: dataDir, LOG_LEVEL: "silent", IMPORT_SAMPLE: "false" },
        stdio: ["ignore", "ignore", "inherit"],
      });
      childExit = new Promise((resolve) => child!.once("exit", resolve));
      const signal = await childExit.then(() => child!.signalCode);
      assert.equal(signal, "SIGKILL", "the worker was killed mid-run");
      assert.equal(smtp.total(), KILL_AT);
      const mid = await ctx.db.selectFrom("digest_sends").select(["status"]).execute();
      assert.equal(mid.filter((r) => r.status === "sending").length, 1, "one send was in flight");

      // A new worker, once the dead one's lease has expired.
      const later = () => new Date(Date.now() + LEASE_MS + 60_000);
      await digestWorker(ctx, { now: later }).drain();
      assert.equal(smtp.total(), SUBSCRIBERS, "the rest were sent");
      for (let i = 0; i < SUBSCRIBERS; i++) assert.equal(smtp.delivered.get(`crash${i}@example.org`), 1, `crash${i} got exactly one digest`);
      const rows = await ctx.db.selectFrom("digest_sends").select(["status"]).execute();
      assert.equal(rows.filter((r) => r.status === "sent").length, SUBSCRIBERS - 1);
      assert.equal(rows.filter((r) => r.status === "unknown").length, 1, "the interrupted one is recorded as unknown, not resent");
      // And again: nothing more.
      await enqueue(ctx.db, DIGEST_PLAN_JOB, { at: TUESDAY_NIGHT }, {}, new Date());
      await digestWorker(ctx, { now: later }).drain();
      assert.equal(smtp.total(), SUBSCRIBERS);
    } finally {
      await app.close();
      await ctx.mailer.close();
      await smtp.close();
      await ctx.db.deleteFrom("digest_subscriptions").execute();
      await ctx.db.deleteFrom("jobs").execute();
    }
  });

  it("retries a temporary refusal with backoff, bounces a permanent one", async () => {
    let refusals = 0;
    const smtp = await countingSmtp({
      refuse: (rcpt) => {
        if (rcpt === "busy0@example.org" && refusals++ === 0) return { code: 451, message: "4.3.0 try again later" };
        if (rcpt === "busy1@example.org") return { code: 550, message: "5.1.1 no such mailbox" };
        return null;
      },
    });
    const { app, ctx } = await testApp(t(), { SMTP_URL: smtp.url, DATA_DIR: dataDir });
    try {
      await addSubscribers(ctx, "busy", 3);
      const start = Date.now();
      // A little later than the plan job enqueues its sends (at the real time).
      let clock = start + 60_000;
      await enqueue(ctx.db, DIGEST_PLAN_JOB, { at: TUESDAY_NIGHT }, {}, new Date(start));
      await digestWorker(ctx, { now: () => new Date(clock) }).drain();
      assert.deepEqual([...smtp.delivered.keys()].sort(), ["busy2@example.org"]);
      const status = async (email: string) =>
        (await ctx.db.selectFrom("digest_sends as d").innerJoin("digest_subscriptions as s", "s.id", "d.subscription_id").select(["d.status", "s.status as sub"]).where("s.email", "=", email).executeTakeFirstOrThrow());
      assert.deepEqual(await status("busy0@example.org"), { status: "retry", sub: "active" });
      assert.deepEqual(await status("busy1@example.org"), { status: "bounced", sub: "bounced" });
      const job = await ctx.db.selectFrom("jobs").selectAll().where("name", "=", "digest-send").where("done_at", "is", null).where("failed_at", "is", null).execute();
      assert.equal(job.length, 1, "only the temporary failure waits for a retry");
      assert.ok(Date.parse(job[0].run_at) > start, "after a backoff");
      clock = Date.parse(job[0].run_at) + 1;
      await digestWorker(ctx, { now: () => new Date(clock) }).drain();
      assert.equal(smtp.delivered.get("busy0@example.org"), 1);
      assert.equal(smtp.delivered.get("busy1@example.org"), undefined);
      assert.deepEqual(await status("busy0@example.org"), { status: "sent", sub: "active" });
    } finally {
      await app.close();
      await ctx.mailer.close();
      await smtp.close();
    }
  });
});
