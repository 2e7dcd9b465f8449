/**
 * Subscribing, confirming, settings, unsubscribing and the browser view of a digest.
 *
 * Who may change a subscription: its signed-in owner (session + CSRF), or whoever holds its
 * signed link (the link in every digest; the form it opens still carries a CSRF token). The one
 * exception to CSRF is POST /digests/unsubscribe: mail providers send RFC 8058 one-click
 * unsubscribes from their servers with no cookie or page, and the signed token in the URL is
 * what authorizes it. Subscribing from the site is a link in every page's footer to /subscribe
 * rather than a form in the footer, so ordinary pages set no anonymous CSRF cookie and stay
 * cacheable (see web/page-cache.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { AppContext } from "../context.js";
import type { DigestSubscriptionRow } from "../db/schema.js";
import { answer, authorize, csrfForForm, emailSchema, field, tryParseBody, wantsJson } from "../community/index.js";
import { HttpError, badRequest, notFound } from "../web/errors.js";
import { formatOf } from "../web/format.js";
import { sendPage } from "../web/page.js";
import { createHash, randomBytes } from "node:crypto";
import { enqueueDigestMail, parseContent, renderSend } from "./digest.jobs.js";
import { reasonText, SECTION_TITLES } from "./digest.render.js";
import type { SectionKind } from "./digest.select.js";
import { authorKey } from "../papers/papers.present.js";
import { subscriptionToken, verifySubscriptionToken, verifyViewToken } from "./digest.tokens.js";
import {
  confirmSubscription,
  findSubscription,
  findSubscriptionByEmail,
  findSubscriptionOfUser,
  peekConfirmation,
  preferencesOf,
  saveSettings,
  savePendingSubscription,
  stopSubscription,
  subscribeUser,
  subscriptionDetails,
  type Preferences,
  type Topic,
} from "./subscriptions.queries.js";
import { CheckInboxPage, ConfirmedPage, ConfirmPage, SettingsPage, SubscribePage, UnsubscribePage, type SettingsValues, type Suggested } from "./subscriptions.views.js";
import { registerForYouRoutes } from "./for-you.routes.js";

const MAX_TOPICS = 20;
const MAX_AUTHORS = 50;
const CATEGORY = /^[a-z-]+(\.[A-Za-z-]+)?$/;

/** "diffusion models [cs.CV, cs.LG]" per line → topics, or the first problem as a message. */
export function parseTopics(text: string): { ok: true; topics: Topic[] } | { ok: false; message: string } {
  const topics: Topic[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^(.*?)\s*(?:\[([^\]]*)\])?$/.exec(line)!;
    const query = m[1].replace(/\s+/g, " ").trim();
    if (!/[\p{L}\p{N}]/u.test(query)) return { ok: false, message: `The topic "${line}" has no words to search for.` };
    if (query.length > 200) return { ok: false, message: "A topic has at most 200 characters." };
    const categories = (m[2] ?? "").split(/[\s,]+/).filter(Boolean);
    const bad = categories.find((c) => !CATEGORY.test(c));
    if (bad) return { ok: false, message: `"${bad}" is not an arXiv category (for example cs.LG or math.PR).` };
    const key = `${query.toLowerCase()}|${categories.join(" ")}`;
    if (seen.has(key)) continue;
    seen.add(key);
    topics.push({ query, categories });
  }
  if (topics.length > MAX_TOPICS) return { ok: false, message: `At most ${MAX_TOPICS} topic alerts.` };
  return { ok: true, topics };
}

export function parseAuthors(text: string): { ok: true; authors: string[] } | { ok: false; message: string } {
  const authors = text.split(/\r?\n/).map((a) => a.replace(/\s+/g, " ").trim()).filter(Boolean);
  if (authors.some((a) => a.length > 100)) return { ok: false, message: "An author name has at most 100 characters." };
  if (authors.length > MAX_AUTHORS) return { ok: false, message: `At most ${MAX_AUTHORS} authors.` };
  return { ok: true, authors };
}

const checkbox = z.literal("1").optional();
const settingsSchema = z.object({
  frequency: z.enum(["daily", "weekly"], { errorMap: () => ({ message: "Choose daily or weekly." }) }).default("daily"),
  trending: checkbox,
  for_you: checkbox,
  topics_on: checkbox,
  authors_on: checkbox,
  topics: z.string().max(4000, "The topic list is too long.").default(""),
  authors: z.string().max(4000, "The author list is too long.").default(""),
});

/** A form's choices, validated; the values are also what a form shown again with an error keeps. */
function readSettings(body: unknown): { ok: true; values: SettingsValues } | { ok: false; message: string; values: SettingsValues } {
  const fallback: SettingsValues = {
    prefs: { frequency: field(body, "frequency") === "weekly" ? "weekly" : "daily", trending: field(body, "trending") === "1", forYou: field(body, "for_you") === "1", topics: field(body, "topics_on") === "1", authors: field(body, "authors_on") === "1" },
    topics: [{ query: field(body, "topics"), categories: [] }].filter((t) => t.query),
    authors: field(body, "authors") ? [field(body, "authors")] : [],
  };
  const parsed = tryParseBody(settingsSchema, body);
  if (!parsed.ok) return { ok: false, message: parsed.message, values: fallback };
  const d = parsed.data;
  const topics = parseTopics(d.topics);
  if (!topics.ok) return { ok: false, message: topics.message, values: fallback };
  const authors = parseAuthors(d.authors);
  if (!authors.ok) return { ok: false, message: authors.message, values: fallback };
  const prefs: Preferences = { frequency: d.frequency, trending: d.trending === "1", forYou: d.for_you === "1", topics: d.topics_on === "1", authors: d.authors_on === "1" };
  if (!prefs.trending && !prefs.forYou && !(prefs.topics && topics.topics.length) && !(prefs.authors && authors.authors.length)) {
    return { ok: false, message: "Choose at least one thing to receive: trending papers, a topic alert or an author.", values: fallback };
  }
  return { ok: true, values: { prefs, topics: topics.topics, authors: authors.authors } };
}

/**
 * A topic alert offered by a link, `?topic=graph+neural+networks&cat=cs.LG` (the search page's
 * "Email alert"): added to the form, never to the subscription, which
 * changes only when the reader sends the form. One the form would refuse is left out.
 */
function withSuggestedTopic(values: SettingsValues, query: unknown): { values: SettingsValues; suggested: Topic | null } {
  const q = (query ?? {}) as Record<string, unknown>;
  const text = typeof q.topic === "string" ? q.topic.replace(/[\r\n[\]]/g, " ").trim() : "";
  const cats = (Array.isArray(q.cat) ? q.cat : [q.cat]).filter((c): c is string => typeof c === "string" && c !== "");
  if (!text) return { values, suggested: null };
  const parsed = parseTopics(cats.length ? `${text} [${cats.join(", ")}]` : text);
  if (!parsed.ok || parsed.topics.length !== 1) return { values, suggested: null };
  const topic = parsed.topics[0];
  const key = (t: Topic) => `${t.query.toLowerCase()}|${t.categories.join(" ")}`;
  const topics = values.topics.some((t) => key(t) === key(topic)) ? values.topics : [...values.topics, topic];
  if (topics.length > MAX_TOPICS) return { values, suggested: null };
  return { values: { ...values, prefs: { ...values.prefs, topics: true }, topics }, suggested: topic };
}

/**
 * An author to follow offered by a link, `?author=Yann+LeCun` (an author page's "Follow by
 * email"): likewise added to the form only, and left out if the form would refuse it.
 */
function withSuggestedAuthor(values: SettingsValues, query: unknown): { values: SettingsValues; suggested: string | null } {
  const q = (query ?? {}) as Record<string, unknown>;
  const parsed = parseAuthors(typeof q.author === "string" ? q.author.replace(/[\r\n]/g, " ") : "");
  if (!parsed.ok || parsed.authors.length !== 1) return { values, suggested: null };
  const name = parsed.authors[0];
  const authors = values.authors.some((a) => authorKey(a) === authorKey(name)) ? values.authors : [...values.authors, name];
  if (authors.length > MAX_AUTHORS) return { values, suggested: null };
  return { values: { ...values, prefs: { ...values.prefs, authors: true }, authors }, suggested: name };
}

/** What a link to the form offers to add (a topic alert, an author to follow), added to `values`. */
function withSuggestions(values: SettingsValues, query: unknown): { values: SettingsValues; suggested: Suggested } {
  const topic = withSuggestedTopic(values, query);
  const author = withSuggestedAuthor(topic.values, query);
  return { values: author.values, suggested: { topic: topic.suggested, author: author.suggested } };
}

const DEFAULT_VALUES: SettingsValues = { prefs: { frequency: "daily", trending: true, forYou: true, topics: true, authors: true }, topics: [], authors: [] };

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const tokenQuery = z.object({ token: z.string().min(10).max(200) });

/** Subscription requests per client address and hour: each one sends an email. */
const SUBSCRIBE_LIMIT = {
  max: 10,
  timeWindow: 3600_000,
  groupId: "digest-subscribe",
  keyGenerator: (req: FastifyRequest) => `ip:${req.ip}`,
  errorResponseBuilder: (_req: FastifyRequest, c: { after: string }) => new HttpError(429, `Too many attempts. Try again in ${c.after}.`, "rate_limited"),
};

async function valuesOf(ctx: AppContext, sub: DigestSubscriptionRow): Promise<SettingsValues> {
  const d = await subscriptionDetails(ctx.db, sub);
  return { prefs: preferencesOf(sub), topics: d.topics, authors: d.authors };
}

function enabledSections(sub: DigestSubscriptionRow): SectionKind[] {
  const out: SectionKind[] = [];
  if (sub.topics === 1) out.push("topics");
  if (sub.authors === 1) out.push("authors");
  if (sub.for_you === 1 && sub.user_id !== null) out.push("for_you");
  if (sub.trending === 1) out.push("trending");
  return out;
}

export function registerDigestRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerForYouRoutes(app, ctx);
  const base = () => ctx.config.baseUrl;
  const manageUrl = (id: number) => `${base()}/digests/manage?token=${subscriptionToken(ctx.secret, id)}`;
  const unsubscribeUrl = (id: number) => `${base()}/digests/unsubscribe?token=${subscriptionToken(ctx.secret, id)}`;

  const subscribePage = (req: FastifyRequest, reply: FastifyReply, status: number, opts: { error?: string; email?: string; values?: SettingsValues; suggested?: Suggested } = {}) => {
    csrfForForm(ctx, req, reply);
    return sendPage(ctx, req, reply, {
      title: "Subscribe",
      path: "/subscribe",
      status,
      section: "other",
      json: opts.error ? { error: opts.error } : { csrfToken: req.csrfToken },
      body: () => SubscribePage({ csrf: req.csrfToken, error: opts.error, email: opts.email, values: opts.values ?? DEFAULT_VALUES, suggested: opts.suggested }),
    });
  };

  app.get("/subscribe", async (req, reply) => {
    // Signed in: the account's settings, keeping what the link suggests.
    if (req.viewer) return reply.redirect(`/digests/settings${req.url.includes("?") ? req.url.slice(req.url.indexOf("?")) : ""}`);
    const { values, suggested } = withSuggestions(DEFAULT_VALUES, req.query);
    return subscribePage(req, reply, 200, { values, suggested });
  });

  app.post("/subscribe", { config: { rateLimit: SUBSCRIBE_LIMIT } }, async (req, reply) => {
    const email = emailSchema.safeParse(field(req.body, "email"));
    const settings = readSettings(req.body);
    const error = !email.success ? email.error.issues[0].message : !settings.ok ? settings.message : null;
    if (error !== null || !email.success || !settings.ok) {
      if (wantsJson(req)) throw badRequest(error ?? "Check the form.");
      return subscribePage(req, reply, 400, { error: error ?? undefined, email: field(req.body, "email"), values: settings.values });
    }
    const to = email.data;
    const now = ctx.now();
    // The same answer whether or not the address is subscribed: the mail tells the owner.
    const existing = await findSubscriptionByEmail(ctx.db, to);
    if (existing?.status === "active") {
      await enqueueDigestMail(ctx.db, { kind: "already_subscribed", to, manageUrl: manageUrl(existing.id) }, now);
    } else {
      const token = randomBytes(32).toString("base64url");
      await ctx.db.transaction().execute(async (tx) => {
        await savePendingSubscription(tx, to, { ...settings.values.prefs, forYou: false }, settings.values, sha256(token), now);
        await enqueueDigestMail(tx, { kind: "confirm", to, url: `${base()}/digests/confirm?token=${token}`, frequency: settings.values.prefs.frequency }, now);
      });
    }
    if (wantsJson(req)) return reply.send({ ok: true, message: `We sent a message to ${to}. Follow the link in it to confirm.` });
    return sendPage(ctx, req, reply, { title: "Check your inbox", path: "/subscribe", section: "other", json: { ok: true }, body: () => CheckInboxPage({ email: to }) });
  });

  // The emailed link opens a page with a button: a GET changes nothing (mail scanners fetch links).
  app.get("/digests/confirm", async (req, reply) => {
    const q = tokenQuery.safeParse(req.query);
    const sub = q.success ? await peekConfirmation(ctx.db, sha256(q.data.token), ctx.now()) : null;
    if (!q.success || !sub) throw badRequest("This confirmation link has expired or was already used. Subscribe again for a new one.");
    csrfForForm(ctx, req, reply);
    return sendPage(ctx, req, reply, { title: "Confirm your subscription", path: "/digests/confirm", section: "other", json: { email: sub.email }, body: () => ConfirmPage({ csrf: req.csrfToken, token: q.data.token, email: sub.email }) });
  });

  app.post("/digests/confirm", async (req, reply) => {
    const token = field(req.body, "token");
    const sub = token ? await confirmSubscription(ctx.db, sha256(token), ctx.now()) : null;
    if (!sub) throw badRequest("This confirmation link has expired or was already used. Subscribe again for a new one.");
    return sendPage(ctx, req, reply, { title: "Subscribed", path: "/digests/confirm", section: "other", json: { ok: true, email: sub.email }, body: () => ConfirmedPage({ email: sub.email, manageUrl: manageUrl(sub.id) }) });
  });

  // Settings of a signed-in user.
  app.get("/digests/settings", async (req, reply) => {
    if (!req.viewer) return reply.redirect("/login?next=/digests/settings");
    const user = await ctx.db.selectFrom("users").select(["email", "email_confirmed_at"]).where("id", "=", req.viewer.id).executeTakeFirstOrThrow();
    const sub = (await findSubscriptionOfUser(ctx.db, req.viewer.id)) ?? null;
    const { values, suggested } = withSuggestions(sub ? await valuesOf(ctx, sub) : DEFAULT_VALUES, req.query);
    const saved = (req.query as Record<string, unknown>).saved === "1";
    const blocked = user.email_confirmed_at === null ? "Confirm your account's email address first (follow the link we sent when you signed up)." : null;
    return sendPage(ctx, req, reply, {
      title: "Email digest",
      path: "/digests/settings",
      section: "other",
      json: { email: sub?.email ?? user.email, status: sub?.status ?? null, ...values },
      body: () => SettingsPage({ csrf: req.csrfToken, action: "/digests/settings", email: sub?.email ?? user.email, status: sub?.status ?? null, values, forYou: true, saved, blocked, unsubscribeUrl: sub ? unsubscribeUrl(sub.id) : null, suggested }),
    });
  });

  app.post("/digests/settings", async (req, reply) => {
    const viewer = authorize(req.viewer, "editSettings");
    const user = await ctx.db.selectFrom("users").select(["id", "email", "email_confirmed_at"]).where("id", "=", viewer.id).executeTakeFirstOrThrow();
    if (user.email_confirmed_at === null) throw badRequest("Confirm your account's email address first (follow the link we sent when you signed up).");
    const settings = readSettings(req.body);
    if (!settings.ok) {
      if (wantsJson(req)) throw badRequest(settings.message);
      const sub = (await findSubscriptionOfUser(ctx.db, viewer.id)) ?? null;
      return sendPage(ctx, req, reply, { title: "Email digest", path: "/digests/settings", status: 400, section: "other", json: { error: settings.message }, body: () => SettingsPage({ csrf: req.csrfToken, action: "/digests/settings", email: user.email, status: sub?.status ?? null, values: settings.values, forYou: true, error: settings.message }) });
    }
    // The account's address is confirmed: no second opt-in is needed.
    await subscribeUser(ctx.db, user, settings.values.prefs, settings.values, ctx.now());
    return answer(req, reply, { ok: true }, "/digests/settings?saved=1");
  });

  // Settings through the signed link of a digest (no account needed).
  const bySignedLink = async (token: unknown): Promise<DigestSubscriptionRow> => {
    const id = verifySubscriptionToken(ctx.secret, token);
    const sub = id === null ? undefined : await findSubscription(ctx.db, id);
    if (!sub || sub.status === "pending") throw badRequest("This link is not valid. Use the link in your latest digest, or subscribe again.");
    return sub;
  };

  app.get("/digests/manage", async (req, reply) => {
    const token = (req.query as Record<string, unknown>).token;
    const sub = await bySignedLink(token);
    const values = await valuesOf(ctx, sub);
    const saved = (req.query as Record<string, unknown>).saved === "1";
    csrfForForm(ctx, req, reply);
    return sendPage(ctx, req, reply, {
      title: "Email digest",
      path: "/digests/manage",
      section: "other",
      json: { email: sub.email, status: sub.status, ...values },
      body: () => SettingsPage({ csrf: req.csrfToken, action: "/digests/manage", token: String(token), email: sub.email, status: sub.status, values, forYou: sub.user_id !== null, saved, unsubscribeUrl: unsubscribeUrl(sub.id) }),
    });
  });

  app.post("/digests/manage", async (req, reply) => {
    const token = field(req.body, "token");
    const sub = await bySignedLink(token);
    const settings = readSettings(req.body);
    if (!settings.ok) {
      if (wantsJson(req)) throw badRequest(settings.message);
      return sendPage(ctx, req, reply, { title: "Email digest", path: "/digests/manage", status: 400, section: "other", json: { error: settings.message }, body: () => SettingsPage({ csrf: req.csrfToken, action: "/digests/manage", token, email: sub.email, status: sub.status, values: settings.values, forYou: sub.user_id !== null, error: settings.message }) });
    }
    // Holding the emailed link proves the address: saving may resume a stopped subscription.
    await saveSettings(ctx.db, sub.id, settings.values.prefs, settings.values, ctx.now(), true);
    return answer(req, reply, { ok: true }, `/digests/manage?token=${encodeURIComponent(token)}&saved=1`);
  });

  // Unsubscribe: a page to stop one section or everything, and the RFC 8058 one-click POST.
  app.register(async (scope) => {
    // RFC 8058 allows the one-click POST as multipart/form-data too; its content does not
    // matter (the URL says who and what), so it is read and dropped.
    scope.addContentTypeParser("multipart/form-data", { parseAs: "string", bodyLimit: 64 * 1024 }, (_req, _body, done) => done(null, {}));

    scope.get("/digests/unsubscribe", async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      const sub = await bySignedLink(q.token);
      const done = typeof q.done === "string" ? (q.done === "all" ? "You will get no more digests." : q.done in SECTION_TITLES ? `"${SECTION_TITLES[q.done as SectionKind]}" is off.` : null) : null;
      return sendPage(ctx, req, reply, {
        title: "Unsubscribe",
        path: "/digests/unsubscribe",
        section: "other",
        json: { email: sub.email, status: sub.status, sections: enabledSections(sub) },
        body: () => UnsubscribePage({ token: String(q.token), email: sub.email, enabled: enabledSections(sub), status: sub.status, done, manageUrl: manageUrl(sub.id) }),
      });
    });

    scope.post("/digests/unsubscribe", { config: { csrfExempt: true } }, async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      const token = typeof q.token === "string" ? q.token : field(req.body, "token");
      const id = verifySubscriptionToken(ctx.secret, token);
      const sub = id === null ? undefined : await findSubscription(ctx.db, id);
      if (!sub) throw badRequest("This unsubscribe link is not valid.");
      const whatRaw = field(req.body, "what") || "all";
      const what: SectionKind | "all" = whatRaw === "all" || whatRaw in SECTION_TITLES ? (whatRaw as SectionKind | "all") : "all";
      await stopSubscription(ctx.db, sub.id, what, ctx.now());
      const oneClick = field(req.body, "List-Unsubscribe") === "One-Click" || !field(req.body, "what");
      if (wantsJson(req) || (oneClick && !String(req.headers.accept ?? "").includes("text/html"))) {
        return reply.type("application/json; charset=utf-8").send({ ok: true, unsubscribed: what });
      }
      return reply.redirect(`/digests/unsubscribe?token=${encodeURIComponent(token)}&done=${what}`, 303);
    });
  });

  // A sent digest as a web page, for the reader it was for: the signed link from the email,
  // or the signed-in owner. Anyone else gets a 404 (no hint that it exists).
  app.get("/digests/:id", async (req, reply) => {
    const idText = (req.params as { id: string }).id;
    if (!/^\d{1,12}$/.test(idText)) throw notFound();
    const id = Number(idText);
    const send = await ctx.db.selectFrom("digest_sends").selectAll().where("id", "=", id).executeTakeFirst();
    const sub = send ? await findSubscription(ctx.db, send.subscription_id) : undefined;
    const allowed = send && sub && (verifyViewToken(ctx.secret, id, (req.query as Record<string, unknown>).t) || (req.viewer !== null && sub.user_id === req.viewer.id));
    if (!send || !sub || !allowed || send.status === "empty") throw notFound("There is no digest here, or this link is not yours.");
    const digest = parseContent(send.content);
    const rendered = await renderSend(ctx, sub, send, digest);
    reply.header("cache-control", "private, no-cache");
    // Not for search engines or referrers: the URL carries a token.
    reply.header("x-robots-tag", "noindex");
    if (formatOf(req) === "json") {
      const papers = await ctx.db.selectFrom("papers").select(["id", "arxiv_id", "title"]).where("id", "in", [0, ...digest.sections.flatMap((s) => s.items.map((i) => i.paperId))]).execute();
      const byId = new Map(papers.map((p) => [p.id, p]));
      return reply.type("application/json; charset=utf-8").send({
        id: send.id,
        period: send.period,
        status: send.status,
        subject: rendered.subject,
        sentAt: send.sent_at,
        sections: digest.sections.map((s) => ({
          kind: s.kind,
          title: SECTION_TITLES[s.kind],
          papers: s.items.map((i) => ({ id: byId.get(i.paperId)?.arxiv_id ?? null, title: byId.get(i.paperId)?.title ?? null, url: `${base()}/papers/${byId.get(i.paperId)?.arxiv_id ?? ""}`, reasons: i.reasons.map(reasonText) })),
        })),
      });
    }
    return reply.type("text/html; charset=utf-8").send(rendered.html);
  });
}
