import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import { eachDatabase } from "../../test/databases.js";
import { testApp } from "../../test/app.js";
import type { AppContext } from "../context.js";
import type { ImportedPaper } from "../papers/paper.js";
import { upsertPapers } from "../papers/papers.queries.js";
import { runIndex } from "./indexer.js";
import { SearchService } from "./search.service.js";

interface P { id: string; title: string; abstract: string; cats: string[]; day: string; authors?: string[]; version?: number }

function paper(p: P): ImportedPaper {
  const at = new Date(`${p.day}T12:00:00Z`);
  return {
    paper: { arxivId: p.id, version: p.version ?? 1, title: p.title, abstract: p.abstract, authors: p.authors ?? ["Ada Lovelace", "Alan Turing"], categories: p.cats, comment: null, journalRef: null, doi: null, firstVersionAt: at, latestVersionAt: at },
    listingDates: [],
  };
}

const PAPERS: P[] = [
  { id: "2503.00001", title: "Gaussian Splatting for Real-Time Sensor Simulation", abstract: "We render LiDAR and camera sensors with 3D Gaussian splatting for autonomous driving validation at real-time rates.", cats: ["cs.CV", "cs.RO"], day: "2025-03-03" },
  { id: "2503.00002", title: "Transformer Language Models Learn In-Context", abstract: "Large transformer language models perform in-context learning of new tasks from a few examples in the prompt.", cats: ["cs.CL", "cs.LG"], day: "2025-03-04" },
  { id: "2504.00003", title: "Diffusion Models for Image Editing", abstract: "Text-guided diffusion models edit images while keeping the layout; we study classifier-free guidance for editing.", cats: ["cs.CV"], day: "2025-04-10" },
  { id: "2504.00004", title: "Retrieval-Augmented Generation for Question Answering", abstract: "A retriever fetches passages and a transformer language model generates answers to open-domain questions.", cats: ["cs.CL", "cs.IR"], day: "2025-04-11" },
  { id: "2505.00005", title: "Reinforcement Learning for Robot Grasping", abstract: "Policies trained with reinforcement learning grasp unseen objects with a parallel-jaw robot gripper.", cats: ["cs.RO", "cs.LG"], day: "2025-05-01" },
  { id: "2505.00006", title: "Sparse Attention for Long-Context Transformers", abstract: "Sparse attention patterns let transformer models read documents of a million tokens with linear cost.", cats: ["cs.CL", "cs.LG"], day: "2025-05-02" },
  { id: "2506.00007", title: "Neural Radiance Fields Without Poses", abstract: "We optimise neural radiance fields and camera poses jointly from unposed images of a scene.", cats: ["cs.CV"], day: "2025-06-05" },
  { id: "2506.00008", title: "Bounds on $\\mathcal{O}(n \\log n)$ Sorting with Noisy Comparisons", abstract: "Sorting with noisy comparisons needs $\\Theta(n \\log n)$ queries; we give a matching algorithm.", cats: ["cs.DS"], day: "2025-06-06" },
  { id: "2507.00009", title: "Speech Recognition with Self-Supervised Audio Encoders", abstract: "Self-supervised audio encoders pretrained on unlabeled speech improve low-resource speech recognition.", cats: ["eess.AS", "cs.CL"], day: "2025-07-07" },
  { id: "2507.00010", title: "Graph Neural Networks for Molecule Property Prediction", abstract: "Message-passing graph neural networks predict molecule properties from atoms and bonds.", cats: ["cs.LG", "q-bio.BM"], day: "2025-07-08" },
];

const ODD_QUERIES = [
  "", " ", "\"", "\"unbalanced", "*", "NEAR", "a NEAR b", "-", "--", "-transformer", "(", ")", "((a) OR b", "AND OR NOT",
  "title:foo", "col:*", "$\\alpha$", "\\frac{a}{b}", "$$", "{}", "%", "%E0%A4%A", "\u0000", "😀 emoji", "日本語の論文", "Gödel Escher",
  "α-synuclein", "x".repeat(300), "word ".repeat(100), "'; drop table papers; --", "<script>alert(1)</script>", "arxiv.org/abs/%zz",
  "2599.99999", "https://arxiv.org/abs/2503.00001v2junk", "^", "~", "@", "NEAR/3", "ab*", "\t\n",
];

eachDatabase("search", (t) => {
  let app: FastifyInstance;
  let ctx: AppContext;
  let dataDir: string;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "dp-search-"));
    ({ app, ctx } = await testApp(t(), { DATA_DIR: dataDir }));
    await upsertPapers(t().db, PAPERS.map(paper));
  });
  after(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const apiIds = async (qs: string): Promise<string[]> => {
    const res = await app.inject(`/api/papers/search?${qs}`);
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as Array<{ paper: { id: string } }>).map((x) => x.paper.id);
  };

  it("ranks by BM25 over title, authors and abstract, in Hugging Face's item shape", async () => {
    assert.equal((await apiIds("q=gaussian+splatting"))[0], "2503.00001");
    // Stemming: "transformers" meets "transformer"; the title match ranks first.
    const ids = await apiIds("q=transformers");
    assert.ok(ids.includes("2503.00002") && ids.includes("2505.00006") && ids.includes("2504.00004"));
    assert.notEqual(ids[0], "2504.00004");
    const item = (await app.inject("/api/papers/search?q=grasping&limit=1")).json()[0];
    assert.deepEqual(Object.keys(item).sort(), ["isAuthorParticipating", "numComments", "paper", "publishedAt", "submittedBy", "summary", "thumbnail", "title"]);
    assert.equal((await apiIds("q=lovelace&limit=3")).length, 3, "authors are searchable; limit applies");
  });

  it("filters by category and date range, sorts by date, pages", async () => {
    const cl = (await app.inject("/search.json?q=transformer+language+models&cat=cs.CL")).json();
    assert.ok(cl.papers.length > 0);
    for (const it of cl.papers) assert.ok(PAPERS.find((p) => p.id === it.paper.id)!.cats.includes("cs.CL"));
    const may = await apiIds("q=transformer&from=2025-05-01&to=2025-05-31");
    assert.deepEqual(may, ["2505.00006"]);
    const byDate = await apiIds("q=transformer&sort=date");
    assert.deepEqual(byDate, [...byDate].sort().reverse(), "ids of these fixtures grow with their dates");
    const p0 = await apiIds("q=learning&limit=1&p=0");
    const p1 = await apiIds("q=learning&limit=1&p=1");
    assert.equal(p0.length, 1);
    assert.notEqual(p0[0], p1[0]);
    assert.equal((await app.inject("/api/papers/search?q=x&from=2025-13-01")).statusCode, 400);
    assert.equal((await app.inject("/api/papers/search?q=x&sort=votes")).statusCode, 400);
  });

  it("newest first lists every paper holding every word, not the best-scored few reordered", async () => {
    // "models" is in four abstracts; the title match (2504.00003) is the best scored but not the newest.
    assert.deepEqual(await apiIds("q=models&sort=date&limit=1"), ["2505.00006"]);
    assert.deepEqual(await apiIds("q=models&sort=date&limit=2&p=1"), ["2504.00003", "2503.00002"]);
    assert.deepEqual(await apiIds("q=models&sort=date"), ["2505.00006", "2504.00004", "2504.00003", "2503.00002"]);
    // Every word must be there: only one paper speaks of diffusion models.
    assert.deepEqual(await apiIds("q=diffusion+models&sort=date"), ["2504.00003"]);
    assert.deepEqual(await apiIds("q=models&sort=date&cat=cs.CV"), ["2504.00003"]);
    // No paper holds every word: the relevance matches, newest first, rather than nothing.
    assert.deepEqual(await apiIds("q=diffusion+grasping&sort=date"), ["2505.00005", "2504.00003"]);
  });

  it("filters alone list the newest papers they allow, with a feed", async () => {
    const ids = async (qs: string) => ((await app.inject(`/search.json?${qs}`)).json().papers as Array<{ paper: { id: string } }>).map((x) => x.paper.id);
    assert.deepEqual(await ids("cat=cs.CV"), ["2506.00007", "2504.00003", "2503.00001"]);
    assert.deepEqual(await ids("from=2025-05-01&to=2025-05-31"), ["2505.00006", "2505.00005"]);
    assert.deepEqual(await ids("cat=cs.CV&from=2025-04-01"), ["2506.00007", "2504.00003"]);
    assert.deepEqual(await ids("cat=math.AG"), []);
    const html = (await app.inject("/search?cat=cs.CV")).body;
    assert.match(html, /<title>Newest papers: cs.CV/);
    assert.match(html, /3 results in cs.CV · newest first/);
    assert.doesNotMatch(html, /Email alert/, "an alert needs words");
    const atom = await app.inject("/search.atom?cat=cs.CV");
    assert.equal(atom.statusCode, 200);
    assert.match(atom.body, /<title type="text">Daily Papers: newest papers, cs.CV<\/title>/);
    assert.match(atom.body, /<entry>\s*<id>http:\/\/papers.test\/papers\/2506.00007<\/id>/, "the newest first");
    assert.match((await app.inject("/search?cat=math.AG")).body, /No papers in <strong>math.AG<\/strong>/);
    // Nothing at all: the prompt, as before; the Hugging Face API still wants words.
    assert.match((await app.inject("/search")).body, /Type keywords/);
    assert.deepEqual(await apiIds("q=&cat=cs.CV"), []);
  });

  it("the page highlights matching terms outside math, and has .json and .atom twins", async () => {
    const html = (await app.inject("/search?q=sorting+log")).body;
    assert.match(html, /<mark>Sorting<\/mark>/);
    assert.match(html, /class="katex"/);
    assert.doesNotMatch(html, /katex[^"]*"[^>]*>[^<]*<mark>/);
    // A query that is an author's name leads to their page; other words do not.
    // Their newest papers lead the page, whatever the ranking by meaning makes of a name.
    const byName = await app.inject("/search?q=ada+lovelace");
    assert.match(byName.body, /<h2 id="author-hit-h">Papers by <a href="\/authors\/Ada%20Lovelace">Ada Lovelace<\/a><\/h2>/);
    const preview = byName.body.slice(byName.body.indexOf("author-hit-h"), byName.body.indexOf("all-results"));
    assert.deepEqual([...preview.matchAll(/href="\/papers\/([\d.]+)"/g)].map((m) => m[1]), ["2507.00010", "2507.00009", "2506.00008"]);
    assert.match(preview, /All \d+ papers by Ada Lovelace →/);
    assert.match(preview, /href="\/subscribe\?author=Ada%20Lovelace"/);
    const named = (await app.inject("/search.json?q=ADA+LOVELACE")).json();
    assert.equal(named.author.name, "Ada Lovelace");
    assert.deepEqual(named.author.papers.map((p: { paper: { id: string } }) => p.paper.id), ["2507.00010", "2507.00009", "2506.00008"]);
    assert.equal((await app.inject("/search.json?q=diffusion+models")).json().author, null);
    assert.equal((await app.inject("/search.json?q=lovelace+alan")).json().author, null);
    // Author names lead to their pages, highlighted inside the link.
    assert.match((await app.inject("/search?q=lovelace")).body, /<a href="\/authors\/Ada%20Lovelace">Ada <mark>Lovelace<\/mark><\/a>, <a href="\/authors\/Alan%20Turing">Alan Turing<\/a>/);
    const atom = await app.inject("/search.atom?q=diffusion");
    assert.equal(atom.statusCode, 200);
    assert.match(atom.headers["content-type"] as string, /atom/);
    assert.match(atom.body, /Diffusion Models for Image Editing/);
    const json = (await app.inject("/search.json?q=diffusion")).json();
    assert.equal(json.papers[0].paper.id, "2504.00003");
    assert.deepEqual(json.terms, ["diffus"]);
  });

  it("an arXiv id or URL goes straight to the paper", async () => {
    const res = await app.inject("/search?q=https%3A%2F%2Farxiv.org%2Fabs%2F2503.00001v2");
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, "/papers/2503.00001");
    assert.equal((await apiIds("q=2507.00010"))[0], "2507.00010");
    const unknown = await app.inject("/search?q=2512.99999");
    assert.equal(unknown.statusCode, 200);
    assert.match(unknown.body, /not in this archive/);
  });

  it("suggests a spelling when a word is unknown", async () => {
    const json = (await app.inject("/search.json?q=difusion+modles")).json();
    assert.equal(json.suggestion, "diffusion models");
    const html = (await app.inject("/search?q=grasp+robut")).body;
    assert.match(html, /Did you mean/);
  });

  it("odd input never raises: every query answers 200 on the page, its twins and the API", async () => {
    for (const q of ODD_QUERIES) {
      const enc = encodeURIComponent(q);
      for (const url of [`/search?q=${enc}`, `/search.json?q=${enc}`, `/search.atom?q=${enc}`, `/api/papers/search?q=${enc}`]) {
        const res = await app.inject(url);
        assert.ok(res.statusCode === 200 || res.statusCode === 303, `${url} -> ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
    }
    // Repeated parameters and a missing q: a 400 with a message (API), never a 500.
    assert.equal((await app.inject("/api/papers/search")).statusCode, 400);
    assert.equal((await app.inject("/api/papers/search?q=a&q=b")).statusCode, 200);
    assert.equal((await app.inject("/search?q=a&cat=cs.CV&cat=((&from=&to=")).statusCode, 200);
    const long = (await app.inject(`/search.json?q=${"transformer ".repeat(40)}`)).json();
    assert.equal(long.query.length, 250, "queries are cut at 250 characters");
  });

  it("a paper imported or updated later is searchable on the next query", async () => {
    assert.deepEqual(await apiIds("q=zorblax"), []);
    await upsertPapers(t().db, [paper({ id: "2508.00011", title: "Zorblax: A Benchmark", abstract: "We release the zorblax benchmark of planning tasks.", cats: ["cs.AI"], day: "2025-08-01" })]);
    assert.deepEqual(await apiIds("q=zorblax"), ["2508.00011"]);
    const newestAi = (await app.inject("/search.json?cat=cs.AI")).json().papers.map((x: { paper: { id: string } }) => x.paper.id);
    assert.equal(newestAi[0], "2508.00011", "a category's newest papers include it at once");
    // A category set never seen before, under a category filter already asked for (and cached).
    await upsertPapers(t().db, [paper({ id: "2509.00012", title: "Vector Graphics from Photographs", abstract: "We trace photographs into editable vector graphics.", cats: ["cs.GR", "cs.CV"], day: "2025-09-01" })]);
    assert.equal((await app.inject("/search.json?cat=cs.CV")).json().papers[0].paper.id, "2509.00012");
    assert.deepEqual(await apiIds("q=vector+graphics&cat=cs.CV"), ["2509.00012"]);
    // A new version with another title replaces the old terms.
    await upsertPapers(t().db, [paper({ id: "2508.00011", version: 2, title: "Quuxle: A Benchmark", abstract: "We release the quuxle benchmark of planning tasks.", cats: ["cs.AI"], day: "2025-08-01" })]);
    assert.deepEqual(await apiIds("q=zorblax"), []);
    assert.deepEqual(await apiIds("q=quuxle"), ["2508.00011"]);
  });

  it("`index` trains a model, search turns hybrid, similar papers appear; a snapshot reloads", async () => {
    const before = (await app.inject("/search.json?q=transformer")).json();
    assert.equal(before.mode, "keyword");
    // A paper page cached with keyword-only "similar papers"...
    await app.inject("/papers/2503.00002");
    assert.equal((await app.inject("/papers/2503.00002")).headers["x-cache"], "hit");
    const report = await runIndex(ctx.db, ctx.search, { pretrained: false, train: { dim: 16, epochs: 3, batchSize: 4 } });
    assert.equal(report.trained, true);
    assert.equal(report.mode, "hybrid");
    assert.equal(report.vectors, PAPERS.length + 2); // and the two added by the test above
    assert.ok(report.files["keyword.bin"] > 0 && report.files["vectors.bin"] > 0 && report.files["model/model.safetensors"] > 0);
    assert.equal((await app.inject("/search.json?q=transformer")).json().mode, "hybrid");

    const similar = await app.inject("/api/papers/similar?id=2503.00002&limit=3");
    assert.equal(similar.statusCode, 200);
    const ids = (similar.json().similar as Array<{ id: string }>).map((p) => p.id);
    assert.equal(ids.length, 3);
    assert.ok(!ids.includes("2503.00002"), "a paper is not similar to itself");
    assert.equal((await app.inject("/api/papers/similar?id=2512.99999")).statusCode, 404);
    // ...is rendered again once the model is in, though the database did not change.
    const page = await app.inject("/papers/2503.00002");
    assert.notEqual(page.headers["x-cache"], "hit");
    assert.match(page.body, /id="similar"/);
    assert.equal((await app.inject("/papers/2503.00002.json")).json().similar.length, 6);

    // A second run embeds only new papers, without retraining.
    await upsertPapers(t().db, [paper({ id: "2509.00012", title: "Sparse transformers again", abstract: "More sparse attention for transformer models.", cats: ["cs.CL"], day: "2025-09-01" })]);
    const again = await runIndex(ctx.db, ctx.search, { pretrained: false });
    assert.equal(again.trained, false);
    assert.equal(again.vectors, PAPERS.length + 2);

    // Another process on the same database and DATA_DIR loads the snapshot instead of building.
    const logs: string[] = [];
    const other = new SearchService(ctx.db, { dataDir, modelDir: null, log: (m) => logs.push(m) });
    const mine = await ctx.search.search({ q: "sparse attention transformer", limit: 5 });
    const theirs = await other.search({ q: "sparse attention transformer", limit: 5 });
    assert.ok(logs.some((l) => /loaded snapshot/.test(l)), logs.join("\n"));
    assert.equal(theirs.mode, "hybrid");
    assert.deepEqual(theirs.hits.map((h) => h.id), mine.hits.map((h) => h.id));
  });

  it("MODEL_DIR selects a pretrained Model2Vec model from a local folder: hybrid with nothing trained", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dp-search-pre-"));
    const { app: other } = await testApp(t(), { DATA_DIR: dir, MODEL_DIR: resolve("../shared/data/model2vec-test-models/test-model-float32") });
    try {
      const json = (await other.inject("/search.json?q=transformer+language+models")).json();
      assert.equal(json.mode, "hybrid");
      assert.ok(json.papers.length > 0);
      assert.equal(existsSync(join(dir, "search", "model")), false, "nothing was trained");
    } finally {
      await other.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

