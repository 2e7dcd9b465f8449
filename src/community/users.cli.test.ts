import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { eachDatabase } from "../../test/databases.js";
import { verifyPassword } from "./secrets.js";
import { runUserCommand } from "./users.cli.js";

eachDatabase("dailypapers user", (t) => {
  const saved = { ...process.env };
  before(() => {
    const target = t().target;
    process.env.DATABASE_URL = target.kind === "sqlite" ? target.path : target.url;
    process.env.LOG_LEVEL = "silent";
  });
  after(() => {
    process.env = saved;
  });
  const lines: string[] = [];
  const run = (...args: string[]) => runUserCommand(args, (l) => lines.push(l), () => "from stdin pw 123\n");

  it("creates a confirmed admin with the password from stdin, and changes roles", async () => {
    assert.equal(await run("create", "--username", "Root_Admin", "--email", "Ops@Example.org", "--password-stdin", "--admin"), 0);
    assert.equal(lines.at(-1), "created admin root_admin <ops@example.org>");
    const u = await t().db.selectFrom("users").selectAll().where("username", "=", "root_admin").executeTakeFirstOrThrow();
    assert.equal(u.role, "admin");
    assert.ok(u.email_confirmed_at);
    assert.ok(await verifyPassword("from stdin pw 123", u.password_hash));
    assert.equal(await run("role", "root_admin", "curator"), 0);
    assert.equal((await t().db.selectFrom("users").select("role").where("username", "=", "root_admin").executeTakeFirstOrThrow()).role, "curator");
  });

  it("errors are clear", async () => {
    await assert.rejects(run("create", "--username", "root_admin", "--email", "x@example.org", "--password", "long enough pw"), /the username "root_admin" is taken/);
    await assert.rejects(run("create", "--username", "newone", "--email", "x@example.org"), /give a password/);
    await assert.rejects(run("create", "--username", "newone", "--email", "x@example.org", "--password", "short"), /at least 10 characters/);
    await assert.rejects(run("role", "root_admin", "king"), /unknown role "king": use one of reader, curator, admin/);
    await assert.rejects(run("role", "ghost", "admin"), /there is no user "ghost"/);
    await assert.rejects(run("remove"), /unknown user subcommand "remove"/);
    await assert.rejects(run("delete"), /give the username/);
    await assert.rejects(run("delete", "root_admin"), /add --yes/);
    await assert.rejects(run("delete", "ghost", "--yes"), /there is no user "ghost"/);
  });

  it("deletes an account someone asked to have deleted", async () => {
    assert.equal(await run("create", "--username", "goner", "--email", "goner@example.org", "--password", "long enough pw"), 0);
    const id = (await t().db.selectFrom("users").select("id").where("username", "=", "goner").executeTakeFirstOrThrow()).id;
    // A digest the address had subscribed to as a visitor, before the account existed.
    const at = new Date().toISOString();
    await t().db.insertInto("digest_subscriptions").values({
      email: "goner@example.org", user_id: null, frequency: "daily", trending: 1, for_you: 0, topics: 0, authors: 0, status: "active",
      confirm_token_hash: null, confirm_expires_at: null, created_at: at, confirmed_at: at, updated_at: at,
    }).execute();
    assert.equal(await run("delete", "goner", "--yes"), 0);
    assert.equal(lines.at(-1), "deleted the account of goner");
    const u = await t().db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    assert.deepEqual([u.username, u.email_confirmed_at], [`deleted.${id}`, null]);
    assert.equal(await verifyPassword("long enough pw", u.password_hash), false);
    assert.deepEqual(await t().db.selectFrom("digest_subscriptions").selectAll().where("email", "=", "goner@example.org").execute(), []);
  });
});
