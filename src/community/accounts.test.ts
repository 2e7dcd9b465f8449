import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { eachDatabase } from "../../test/databases.js";
import { testApp } from "../../test/app.js";
import { linkIn, startSmtp, type TestSmtp } from "../../test/smtp.js";
import { Client, mailWorker, makeUser } from "./testing.js";
import { checkLogin, createAccount, LOGIN_FAILED } from "./accounts.service.js";

const pathOf = (url: string) => url.replace(/^https?:\/\/[^/]+/, "");

eachDatabase("accounts", (t) => {
  let app: FastifyInstance;
  let ctx: AppContext;
  let smtp: TestSmtp;
  before(async () => {
    smtp = await startSmtp();
    ({ app, ctx } = await testApp(t(), { SMTP_URL: smtp.url }));
  });
  after(async () => {
    await app.close();
    await ctx.mailer.close();
    await smtp.close();
  });
  const deliver = () => mailWorker(ctx).drain();

  it("signs up, receives the confirmation by SMTP, confirms with a POST and is logged in", async () => {
    const c = new Client(app);
    const res = await c.post("/signup", { username: "Ada_L", email: "Ada@Example.org", password: "correct horse battery" });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Check your inbox/);
    assert.match(res.body, /ada@example\.org/);
    assert.equal(await deliver(), 1);
    const [mail] = smtp.to("ada@example.org");
    assert.match(mail.subject ?? "", /Confirm your email/);
    assert.match(mail.html || "", /Confirm my email/);
    const link = linkIn(mail, "http://papers.test/confirm?token=");

    // Logging in before confirming fails with the one message for every failure.
    const early = await c.post("/login", { login: "ada_l", password: "correct horse battery" });
    assert.equal(early.statusCode, 400);
    assert.ok(early.body.includes("Wrong username/email or password"));

    // The link's GET shows a button and changes nothing; the POST confirms and logs in.
    const page = await c.get(pathOf(link));
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<form method="post" action="\/confirm"/);
    const u0 = await ctx.db.selectFrom("users").selectAll().where("username", "=", "ada_l").executeTakeFirstOrThrow();
    assert.equal(u0.email_confirmed_at, null);
    assert.match(u0.password_hash, /^scrypt\$/);
    const token = new URL(link).searchParams.get("token")!;
    const confirmed = await c.post("/confirm", { token });
    assert.equal(confirmed.statusCode, 303);
    const setCookie = String(confirmed.headers["set-cookie"]);
    assert.match(setCookie, /dp_session=[^;]+;.*HttpOnly/i);
    assert.match(setCookie, /SameSite=Lax/i);
    assert.doesNotMatch(setCookie, /Secure/i);
    const home = await c.get("/papers");
    assert.match(home.body, /<summary>ada_l<\/summary>/);
    assert.match(home.body, /action="\/logout"/);
    // The token works once.
    assert.equal((await new Client(app).post("/confirm", { token })).statusCode, 400);

    const out = await c.post("/logout");
    assert.equal(out.statusCode, 303);
    assert.doesNotMatch((await c.get("/papers")).body, /<summary>ada_l<\/summary>/);
    const back = await c.post("/login", { login: "ADA@example.org", password: "correct horse battery", next: "/settings" });
    assert.equal(back.statusCode, 303);
    assert.equal(back.headers.location, "/settings");
  });

  it("sign-up never tells whether an email or a username has an account; the mail does", async () => {
    await makeUser(t().db, { username: "grace", email: "grace@example.org" });
    const pages: string[] = [];
    for (const [username, email] of [["newbie", "newbie@example.org"], ["other", "grace@example.org"], ["grace", "someone@example.org"]]) {
      const res = await new Client(app).post("/signup", { username, email, password: "a long enough password" });
      assert.equal(res.statusCode, 200);
      pages.push(res.body.replace(email, "EMAIL").replace(/content="[^"]+"/g, ""));
    }
    assert.equal(pages[1], pages[0]);
    assert.equal(pages[2], pages[0]);
    await deliver();
    assert.match(smtp.to("grace@example.org").at(-1)!.subject ?? "", /already have/);
    assert.match(smtp.to("someone@example.org").at(-1)!.subject ?? "", /another username/);
    assert.match(smtp.to("newbie@example.org").at(-1)!.subject ?? "", /Confirm/);
    const users = await t().db.selectFrom("users").select("username").where("username", "in", ["other", "grace", "newbie"]).execute();
    assert.deepEqual(users.map((u) => u.username).sort(), ["grace", "newbie"]);
  });

  it("log-in has one message for an unknown user, a wrong password and an unconfirmed account", async () => {
    const bodies: string[] = [];
    for (const login of ["nobody-here", "grace", "newbie"]) {
      const res = await new Client(app).post("/login", { login, password: "a long enough password x" }, { json: true });
      assert.equal(res.statusCode, 400);
      bodies.push(res.json().error);
    }
    assert.deepEqual(bodies, [LOGIN_FAILED, LOGIN_FAILED, LOGIN_FAILED]);
  });

  it("bad sign-up input gets the form again with a clear message and a 400", async () => {
    const res = await new Client(app).post("/signup", { username: "x", email: "x@example.org", password: "a long enough password" });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /A username is 3 to 30 letters/);
    assert.match(res.body, /value="x@example.org"/);
    const short = await new Client(app).post("/signup", { username: "okname", email: "ok@example.org", password: "short" }, { json: true });
    assert.equal(short.statusCode, 400);
    assert.equal(short.json().error, "A password needs at least 10 characters.");
  });

  it("password reset by emailed token: one use, other sessions end, the old password stops working", async () => {
    const c = new Client(app);
    await c.post("/signup", { username: "resetter", email: "resetter@example.org", password: "first password 1" });
    await deliver();
    const confirm = new URL(linkIn(smtp.to("resetter@example.org")[0], "http://papers.test/confirm?token=")).searchParams.get("token")!;
    assert.equal((await c.post("/confirm", { token: confirm })).statusCode, 303);
    const other = new Client(app);
    assert.equal((await other.post("/login", { login: "resetter", password: "first password 1" })).statusCode, 303);

    const anon = new Client(app);
    const unknown = await anon.post("/forgot", { email: "nobody@example.org" });
    const known = await anon.post("/forgot", { email: "resetter@example.org" });
    assert.equal(unknown.statusCode, 200);
    assert.equal(known.body.replace(/content="[^"]+"/g, ""), unknown.body.replace(/content="[^"]+"/g, ""));
    await deliver();
    assert.equal(smtp.to("nobody@example.org").length, 0);
    const link = linkIn(smtp.to("resetter@example.org").at(-1)!, "http://papers.test/reset?token=");
    const form = await anon.get(pathOf(link));
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Choose a new password/);
    const token = new URL(link).searchParams.get("token")!;
    assert.equal((await anon.post("/reset", { token, password: "short" })).statusCode, 400);
    const done = await anon.post("/reset", { token, password: "second password 2" });
    assert.equal(done.statusCode, 303);
    assert.match((await anon.get("/papers")).body, /<summary>resetter<\/summary>/);
    assert.doesNotMatch((await other.get("/papers")).body, /<summary>resetter<\/summary>/, "the other session ended");
    assert.equal((await new Client(app).post("/reset", { token, password: "third password 3" })).statusCode, 400);
    assert.equal((await new Client(app).post("/login", { login: "resetter", password: "first password 1" })).statusCode, 400);
    assert.equal((await new Client(app).post("/login", { login: "resetter", password: "second password 2" })).statusCode, 303);
  });

  it("changing the password needs the current one; other sessions end, this one stays", async () => {
    // Sessions made directly: log-in attempts count against this address's limit (tested below).
    const id = await createAccount(ctx, { username: "changer", email: "changer@example.org", password: "first password 1", role: "reader" });
    const c = await new Client(app).signInAs(ctx.db, id);
    const other = await new Client(app).signInAs(ctx.db, id);
    assert.match((await c.get("/settings")).body, /<form method="post" action="\/settings\/password"/);

    const wrong = await c.post("/settings/password", { current_password: "not my password", new_password: "second password 2" });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /role="alert">That is not your current password/);
    const short = await c.post("/settings/password", { current_password: "first password 1", new_password: "short" }, { json: true });
    assert.equal(short.statusCode, 400);
    assert.match(short.json().error, /at least 10 characters/);
    assert.match((await other.get("/papers")).body, /<summary>changer<\/summary>/, "a refused change ends nothing");

    const done = await c.post("/settings/password", { current_password: "first password 1", new_password: "second password 2" });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, "/settings?password=changed");
    assert.match((await c.get("/settings?password=changed")).body, /Your password is changed/);
    assert.doesNotMatch((await other.get("/papers")).body, /<summary>changer<\/summary>/, "the other session ended");
    assert.equal(await checkLogin(ctx, { login: "changer", password: "first password 1" }), null);
    assert.equal(await checkLogin(ctx, { login: "changer", password: "second password 2" }), id);
    assert.equal((await new Client(app).post("/settings/password", { current_password: "x", new_password: "y".repeat(12) }, { json: true })).statusCode, 401);
  });

  it("an account's data downloads; deleting the account takes its password and takes away what it wrote and chose", async () => {
    const id = await createAccount(ctx, { username: "leaver", email: "leaver@example.org", password: "first password 1", role: "reader" });
    const c = await new Client(app).signInAs(ctx.db, id);
    const other = await new Client(app).signInAs(ctx.db, id);
    // A paper with the leaver's upvote, a comment with a reply from someone else, a collection.
    await ctx.db.insertInto("papers").values({
      arxiv_id: "2501.00042", version: 1, title: "Leaving papers", abstract: "An abstract.", authors: "[\"A. Author\"]", authors_text: "A. Author",
      categories: "cs.LG", primary_category: "cs.LG", first_version_at: "2025-01-02T00:00:00.000Z", latest_version_at: "2025-01-02T00:00:00.000Z",
      content_hash: "x", created_at: "2025-01-02T00:00:00.000Z", updated_at: "2025-01-02T00:00:00.000Z",
    }).execute();
    assert.equal((await c.post("/upvote/2501.00042", { vote: "1" }, { json: true })).json().upvotes, 1);
    const comment = (await c.post("/comment/2501.00042", { body: "My words, soon gone." }, { json: true })).json().comment;
    const stayer = await new Client(app).signInAs(ctx.db, (await makeUser(ctx.db)).id);
    assert.equal((await stayer.post("/comment/2501.00042", { body: "A reply that stays.", parent_id: String(comment.id) }, { json: true })).statusCode, 201);
    await c.post("/collections/save", { paper: "2501.00042", collection: "new", name: "Mine" });

    assert.equal((await c.post("/digests/settings", { frequency: "weekly", topics_on: "1", topics: "graph networks [cs.LG]" })).statusCode, 303);
    // Before it goes: everything kept about the account, as a download.
    const exported = await c.get("/settings/export");
    assert.equal(exported.statusCode, 200);
    assert.equal(exported.headers["content-disposition"], 'attachment; filename="dailypapers-leaver.json"');
    assert.equal(exported.headers["cache-control"], "private, no-store");
    const data = exported.json();
    assert.equal(data.account.email, "leaver@example.org");
    assert.deepEqual(data.upvotes.map((v: { paper: string }) => v.paper), ["2501.00042"]);
    assert.deepEqual(data.comments.map((x: { body: string }) => x.body), ["My words, soon gone."]);
    assert.deepEqual(data.collections.map((x: { name: string; papers: Array<{ paper: string }> }) => [x.name, x.papers.map((p) => p.paper)]), [["Mine", ["2501.00042"]]]);
    assert.deepEqual([data.digest.frequency, data.digest.topicAlertsOn, data.digest.topicAlerts], ["weekly", true, [{ query: "graph networks", categories: ["cs.LG"] }]]);
    assert.equal((await new Client(app).get("/settings/export")).headers.location, "/login?next=/settings");

    const wrong = await c.post("/settings/delete", { password: "not my password" });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /That is not your password: the account is not deleted/);
    assert.match((await other.get("/papers")).body, /<summary>leaver<\/summary>/, "nothing happened");

    const done = await c.post("/settings/delete", { password: "first password 1" });
    assert.equal(done.statusCode, 303);
    assert.doesNotMatch((await c.get("/papers")).body, /<summary>leaver<\/summary>/);
    assert.doesNotMatch((await other.get("/papers")).body, /<summary>leaver<\/summary>/, "every session ended");
    const paper = await ctx.db.selectFrom("papers").selectAll().where("arxiv_id", "=", "2501.00042").executeTakeFirstOrThrow();
    assert.deepEqual([paper.upvotes, paper.num_comments], [0, 1], "the upvote and the comment no longer count; the reply does");
    const page = (await new Client(app).get("/papers/2501.00042")).body;
    assert.doesNotMatch(page, /My words, soon gone/);
    assert.match(page, /A reply that stays/);
    const row = await ctx.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    assert.deepEqual([row.username, row.email, row.display_name], ["deleted." + id, `deleted.${id}@deleted.invalid`, "Deleted account"]);
    assert.equal((await ctx.db.selectFrom("collections").selectAll().where("user_id", "=", id).execute()).length, 0);
    assert.equal((await ctx.db.selectFrom("digest_subscriptions").selectAll().where("email", "=", "leaver@example.org").execute()).length, 0);
    assert.equal((await new Client(app).get("/u/leaver")).statusCode, 404);
    assert.equal(await checkLogin(ctx, { login: "leaver", password: "first password 1" }), null);
    assert.equal(await checkLogin(ctx, { login: `deleted.${id}@deleted.invalid`, password: "first password 1" }), null);
    // The name is free again.
    assert.equal(await createAccount(ctx, { username: "leaver", email: "leaver@example.org", password: "another password 2", role: "reader" }) > id, true);
  });

  it("CSRF: a form without the token, with another visitor's token, or from another origin is refused", async () => {
    const victim = await new Client(app).signInAs(t().db, (await makeUser(t().db)).id);
    const noToken = await victim.post("/settings", { display_name: "Hacked" }, { csrf: false });
    assert.equal(noToken.statusCode, 403);
    assert.match(noToken.body, /expired or did not come from this site/);
    const attacker = new Client(app);
    const stolen = await attacker.csrf();
    assert.equal((await victim.post("/settings", { display_name: "Hacked" }, { csrf: stolen })).statusCode, 403);
    const ownToken = await victim.csrf();
    const crossOrigin = await victim.post("/settings", { display_name: "Hacked" }, { csrf: ownToken, headers: { origin: "https://evil.example" } });
    assert.equal(crossOrigin.statusCode, 403);
    const crossReferer = await victim.post("/settings", { display_name: "Hacked" }, { csrf: ownToken, headers: { referer: "https://evil.example/page" } });
    assert.equal(crossReferer.statusCode, 403);
    const ok = await victim.post("/settings", { display_name: "Still me" }, { csrf: ownToken, headers: { origin: "http://papers.test" } });
    assert.equal(ok.statusCode, 303);
    // The header form of the token (fetch calls) works too.
    const viaHeader = await victim.post("/settings", { display_name: "Header" }, { csrf: false, headers: { "x-csrf-token": ownToken } });
    assert.equal(viaHeader.statusCode, 303);
    // An anonymous visitor's log-in form needs the token too.
    assert.equal((await new Client(app).post("/login", { login: "grace", password: "whatever it is" }, { csrf: false })).statusCode, 403);
    // A method or path with no route is a 404 that says so, not a form error.
    for (const path of ["/search", "/papers", "/no-such-page"]) {
      const res = await new Client(app).post(path, { q: "x" }, { csrf: false });
      assert.equal(res.statusCode, 404, path);
      assert.doesNotMatch(res.body, /expired or did not come from this site/);
    }
  });

  it("log-in is rate limited per address: 429 with Retry-After", async () => {
    let last = 0;
    let retryAfter: unknown;
    for (let i = 0; i < 12; i++) {
      const res = await new Client(app).post("/login", { login: "grace", password: "wrong password here" }, { json: true });
      last = res.statusCode;
      retryAfter = res.headers["retry-after"];
      if (last === 429) {
        assert.match(res.json().error, /Too many attempts/);
        break;
      }
    }
    assert.equal(last, 429);
    assert.ok(Number(retryAfter) > 0);
  });
});

eachDatabase("accounts over https", (t) => {
  it("cookies are Secure when BASE_URL is https", async () => {
    const { app } = await testApp(t(), { BASE_URL: "https://papers.example" });
    try {
      const res = await new Client(app).get("/login");
      assert.match(String(res.headers["set-cookie"]), /dp_anon=[^;]+;.*Secure/i);
    } finally {
      await app.close();
    }
  });
});
