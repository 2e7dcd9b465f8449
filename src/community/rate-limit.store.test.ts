import { after, it } from "node:test";
import assert from "node:assert/strict";
import { eachDatabase } from "../../test/databases.js";
import { testApp } from "../../test/app.js";
import { openDatabase, type Db } from "../db/database.js";
import { RATE_LIMITS } from "./limits.js";
import { countHit, sweepExpired } from "./rate-limit.store.js";
import { Client } from "./testing.js";

eachDatabase("rate-limit store", (t) => {
  const others: Db[] = [];
  after(async () => {
    for (const db of others) await db.destroy();
  });

  it("counts hits in a window, and a new window starts again at one", async () => {
    const { db } = t();
    const t0 = Date.parse("2026-01-01T00:00:00.000Z");
    assert.deepEqual(await countHit(db, "ip:a|x", 60_000, t0), { current: 1, ttl: 60_000 });
    assert.deepEqual(await countHit(db, "ip:a|x", 60_000, t0 + 10_000), { current: 2, ttl: 50_000 });
    // Another key counts on its own.
    assert.deepEqual(await countHit(db, "ip:b|x", 60_000, t0 + 10_000), { current: 1, ttl: 60_000 });
    assert.deepEqual(await countHit(db, "ip:a|x", 60_000, t0 + 60_000), { current: 1, ttl: 60_000 });
    await sweepExpired(db, t0 + 200_000);
    assert.equal((await db.selectFrom("rate_limits").select("key").execute()).length, 0);
  });

  it("concurrent hits on one key all count", async () => {
    const { db } = t();
    const now = Date.now();
    const results = await Promise.all(Array.from({ length: 50 }, () => countHit(db, "u:1|vote", 60_000, now)));
    assert.deepEqual(results.map((r) => r.current).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it("two app processes sharing the database share a limit", async () => {
    await t().db.deleteFrom("rate_limits").execute();
    // A second process: its own connection to the same database, its own app.
    const second = openDatabase(t().target);
    others.push(second);
    const a = (await testApp(t())).app;
    const b = (await testApp({ ...t(), db: second })).app;
    const { max } = RATE_LIMITS.login;
    const attempt = (app: typeof a) => new Client(app).post("/login", { login: "nobody", password: "wrong password here" }, { json: true });
    // Half the allowance through one process, the rest through the other, then one more.
    for (let i = 0; i < max; i++) assert.notEqual((await attempt(i % 2 === 0 ? a : b)).statusCode, 429);
    for (const app of [a, b]) {
      const refused = await attempt(app);
      assert.equal(refused.statusCode, 429);
      assert.ok(Number(refused.headers["retry-after"]) > 0);
    }
    await a.close();
    await b.close();
  });
});
