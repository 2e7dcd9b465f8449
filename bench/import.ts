/**
 * Import benchmark: papers/s of `dailypapers import` (the product's own `importFiles`) into a
 * fresh SQLite and a fresh PostgreSQL database, beside a parse-only pass (read, gunzip,
 * JSON.parse, validate; no writes) over the same files in the same run.
 *
 *   npm run bench:import                          # the 74,728-paper corpus, both databases
 *   npm run bench:import -- --only sqlite         # or --only postgres
 *   npm run bench:import -- --synthetic 1000000   # + a generated corpus, per-100k throughput, peak RSS
 *   npm run bench:import -- --as-snapshot         # the same papers in the arXiv snapshot's format
 *
 * With SQLite it also times the import's writes on their own (every batch prepared beforehand)
 * and the full-text index on its own: floors no import into one SQLite database can go under,
 * however it arranges the parsing.
 *
 * Options: --data DIR (default ../shared/data/arxiv-daily-cs), --batch N (default: the
 * product's), --runs N (repeat each measurement; the best is reported, all are printed),
 * --synthetic-db sqlite|postgres (default sqlite). PostgreSQL: DATABASE_URL=postgres://... or
 * a throwaway cluster started here.
 *
 * Every measurement runs in a child process of its own, so one run's heap, caches and peak RSS
 * never flatter or burden the next.
 */
import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createGzip } from "node:zlib";
import { sql } from "kysely";
import { beginBulkLoad, type BulkLoad } from "../src/db/bulk-load.js";
import { dialectOf, openDatabase, sqliteHandle, type Db } from "../src/db/database.js";
import { migrateToLatest } from "../src/db/migrate.js";
import { DEFAULT_BATCH_SIZE, importFiles } from "../src/ingest/import.js";
import { expandPaths, parseFiles, readLines } from "../src/ingest/import.read.js";
import { parseRecordLine } from "../src/ingest/records.parse.js";
import type { PreparedBatch } from "../src/papers/papers.prepare.js";
import { countPapers, writePreparedPapers } from "../src/papers/papers.queries.js";
import { startTestPostgres } from "../test/postgres.cluster.js";
import { createTestDatabase } from "../test/databases.js";

type SqliteHandle = NonNullable<ReturnType<typeof sqliteHandle>>;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SLICE = 100_000;

/** What a child process reports, as one JSON line on stdout. */
interface Measurement {
  kind: "parse" | "fulltext" | "writes" | "sqlite" | "postgres";
  papers: number;
  seconds: number;
  cpuSeconds: number;
  maxRssMb: number;
  /** Seconds per 100k papers read, in order (synthetic runs). */
  slices: number[];
  /** Extra facts: database size, full-text check. */
  notes: string[];
}

const { values: args, positionals } = parseArgs({
  options: {
    data: { type: "string", default: join(ROOT, "..", "shared", "data", "arxiv-daily-cs") },
    only: { type: "string" },
    batch: { type: "string" },
    runs: { type: "string", default: "2" },
    synthetic: { type: "string" },
    "as-snapshot": { type: "boolean" },
    "synthetic-db": { type: "string", default: "sqlite" },
    // Internal: run one measurement in this process and print it.
    measure: { type: "string" },
    url: { type: "string" },
  },
  allowPositionals: true,
});

function cpuSeconds(): number {
  const u = process.resourceUsage();
  return (u.userCPUTime + u.systemCPUTime) / 1e6;
}

// ---------------------------------------------------------------- child: one measurement

async function measureParse(paths: string[]): Promise<Measurement> {
  const t0 = performance.now();
  const c0 = cpuSeconds();
  let papers = 0;
  let rejected = 0;
  for (const file of await expandPaths(paths)) {
    for await (const line of readLines(file)) {
      if (line.trim() === "") continue;
      if (parseRecordLine(line).ok) papers++;
      else rejected++;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  return { kind: "parse", papers, seconds, cpuSeconds: cpuSeconds() - c0, maxRssMb: process.resourceUsage().maxRSS / 1024, slices: [], notes: [`${rejected} rejected`] };
}

/** Every batch of the files, parsed and prepared as the import would (not timed). */
async function preparedBatches(paths: string[]): Promise<PreparedBatch[]> {
  const batches: PreparedBatch[] = [];
  for await (const b of parseFiles(await expandPaths(paths), args.batch ? Number(args.batch) : DEFAULT_BATCH_SIZE)) batches.push(b.batch);
  return batches;
}

/**
 * Times `load` on a new, migrated SQLite database in bulk-load mode, as an import writes a new
 * database, from taking the file to the final sync; the database is removed afterwards.
 */
async function timedBulkLoad(load: (db: Db, raw: SqliteHandle, bulk: BulkLoad) => Promise<number>): Promise<{ papers: number; seconds: number; cpuSeconds: number }> {
  const { target, drop } = await createTestDatabase("sqlite");
  const db = openDatabase(target);
  try {
    await migrateToLatest(db);
    const raw = sqliteHandle(db);
    if (!raw) throw new Error("a bulk load needs SQLite");
    const t0 = performance.now();
    const c0 = cpuSeconds();
    const bulk = beginBulkLoad(raw);
    if (!bulk) throw new Error("the measurement could not take the database to itself");
    const papers = await load(db, raw, bulk);
    await bulk.end();
    return { papers, seconds: (performance.now() - t0) / 1000, cpuSeconds: cpuSeconds() - c0 };
  } finally {
    await db.destroy();
    await drop();
  }
}

/**
 * The full-text index on its own: the same titles, author lists and abstracts, indexed into
 * the product's FTS5 table (as its migrations create and tune it) in transactions of the
 * import's batch size, with no paper rows, no daily entries and no parsing. SQLite has a
 * single writer per database and FTS5 indexes on it, so this is a floor for the import's time.
 */
async function measureFulltext(paths: string[]): Promise<Measurement> {
  const batches = await preparedBatches(paths);
  const docs = batches.map((b) => b.papers.map(({ row }): [string, string, string] => [row.title, row.authors_text, row.abstract]));
  const m = await timedBulkLoad(async (_db, raw) => {
    const insert = raw.prepare<[number, string, string, string]>(
      "insert into papers_fts(rowid, title, authors_text, abstract) values (?, ?, ?, ?)");
    let rowid = 0;
    const indexBatch = raw.transaction((batch: Array<[string, string, string]>) => {
      for (const d of batch) insert.run(++rowid, ...d);
    });
    for (const batch of docs) indexBatch(batch);
    return rowid;
  });
  const mb = docs.flat().reduce((n, d) => n + d[0].length + d[1].length + d[2].length, 0) / 1e6;
  return { kind: "fulltext", ...m, maxRssMb: process.resourceUsage().maxRSS / 1024, slices: [], notes: [`${mb.toFixed(1)} MB of text`] };
}

/**
 * The import's SQLite writes on their own: every batch written with the import's own
 * `writePreparedPapers`: the paper rows, their FTS5 index and the daily entries, with no
 * parsing and no thread. All of it runs on the one SQLite connection, so however the parsing
 * is arranged, an import cannot take less time than this.
 */
async function measureWrites(paths: string[]): Promise<Measurement> {
  const batches = await preparedBatches(paths);
  const m = await timedBulkLoad(async (db, _raw, bulk) => {
    let papers = 0;
    for (const b of batches) {
      papers += (await writePreparedPapers(db, b)).inserted;
      bulk.committed();
      // As the import's loop does between batches: lets a finished flush report back.
      await new Promise(setImmediate);
    }
    return papers;
  });
  return { kind: "writes", ...m, maxRssMb: process.resourceUsage().maxRSS / 1024, slices: [], notes: [`${batches.length} batches`] };
}

async function measureImport(kind: "sqlite" | "postgres", paths: string[], url: string | undefined): Promise<Measurement> {
  if (kind === "postgres" && !url) throw new Error("postgres measurement needs --url");
  const { target, drop } = await createTestDatabase(kind, url);
  const db = openDatabase(target);
  try {
    await migrateToLatest(db);
    const batchSize = args.batch ? Number(args.batch) : undefined;
    const slices: number[] = [];
    let sliceStart = performance.now();
    let nextSlice = SLICE;
    const t0 = performance.now();
    const c0 = cpuSeconds();
    const s = await importFiles(db, paths, {
      batchSize,
      onReject: (m) => process.stderr.write(`${m}\n`),
      onProgress: (p) => {
        while (p.read >= nextSlice) {
          const now = performance.now();
          slices.push((now - sliceStart) / 1000);
          sliceStart = now;
          nextSlice += SLICE;
        }
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds() - c0;
    const notes: string[] = [`inserted ${s.inserted}, rejected ${s.rejected}`];
    const stored = await countPapers(db);
    if (stored !== s.inserted) throw new Error(`stored ${stored} papers but the import says it inserted ${s.inserted}`);
    if (dialectOf(db) === "sqlite") {
      // The index must match the table exactly: the bulk path suspends the trigger per batch.
      await sql`insert into papers_fts(papers_fts, rank) values ('integrity-check', 1)`.execute(db);
      notes.push("FTS5 integrity-check ok");
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
      if (target.kind === "sqlite") notes.push(`file ${(statSync(target.path).size / 2 ** 20).toFixed(0)} MB`);
    } else {
      const r = await sql<{ n: number }>`select count(*)::int as n from papers where search_vector is not null`.execute(db);
      notes.push(`${r.rows[0]?.n ?? 0} search vectors`);
    }
    return { kind, papers: s.inserted, seconds, cpuSeconds: cpu, maxRssMb: process.resourceUsage().maxRSS / 1024, slices, notes };
  } finally {
    await db.destroy();
    await drop();
  }
}

// ---------------------------------------------------------------- parent: orchestration

function runChild(kind: Measurement["kind"], paths: string[], url?: string): Promise<Measurement> {
  const childArgs = ["--import", "tsx", fileURLToPath(import.meta.url), "--measure", kind, ...(url ? ["--url", url] : []),
    ...(args.batch ? ["--batch", args.batch] : []), ...paths];
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, childArgs, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0) fail(new Error(`${kind} measurement failed (exit ${code})`));
      else ok(JSON.parse(last) as Measurement);
    });
  });
}

/**
 * Writes `total` records made from the real ones with new unique ids: new-style ids in months
 * the corpus does not use (2016-01 onwards, 100,000 per month), the real records cycled as
 * often as needed. Streams: one real file's lines at a time are in memory, never the output.
 */
async function writeSynthetic(source: string[], total: number, file: string): Promise<void> {
  const out = gzippedLines(file);
  const files = await expandPaths(source);
  let n = 0;
  while (n < total) {
    for (const f of files) {
      for await (const line of readLines(f)) {
        if (n >= total) break;
        const rec = JSON.parse(line) as Record<string, unknown>;
        const month = Math.floor(n / 100_000);
        const yymm = `${16 + Math.floor(month / 12)}${String((month % 12) + 1).padStart(2, "0")}`;
        rec.id = `${yymm}.${String(n % 100_000).padStart(5, "0")}`;
        await out.write(JSON.stringify(rec));
        n++;
      }
      if (n >= total) break;
    }
  }
  await out.end();
}

/** A gzipped JSON-lines file written line by line, waiting whenever the compressor is full. */
function gzippedLines(file: string): { write(line: string): Promise<void>; end(): Promise<void> } {
  const gz = createGzip({ level: 1 });
  const out = createWriteStream(file);
  const done = new Promise<void>((ok, fail) => {
    out.on("finish", ok);
    out.on("error", fail);
  });
  gz.pipe(out);
  return {
    async write(line) {
      if (!gz.write(`${line}\n`)) await new Promise((ok) => gz.once("drain", ok));
    },
    async end() {
      gz.end();
      await done;
    },
  };
}

/** Breaks text into lines of at most `width` characters at spaces, as the snapshot stores it. */
function wrapLines(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.join(`\n${indent}`);
}

/**
 * Writes the daily corpus's papers in the shape of the Kaggle arXiv metadata snapshot, the
 * other bulk format: one gzipped file, text wrapped and indented as the snapshot has it,
 * authors as a string and as parsed name parts, versions with RFC 2822 dates.
 */
async function writeAsSnapshot(source: string[], file: string): Promise<number> {
  const out = gzippedLines(file);
  let n = 0;
  for (const f of await expandPaths(source)) {
    for await (const line of readLines(f)) {
      if (line.trim() === "") continue;
      const r = JSON.parse(line) as { id: string; title: string; abstract: string; authors: string[]; categories: string[]; comment?: string | null; date: string };
      const names = r.authors.map((a) => a.split(" "));
      const rec = {
        id: r.id.replace(/v\d+$/, ""), submitter: r.authors[0], authors: r.authors.join(", "), title: wrapLines(r.title, 80, "  "),
        comments: r.comment ?? null, "journal-ref": null, doi: null, "report-no": null, categories: r.categories.join(" "),
        license: "http://creativecommons.org/licenses/by/4.0/", abstract: `  ${wrapLines(r.abstract, 80, "")}\n`,
        versions: [{ version: "v1", created: new Date(`${r.date}T17:00:00Z`).toUTCString() }], update_date: r.date,
        authors_parsed: names.map((parts) => [parts.at(-1) ?? "", parts.slice(0, -1).join(" "), ""]),
      };
      await out.write(JSON.stringify(rec));
      n++;
    }
  }
  await out.end();
  return n;
}

const rate = (m: Measurement) => m.papers / m.seconds;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

function best(ms: Measurement[]): Measurement {
  return ms.reduce((a, b) => (rate(b) > rate(a) ? b : a));
}

function describeRun(label: string, ms: Measurement[]): string {
  const b = best(ms);
  const all = ms.map((m) => `${m.seconds.toFixed(2)} s`).join(", ");
  return `${label.padEnd(22)} ${fmt(rate(b)).padStart(7)} papers/s  ${b.seconds.toFixed(2)} s wall, ${b.cpuSeconds.toFixed(2)} s CPU, peak RSS ${fmt(b.maxRssMb)} MB  (runs: ${all})${b.notes.length ? `  [${b.notes.join("; ")}]` : ""}`;
}

async function main(): Promise<void> {
  if (args.measure) {
    const kind = args.measure;
    const m = kind === "parse" ? await measureParse(positionals)
      : kind === "fulltext" ? await measureFulltext(positionals)
      : kind === "writes" ? await measureWrites(positionals)
      : await measureImport(kind === "postgres" ? "postgres" : "sqlite", positionals, args.url);
    process.stdout.write(`${JSON.stringify(m)}\n`);
    return;
  }
  const only = args.only;
  if (only && only !== "sqlite" && only !== "postgres") throw new Error("--only takes sqlite or postgres");
  const runs = Math.max(1, Number(args.runs));
  let data = [args.data];
  let snapshotDir: string | null = null;
  const load = (await import("node:os")).loadavg()[0];
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}, load average ${load.toFixed(2)} at start`);
  console.log(`data: ${relative(ROOT, args.data)}${args.batch ? `, batch ${args.batch}` : ""}, ${runs} run(s) each, best shown`);

  const wantSqlite = only !== "postgres";
  const wantPg = only !== "sqlite" || (args.synthetic !== undefined && args["synthetic-db"] === "postgres");
  let cluster: Awaited<ReturnType<typeof startTestPostgres>> = null;
  if (wantPg) {
    cluster = await startTestPostgres();
    if (!cluster) console.log("PostgreSQL: not available, skipped");
  }
  try {
    if (args["as-snapshot"]) {
      snapshotDir = mkdtempSync(join(tmpdir(), "dp-snapshot-"));
      const file = join(snapshotDir, "arxiv-metadata-snapshot.json.gz");
      const n = await writeAsSnapshot(data, file);
      console.log(`snapshot format: ${fmt(n)} papers written as one ${(statSync(file).size / 2 ** 20).toFixed(0)} MB gzipped file`);
      data = [file];
    }
    const parse: Measurement[] = [];
    const sqlite: Measurement[] = [];
    const fulltext: Measurement[] = [];
    const writes: Measurement[] = [];
    const postgres: Measurement[] = [];
    // Interleaved, so a burst of load from elsewhere hits every kind rather than one.
    for (let r = 0; r < runs; r++) {
      parse.push(await runChild("parse", data));
      if (wantSqlite) sqlite.push(await runChild("sqlite", data));
      if (wantSqlite) fulltext.push(await runChild("fulltext", data));
      if (wantSqlite) writes.push(await runChild("writes", data));
      if (cluster && only !== "sqlite") postgres.push(await runChild("postgres", data, cluster.url));
    }
    console.log(describeRun("parse only", parse));
    const p = best(parse);
    for (const [label, ms] of [["SQLite (with FTS5)", sqlite], ["PostgreSQL (tsvector)", postgres]] as const) {
      if (ms.length === 0) continue;
      console.log(describeRun(label, ms));
      console.log(`${"".padEnd(22)} = ${(best(ms).seconds / p.seconds).toFixed(2)}x the parse-only time`);
    }
    if (writes.length > 0) {
      console.log(describeRun("SQLite writes alone", writes));
      console.log(`${"".padEnd(22)} = ${(best(writes).seconds / p.seconds).toFixed(2)}x the parse-only time: the floor of the import's one SQLite connection`);
    }
    if (fulltext.length > 0) {
      const f = best(fulltext);
      console.log(describeRun("FTS5 alone", fulltext));
      console.log(`${"".padEnd(22)} = ${(f.seconds / p.seconds).toFixed(2)}x the parse-only time: the floor of one SQLite writer`);
      // However the work were spread, parsing and indexing alone keep every core busy this long.
      const spread = (p.cpuSeconds + f.cpuSeconds) / cpus().length;
      console.log(`${"".padEnd(22)} (parse-only CPU + FTS5-alone CPU) / ${cpus().length} cores = ${spread.toFixed(2)} s = ${(spread / p.seconds).toFixed(2)}x: the floor of any schedule`);
    }

    if (args.synthetic !== undefined) {
      const total = Number(args.synthetic);
      const kind = args["synthetic-db"] === "postgres" ? "postgres" : "sqlite";
      const dir = mkdtempSync(join(tmpdir(), "dp-synth-"));
      try {
        const file = join(dir, "synthetic.jsonl.gz");
        const g0 = performance.now();
        await writeSynthetic(data, total, file);
        console.log(`synthetic: ${fmt(total)} records generated in ${((performance.now() - g0) / 1000).toFixed(1)} s (${(statSync(file).size / 2 ** 20).toFixed(0)} MB gzipped)`);
        if (kind === "postgres" && !cluster) throw new Error("no PostgreSQL for the synthetic run");
        const m = await runChild(kind, [file], kind === "postgres" ? cluster?.url : undefined);
        console.log(describeRun(`synthetic ${kind}`, [m]));
        const perSlice = m.slices.map((s) => SLICE / s);
        console.log(`per 100k slice (papers/s): ${perSlice.map(fmt).join(", ")}`);
        if (perSlice.length >= 2) {
          const first = perSlice[0];
          const last = perSlice[perSlice.length - 1];
          console.log(`last 100k vs first 100k: ${((last / first) * 100).toFixed(0)}% (target >= 80%); peak RSS ${fmt(m.maxRssMb)} MB (target < 500 MB)`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await cluster?.stop();
    if (snapshotDir) rmSync(snapshotDir, { recursive: true, force: true });
  }
}

await main();
