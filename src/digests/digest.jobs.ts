/**
 * Sending digests, as jobs from the jobs table:
 *  - `digest-plan` (scheduled shortly after midnight in FEED_TIMEZONE, see schedule.ts) finds
 *    the periods that just closed and enqueues one `digest-send` per due subscription, unique
 *    key `digest:<subscriptionId>:<period>`, in batches of one transaction each;
 *  - `digest-send` builds one reader's digest and mails it, at most once;
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
 *    never to send twice: the row becomes 'unknown', the job ends, the event is logged and
 *    `dailypapers digest send` reports it. The window is one in-flight SMTP transaction per
 *    connection, and the Message-ID is deterministic, so an operator who resends by hand
 *    produces a message clients can recognise as the same one;
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
import { buildDigest, loadPeriod, loadReader, papersForRender, type PeriodData } from "./digest.build.js";
import { closedPeriods, describePeriod, parsePeriod, type DigestPeriod } from "./digest.period.js";
import { renderDigest, type RenderedDigest, type RenderPaper } from "./digest.render.js";
import { digestPaperIds, isEmptyDigest, type SelectedDigest } from "./digest.select.js";
import { keywordSources, searchServiceSources, type DigestSources } from "./digest.sources.js";
import { subscriptionToken, viewToken } from "./digest.tokens.js";
import { dueSubscriptionIds, findSubscription } from "./subscriptions.queries.js";

export const DIGEST_PLAN_JOB = "digest-plan";
export const DIGEST_SEND_JOB = "digest-send";
export const DIGEST_MAIL_JOB = "digest-mail";

/** Shortly after the feed day closes at midnight in FEED_TIMEZONE, every day (the plan decides what is due). */
export const DIGEST_SCHEDULE = "20 0 * * *";
/** Subscriptions enqueued per transaction by the plan job. */
const PLAN_BATCH = 500;
/** A period's shared data is reused by the send jobs of one run, then reloaded. */
const PERIOD_CACHE_MS = 10 * 60_000;

const planPayload = z.object({ at: z.string().datetime().optional(), periods: z.array(z.string()).optional() });
const sendPayload = z.object({ subscriptionId: z.number().int().positive(), period: z.string() });
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

function senderAddress(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
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

/** The mail headers of a digest: RFC 2369 List-Unsubscribe (https and mailto) and RFC 8058 one-click. */
export function digestHeaders(ctx: Pick<AppContext, "config" | "secret">, sub: DigestSubscriptionRow, links: DigestLinks): Record<string, string> {
  const host = new URL(ctx.config.baseUrl).hostname;
  const mailto = `mailto:${senderAddress(ctx.config.mail.from)}?subject=${encodeURIComponent(`unsubscribe ${subscriptionToken(ctx.secret, sub.id)}`)}`;
  return {
    "List-Unsubscribe": `<${links.unsubscribeUrl}>, <${mailto}>`,
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

  /** Enqueues a send job per due subscription of each period; returns how many were enqueued. */
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
          for (const id of ids) {
            if (await enqueue(tx, DIGEST_SEND_JOB, { subscriptionId: id, period: period.key }, { uniqueKey: `digest:${id}:${period.key}`, maxAttempts: 6 }, now)) enqueued++;
          }
        });
      }
    }
    return enqueued;
  }

  /** Builds and sends one digest, at most once (see the top of this file). */
  async send(subscriptionId: number, periodKey: string): Promise<SendOutcome> {
    const { ctx } = this;
    const db = ctx.db;
    const period = parsePeriod(periodKey);
    if (!period) throw new PermanentJobError(`not a digest period: ${periodKey}`);
    const sub = await findSubscription(db, subscriptionId);
    if (!sub || sub.status !== "active") return "skipped";

    let send = await findSend(db, sub.id, period.key);
    let digest: SelectedDigest;
    if (send) {
      if (send.status === "sending") {
        const r = await db.updateTable("digest_sends").set({ status: "unknown", error: "interrupted while sending: not resent (at most once)" }).where("id", "=", send.id).where("status", "=", "sending").executeTakeFirst();
        if (Number(r.numUpdatedRows) > 0) this.log(`digest ${send.id} (subscription ${sub.id}, ${period.key}) was interrupted mid-send: marked unknown, not resent`);
        return "unknown";
      }
      if (send.status !== "retry") return "already";
      const claimed = await db.updateTable("digest_sends").set({ status: "sending", attempts: send.attempts + 1 }).where("id", "=", send.id).where("status", "=", "retry").executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) return "already";
      digest = parseContent(send.content);
    } else {
      digest = await this.build(sub, period);
      const empty = isEmptyDigest(digest);
      const now = ctx.now().toISOString();
      // The unique (subscription, period) decides the race: whoever inserts sends.
      const inserted = await db
        .insertInto("digest_sends")
        .values({ subscription_id: sub.id, period: period.key, status: empty ? "empty" : "sending", message_id: digestMessageId(ctx.config.baseUrl, sub.id, period.key), content: JSON.stringify(digest), paper_count: digestPaperIds(digest).length, created_at: now, sent_at: null, error: null })
        .onConflict((oc) => oc.columns(["subscription_id", "period"]).doNothing())
        .returning("id")
        .executeTakeFirst();
      if (!inserted) return "already";
      if (empty) return "empty";
      send = (await findSend(db, sub.id, period.key))!;
    }

    const rendered = await renderSend(ctx, sub, send, digest, (await this.periodData(period)).papers);
    const links = digestLinks(ctx, sub.id, send.id);
    try {
      await ctx.mailer.sendDigest({ to: sub.email, subject: rendered.subject, text: rendered.text, html: rendered.html, headers: digestHeaders(ctx, sub, links), messageId: send.message_id });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const verdict = smtpVerdict(e);
      if (verdict === "temporary") {
        await db.updateTable("digest_sends").set({ status: "retry", error: message.slice(0, 1000) }).where("id", "=", send.id).execute();
        throw e; // the worker retries with backoff
      }
      if (verdict === "permanent") {
        await db.transaction().execute(async (tx) => {
          await tx.updateTable("digest_sends").set({ status: "bounced", error: message.slice(0, 1000) }).where("id", "=", send.id).execute();
          if ((e as { command?: string }).command === "RCPT TO") {
            await tx.updateTable("digest_subscriptions").set({ status: "bounced", updated_at: ctx.now().toISOString() }).where("id", "=", sub.id).execute();
          }
        });
        throw new PermanentJobError(message);
      }
      await db.updateTable("digest_sends").set({ status: "unknown", error: message.slice(0, 1000) }).where("id", "=", send.id).execute();
      this.log(`digest ${send.id} to subscription ${sub.id}: delivery unknown (${message}); not resent`);
      return "unknown";
    }
    const ids = digestPaperIds(digest);
    await db.transaction().execute(async (tx) => {
      await tx.updateTable("digest_sends").set({ status: "sent", sent_at: ctx.now().toISOString(), error: null }).where("id", "=", send.id).where("status", "in", ["sending", "unknown"]).execute();
      if (ids.length) {
        await tx.insertInto("digest_sent_papers").values(ids.map((paper_id) => ({ subscription_id: sub.id, paper_id, send_id: send.id }))).onConflict((oc) => oc.columns(["subscription_id", "paper_id"]).doNothing()).execute();
      }
    });
    return "sent";
  }
}

function findSend(db: Db, subscriptionId: number, period: string): Promise<DigestSendRow | undefined> {
  return db.selectFrom("digest_sends").selectAll().where("subscription_id", "=", subscriptionId).where("period", "=", period).executeTakeFirst();
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
      await runner.send(p.data.subscriptionId, p.data.period);
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
