import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { ParsedMail } from "mailparser";
import type { AppContext } from "../context.js";
import { eachDatabase } from "../../test/databases.js";
import { testApp, TEST_BASE_URL } from "../../test/app.js";
import { linkIn, startSmtp, type TestSmtp } from "../../test/smtp.js";
import { importFiles } from "../ingest/import.js";
import { refreshTrendingScores } from "../community/index.js";
import { Client, makeUser } from "../community/testing.js";
import { enqueue } from "../jobs/jobs.queries.js";
import { DIGEST_PLAN_JOB, digestMessageId } from "./digest.jobs.js";
import { subscriptionToken } from "./digest.tokens.js";
import { digestWorker, writeFixture } from "./testing.js";
import { runDigestCommand } from "./digests.cli.js";

const pathOf = (url: string) => url.replace(/^https?:\/\/[^/]+/, "");
/** A header as it was written (mailparser structures List-* headers), unfolded. */
const rawHeader = (m: ParsedMail, name: string) => (m.headerLines.find((h) => h.key === name.toLowerCase())?.line ?? "").replace(/\r?\n[ \t]+/g, " ").replace(/^[^:]+:\s*/, "");
/** 01:00 in New York on Tuesday 2026-06-30: the Monday feed day has closed. */
const TUESDAY_NIGHT = "2026-06-30T05:00:00.000Z";

eachDatabase("digests", (t) => {
  let app: FastifyInstance;
  let ctx: AppContext;
  let smtp: TestSmtp;
  before(async () => {
    smtp = await startSmtp();
    ({ app, ctx } = await testApp(t(), { SMTP_URL: smtp.url, DATA_DIR: mkdtempSync(join(tmpdir(), "dp-digest-data-")) }));
    await importFiles(t().db, [writeFixture()]);
    await refreshTrendingScores(t().db);
  });
  after(async () => {
    await app.close();
    await ctx.mailer.close();
    await smtp.close();
  });
  const drain = () => digestWorker(ctx).drain();
  const paperId = async (arxivId: string) => (await ctx.db.selectFrom("papers").select("id").where("arxiv_id", "=", arxivId).executeTakeFirstOrThrow()).id;
  const subOf = (email: string) => ctx.db.selectFrom("digest_subscriptions").selectAll().where("email", "=", email).executeTakeFirstOrThrow();

  it("a visitor subscribes with double opt-in: nothing is active until the link's POST", async () => {
    const c = new Client(app);
    const form = await c.get("/subscribe");
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<form method="post" action="\/subscribe"/);
    const token = /<meta name="csrf-token" content="([^"]+)"/.exec(form.body)![1];
    // Mistakes come back as the form with a message, never a 500.
    const bad = await c.post("/subscribe", { email: "not-an-email", trending: "1" }, { csrf: token });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /does not look like an email/);
    const badCat = await c.post("/subscribe", { email: "ann@example.org", topics_on: "1", topics: "diffusion [computer vision!]" }, { csrf: token });
    assert.equal(badCat.statusCode, 400);
    assert.match(badCat.body, /is not an arXiv category/);
    const nothing = await c.post("/subscribe", { email: "ann@example.org", frequency: "daily" }, { csrf: token });
    assert.equal(nothing.statusCode, 400);
    assert.match(nothing.body, /Choose at least one thing/);
    assert.equal((await c.post("/subscribe", { email: "ann@example.org", trending: "1" }, { csrf: "forged" })).statusCode, 403);

    const res = await c.post("/subscribe", { email: "Ann@Example.org", frequency: "daily", trending: "1", topics_on: "1", topics: "diffusion models [cs.CV]\n", authors_on: "1", authors: "ada lovelace" }, { csrf: token });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Check your inbox/);
    const pending = await subOf("ann@example.org");
    assert.equal(pending.status, "pending");
    assert.equal(await drain(), 1);
    const [mail] = smtp.to("ann@example.org");
    assert.match(mail.subject ?? "", /Confirm your Daily Papers digest/);
    const link = linkIn(mail, `${TEST_BASE_URL}/digests/confirm?token=`);
    const page = await c.get(pathOf(link));
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /action="\/digests\/confirm"/);
    assert.equal((await subOf("ann@example.org")).status, "pending", "a GET changes nothing");
    const confirmToken = new URL(link).searchParams.get("token")!;
    const done = await c.post("/digests/confirm", { token: confirmToken });
    assert.equal(done.statusCode, 200);
    assert.match(done.body, /You are subscribed/);
    const active = await subOf("ann@example.org");
    assert.equal(active.status, "active");
    assert.equal(active.trending, 1);
    const topics = await ctx.db.selectFrom("digest_topics").selectAll().where("subscription_id", "=", active.id).execute();
    assert.deepEqual(topics.map((x) => [x.query, x.categories]), [["diffusion models", "cs.CV"]]);
    assert.equal((await new Client(app).post("/digests/confirm", { token: confirmToken })).statusCode, 400, "the link works once");

    // Asking again for an active address changes nothing and mails the owner a settings link.
    const c2 = new Client(app);
    const tok2 = await c2.csrf("/subscribe");
    assert.equal((await c2.post("/subscribe", { email: "ann@example.org", frequency: "weekly", trending: "1" }, { csrf: tok2 })).statusCode, 200);
    assert.equal(await drain(), 1);
    assert.match(smtp.to("ann@example.org").at(-1)?.subject ?? "", /already get/);
    assert.equal((await subOf("ann@example.org")).frequency, "daily");
  });

  it("signed-in users with a confirmed email subscribe from settings, with 'for you'", async () => {
    const u = await makeUser(ctx.db, { username: "reader1", email: "reader1@example.org" });
    // Their signal: an upvote of a graph-network paper from the Friday before.
    await ctx.db.insertInto("votes").values({ user_id: u.id, paper_id: await paperId("2606.09001"), created_at: new Date().toISOString() }).execute();
    const c = await new Client(app).signInAs(ctx.db, u.id);
    const page = await c.get("/digests/settings");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /For you/);
    assert.match((await c.get("/settings")).body, /href="\/digests\/settings"/);
    const res = await c.post("/digests/settings", { frequency: "daily", for_you: "1" }, { csrf: await c.csrf("/digests/settings") });
    assert.equal(res.statusCode, 303);
    const sub = await subOf("reader1@example.org");
    assert.equal(sub.status, "active");
    assert.equal(sub.user_id, u.id);
    assert.equal(sub.for_you, 1);
    assert.equal(sub.trending, 0);
    assert.equal((await new Client(app).post("/digests/settings", { frequency: "daily", trending: "1" }, { csrf: false })).statusCode, 403);
  });

  it("sends each reader one ranked, deduplicated digest with both parts and RFC 8058 headers; no news, no email", async () => {
    // A reader whose only topic has nothing new, and a weekly reader (not due on Tuesday).
    for (const [email, frequency, trending, topics] of [["quiet@example.org", "daily", 0, 1], ["weekly@example.org", "weekly", 1, 0]] as const) {
      const r = await ctx.db.insertInto("digest_subscriptions").values({ email, user_id: null, frequency, trending, for_you: 0, topics, authors: 0, status: "active", confirm_token_hash: null, confirm_expires_at: null, created_at: new Date().toISOString(), confirmed_at: new Date().toISOString(), updated_at: new Date().toISOString() }).returning("id").executeTakeFirstOrThrow();
      if (topics) await ctx.db.insertInto("digest_topics").values({ subscription_id: r.id, query: "quantum gravity", categories: "", created_at: new Date().toISOString() }).execute();
    }
    // A trending paper: upvotes lift it above the others of the day.
    await ctx.db.updateTable("papers").set({ upvotes: 12, trending_score: 1e9 }).where("arxiv_id", "=", "2606.10005").execute();
    const before = smtp.messages.length;
    await enqueue(ctx.db, DIGEST_PLAN_JOB, { at: TUESDAY_NIGHT }, {}, new Date(TUESDAY_NIGHT));
    await drain();
    assert.deepEqual(smtp.messages.slice(before).map((m) => m.headerLines.find((h) => h.key === "to")?.line).sort(), ["To: ann@example.org", "To: reader1@example.org"], "ann and reader1; not the quiet or the weekly reader");
    assert.equal(smtp.to("quiet@example.org").length, 0);
    const quiet = await subOf("quiet@example.org");
    assert.equal((await ctx.db.selectFrom("digest_sends").select("status").where("subscription_id", "=", quiet.id).executeTakeFirstOrThrow()).status, "empty");

    const ann = await subOf("ann@example.org");
    const mail = smtp.to("ann@example.org").at(-1)!;
    assert.match(mail.subject ?? "", /Daily Papers digest: \d+ papers for Monday, June 29, 2026/);
    // MIME: multipart/alternative with a text and an HTML part.
    assert.equal((mail.headers.get("content-type") as { value: string }).value, "multipart/alternative");
    assert.ok(mail.text && mail.html);
    assert.equal(mail.messageId, digestMessageId(TEST_BASE_URL, ann.id, "day:2026-06-29"));
    const token = subscriptionToken(ctx.secret, ann.id);
    assert.equal(rawHeader(mail, "List-Unsubscribe"), `<${TEST_BASE_URL}/digests/unsubscribe?token=${token}>`, "only the address that works: nothing reads mail to the sender");
    assert.equal(rawHeader(mail, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");

    // Sections and reasons: the topic finds both cs.CV diffusion papers (not the cs.SD one);
    // Ada's cs.CV paper is listed once, with both reasons; trending shows the rest.
    const text = mail.text!;
    const sections = text.split(/\n(?=\S[^\n]*\n=+\n)/);
    const topicsPart = sections.find((s) => s.startsWith("Your topic alerts"))!;
    const authorsPart = sections.find((s) => s.startsWith("Authors you follow"))!;
    const trendingPart = sections.find((s) => s.startsWith("Trending"))!;
    assert.ok(topicsPart && authorsPart && trendingPart, text);
    assert.match(topicsPart, /\* Diffusion Models for Video Generation[\s\S]*Why: matches "diffusion models \[cs\.CV\]"; by Ada Lovelace, whom you follow/);
    assert.match(topicsPart, /Scaling Diffusion Transformers/);
    assert.doesNotMatch(topicsPart, /Speech Enhancement/);
    assert.match(authorsPart, /Diffusion Models for Speech Enhancement[\s\S]*Why: by Ada Lovelace, whom you follow/);
    assert.match(trendingPart, /^\* Reinforcement Learning for Legged Robots[^\n]*\n[^\n]*\n {2}Why: trending #1/m);
    for (const title of ["Diffusion Models for Video Generation", "Scaling Diffusion", "Speech Enhancement", "Legged Robots"]) {
      assert.equal(text.split(title).length - 1, 1, `${title} appears once`);
    }
    assert.doesNotMatch(text, /Depth Estimation/, "Tuesday's paper is not in Monday's digest");
    assert.match(mail.html!, /<table role="presentation"/);
    assert.match(mail.html!, /prefers-color-scheme: dark/);
    assert.doesNotMatch(mail.html!, /<link |<script/);

    const reader = smtp.to("reader1@example.org").at(-1)!;
    assert.match(reader.text!, /For you\n=+\n\n\* (Graph Neural Networks for Molecular|Equivariant Graph Networks)[\s\S]*Why: similar to "Pretraining Graph Neural Networks on Molecules", which you upvoted/);
    assert.doesNotMatch(reader.text!, /Trending/, "reader1 asked for 'for you' only");

    // Every link of both parts resolves on the running app.
    const links = new Set([...(mail.html!.match(/href="([^"]+)"/g) ?? []).map((h) => h.slice(6, -1).replace(/&amp;/g, "&")), ...(text.match(/https?:\/\/\S+/g) ?? [])]);
    const local = [...links].filter((l) => l.startsWith(TEST_BASE_URL));
    assert.ok(local.some((l) => l.includes("/digests/manage")) && local.some((l) => l.includes("/digests/unsubscribe")) && local.some((l) => /\/digests\/\d+\?t=/.test(l)) && local.some((l) => l.includes("/papers/2606.10001")));
    for (const l of local) assert.equal((await new Client(app).get(pathOf(l))).statusCode, 200, l);
    assert.ok([...links].some((l) => l === "https://arxiv.org/pdf/2606.10001"));

    // Never twice: planning and draining again sends nothing.
    await enqueue(ctx.db, DIGEST_PLAN_JOB, { at: TUESDAY_NIGHT }, {}, new Date(TUESDAY_NIGHT));
    await drain();
    assert.equal(smtp.messages.length - before, 2);
    const sent = await ctx.db.selectFrom("digest_sent_papers").select("paper_id").where("subscription_id", "=", ann.id).execute();
    assert.ok(sent.length >= 4);
  });

  it("the browser view is the reader's; a changed frequency never repeats papers already sent", async () => {
    const ann = await subOf("ann@example.org");
    const send = await ctx.db.selectFrom("digest_sends").selectAll().where("subscription_id", "=", ann.id).where("status", "=", "sent").executeTakeFirstOrThrow();
    assert.equal((await new Client(app).get(`/digests/${send.id}`)).statusCode, 404, "no token, no session");
    assert.equal((await new Client(app).get(`/digests/${send.id}?t=${send.id}.AAAAAAAAAAAAAAAAAAAAAA`)).statusCode, 404);
    const json = await new Client(app).get(`/digests/${send.id}.json?t=${pathOf(linkIn(smtp.to("ann@example.org").at(-1)!, `${TEST_BASE_URL}/digests/${send.id}?t=`)).split("t=")[1]}`);
    assert.equal(json.statusCode, 200);
    const body = json.json() as { sections: Array<{ kind: string; papers: Array<{ id: string; reasons: string[] }> }> };
    assert.equal(body.sections[0].kind, "topics");
    assert.equal(body.sections[0].papers[0].id, "2606.10001");
    const reader = await subOf("reader1@example.org");
    const readerSend = await ctx.db.selectFrom("digest_sends").select("id").where("subscription_id", "=", reader.id).executeTakeFirstOrThrow();
    const owner = await new Client(app).signInAs(ctx.db, reader.user_id!);
    assert.equal((await owner.get(`/digests/${readerSend.id}`)).statusCode, 200, "the signed-in owner");
    assert.equal((await owner.get(`/digests/${send.id}`)).statusCode, 404, "someone else's");

    // Ann switches to weekly: the week's digest leaves out what Monday's already had.
    await ctx.db.updateTable("digest_subscriptions").set({ frequency: "weekly" }).where("id", "=", ann.id).execute();
    const mondayAfter = "2026-07-06T05:00:00.000Z";
    await enqueue(ctx.db, DIGEST_PLAN_JOB, { at: mondayAfter }, {}, new Date(mondayAfter));
    await drain();
    const weekly = smtp.to("ann@example.org").at(-1)!;
    assert.match(weekly.subject ?? "", /weekly digest: \d+ papers? for the week of June 29, 2026/);
    assert.match(weekly.text!, /Depth Estimation/);
    for (const title of ["Diffusion Models for Video Generation", "Scaling Diffusion", "Speech Enhancement", "Legged Robots"]) assert.doesNotMatch(weekly.text!, new RegExp(title));
    assert.equal(smtp.to("weekly@example.org").length, 1);
  });

  it("unsubscribes in one click without a session, or one section from the link's page", async () => {
    const reader = await subOf("reader1@example.org");
    const token = subscriptionToken(ctx.secret, reader.id);
    const page = await new Client(app).get(`/digests/unsubscribe?token=${token}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Stop only &quot;For you&quot;|Stop only "For you"/);
    // The link page's form: stop one section.
    const one = await new Client(app).post(`/digests/unsubscribe?token=${token}`, { what: "for_you" }, { csrf: false });
    assert.equal(one.statusCode, 303);
    assert.equal((await subOf("reader1@example.org")).for_you, 0);
    assert.equal((await subOf("reader1@example.org")).status, "active");
    // RFC 8058: a POST from the mail provider, no cookie, no CSRF token, maybe multipart.
    const forged = await app.inject({ method: "POST", url: `/digests/unsubscribe?token=${reader.id}.AAAAAAAAAAAAAAAAAAAAAA`, headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "List-Unsubscribe=One-Click" });
    assert.equal(forged.statusCode, 400);
    assert.equal((await subOf("reader1@example.org")).status, "active");
    const boundary = "----x";
    const click = await app.inject({
      method: "POST",
      url: `/digests/unsubscribe?token=${token}`,
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`,
    });
    assert.equal(click.statusCode, 200);
    assert.equal((await subOf("reader1@example.org")).status, "unsubscribed");
    const ann = await subOf("ann@example.org");
    const urlencoded = await app.inject({ method: "POST", url: `/digests/unsubscribe?token=${subscriptionToken(ctx.secret, ann.id)}`, headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "List-Unsubscribe=One-Click" });
    assert.equal(urlencoded.statusCode, 200);
    assert.equal((await subOf("ann@example.org")).status, "unsubscribed");

    // Unsubscribed readers get nothing; the manage link can resume.
    const before = smtp.messages.length;
    const wed = "2026-07-01T05:00:00.000Z";
    await enqueue(ctx.db, DIGEST_PLAN_JOB, { at: wed }, {}, new Date(wed));
    await drain();
    assert.equal(smtp.to("reader1@example.org").length, 1);
    assert.equal(smtp.messages.length, before);
    const c = new Client(app);
    const manage = await c.get(`/digests/manage?token=${token}`);
    assert.equal(manage.statusCode, 200);
    const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(manage.body)![1];
    assert.equal((await c.post("/digests/manage", { token, frequency: "weekly", trending: "1" }, { csrf })).statusCode, 303);
    const resumed = await subOf("reader1@example.org");
    assert.equal(resumed.status, "active");
    assert.equal(resumed.frequency, "weekly");
    assert.equal((await new Client(app).get(`/digests/manage?token=garbage`)).statusCode, 400);
  });

  it("the command line previews a reader's next digest and runs a send now", async () => {
    const lines: string[] = [];
    const out = (l: string) => void lines.push(l);
    // The command closes its context; this one is the test's.
    const borrowed = async () => ({ ...ctx, close: async () => {} });
    const u = await makeUser(ctx.db, { username: "clireader", email: "cli@example.org" });
    assert.equal(await runDigestCommand(["preview", "--user", "clireader", "--period", "day:2026-06-29"], out, borrowed), 0);
    assert.match(lines.join("\n"), /^Subject: Daily Papers digest: \d+ papers for Monday, June 29, 2026\nTo: cli@example.org/);
    assert.match(lines.join("\n"), /Trending\n=+/);
    await assert.rejects(runDigestCommand(["preview", "--user", "nobody-here"], out, borrowed), /no user "nobody-here"/);
    await assert.rejects(runDigestCommand(["send", "--period", "day:2026-13-01"], out, borrowed), /is not a period/);

    const now = new Date().toISOString();
    await ctx.db.insertInto("digest_subscriptions").values({ email: "cli@example.org", user_id: u.id, frequency: "daily", trending: 1, for_you: 0, topics: 0, authors: 0, status: "active", confirm_token_hash: null, confirm_expires_at: null, created_at: now, confirmed_at: now, updated_at: now }).execute();
    lines.length = 0;
    assert.equal(await runDigestCommand(["send", "--dry-run", "--period", "day:2026-06-30"], out, borrowed), 0);
    assert.match(lines.join("\n"), /day:2026-06-30: \d+ subscribers, \d+ digests would be sent/);
    assert.equal(smtp.to("cli@example.org").length, 0, "a dry run sends nothing");
    lines.length = 0;
    assert.equal(await runDigestCommand(["send", "--period", "day:2026-06-30"], out, borrowed), 0);
    assert.match(lines.join("\n"), /day:2026-06-30: sent [1-9]/);
    assert.equal(smtp.to("cli@example.org").length, 1);
    assert.match(smtp.to("cli@example.org")[0].text!, /Depth Estimation/);
  });
  it("a search offers itself as a topic alert: the form comes filled in, nothing is saved until it is sent", async () => {
    const search = (await new Client(app).get("/search?q=graph+neural+networks&cat=cs.LG")).body;
    assert.match(search, /href="\/subscribe\?topic=graph\+neural\+networks&amp;cat=cs\.LG"/);
    const visitor = await new Client(app).get("/subscribe?topic=graph+neural+networks&cat=cs.LG");
    assert.equal(visitor.statusCode, 200);
    assert.match(visitor.body, /The topic alert “graph neural networks \[cs\.LG\]” is added below/);
    assert.match(visitor.body, /<textarea id="dg-topics" name="topics"[^>]*>graph neural networks \[cs\.LG\]<\/textarea>/);
    assert.match(visitor.body, /name="topics_on" value="1" checked/);
    // One the form would refuse is left out rather than shown as an error.
    const bad = await new Client(app).get("/subscribe?topic=x&cat=not+a+category!");
    assert.equal(bad.statusCode, 200);
    assert.doesNotMatch(bad.body, /is added below/);

    // Signed in: the account's own settings, its topics kept, the new one added once.
    const u = await makeUser(ctx.db, { username: "alerts1", email: "alerts1@example.org" });
    const c = await new Client(app).signInAs(ctx.db, u.id);
    await c.post("/digests/settings", { frequency: "weekly", topics_on: "1", topics: "diffusion models" }, { csrf: await c.csrf("/digests/settings") });
    const redirect = await c.get("/subscribe?topic=graph+neural+networks");
    assert.equal(redirect.headers.location, "/digests/settings?topic=graph+neural+networks");
    const settings = await c.get("/digests/settings?topic=graph+neural+networks");
    assert.match(settings.body, /<textarea id="dg-topics" name="topics"[^>]*>diffusion models\ngraph neural networks<\/textarea>/);
    const again = await c.get("/digests/settings?topic=Diffusion+models");
    assert.match(again.body, />diffusion models<\/textarea>/, "a topic already there is not added twice");
    const sub = await subOf("alerts1@example.org");
    const stored = await ctx.db.selectFrom("digest_topics").select("query").where("subscription_id", "=", sub.id).execute();
    assert.deepEqual(stored.map((t) => t.query), ["diffusion models"], "opening the form saved nothing");
  });
});
