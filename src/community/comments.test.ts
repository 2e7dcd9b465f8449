import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { eachDatabase } from "../../test/databases.js";
import { FEED_FIXTURES, testApp } from "../../test/app.js";
import { startSmtp, type TestSmtp } from "../../test/smtp.js";
import { importFiles } from "../ingest/import.js";
import { trendingScore } from "../ranking/trending.js";
import { Client, mailWorker, makeUser } from "./testing.js";

const PAPER = "2503.99901";
const OTHER_DAY_PAPER = "2503.11731";

eachDatabase("discussion and moderation", (t) => {
  let app: FastifyInstance;
  let ctx: AppContext;
  let smtp: TestSmtp;
  let clock = new Date("2025-03-26T12:00:00.000Z");
  const paper = (id = PAPER) => t().db.selectFrom("papers").selectAll().where("arxiv_id", "=", id).executeTakeFirstOrThrow();
  const lastComment = () => t().db.selectFrom("comments").selectAll().orderBy("id", "desc").executeTakeFirstOrThrow();
  let alice: Client, bob: Client, curator: Client;
  let aliceId: number;

  before(async () => {
    smtp = await startSmtp();
    ({ app, ctx } = await testApp(t(), { SMTP_URL: smtp.url }, { now: () => clock }));
    await importFiles(t().db, FEED_FIXTURES);
    aliceId = (await makeUser(t().db, { username: "alice" })).id;
    alice = await new Client(app).signInAs(t().db, aliceId);
    bob = await new Client(app).signInAs(t().db, (await makeUser(t().db, { username: "bob", email: "bob@example.org" })).id);
    curator = await new Client(app).signInAs(t().db, (await makeUser(t().db, { username: "cora", role: "curator" })).id);
  });
  after(async () => {
    await app.close();
    await ctx.mailer.close();
    await smtp.close();
  });

  it("a comment in Markdown is stored, counted with the trending score, and rendered sanitised", async () => {
    const res = await alice.post(`/comment/${PAPER}`, { body: "Nice **result**. <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>" });
    assert.equal(res.statusCode, 303);
    const c = await lastComment();
    assert.equal(res.headers.location, `/papers/${PAPER}#c${c.id}`);
    const p = await paper();
    assert.equal(p.num_comments, 1);
    assert.equal(p.trending_score, trendingScore(0, 1, new Date("2025-03-25T00:00:00.000Z")));
    const page = await alice.get(`/papers/${PAPER}`);
    assert.match(page.body, /<strong>result<\/strong>/);
    assert.match(page.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(page.body, /<script>alert/);
    assert.doesNotMatch(page.body, /href="javascript:/);
    assert.doesNotMatch(page.body, /<img src=x/);
    assert.match(page.body, /Discussion \(1\)/);
    const json = (await app.inject(`/papers/${PAPER}.json`)).json();
    assert.equal(json.comments.length, 1);
    assert.equal(json.comments[0].author, "alice");
    assert.equal(json.numComments, 1);
    assert.equal((await app.inject(`/api/daily_papers?date=2025-03-25`)).json()[0].numComments, 1);
  });

  it("replies thread under their parent; a reply to another paper's comment or an empty one is refused", async () => {
    const parent = await lastComment();
    const res = await bob.post(`/comment/${PAPER}`, { body: "Agreed.", parent_id: String(parent.id) }, { json: true });
    assert.equal(res.statusCode, 201);
    assert.equal(res.json().comment.parentId, parent.id);
    assert.equal(res.json().numComments, 2);
    const page = await bob.get(`/papers/${PAPER}`);
    assert.match(page.body, new RegExp(`id="c${parent.id}"[\\s\\S]*<ol><li class="comment" id="c${res.json().comment.id}"`));
    assert.equal((await bob.post(`/comment/${OTHER_DAY_PAPER}`, { body: "x", parent_id: String(parent.id) }, { json: true })).statusCode, 404);
    const empty = await bob.post(`/comment/${PAPER}`, { body: "   " }, { json: true });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.json().error, /empty/);
    assert.equal((await bob.post(`/comment/${PAPER}`, { body: "x".repeat(10_001) }, { json: true })).statusCode, 400);
    assert.equal((await new Client(app).post(`/comment/${PAPER}`, { body: "anon" }, { json: true })).statusCode, 401);
  });

  it("only the author edits (within 15 minutes) and deletes; others get 403", async () => {
    const mine = (await alice.post(`/comment/${PAPER}`, { body: "first draft" }, { json: true })).json().comment;
    assert.equal((await bob.post(`/comments/${mine.id}/edit`, { body: "hijacked" }, { json: true })).statusCode, 403);
    assert.equal((await bob.post(`/comments/${mine.id}/delete`, {}, { json: true })).statusCode, 403);
    assert.equal((await curator.post(`/comments/${mine.id}/edit`, { body: "curated" }, { json: true })).statusCode, 403);
    assert.equal((await alice.post(`/comments/${mine.id}/edit`, { body: "second draft" }, { json: true })).statusCode, 200);
    let row = await t().db.selectFrom("comments").selectAll().where("id", "=", mine.id).executeTakeFirstOrThrow();
    assert.equal(row.body, "second draft");
    assert.ok(row.edited_at);
    clock = new Date(clock.getTime() + 16 * 60_000);
    const late = await alice.post(`/comments/${mine.id}/edit`, { body: "too late" }, { json: true });
    assert.equal(late.statusCode, 403);
    assert.match(late.json().error, /within 15 minutes/);
    const before = (await paper()).num_comments;
    assert.equal((await alice.post(`/comments/${mine.id}/delete`, {}, { json: true })).statusCode, 200);
    row = await t().db.selectFrom("comments").selectAll().where("id", "=", mine.id).executeTakeFirstOrThrow();
    assert.equal(row.deleted, 1);
    assert.equal(row.body, "");
    assert.equal((await paper()).num_comments, before - 1);
    assert.equal((await alice.post(`/comments/${mine.id}/delete`, {}, { json: true })).statusCode, 403, "already deleted");
    assert.equal((await alice.post(`/comments/999999/delete`, {}, { json: true })).statusCode, 404);
  });

  it("a reader cannot moderate; a curator hides a comment and a paper, logged on the public page", async () => {
    const target = (await bob.post(`/comment/${PAPER}`, { body: "spam spam" }, { json: true })).json().comment;
    assert.equal((await alice.post(`/comments/${target.id}/moderate`, { action: "hide", reason: "spam" }, { json: true })).statusCode, 403);
    assert.equal((await alice.post(`/moderate/paper/${PAPER}`, { action: "hide", reason: "spam" }, { json: true })).statusCode, 403);
    assert.equal((await alice.post(`/u/bob/ban`, { action: "ban", reason: "spam" }, { json: true })).statusCode, 403);
    const before = (await paper()).num_comments;
    assert.equal((await curator.post(`/comments/${target.id}/moderate`, { action: "hide", reason: "spam link" }, { json: true })).statusCode, 200);
    assert.equal((await paper()).num_comments, before - 1);
    assert.doesNotMatch((await alice.get(`/papers/${PAPER}`)).body, /spam spam/);
    assert.match((await curator.get(`/papers/${PAPER}`)).body, /spam spam/, "moderators still see it, marked hidden");

    assert.equal((await curator.post(`/moderate/paper/${OTHER_DAY_PAPER}`, { action: "hide" }, { json: true })).statusCode, 400, "a reason is required");
    assert.equal((await curator.post(`/moderate/paper/${OTHER_DAY_PAPER}`, { action: "hide", reason: "duplicate" }, { json: true })).statusCode, 200);
    assert.equal((await app.inject(`/papers/${OTHER_DAY_PAPER}`)).statusCode, 404);
    const month = (await app.inject("/api/daily_papers?month=2025-03")).json() as Array<{ paper: { id: string } }>;
    assert.ok(!month.some((i) => i.paper.id === OTHER_DAY_PAPER));

    const log = await app.inject("/moderation");
    assert.equal(log.statusCode, 200);
    assert.match(log.body, /hid comment/);
    assert.match(log.body, /spam link/);
    assert.match(log.body, /hid paper/);
    const entries = (await app.inject("/moderation.json")).json().entries;
    assert.deepEqual(entries.map((e: { action: string }) => e.action), ["hide_paper", "hide_comment"]);
    assert.equal(entries[0].moderator, "cora");
    // Restore the paper from the log.
    assert.equal((await curator.post(`/moderate/paper/${OTHER_DAY_PAPER}`, { action: "unhide", reason: "not a duplicate" }, { json: true })).statusCode, 200);
    assert.equal((await app.inject(`/papers/${OTHER_DAY_PAPER}`)).statusCode, 200);
  });

  it("a ban ends the user's sessions and stops their writes; curators cannot ban curators", async () => {
    const mallory = await makeUser(t().db, { username: "mallory" });
    const m = await new Client(app).signInAs(t().db, mallory.id);
    assert.equal((await curator.post(`/u/cora/ban`, { action: "ban", reason: "self" }, { json: true })).statusCode, 403);
    const other = await makeUser(t().db, { username: "cura2", role: "curator" });
    assert.equal((await curator.post(`/u/${other.username}/ban`, { action: "ban", reason: "no" }, { json: true })).statusCode, 403);
    assert.equal((await curator.post(`/u/mallory/ban`, { action: "ban", reason: "abuse" }, { json: true })).statusCode, 200);
    assert.equal((await m.post(`/comment/${PAPER}`, { body: "still here?" }, { json: true, csrf: "x" })).statusCode, 403);
    const again = await new Client(app).signInAs(t().db, mallory.id);
    const refused = await again.post(`/comment/${PAPER}`, { body: "still here?" }, { json: true });
    assert.equal(refused.statusCode, 403);
    assert.match(refused.json().error, /suspended/);
    assert.equal((await app.inject("/moderation.json")).json().entries[0].action, "ban_user");
    assert.match((await app.inject("/u/mallory")).body, /banned/);
  });

  it("@mentions and replies notify in the app, and by email when opted in", async () => {
    await t().db.updateTable("users").set({ notify_by_email: 1 }).where("username", "=", "bob").execute();
    const res = await alice.post(`/comment/${PAPER}`, { body: "What do you think, @bob? And @nobody-here." }, { json: true });
    assert.equal(res.statusCode, 201);
    const header = await bob.get("/papers");
    assert.match(header.body, /Notifications, 1 unread/);
    const list = await bob.get("/notifications");
    assert.match(list.body, /alice<\/a> mentioned you/);
    assert.equal(await mailWorker(ctx).drain(), 1);
    const mail = smtp.to("bob@example.org").at(-1)!;
    assert.match(mail.subject ?? "", /alice mentioned you/);
    assert.match(mail.text ?? "", new RegExp(`http://papers.test/papers/${PAPER}#c${res.json().comment.id}`));
    // Bob replies: Alice (who has not opted in) is told in the app only.
    await bob.post(`/comment/${PAPER}`, { body: "Looks right.", parent_id: String(res.json().comment.id) }, { json: true });
    assert.match((await alice.get("/notifications")).body, /bob<\/a> replied to your comment/);
    assert.equal(await mailWorker(ctx).drain(), 0);
    assert.equal((await bob.post("/notifications/read")).statusCode, 303);
    assert.doesNotMatch((await bob.get("/papers")).body, /unread/);
    // An edit that adds a mention tells the newly mentioned; those mentioned before are not told twice.
    const cora = (await t().db.selectFrom("users").select("id").where("username", "=", "cora").executeTakeFirstOrThrow()).id;
    await t().db.updateTable("users").set({ email_confirmed_at: clock.toISOString() }).where("id", "=", cora).execute();
    const edit = await alice.post(`/comments/${res.json().comment.id}/edit`, { body: "What do you think, @bob? And @cora?" }, { json: true });
    assert.equal(edit.statusCode, 200);
    const told = await t().db.selectFrom("notifications").select(["user_id", "kind"]).where("comment_id", "=", res.json().comment.id).execute();
    assert.deepEqual(told.map((n) => n.user_id).sort(), [cora, (await t().db.selectFrom("users").select("id").where("username", "=", "bob").executeTakeFirstOrThrow()).id].sort());
    assert.match((await curator.get("/notifications")).body, /alice<\/a> mentioned you/);
    assert.equal(await mailWorker(ctx).drain(), 0, "bob, mentioned before, gets no second email");
  });

  it("comments are rate limited per user: 429 with Retry-After", async () => {
    const c = await new Client(app).signInAs(t().db, (await makeUser(t().db)).id);
    let res;
    for (let i = 0; i < 11; i++) res = await c.post(`/comment/${PAPER}`, { body: `note ${i}` }, { json: true });
    assert.equal(res!.statusCode, 429);
    assert.ok(Number(res!.headers["retry-after"]) > 0);
    // Another user is not affected.
    assert.equal((await alice.post(`/comment/${PAPER}`, { body: "mine" }, { json: true })).statusCode, 201);
  });

  it("profiles list what a user submitted and upvoted", async () => {
    await alice.post(`/upvote/${PAPER}`, { vote: "1" });
    const page = await app.inject("/u/alice");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h2>Upvoted<\/h2>[\s\S]*Graph transformers/);
    const json = (await app.inject("/u/alice.json")).json();
    assert.equal(json.user.user, "alice");
    assert.equal(json.upvoted[0].paper.id, PAPER);
    assert.equal((await app.inject("/u/nobody-at-all")).statusCode, 404);
    assert.equal(aliceId > 0, true);
  });
});
