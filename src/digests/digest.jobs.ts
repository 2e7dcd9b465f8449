/**
 * Sending digests, as jobs from the jobs table:
 *  - `digest-plan` (scheduled shortly after midnight in FEED_TIMEZONE, see schedule.ts) finds
 *    the periods that just closed and enqueues one `digest-send` per due subscription, unique
 *    key `digest:<subscriptionId>:<period>`, in batches of one transaction each;
 *  - `digest-send` builds the digests of a batch of subscriptions (their readers' data read in
 *    a few set-based queries, the period's papers shared) and mails them, each at most once,
 *    a group at a time: the group's send records are written in one transaction, its messages
 *    go out together (as many as the SMTP pool has connections), then one transaction marks
 *    them;
 *  - `digest-mail` sends the double opt-in (or "already subscribed") message.
 *
 * At most once, even across crashes: before talking to SMTP the job inserts the unique
 * (subscription, period) row of digest_sends with status 'sending' and the digest's content;
 * after the server accepts, it marks the row 'sent' and records the papers. What a later
 * attempt finds decides:
 *  - no row: build and send;
 *  - 'retry': the previous attempt got an explicit refusal (4xx) or could not connect, so the
 *    server never took the message: claim the row and send the same content again;
 *  - 'sending': a worker died (or lost its lease) between the insert and the mark. The server
 *    may or may not have accepted the message, and nothing on our side can tell. We choose
 *    never to send twice: the row becomes 'unknown' (the rest of the batch goes on), the event
 *    is logged and `dailypapers digest send` reports it. The window is the messages in flight:
 *    one group (as wide as the SMTP pool) per running send job, and the Message-ID is
 *    deterministic, so an operator who resends by hand produces a message clients can
 *    recognise as the same one;
 *  - anything else ('sent', 'empty', 'bounced', 'unknown'): done, nothing to do.
 * A 5xx refusal is a bounce: the send is 'bounced' and, when the server refused the
 * recipient, the subscription too (no more mail to a dead address).
 */
import { z } from "zod";
import type { AppContext } from "../context.js";
import type { Db } from "../db/database.js";
import type { DigestSendRow, DigestSubscriptionRow } from "../db/schema.js";
import { enqueue } from "../jobs/jobs.queries.js";
import { PermanentJobError, type JobHandler } from "../jobs/worker.js";
import { buildDigest, loadPeriod, loadReader, loadReaders, papersForRender, type PeriodData } from "./digest.build.js";
import { closedPeriods, describePeriod, parsePeriod, type DigestPeriod } from "./digest.period.js";
import { renderDigest, type RenderedDigest, type RenderPaper } from "./digest.render.js";
import { digestPaperIds, isEmptyDigest, type SelectedDigest } from "./digest.select.js";
import { keywordSources, searchServiceSources, type DigestSources } from "./digest.sources.js";
import { subscriptionToken, viewToken } from "./digest.tokens.js";
import { dueSubscriptionIds } from "./subscriptions.queries.js";

export const DIGEST_PLAN_JOB = "digest-plan";
export const DIGEST_SEND_JOB = "digest-send";
export const DIGEST_MAIL_JOB = "digest-mail";

/** Shortly after the feed day closes at midnight in FEED_TIMEZONE, every day (the plan decides what is due). */
export const DIGEST_SCHEDULE = "20 0 * * *";
/** Subscriptions enqueued per transaction by the plan job. */
const PLAN_BATCH = 500;
/** Subscriptions per send job: their readers' data is read in a few queries for all of them. */
const SEND_BATCH = 100;
/**
 * A send job starts no new group after this long, well within the job's lease (5 minutes by
 * default) so no other worker takes over a batch still sending: the rest goes to a new job.
 */
const SEND_JOB_BUDGET_MS = 120_000;
/** Rows of digest_sent_papers per insert statement. */
const SENT_PAPERS_CHUNK = 500;
/** A period's shared data is reused by the send jobs of one run, then reloaded. */
const PERIOD_CACHE_MS = 10 * 60_000;

const planPayload = z.object({ at: z.string().datetime().optional(), periods: z.array(z.string()).optional() });
const sendPayload = z.union([
  z.object({ subscriptionIds: z.array(z.number().int().positive()).min(1).max(1000), period: z.string() }),
  // One subscription per job: what plans enqueued before send jobs took batches.
  z.object({ subscriptionId: z.number().int().positive(), period: z.string() }),
]);
const mailPayload = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("confirm"), to: z.string(), url: z.string(), frequency: z.string() }),
  z.object({ kind: z.literal("already_subscribed"), to: z.string(), manageUrl: z.string() }),
]);
export type DigestMailPayload = z.infer<typeof mailPayload>;

export type SendOutcome = "sent" | "empty" | "skipped" | "already" | "unknown" | "bounced" | "retry";

export interface DigestLinks {
  browserUrl: string;
  manageUrl: string;
  unsubscribeUrl: string;
}

export function digestLinks(ctx: Pick<AppContext, "config" | "secret">, subscriptionId: number, sendId: number): DigestLinks {
  const base = ctx.config.baseUrl;
  const token = subscriptionToken(ctx.secret, subscriptionId);
  return {
    browserUrl: `${base}/digests/${sendId}?t=${viewToken(ctx.secret, sendId)}`,
    manageUrl: `${base}/digests/manage?token=${token}`,
    unsubscribeUrl: `${base}/digests/unsubscribe?token=${token}`,
  };
}

/** Same subscription and period, same Message-ID: a duplicate would be recognisable as one. */
export function digestMessageId(baseUrl: string, subscriptionId: number, period: string): string {
  return `<digest.${subscriptionId}.${period.replace(/[^\w-]/g, ".")}@${new URL(baseUrl).hostname}>`;
}

/** The stored content of a send: the selection, so the browser view shows what was mailed. */
export function parseContent(s: string): SelectedDigest {
  const v = JSON.parse(s) as SelectedDigest;
  return { sections: Array.isArray(v.sections) ? v.sections : [] };
}

/** Renders a digest; `known` (the period's papers) saves reading them again. */
export async function renderSend(ctx: Pick<AppContext, "config" | "secret" | "db">, sub: DigestSubscriptionRow, send: Pick<DigestSendRow, "id" | "period">, digest: SelectedDigest, known?: ReadonlyMap<number, RenderPaper>): Promise<RenderedDigest> {
  const period = parsePeriod(send.period);
  const ids = digestPaperIds(digest);
  const papers = known && ids.every((id) => known.has(id)) ? known : await papersForRender(ctx.db, ids);
  return renderDigest(digest, papers, {
    baseUrl: ctx.config.baseUrl,
    periodLabel: period ? describePeriod(period) : send.period,
    frequency: period?.frequency ?? "daily",
    ...digestLinks(ctx, sub.id, send.id),
  });
}

/**
 * The mail headers of a digest: RFC 2369 List-Unsubscribe and RFC 8058 one-click. Only the
 * https address is given: nothing reads mail sent to the sender, so a mailto address would
 * let a mail client "unsubscribe" a reader who then keeps getting digests.
 */
export function digestHeaders(ctx: Pick<AppContext, "config">, links: DigestLinks): Record<string, string> {
  const host = new URL(ctx.config.baseUrl).hostname;
  return {
    "List-Unsubscribe": `<${links.unsubscribeUrl}>`,
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "List-Id": `Daily Papers digest <digest.${host}>`,
    "Auto-Submitted": "auto-generated",
  };
}

type SmtpVerdict = "permanent" | "temporary" | "ambiguous";

/**
 * What an SMTP failure says about delivery. A reply code means the server answered and
 * refused (5xx for good, 4xx for now); failing to connect means it never saw the message.
 * Anything else (a connection lost mid-message, a timeout waiting for the final reply) may
 * have been accepted: ambiguous.
 */
export function smtpVerdict(e: unknown): SmtpVerdict {
  const err = e as { responseCode?: number; code?: string };
  if (typeof err.responseCode === "number") return err.responseCode >= 500 ? "permanent" : "temporary";
  if (err.code && ["ECONNECTION", "EDNS", "EAUTH", "ETLS", "ECONNREFUSED", "ENOTFOUND"].includes(err.code)) return "temporary";
  return "ambiguous";
}

/**
 * Everything the digest jobs share in one process: the sources (search service with a
 * keyword fallback) and the per-period cache.
 */
export class DigestRunner {
  private readonly periods = new Map<string, { at: number; data: Promise<PeriodData> }>();
  readonly sources: DigestSources;
  readonly log: (m: string) => void;

  constructor(private readonly ctx: AppContext, opts: { sources?: DigestSources; log?: (m: string) => void } = {}) {
    this.sources = opts.sources ?? searchServiceSources(ctx.search, keywordSources());
    this.log = opts.log ?? (() => {});
  }

  periodData(period: DigestPeriod): Promise<PeriodData> {
    const hit = this.periods.get(period.key);
    if (hit && Date.now() - hit.at < PERIOD_CACHE_MS) return hit.data;
    const data = loadPeriod(this.ctx.db, period, this.sources);
    this.periods.set(period.key, { at: Date.now(), data });
    data.catch(() => this.periods.delete(period.key));
    return data;
  }

  /** One reader's digest for a period, without writing anything (previews, dry runs, the benchmark). */
  async build(sub: DigestSubscriptionRow, period: DigestPeriod): Promise<SelectedDigest> {
    const [data, reader] = await Promise.all([this.periodData(period), loadReader(this.ctx.db, sub, period)]);
    return buildDigest(data, sub, reader);
  }

  /** Several readers' digests for a period, their data read together (send batches, the benchmark). */
  async buildMany(subs: readonly DigestSubscriptionRow[], period: DigestPeriod): Promise<Map<number, SelectedDigest>> {
    const [data, readers] = await Promise.all([this.periodData(period), loadReaders(this.ctx.db, subs, period)]);
    const out = new Map<number, SelectedDigest>();
    for (const sub of subs) out.set(sub.id, await buildDigest(data, sub, readers.get(sub.id)!));
    return out;
  }

  /** Enqueues send jobs (batches of SEND_BATCH) for the due subscriptions of each period; returns how many subscriptions were enqueued. */
  async plan(periods: DigestPeriod[]): Promise<number> {
    const db = this.ctx.db;
    let enqueued = 0;
    for (const period of periods) {
      let after = 0;
      for (;;) {
        const ids = await dueSubscriptionIds(db, period.frequency, period.key, after, PLAN_BATCH);
        if (ids.length === 0) break;
        after = ids[ids.length - 1];
        const now = this.ctx.now();
        await db.transaction().execute(async (tx) => {
          for (let i = 0; i < ids.length; i += SEND_BATCH) {
            const batch = ids.slice(i, i + SEND_BATCH);
            const key = `digest:${period.key}:${batch[0]}-${batch[batch.length - 1]}`;
            if (await enqueue(tx, DIGEST_SEND_JOB, { subscriptionIds: batch, period: period.key }, { uniqueKey: key, maxAttempts: 6 }, now)) enqueued += batch.length;
          }
        });
      }
    }
    return enqueued;
  }

  /** Builds and sends one digest, at most once (see the top of this file). */
  async send(subscriptionId: number, periodKey: string): Promise<SendOutcome> {
    return (await this.sendBatch([subscriptionId], periodKey)).outcomes.get(subscriptionId)!;
  }

  /**
   * Builds and sends the digests of a batch of subscriptions, each at most once (see the top of
   * this file). Throws the first temporary failure at the end, so the job is retried with
   * backoff (a later attempt only resends the 'retry' rows). `rest` is what was not started
   * within `budgetMs`.
   */
  async sendBatch(subscriptionIds: readonly number[], periodKey: string, budgetMs = Infinity): Promise<{ outcomes: Map<number, SendOutcome>; rest: number[] }> {
    const { ctx } = this;
    const db = ctx.db;
    const started = performance.now();
    const period = parsePeriod(periodKey);
    if (!period) throw new PermanentJobError(`not a digest period: ${periodKey}`);
    const outcomes = new Map<number, SendOutcome>(subscriptionIds.map((id) => [id, "skipped"]));
    const subs = subscriptionIds.length ? await db.selectFrom("digest_subscriptions").selectAll().where("id", "in", [...subscriptionIds]).orderBy("id").execute() : [];
    const active = subs.filter((s) => s.status === "active");
    if (active.length === 0) return { outcomes, rest: [] };

    const existing = new Map((await db.selectFrom("digest_sends").selectAll().where("subscription_id", "in", active.map((s) => s.id)).where("period", "=", period.key).execute()).map((r) => [r.subscription_id, r]));
    const interrupted = [...existing.values()].filter((r) => r.status === "sending");
    if (interrupted.length) {
      const marked = await db.updateTable("digest_sends").set({ status: "unknown", error: "interrupted while sending: not resent (at most once)" }).where("id", "in", interrupted.map((r) => r.id)).where("status", "=", "sending").returning(["id", "subscription_id"]).execute();
      for (const r of marked) this.log(`digest ${r.id} (subscription ${r.subscription_id}, ${period.key}) was interrupted mid-send: marked unknown, not resent`);
    }
    const fresh: DigestSubscriptionRow[] = [];
    const work: Work[] = [];
    for (const sub of active) {
      const row = existing.get(sub.id);
      if (!row) fresh.push(sub);
      else if (row.status === "retry") work.push({ sub, digest: parseContent(row.content), retry: row });
      else outcomes.set(sub.id, row.status === "sending" ? "unknown" : "already");
    }
    const [data, built] = await Promise.all([this.periodData(period), this.buildMany(fresh, period)]);
    for (const sub of fresh) work.push({ sub, digest: built.get(sub.id)!, retry: null });
    work.sort((a, b) => a.sub.id - b.sub.id);

    const width = Math.max(1, ctx.mailer.concurrency);
    let temporary: unknown = null;
    for (let i = 0; i < work.length; i += width) {
      if (i > 0 && performance.now() - started > budgetMs) return { outcomes, rest: work.slice(i).map((w) => w.sub.id) };
      const claimed = await this.claim(work.slice(i, i + width), period, outcomes);
      const results = await Promise.all(claimed.map((c) => this.deliver(c, data)));
      const failed = await this.record(claimed, results, outcomes);
      temporary ??= failed;
    }
    if (temporary) throw temporary; // the worker retries with backoff
    return { outcomes, rest: [] };
  }

  /**
   * One transaction for a group: the new send records ('sending', or 'empty' when nothing is
   * new) and the claim of 'retry' ones. Committed before any of the group's messages is sent;
   * the unique (subscription, period) decides races: whoever inserts sends.
   */
  private async claim(group: Work[], period: DigestPeriod, outcomes: Map<number, SendOutcome>): Promise<Claimed[]> {
    const { ctx } = this;
    const now = ctx.now().toISOString();
    const fresh = group.filter((w) => !w.retry);
    const retries = group.filter((w) => w.retry);
    const claimed: Claimed[] = [];
    await ctx.db.transaction().execute(async (tx) => {
      if (fresh.length) {
        const rows = await tx
          .insertInto("digest_sends")
          .values(fresh.map((w) => ({ subscription_id: w.sub.id, period: period.key, status: isEmptyDigest(w.digest) ? "empty" : "sending", message_id: digestMessageId(ctx.config.baseUrl, w.sub.id, period.key), content: JSON.stringify(w.digest), paper_count: digestPaperIds(w.digest).length, created_at: now, sent_at: null, error: null })))
          .onConflict((oc) => oc.columns(["subscription_id", "period"]).doNothing())
          .returning(["id", "subscription_id", "message_id", "period"])
          .execute();
        const ids = new Map(rows.map((r) => [Number(r.subscription_id), r]));
        for (const w of fresh) {
          const row = ids.get(w.sub.id);
          if (!row) outcomes.set(w.sub.id, "already");
          else if (isEmptyDigest(w.digest)) outcomes.set(w.sub.id, "empty");
          else claimed.push({ ...w, send: { id: Number(row.id), message_id: row.message_id, period: row.period } });
        }
      }
      if (retries.length) {
        const rows = await tx.updateTable("digest_sends").set((eb) => ({ status: "sending", attempts: eb("attempts", "+", 1) })).where("id", "in", retries.map((w) => w.retry!.id)).where("status", "=", "retry").returning("id").execute();
        const ok = new Set(rows.map((r) => Number(r.id)));
        for (const w of retries) {
          if (ok.has(w.retry!.id)) claimed.push({ ...w, send: w.retry! });
          else outcomes.set(w.sub.id, "already");
        }
      }
    });
    return claimed;
  }

  /** Renders and mails one claimed digest; the error, if any (`early`: before SMTP was reached). */
  private async deliver(c: Claimed, data: PeriodData): Promise<{ error: unknown; early: boolean } | null> {
    const { ctx } = this;
    let message;
    try {
      const rendered = await renderSend(ctx, c.sub, c.send, c.digest, data.period.key === c.send.period ? data.papers : undefined);
      message = { to: c.sub.email, subject: rendered.subject, text: rendered.text, html: rendered.html, headers: digestHeaders(ctx, digestLinks(ctx, c.sub.id, c.send.id)), messageId: c.send.message_id };
    } catch (error) {
      return { error, early: true };
    }
    try {
      await ctx.mailer.sendDigest(message);
      return null;
    } catch (error) {
      return { error, early: false };
    }
  }

  /** One transaction marks the group: 'sent' (and its papers), 'retry', 'bounced' or 'unknown'. Returns the first temporary failure. */
  private async record(claimed: Claimed[], results: Array<{ error: unknown; early: boolean } | null>, outcomes: Map<number, SendOutcome>): Promise<unknown> {
    const { ctx } = this;
    let temporary: unknown = null;
    await ctx.db.transaction().execute(async (tx) => {
      const sent = claimed.filter((_, k) => results[k] === null);
      if (sent.length) {
        await tx.updateTable("digest_sends").set({ status: "sent", sent_at: ctx.now().toISOString(), error: null }).where("id", "in", sent.map((c) => c.send.id)).where("status", "in", ["sending", "unknown"]).execute();
        const papers = sent.flatMap((c) => digestPaperIds(c.digest).map((paper_id) => ({ subscription_id: c.sub.id, paper_id, send_id: c.send.id })));
        for (let i = 0; i < papers.length; i += SENT_PAPERS_CHUNK) {
          await tx.insertInto("digest_sent_papers").values(papers.slice(i, i + SENT_PAPERS_CHUNK)).onConflict((oc) => oc.columns(["subscription_id", "paper_id"]).doNothing()).execute();
        }
        for (const c of sent) outcomes.set(c.sub.id, "sent");
      }
      for (let k = 0; k < claimed.length; k++) {
        const r = results[k];
        if (!r) continue;
        const { sub, send } = claimed[k];
        const message = r.error instanceof Error ? r.error.message : String(r.error);
        // Failing before SMTP was reached: the server never saw the message, as with a 4xx.
        const verdict = r.early ? "temporary" : smtpVerdict(r.error);
        if (verdict === "temporary") {
          await tx.updateTable("digest_sends").set({ status: "retry", error: message.slice(0, 1000) }).where("id", "=", send.id).execute();
          outcomes.set(sub.id, "retry");
          temporary ??= r.error;
        } else if (verdict === "permanent") {
          await tx.updateTable("digest_sends").set({ status: "bounced", error: message.slice(0, 1000) }).where("id", "=", send.id).execute();
          if ((r.error as { command?: string }).command === "RCPT TO") {
            await tx.updateTable("digest_subscriptions").set({ status: "bounced", updated_at: ctx.now().toISOString() }).where("id", "=", sub.id).execute();
          }
          outcomes.set(sub.id, "bounced");
          this.log(`digest ${send.id} to subscription ${sub.id}: bounced (${message})`);
        } else {
          await tx.updateTable("digest_sends").set({ status: "unknown", error: message.slice(0, 1000) }).where("id", "=", send.id).execute();
          outcomes.set(sub.id, "unknown");
          this.log(`digest ${send.id} to subscription ${sub.id}: delivery unknown (${message}); not resent`);
        }
      }
    });
    return temporary;
  }
}

interface Work {
  sub: DigestSubscriptionRow;
  digest: SelectedDigest;
  /** The send record of an earlier attempt refused for now ('retry'); null for a new one. */
  retry: DigestSendRow | null;
}

interface Claimed extends Work {
  send: Pick<DigestSendRow, "id" | "message_id" | "period">;
}

/** Enqueues a digest email (double opt-in); call inside the transaction that causes it. */
export function enqueueDigestMail(db: Db, payload: DigestMailPayload, now: Date): Promise<boolean> {
  return enqueue(db, DIGEST_MAIL_JOB, payload, { maxAttempts: 8 }, now);
}

export function digestJobHandlers(ctx: AppContext, log: (m: string) => void = () => {}, runner = new DigestRunner(ctx, { log })): Record<string, JobHandler> {
  return {
    [DIGEST_PLAN_JOB]: async (raw) => {
      const p = planPayload.safeParse(raw);
      if (!p.success) throw new PermanentJobError(`bad digest-plan payload: ${p.error.issues[0].message}`);
      const periods = p.data.periods
        ? p.data.periods.map((k) => parsePeriod(k) ?? (() => { throw new PermanentJobError(`not a digest period: ${k}`); })())
        : closedPeriods(new Date(p.data.at ?? ctx.now().toISOString()), ctx.config.feedTimeZone);
      const n = await runner.plan(periods);
      log(`digest-plan: ${periods.map((x) => x.key).join(", ") || "no period closed"}: ${n} digests enqueued`);
    },
    [DIGEST_SEND_JOB]: async (raw) => {
      const p = sendPayload.safeParse(raw);
      if (!p.success) throw new PermanentJobError(`bad digest-send payload: ${p.error.issues[0].message}`);
      const ids = "subscriptionIds" in p.data ? p.data.subscriptionIds : [p.data.subscriptionId];
      const { rest } = await runner.sendBatch(ids, p.data.period, SEND_JOB_BUDGET_MS);
      if (rest.length) {
        await enqueue(ctx.db, DIGEST_SEND_JOB, { subscriptionIds: rest, period: p.data.period }, { uniqueKey: `digest:${p.data.period}:${rest[0]}-${rest[rest.length - 1]}:rest`, maxAttempts: 6 }, ctx.now());
      }
    },
    [DIGEST_MAIL_JOB]: async (raw) => {
      const p = mailPayload.safeParse(raw);
      if (!p.success) throw new PermanentJobError(`bad digest-mail payload: ${p.error.issues[0].message}`);
      try {
        if (p.data.kind === "confirm") await ctx.mailer.sendDigestConfirm(p.data.to, p.data);
        else await ctx.mailer.sendDigestAlreadySubscribed(p.data.to, p.data);
      } catch (e) {
        if (smtpVerdict(e) === "permanent") throw new PermanentJobError(e instanceof Error ? e.message : String(e));
        throw e;
      }
    },
  };
}
