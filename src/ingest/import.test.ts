import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { sql } from "kysely";
import { eachDatabase } from "../../test/databases.js";
import { importFiles, type ImportPosition } from "./import.js";
import { fullTextSearch } from "../papers/papers.fulltext.js";
import { countPapers, findPaperByArxivId } from "../papers/papers.queries.js";
import { openDatabase, sqliteHandle } from "../db/database.js";
import { migrateToLatest } from "../db/migrate.js";
import { up as recomputeContentHashes } from "../db/migrations/0011_content_hash.js";

const FIX = "test/fixtures/import";

/** The nice values of this process's threads (or of one thread), read from /proc on Linux. */
function threadNices(tid?: number): number[] {
  if (process.platform !== "linux") return [];
  const tids = tid ? [String(tid)] : readdirSync("/proc/self/task");
  // Field 19 of a thread's stat; the fields after the command name in parentheses start at 3.
  return tids.flatMap((t) => {
    try {
      const stat = readFileSync(`/proc/self/task/${t}/stat`, "utf8");
      return [Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16])];
    } catch {
      return []; // the thread ended meanwhile
    }
  });
}

eachDatabase("import", (t) => {
  it("imports the daily corpus with its daily entries, and again changes nothing", async () => {
    const { db } = t();
    const first = await importFiles(db, [`${FIX}/corpus.jsonl`]);
    assert.deepEqual({ ...first }, { files: 1, read: 5, inserted: 5, updated: 0, unchanged: 0, rejected: 0 });
    const again = await importFiles(db, [`${FIX}/corpus.jsonl`]);
    assert.deepEqual({ ...again }, { files: 1, read: 5, inserted: 0, updated: 0, unchanged: 5, rejected: 0 });
    const entries = await db.selectFrom("daily_entries").select(["day", "source"]).execute();
    assert.equal(entries.length, 5);
    assert.ok(entries.every((e) => e.source === "import" && /^2025-03-\d\d$/.test(e.day)));
  });

  it("a newer version from the snapshot updates; an older one does not", async () => {
    const { db } = t();
    const s = await importFiles(db, [`${FIX}/kaggle.jsonl`]);
    // The first two snapshot papers are already stored (v1 from the corpus): one is v2, one is
    // the same version with fuller metadata; the old-style paper is new.
    assert.equal(s.inserted, 1);
    assert.equal(s.updated, 2);
    const p = await findPaperByArxivId(db, "2503.11731");
    assert.equal(p?.version, 2);
    assert.match(p?.title ?? "", /\(revised\)$/);
    assert.equal(p?.latest_version_at, "2025-04-14T09:00:00.000Z");
    // Re-importing the older corpus version leaves v2 in place.
    const back = await importFiles(db, [`${FIX}/corpus.jsonl`]);
    assert.equal(back.updated, 0);
    assert.equal((await findPaperByArxivId(db, "2503.11731"))?.version, 2);
    assert.equal((await findPaperByArxivId(db, "hep-th/9901001"))?.journal_ref, "Phys.Rev. D59 (1999) 1");
  });

  it("migration 0011 recomputes stored content hashes, so a re-import still finds them unchanged", async () => {
    const { db } = t();
    const before = await db.selectFrom("papers").select(["id", "content_hash", "updated_at"]).orderBy("id").execute();
    // As a database of the previous definition holds them: different from today's digests.
    await db.updateTable("papers").set({ content_hash: "stale" }).execute();
    // The snapshot's records are exact, so a digest that differs reads as corrected metadata.
    assert.equal((await importFiles(db, [`${FIX}/kaggle.jsonl`])).updated, 3, "stale digests read as changed content");
    await db.updateTable("papers").set({ content_hash: "stale" }).execute();
    const stamps = (await db.selectFrom("papers").select("updated_at").orderBy("id").execute()).map((r) => r.updated_at);
    await recomputeContentHashes(db);
    const after = await db.selectFrom("papers").select(["id", "content_hash", "updated_at"]).orderBy("id").execute();
    assert.deepEqual(after.map((r) => r.content_hash), before.map((r) => r.content_hash));
    assert.deepEqual(after.map((r) => r.updated_at), stamps, "search follows updated_at: the migration leaves it alone");
    const again = await importFiles(db, [`${FIX}/kaggle.jsonl`]);
    assert.equal(again.unchanged, 3);
    assert.equal(again.updated, 0);
  });

  it("reports bad lines as file:line and imports the rest", async () => {
    const { db } = t();
    const rejects: string[] = [];
    const s = await importFiles(db, [`${FIX}/bad.jsonl`], { onReject: (m) => rejects.push(m) });
    assert.equal(s.read, 5);
    assert.equal(s.rejected, 3);
    assert.match(rejects[0], /bad\.jsonl:2: broken JSON/);
    assert.match(rejects[1], /bad\.jsonl:3: title: must not be empty/);
    assert.match(rejects[2], /bad\.jsonl:4: id: /);
    assert.equal(await countPapers(db), 6);
  });

  it("reads gzipped files by their content and keeps full-text search in sync", async () => {
    const { db } = t();
    const dir = mkdtempSync(join(tmpdir(), "dp-imp-"));
    const lines = readFileSync(`${FIX}/corpus.jsonl`, "utf8").trim().split("\n");
    const one = JSON.parse(lines[0]);
    one.id = "2503.00001";
    one.title = "Zebrafish locomotion transformers";
    writeFileSync(join(dir, "x.jsonl.gz"), gzipSync(JSON.stringify(one) + "\n"));
    writeFileSync(join(dir, "manifest.json"), '{\n "files": 1\n}\n');
    const s = await importFiles(db, [dir]);
    assert.equal(s.files, 1);
    assert.equal(s.inserted, 1);
    const hits = await fullTextSearch(db, "zebrafish", 10);
    const paper = await findPaperByArxivId(db, "2503.00001");
    assert.deepEqual(hits, [paper!.id]);
    await db.updateTable("papers").set({ title: "Salamander gait models" }).where("id", "=", paper!.id).execute();
    assert.deepEqual(await fullTextSearch(db, "zebrafish", 10), []);
    assert.deepEqual(await fullTextSearch(db, "salamander", 10), [paper!.id]);
    // Operator characters are words, never syntax.
    assert.deepEqual(await fullTextSearch(db, '"salamander*" -(GAIT) ^', 10), [paper!.id]);
  });

  it("parsing on a worker thread stores and reports exactly what parsing inline does", async () => {
    const { db } = t();
    const dir = mkdtempSync(join(tmpdir(), "dp-par-"));
    const base = JSON.parse(readFileSync(`${FIX}/corpus.jsonl`, "utf8").split("\n")[0]);
    const lines: string[] = [];
    for (let i = 0; i < 130; i++) lines.push(JSON.stringify({ ...base, id: `2511.${String(10000 + i)}`, title: `Parallel paper ${i}` }));
    lines.splice(40, 0, "{broken");
    lines.push(lines[5]); // a duplicate of an id, in a later batch
    writeFileSync(join(dir, "a.jsonl.gz"), gzipSync(lines.slice(0, 70).join("\n") + "\n"));
    writeFileSync(join(dir, "b.jsonl"), lines.slice(70).join("\n") + "\n");
    const rejects: string[] = [];
    const progress: number[] = [];
    const positions: ImportPosition[] = [];
    const nices = new Set<number>();
    // Batches of 25 papers: several in flight at once, across the two files.
    const s = await importFiles(db, [dir], {
      parallel: true, batchSize: 25, onReject: (m) => rejects.push(m), onProgress: (p, input) => {
        progress.push(p.inserted);
        positions.push(input);
        for (const n of threadNices()) nices.add(n);
      },
    });
    if (process.platform === "linux") {
      // The parsing thread gives way to this one, which keeps its own priority.
      assert.ok(nices.has(10), `thread priorities seen: ${[...nices].join(", ")}`);
      assert.equal(threadNices(process.pid)[0], 0);
    }
    assert.deepEqual({ ...s }, { files: 2, read: 132, inserted: 130, updated: 0, unchanged: 1, rejected: 1 });
    assert.equal(rejects.length, 1);
    assert.ok(rejects[0].startsWith(`${join(dir, "a.jsonl.gz")}:41: broken JSON`), rejects[0]);
    assert.deepEqual(progress, [...progress].sort((a, b) => a - b));
    assert.equal(progress.at(-1), 130);
    // How far the import has come, in bytes of the files as stored (the first one gzipped,
    // read on this thread; the second on the worker): it only grows, and ends at their size.
    const total = statSync(join(dir, "a.jsonl.gz")).size + statSync(join(dir, "b.jsonl")).size;
    assert.ok(positions.every((p) => p.totalBytes === total));
    assert.deepEqual(positions.map((p) => p.bytes), positions.map((p) => p.bytes).sort((a, b) => a - b));
    assert.equal(positions.at(-1)?.bytes, total);
    assert.ok(positions[0]!.bytes < total, "the first batch reports part of the input");
    assert.equal((await findPaperByArxivId(db, "2511.10129"))?.title, "Parallel paper 129");
    // SQLite: the parsing thread checkpointed the log; this connection checkpoints again as before.
    const raw = sqliteHandle(db);
    if (raw) assert.equal(raw.pragma("wal_autocheckpoint", { simple: true }), 1000);
    // Inline parsing of the same files now finds everything stored.
    const again = await importFiles(db, [dir], { parallel: false, batchSize: 25 });
    assert.deepEqual({ ...again }, { files: 2, read: 132, inserted: 0, updated: 0, unchanged: 131, rejected: 1 });
  });

  it("versions of one paper spread over many batches land in input order (PostgreSQL writes on two connections)", async () => {
    const { db } = t();
    const dir = mkdtempSync(join(tmpdir(), "dp-lanes-"));
    const base = JSON.parse(readFileSync(`${FIX}/corpus.jsonl`, "utf8").split("\n")[0]);
    const lines: string[] = [];
    for (let i = 0; i < 60; i++) lines.push(JSON.stringify({ ...base, id: `2511.${20000 + i}`, title: `Lane paper ${i}` }));
    // One paper three times (snapshot records: exact versions): v1, then v3, then the older v2,
    // which must not win.
    const snap = JSON.parse(readFileSync(`${FIX}/kaggle.jsonl`, "utf8").split("\n")[0]);
    const version = (n: number) => JSON.stringify({
      ...snap, id: "2511.30000", title: `Versioned paper, v${n}`,
      versions: snap.versions.slice(0, 1).concat(Array.from({ length: n - 1 }, (_, i) => ({ version: `v${i + 2}`, created: "Mon, 14 Apr 2025 09:00:00 GMT" }))),
    });
    // Consecutive batches of 4, so the three are in flight at once when writes run concurrently.
    lines.splice(8, 0, version(1));
    lines.splice(12, 0, version(3));
    lines.splice(16, 0, version(2));
    writeFileSync(join(dir, "a.jsonl"), lines.join("\n") + "\n");
    const progress: number[] = [];
    const s = await importFiles(db, [dir], { batchSize: 4, onProgress: (p) => progress.push(p.inserted + p.updated + p.unchanged) });
    assert.deepEqual({ ...s }, { files: 1, read: 63, inserted: 61, updated: 1, unchanged: 1, rejected: 0 });
    assert.deepEqual(progress, [...progress].sort((a, b) => a - b));
    assert.equal(progress.at(-1), 63);
    const p = await findPaperByArxivId(db, "2511.30000");
    assert.equal(p?.version, 3);
    assert.equal(p?.title, "Versioned paper, v3");
    const entries = await db.selectFrom("daily_entries").innerJoin("papers", "papers.id", "daily_entries.paper_id")
      .select((eb) => eb.fn.countAll<number>().as("n")).where("papers.arxiv_id", "like", "2511.2%").executeTakeFirstOrThrow();
    assert.equal(Number(entries.n), 60, "each daily-corpus paper has its entry (the snapshot's paper has none)");
  });

  it("a write that fails on one connection fails the import, loses nothing stored, and a re-run completes it", async () => {
    const { db, dialect } = t();
    const dir = mkdtempSync(join(tmpdir(), "dp-lanefail-"));
    const base = JSON.parse(readFileSync(`${FIX}/corpus.jsonl`, "utf8").split("\n")[0]);
    const lines = Array.from({ length: 60 }, (_, i) => JSON.stringify({ ...base, id: `2511.${40000 + i}`, title: `Refusal paper ${i}` }));
    writeFileSync(join(dir, "a.jsonl"), lines.join("\n") + "\n");
    // The database refuses one paper, as a server-side failure (a full disk, a lost connection) would.
    if (dialect === "postgres") {
      await sql`create function refuse_paper() returns trigger language plpgsql as $$
        begin if new.arxiv_id = '2511.40033' then raise exception 'refused for the test'; end if; return new; end $$`.execute(db);
      await sql`create trigger refuse_paper before insert on papers for each row execute function refuse_paper()`.execute(db);
    } else {
      await sql`create trigger refuse_paper before insert on papers when new.arxiv_id = '2511.40033'
        begin select raise(abort, 'refused for the test'); end`.execute(db);
    }
    const mine = async () => Number((await db.selectFrom("papers").select((eb) => eb.fn.countAll<number>().as("n"))
      .where("arxiv_id", "like", "2511.4%").executeTakeFirstOrThrow()).n);
    await assert.rejects(importFiles(db, [dir], { batchSize: 4 }), /refused for the test/);
    const kept = await mine();
    assert.ok(kept < 60, `the refused paper's batch was not stored (${kept})`);
    await sql`drop trigger refuse_paper${sql.raw(dialect === "postgres" ? " on papers" : "")}`.execute(db);
    const again = await importFiles(db, [dir], { batchSize: 4 });
    assert.deepEqual({ inserted: again.inserted, unchanged: again.unchanged }, { inserted: 60 - kept, unchanged: kept });
    assert.equal(await mine(), 60);
  });

  it("a file that cannot be read fails the import with its reason, from either thread", async () => {
    const { db } = t();
    const dir = mkdtempSync(join(tmpdir(), "dp-trunc-"));
    const whole = gzipSync(readFileSync(`${FIX}/corpus.jsonl`));
    writeFileSync(join(dir, "cut.jsonl.gz"), whole.subarray(0, whole.length - 12));
    for (const parallel of [true, false]) {
      await assert.rejects(importFiles(db, [dir], { parallel }), /unexpected end of file/);
    }
  });

  it("a run killed midway, run again, leaves every paper once", async () => {
    const { target, db } = t();
    const dir = mkdtempSync(join(tmpdir(), "dp-kill-"));
    const src = join(dir, "big.jsonl.gz");
    copyFileSync("../shared/data/arxiv-daily-cs/papers-2025-04-1.jsonl.gz", src);
    const env = { ...process.env, DATABASE_URL: target.kind === "sqlite" ? target.path : target.url };
    const cli = ["bin/dailypapers.js", "import", "--batch", "50", src];
    // First run: killed as soon as it has committed some batches.
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, cli, { env, stdio: ["ignore", "pipe", "pipe"] });
      const timer = setInterval(async () => {
        const peek = openDatabase(target);
        const n = await countPapers(peek).catch(() => 0);
        await peek.destroy();
        if (n >= 200) {
          clearInterval(timer);
          child.kill("SIGKILL");
        }
      }, 50);
      child.on("exit", () => {
        clearInterval(timer);
        resolve();
      });
    });
    const partial = await countPapers(db);
    assert.ok(partial > 0, "the first run stored some papers");
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, cli, { env, stdio: "ignore" });
      child.on("exit", (c) => resolve(c ?? 1));
    });
    assert.equal(code, 0);
    const expected = 2378; // records in papers-2025-04-1 (the corpus manifest)
    const total = await countPapers(db);
    // This file's 2,378 papers, plus those earlier tests stored in this database.
    const fromFile = await db.selectFrom("papers").select((eb) => eb.fn.countAll<number>().as("n")).where("first_version_at", ">=", "2025-04-01").executeTakeFirstOrThrow();
    assert.equal(Number(fromFile.n), expected);
    const entries = await db.selectFrom("daily_entries").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    const ids = await db.selectFrom("papers").select("arxiv_id").execute();
    assert.equal(new Set(ids.map((r) => r.arxiv_id)).size, total);
    assert.ok(Number(entries.n) <= total);
  });
});

describe("import into a new SQLite database (bulk load)", () => {
  async function freshDb() {
    const path = join(mkdtempSync(join(tmpdir(), "dp-bulkimp-")), "test.sqlite");
    const db = openDatabase({ kind: "sqlite", path });
    await migrateToLatest(db);
    return { path, db, raw: sqliteHandle(db)! };
  }

  it("loads an unused database with a rollback journal, then returns it to WAL; a used one stays in WAL", async () => {
    const { db, raw } = await freshDb();
    const modes: unknown[] = [];
    const onProgress = () => modes.push(raw.pragma("journal_mode", { simple: true }));
    const first = await importFiles(db, [`${FIX}/corpus.jsonl`], { batchSize: 2, onProgress });
    assert.equal(first.inserted, 5);
    assert.deepEqual([...new Set(modes)], ["delete"]);
    assert.equal(raw.pragma("journal_mode", { simple: true }), "wal");
    assert.equal(raw.pragma("synchronous", { simple: true }), 1);
    // The database now holds papers: the next import must not risk them.
    modes.length = 0;
    await importFiles(db, [`${FIX}/kaggle.jsonl`], { batchSize: 2, onProgress });
    assert.deepEqual([...new Set(modes)], ["wal"]);
    await db.destroy();
  });

  it("an import that fails midway still ends the bulk load: WAL again, the batches before the failure kept", async () => {
    const { db, raw } = await freshDb();
    const dir = mkdtempSync(join(tmpdir(), "dp-bulkfail-"));
    const whole = readFileSync("../shared/data/arxiv-daily-cs/papers-2025-04-2.jsonl.gz");
    writeFileSync(join(dir, "cut.jsonl.gz"), whole.subarray(0, Math.floor(whole.length / 2)));
    await assert.rejects(importFiles(db, [dir], { batchSize: 100 }), /unexpected end of file/);
    assert.equal(raw.pragma("journal_mode", { simple: true }), "wal");
    assert.equal(raw.pragma("integrity_check", { simple: true }), "ok");
    const kept = await countPapers(db);
    assert.ok(kept > 0 && kept % 100 === 0, `whole batches were kept (${kept})`);
    await db.destroy();
  });

  it("an unused database with accounts is not bulk loaded", async () => {
    const { db, raw } = await freshDb();
    await db.insertInto("users").values({
      username: "ada", email: "ada@example.org", display_name: "Ada", password_hash: "x", role: "reader",
      created_at: "2025-01-01T00:00:00.000Z", email_confirmed_at: null, banned_at: null,
    }).execute();
    const modes: unknown[] = [];
    await importFiles(db, [`${FIX}/corpus.jsonl`], { onProgress: () => modes.push(raw.pragma("journal_mode", { simple: true })) });
    assert.deepEqual(modes, ["wal"]);
    await db.destroy();
  });

  it("a bulk load killed midway, run again, leaves a sound database with every paper once", async () => {
    const { path, db } = await freshDb();
    await db.destroy();
    const dir = mkdtempSync(join(tmpdir(), "dp-bulkkill-"));
    const files = ["papers-2025-04-1.jsonl.gz", "papers-2025-04-2.jsonl.gz"];
    for (const f of files) copyFileSync(`../shared/data/arxiv-daily-cs/${f}`, join(dir, f));
    const env = { ...process.env, DATABASE_URL: path };
    const cli = ["bin/dailypapers.js", "import", "--batch", "50", dir];
    // The load holds the file to itself, so the test watches the file grow instead of reading
    // it, and kills the import once it is a few MB along (whole batches or not).
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => {
      const child = spawn(process.execPath, cli, { env, stdio: "ignore" });
      const timer = setInterval(() => {
        if (statSync(path).size > 4 << 20) child.kill("SIGKILL");
      }, 10);
      child.on("exit", (_code, sig) => {
        clearInterval(timer);
        resolve(sig);
      });
    });
    assert.equal(signal, "SIGKILL", "the first run was killed before it finished");
    // It was loading with a rollback journal (kept, in exclusive mode, between batches), not a log.
    assert.ok(existsSync(`${path}-journal`) && !existsSync(`${path}-wal`), "the killed run was a bulk load");
    const peek = openDatabase({ kind: "sqlite", path });
    const partial = await countPapers(peek);
    await peek.destroy();
    assert.ok(partial > 0 && partial < 4307, `the first run stored some papers, not all (${partial})`);
    const code = await new Promise<number>((resolve) => {
      spawn(process.execPath, cli, { env, stdio: "ignore" }).on("exit", (c) => resolve(c ?? 1));
    });
    assert.equal(code, 0);
    const after = openDatabase({ kind: "sqlite", path });
    const raw = sqliteHandle(after)!;
    assert.equal(raw.pragma("integrity_check", { simple: true }), "ok");
    raw.exec("insert into papers_fts(papers_fts, rank) values ('integrity-check', 1)");
    assert.equal(raw.pragma("journal_mode", { simple: true }), "wal");
    // The two files' records (the corpus manifest), each once, each with its daily entry.
    assert.equal(raw.prepare("select count(*) from papers").pluck().get(), 4307);
    assert.equal(raw.prepare("select count(distinct arxiv_id) from papers").pluck().get(), 4307);
    assert.equal(raw.prepare("select count(*) from daily_entries").pluck().get(), 4307);
    await after.destroy();
  });
});
