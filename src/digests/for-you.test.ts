import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { eachDatabase } from "../../test/databases.js";
import { testApp } from "../../test/app.js";
import { importFiles } from "../ingest/import.js";
import { Client, makeUser } from "../community/testing.js";
import { writeFixture } from "./testing.js";

const SEED = "2606.09001"; // "Pretraining Graph Neural Networks on Molecules", listed Friday 2026-06-26

eachDatabase("for you (recommendations page)", (t) => {
  let app: FastifyInstance;
  before(async () => {
    ({ app } = await testApp(t()));
    await importFiles(t().db, [writeFixture()]);
  });
  after(() => app.close());

  it("lists the last week's papers like the reader's own, with the reason, never the seed itself", async () => {
    const user = await makeUser(t().db);
    const c = await new Client(app).signInAs(t().db, user.id);
    const empty = await c.get("/for-you");
    assert.equal(empty.statusCode, 200);
    assert.match(empty.body, /Nothing to go on yet/);
    assert.equal((await c.get("/for-you.json")).json().seeds, 0);

    await c.post("/collections/save", { paper: SEED, collection: "new", name: "Molecules" });
    const json = (await c.get("/for-you.json")).json();
    assert.deepEqual([json.from, json.to, json.seeds], ["2026-06-24", "2026-06-30", 1], "the week up to the latest feed day");
    const ids = json.papers.map((p: { paper: { id: string } }) => p.paper.id);
    assert.deepEqual(ids.slice(0, 2).sort(), ["2606.10003", "2606.10006"], "the two molecular graph papers come first");
    assert.ok(!ids.includes(SEED), "not the paper it starts from");
    assert.deepEqual(json.papers[0].reasons, ['similar to "Pretraining Graph Neural Networks on Molecules", which you saved']);
    const html = (await c.get("/for-you")).body;
    assert.match(html, /Why: similar to &quot;Pretraining Graph Neural Networks on Molecules&quot;, which you saved/);
    assert.match(html, /action="\/upvote\/2606\.1000[36]"/, "cards keep their upvote buttons");
  });

  it("asks anonymous visitors to log in", async () => {
    const anonymous = new Client(app);
    const page = await anonymous.get("/for-you");
    assert.equal(page.statusCode, 302);
    assert.equal(page.headers.location, "/login?next=/for-you");
    assert.equal((await anonymous.get("/for-you.json")).statusCode, 401);
  });
});
