import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { eachDatabase } from "../../test/databases.js";
import { FEED_FIXTURES, testApp } from "../../test/app.js";
import { importFiles } from "../ingest/import.js";
import { loadReader } from "../digests/digest.build.js";
import { upsertPapers } from "../papers/papers.queries.js";
import { MAX_PAPERS_PER_COLLECTION } from "./collections.queries.js";
import { Client, makeUser } from "./testing.js";

const A = "2503.11731";
const B = "2503.11742";
const C = "2503.99901"; // its title carries markup that must come out escaped

eachDatabase("collections", (t) => {
  let app: FastifyInstance;
  before(async () => {
    ({ app } = await testApp(t()));
    await importFiles(t().db, FEED_FIXTURES);
  });
  after(() => app.close());

  const signedIn = async (username?: string) => {
    const user = await makeUser(t().db, { username });
    return { user, client: await new Client(app).signInAs(t().db, user.id) };
  };
  const idOf = (location: string | string[] | undefined) => Number(/^\/collections\/(\d+)$/.exec(String(location))![1]);

  it("create, save papers from their page, list newest saved first, remove, in every format", async () => {
    const { user, client } = await signedIn();
    const created = await client.post("/collections", { name: "  Reading   group ", description: "Papers for Friday", visibility: "public" });
    assert.equal(created.statusCode, 303);
    const id = idOf(created.headers.location);

    // The paper page offers the collection, and saving goes back to the paper.
    const page = await client.get(`/papers/${A}`);
    assert.match(page.body, /<form method="post" action="\/collections\/save"/);
    assert.match(page.body, new RegExp(`<option value="${id}">Reading group</option>`));
    const saved = await client.post("/collections/save", { paper: A, collection: String(id), return_to: `/papers/${A}` });
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, `/papers/${A}`);
    assert.match((await client.get(`/papers/${A}`)).body, new RegExp(`Saved in <a href="/collections/${id}">Reading group</a>`));
    // A URL names the paper as well as an id; saving twice keeps one copy.
    assert.deepEqual((await client.post(`/collections/${id}/papers`, { paper: `https://arxiv.org/abs/${C}v2` }, { json: true })).json(),
      { collection: id, paper: C, saved: true, changed: true });
    assert.equal((await client.post(`/collections/${id}/papers`, { paper: C }, { json: true })).json().changed, false);

    const json = (await app.inject(`/collections/${id}.json`)).json();
    assert.deepEqual(json.collection, {
      id, name: "Reading group", description: "Papers for Friday", visibility: "public", owner: user.username,
      url: `http://papers.test/collections/${id}`, createdAt: json.collection.createdAt, updatedAt: json.collection.updatedAt, numPapers: 2,
    });
    assert.deepEqual(json.papers.map((p: { paper: { id: string } }) => p.paper.id), [C, A], "the latest saved first");
    assert.equal(typeof json.papers[0].addedAt, "string");

    const html = (await app.inject(`/collections/${id}`)).body;
    assert.match(html, /<h1>Reading group<\/h1>/);
    assert.doesNotMatch(html, /<script>alert/, "titles are escaped");
    assert.doesNotMatch(html, /Remove from this collection/, "only the owner gets the tools");
    const atom = await app.inject(`/collections/${id}.atom`);
    assert.equal(atom.statusCode, 200);
    assert.match(atom.body, new RegExp(`<id>http://papers.test/papers/${A}</id>`));
    assert.equal((await app.inject(`/collections/${id}.rss`)).statusCode, 200);
    // Cited whole: every paper as a BibTeX entry, linked from the page.
    assert.match(html, new RegExp(`<a href="/collections/${id}.bib"`));
    const bib = await app.inject(`/collections/${id}.bib`);
    assert.equal(bib.statusCode, 200);
    assert.match(String(bib.headers["content-type"]), /^text\/plain/);
    assert.deepEqual([...bib.body.matchAll(/ eprint = \{([^}]+)\}/g)].map((m) => m[1]), [C, A]);

    // Public collections show on the profile, with their counts.
    const profile = (await app.inject(`/u/${user.username}.json`)).json();
    assert.deepEqual(profile.collections.map((c: { name: string; numPapers: number }) => [c.name, c.numPapers]), [["Reading group", 2]]);

    const removed = await client.post(`/collections/${id}/papers`, { paper: A, action: "remove", return_to: `/collections/${id}` });
    assert.equal(removed.statusCode, 303);
    assert.deepEqual((await app.inject(`/collections/${id}.json`)).json().papers.map((p: { paper: { id: string } }) => p.paper.id), [C]);
    assert.equal((await client.post(`/collections/${id}/papers`, { paper: A, action: "remove" }, { json: true })).json().changed, false);
  });

  it("a private collection is its owner's alone: 404 to anyone else, no feed, not on the profile", async () => {
    const { user, client } = await signedIn();
    const id = idOf((await client.post("/collections", { name: "Secret", visibility: "private" })).headers.location);
    await client.post(`/collections/${id}/papers`, { paper: B });
    assert.equal((await client.get(`/collections/${id}.json`)).json().collection.visibility, "private");
    const other = (await signedIn()).client;
    for (const get of [(u: string) => app.inject(u), (u: string) => other.get(u)]) {
      const r = await get(`/collections/${id}`);
      assert.equal(r.statusCode, 404);
      assert.match(r.body, /There is no collection/);
    }
    assert.equal((await client.get(`/collections/${id}.atom`)).statusCode, 404, "a feed reader cannot sign in");
    assert.equal((await app.inject(`/collections/${id}.bib`)).statusCode, 404, "nor its BibTeX to anyone else");
    assert.match((await client.get(`/collections/${id}.bib`)).body, new RegExp(`eprint = \\{${B}\\}`));
    assert.deepEqual((await app.inject(`/u/${user.username}.json`)).json().collections, []);
    // Made public, it shows.
    await client.post(`/collections/${id}`, { name: "Not secret", visibility: "public" });
    assert.equal((await app.inject(`/collections/${id}.json`)).json().collection.name, "Not secret");
    // A field left out keeps its value.
    await client.post(`/collections/${id}`, { description: "Now with a description" }, { json: true });
    const kept = (await app.inject(`/collections/${id}.json`)).json().collection;
    assert.deepEqual([kept.name, kept.description, kept.visibility], ["Not secret", "Now with a description", "public"]);
  });

  it("only the owner changes a collection; signed-out and banned readers cannot collect", async () => {
    const owner = await signedIn();
    const id = idOf((await owner.client.post("/collections", { name: "Mine", visibility: "public" })).headers.location);
    const intruder = (await signedIn()).client;
    for (const [url, form] of [[`/collections/${id}/papers`, { paper: A }], [`/collections/${id}`, { name: "Taken" }], [`/collections/${id}/delete`, {}], ["/collections/save", { paper: A, collection: String(id) }]] as const) {
      const r = await intruder.post(url, form, { json: true });
      assert.equal(r.statusCode, 403, url);
      assert.match(r.json().error, /Only its owner/);
    }
    assert.equal((await app.inject(`/collections/${id}.json`)).json().collection.name, "Mine");
    assert.equal((await app.inject(`/collections/${id}.json`)).json().papers.length, 0);

    const anonymous = new Client(app);
    const r = await anonymous.post("/collections", { name: "x" }, { json: true });
    assert.equal(r.statusCode, 401);
    assert.equal((await anonymous.get("/collections")).headers.location, "/login?next=/collections");
    assert.equal((await anonymous.get("/collections.json")).statusCode, 401, "a script gets a status, not a login page");
    assert.doesNotMatch((await anonymous.get(`/papers/${A}`)).body, /collections\/save/);

    await t().db.updateTable("users").set({ banned_at: new Date().toISOString() }).where("id", "=", owner.user.id).execute();
    assert.equal((await owner.client.post(`/collections/${id}/papers`, { paper: A }, { json: true })).statusCode, 403);
    assert.doesNotMatch((await owner.client.get(`/papers/${A}`)).body, /collections\/save/);
  });

  it("bad input gets a clear 400 or 404 and changes nothing; a forged form is refused", async () => {
    const { client } = await signedIn();
    const id = idOf((await client.post("/collections", { name: "Kept" })).headers.location);
    const cases: Array<[string, Record<string, string>, number, RegExp]> = [
      ["/collections", { name: "   " }, 400, /Give the collection a name/],
      ["/collections", { name: "x".repeat(101) }, 400, /at most 100 characters/],
      ["/collections", { name: "ok", visibility: "everyone" }, 400, /visibility must be public or private/],
      [`/collections/${id}/papers`, { paper: "not an id" }, 404, /No paper here/],
      [`/collections/${id}/papers`, { paper: "2501.99999" }, 404, /We do not have arXiv:2501.99999/],
      [`/collections/${id}/papers`, {}, 400, /Name the paper/],
      [`/collections/${id}/papers`, { paper: A, action: "toss" }, 400, /action must be add or remove/],
      ["/collections/save", { paper: A, collection: "new", name: "" }, 400, /Give the collection a name/],
      ["/collections/save", { paper: A, collection: "other" }, 400, /Choose one of your collections/],
      ["/collections/save", { paper: A, collection: "999999" }, 404, /There is no collection 999999/],
      ["/collections/abc/papers", { paper: A }, 404, /There is no collection abc/],
    ];
    for (const [url, form, status, message] of cases) {
      const r = await client.post(url, form, { json: true });
      assert.equal(r.statusCode, status, `${url} ${JSON.stringify(form)}: ${r.body}`);
      assert.match(r.json().error, message);
    }
    assert.equal((await app.inject("/collections/0.json")).statusCode, 404);
    assert.equal((await client.get(`/collections/${id}.json?p=-1`)).statusCode, 400);
    assert.equal((await app.inject(`/collections/${id}.json`)).statusCode, 404, "private unless said otherwise");
    // The browser's form shows the problem in place, keeping what was typed.
    const shown = await client.post("/collections", { name: " ", description: "typed text" });
    assert.equal(shown.statusCode, 400);
    assert.match(shown.body, /role="alert">Give the collection a name/);
    assert.match(shown.body, /value="typed text"/);
    const forged = await client.post(`/collections/${id}/papers`, { paper: A }, { csrf: "forged" });
    assert.equal(forged.statusCode, 403);
    const list = (await client.get("/collections.json")).json();
    assert.deepEqual(list.collections.map((c: { name: string; numPapers: number }) => [c.name, c.numPapers]), [["Kept", 0]]);
  });

  it("a collection holds at most 1,000 papers: the next save is a 400 with the reason; removing one makes room", async () => {
    const { client } = await signedIn();
    const id = idOf((await client.post("/collections", { name: "Everything" })).headers.location);
    const at = new Date("2025-06-02T10:00:00.000Z");
    await upsertPapers(t().db, Array.from({ length: MAX_PAPERS_PER_COLLECTION }, (_, i) => ({
      paper: {
        arxivId: `2506.${String(40000 + i)}`, version: 1, title: `Filler ${i}`, abstract: "A paper that fills a collection.", authors: ["F. Iller"],
        categories: ["cs.LG"], comment: null, journalRef: null, doi: null, firstVersionAt: at, latestVersionAt: at,
      },
      listingDates: [],
    })));
    const fillers = await t().db.selectFrom("papers").select("id").where("arxiv_id", "like", "2506.4%").execute();
    assert.equal(fillers.length, MAX_PAPERS_PER_COLLECTION);
    for (let i = 0; i < fillers.length; i += 250) {
      await t().db.insertInto("collection_papers")
        .values(fillers.slice(i, i + 250).map((p) => ({ collection_id: id, paper_id: p.id, added_at: at.toISOString() }))).execute();
    }
    const full = await client.post(`/collections/${id}/papers`, { paper: A }, { json: true });
    assert.equal(full.statusCode, 400);
    assert.match(full.json().error, /This collection holds 1,000 papers, the most one can/);
    const viaSave = await client.post("/collections/save", { paper: A, collection: String(id) }, { json: true });
    assert.equal(viaSave.statusCode, 400);
    // Saving one it holds is no change, not an error; removing one makes room.
    assert.equal((await client.post(`/collections/${id}/papers`, { paper: "2506.40000" }, { json: true })).json().changed, false);
    assert.equal((await client.post(`/collections/${id}/papers`, { paper: "2506.40000", action: "remove" }, { json: true })).json().changed, true);
    assert.equal((await client.post(`/collections/${id}/papers`, { paper: A }, { json: true })).json().changed, true);
    // Private (the default): its owner reads it.
    assert.equal((await client.get(`/collections/${id}.json`)).json().collection.numPapers, MAX_PAPERS_PER_COLLECTION);
  });

  it("a new collection from the paper page, and deleting one leaves its papers on the site", async () => {
    const { client } = await signedIn();
    const saved = await client.post("/collections/save", { paper: B, collection: "new", name: "To read" }, { json: true });
    const id = saved.json().collection as number;
    assert.deepEqual(saved.json(), { collection: id, paper: B, saved: true, changed: true });
    assert.equal((await client.get(`/collections/${id}.json`)).json().collection.name, "To read");
    const del = await client.post(`/collections/${id}/delete`, {});
    assert.equal(del.statusCode, 303);
    assert.equal(del.headers.location, "/collections");
    assert.equal((await app.inject(`/collections/${id}`)).statusCode, 404);
    assert.equal((await app.inject(`/papers/${B}`)).statusCode, 200);
    const rows = await t().db.selectFrom("collection_papers").selectAll().where("collection_id", "=", id).execute();
    assert.deepEqual(rows, [], "its entries went with it");
  });

  it("saved papers seed the 'for you' part of a digest", async () => {
    const { user, client } = await signedIn();
    await client.post("/collections/save", { paper: C, collection: "new", name: "Graphs" });
    const sub = { id: -1, user_id: user.id, for_you: 1, topics: 0, authors: 0 } as Parameters<typeof loadReader>[1];
    const reader = await loadReader(t().db, sub, { from: "2025-03-01", to: "2025-03-31" } as Parameters<typeof loadReader>[2]);
    assert.deepEqual(reader.seeds.map((s) => [s.arxivId, s.via]), [[C, "saved"]]);
  });
});
