/**
 * `dailypapers digest preview|send`: look at a reader's next digest, or run a send now (the
 * same plan and send jobs the schedule runs, drained in this process).
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../config.js";
import { createContext, type AppContext } from "../context.js";
import type { DigestSubscriptionRow } from "../db/schema.js";
import { Worker } from "../jobs/worker.js";
import { latestFeedDay } from "../papers/feed.queries.js";
import { DIGEST_SEND_JOB, digestJobHandlers, DigestRunner, renderSend } from "./digest.jobs.js";
import { closedPeriods, parsePeriod, periodContaining, type DigestPeriod } from "./digest.period.js";
import { digestPaperIds, isEmptyDigest } from "./digest.select.js";
import { UsageError } from "../lib/usage-error.js";


type Out = (line: string) => void;

async function findReader(ctx: AppContext, user?: string, email?: string): Promise<DigestSubscriptionRow> {
  if (!user && !email) throw new UsageError("give --user NAME or --email ADDRESS");
  let q = ctx.db.selectFrom("digest_subscriptions as s").leftJoin("users as u", "u.id", "s.user_id").selectAll("s");
  q = user ? q.where("u.username", "=", user.toLowerCase()) : q.where("s.email", "=", email!.toLowerCase());
  const sub = await q.executeTakeFirst();
  if (sub) return sub;
  if (user) {
    // A user without a subscription: preview what the default choices would give them.
    const u = await ctx.db.selectFrom("users").select(["id", "email"]).where("username", "=", user.toLowerCase()).executeTakeFirst();
    if (!u) throw new UsageError(`there is no user "${user}"`);
    const now = ctx.now().toISOString();
    return { id: 0, email: u.email, user_id: u.id, frequency: "daily", trending: 1, for_you: 1, topics: 1, authors: 1, status: "preview", confirm_token_hash: null, confirm_expires_at: null, created_at: now, confirmed_at: null, updated_at: now };
  }
  throw new UsageError(`no subscription for ${email}`);
}

function readPeriod(value: string | undefined): DigestPeriod | null {
  if (value === undefined) return null;
  const p = parsePeriod(value);
  if (!p) throw new UsageError(`"${value}" is not a period: use day:YYYY-MM-DD or week:YYYY-Www`);
  return p;
}

export async function runDigestCommand(args: string[], out: Out = console.log, makeContext: () => Promise<AppContext> = () => createContext(loadConfig())): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "preview") {
    const { values } = parseArgs({ args: rest, options: { user: { type: "string" }, email: { type: "string" }, period: { type: "string" }, html: { type: "boolean" }, open: { type: "boolean" } } });
    const explicit = readPeriod(values.period);
    const ctx = await makeContext();
    try {
      const reader = await findReader(ctx, values.user, values.email);
      const latest = await latestFeedDay(ctx.db);
      if (!explicit && !latest) throw new UsageError("the feed is empty: there is nothing to preview");
      const period = explicit ?? periodContaining(reader.frequency === "weekly" ? "weekly" : "daily", latest!);
      const runner = new DigestRunner(ctx);
      const digest = await runner.build(reader, period);
      if (isEmptyDigest(digest)) {
        out(`nothing new for ${reader.email} in ${period.key}: no email would be sent`);
        return 0;
      }
      // A preview is not a send: links point at a digest id 0 that does not exist.
      const rendered = await renderSend(ctx, reader, { id: 0, period: period.key }, digest);
      if (values.open) {
        const file = join(tmpdir(), `digest-preview-${process.pid}.html`);
        writeFileSync(file, rendered.html);
        out(`wrote ${file}`);
        const opener = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
        spawn(opener, [file], { detached: true, stdio: "ignore" }).on("error", () => out(`open it in a browser: file://${file}`)).unref();
      } else if (values.html) out(rendered.html);
      else out(`Subject: ${rendered.subject}\nTo: ${reader.email}\n\n${rendered.text}`);
      return 0;
    } finally {
      await ctx.close();
    }
  }
  if (sub === "send") {
    const { values } = parseArgs({ args: rest, options: { "dry-run": { type: "boolean" }, period: { type: "string" }, concurrency: { type: "string" } } });
    const concurrency = values.concurrency === undefined ? 4 : Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError("--concurrency must be a whole number from 1 to 64");
    const explicit = readPeriod(values.period);
    const ctx = await makeContext();
    try {
      const periods = explicit ? [explicit] : closedPeriods(ctx.now(), ctx.config.feedTimeZone);
      if (periods.length === 0) {
        out("no period closed yesterday (weekend): nothing to send; give --period to send one");
        return 0;
      }
      const runner = new DigestRunner(ctx, { log: (m) => out(m) });
      if (values["dry-run"]) {
        for (const period of periods) {
          const subs = await ctx.db.selectFrom("digest_subscriptions").selectAll().where("status", "=", "active").where("frequency", "=", period.frequency).orderBy("id").execute();
          let nonEmpty = 0;
          let papers = 0;
          for (const s of subs) {
            const d = await runner.build(s, period);
            if (!isEmptyDigest(d)) nonEmpty++;
            papers += digestPaperIds(d).length;
          }
          out(`${period.key}: ${subs.length} subscribers, ${nonEmpty} digests would be sent (${papers} papers), ${subs.length - nonEmpty} have nothing new (dry run: nothing sent or recorded)`);
        }
        return 0;
      }
      const planned = await runner.plan(periods);
      const handlers = digestJobHandlers(ctx, (m) => out(m), runner);
      const workers = Array.from({ length: concurrency }, () => new Worker(ctx.db, { handlers: { [DIGEST_SEND_JOB]: handlers[DIGEST_SEND_JOB] }, now: () => ctx.now(), log: (m) => out(m) }));
      await Promise.all(workers.map((w) => w.drain()));
      for (const period of periods) {
        const rows = await ctx.db.selectFrom("digest_sends").select(["status"]).select((eb) => eb.fn.countAll<number>().as("n")).where("period", "=", period.key).groupBy("status").execute();
        const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
        out(`${period.key}: sent ${by.sent ?? 0} · nothing new ${by.empty ?? 0} · retrying ${by.retry ?? 0} · bounced ${by.bounced ?? 0} · unknown ${by.unknown ?? 0}`);
      }
      out(`${planned} digests enqueued by this run`);
      const pending = await ctx.db.selectFrom("jobs").select((eb) => eb.fn.countAll<number>().as("n")).where("name", "=", DIGEST_SEND_JOB).where("done_at", "is", null).where("failed_at", "is", null).executeTakeFirstOrThrow();
      return Number(pending.n) > 0 ? 2 : 0;
    } finally {
      await ctx.close();
    }
  }
  throw new UsageError(sub ? `unknown digest subcommand "${sub}"` : "give a subcommand: preview or send");
}
