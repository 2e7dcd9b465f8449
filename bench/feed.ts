/**
 * Feed benchmark: loads the 74,728-paper corpus into a fresh SQLite database, starts the
 * product (`dailypapers serve`, its own process), and drives `/papers`, `/papers/:id` and
 * `/api/daily_papers` with autocannon (10 s, 32 connections each); in the same run, a bare
 * `node:http` hello-world server on the same machine is driven the same way as the baseline,
 * and after each route a bare server sending that route's very bytes (its ceiling).
 *
 *   npm run bench:feed                 # full corpus
 *   npm run bench:feed -- --duration 5 --connections 32 --data DIR --encoding plain|gzip|both
 *
 * Targets: every route at least 0.5x the bare server's requests/s, p99 under 25 ms.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { openDatabase } from "../src/db/database.js";
import { migrateToLatest } from "../src/db/migrate.js";
import { importFiles } from "../src/ingest/import.js";
import { refreshTrendingScores } from "../src/community/index.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    data: { type: "string", default: resolve(ROOT, "../shared/data/arxiv-daily-cs") },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "32" },
    // plain: autocannon's defaults; gzip: as browsers ask; both: one after the other.
    encoding: { type: "string", default: "both" },
  },
});

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

async function waitFor(url: string, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}

interface Result {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function drive(name: string, base: string, paths: string[], gzip: boolean): Promise<Result> {
  let i = 0;
  const r = await autocannon({
    url: base,
    connections: Number(args.connections),
    duration: Number(args.duration),
    // Browsers ask for compressed pages; the hello-world server ignores it.
    headers: gzip ? { "accept-encoding": "gzip" } : {},
    requests: [{ method: "GET", setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
  });
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "dp-bench-feed-"));
  const dbPath = join(dir, "feed.sqlite");
  const children: ChildProcess[] = [];
  try {
    console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}`);
    const db = openDatabase({ kind: "sqlite", path: dbPath });
    await migrateToLatest(db);
    const t0 = Date.now();
    const s = await importFiles(db, [args.data!]);
    await refreshTrendingScores(db);
    console.log(`loaded ${s.inserted} papers in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const sample = await db.selectFrom("papers").select("arxiv_id").orderBy("id").execute();
    await db.destroy();
    // A paper outside the measured sets.
    const warmId = sample[1].arxiv_id;
    // 2,000 paper pages per encoding, spread over the whole archive; two sets, so the second
    // encoding's first views are first views too.
    const ids = Array.from({ length: 4000 }, (_, k) => sample[Math.floor((k * sample.length) / 4000)].arxiv_id);

    const barePort = await freePort();
    const bareServer = spawn(process.execPath, ["-e", `require("node:http").createServer((q, s) => { s.setHeader("content-type", "text/plain"); s.end("hello world"); }).listen(${barePort}, "127.0.0.1")`], { stdio: "inherit" });
    children.push(bareServer);
    const appPort = await freePort();
    const app = spawn(process.execPath, [join(ROOT, "bin/dailypapers.js"), "serve"], {
      env: { ...process.env, DATABASE_URL: dbPath, PORT: String(appPort), LOG_LEVEL: "warn", IMPORT_SAMPLE: "false", ROLE: "web", DATA_DIR: dir },
      stdio: "inherit",
    });
    children.push(app);
    await waitFor(`http://127.0.0.1:${barePort}/`);
    await waitFor(`http://127.0.0.1:${appPort}/healthz`);

    const appBase = `http://127.0.0.1:${appPort}`;
    // Steady state: the first paper page builds the search index behind "similar papers"
    // (a few seconds over 74,728 papers); measure after it, not during it.
    const warm = Date.now();
    await fetch(`${appBase}/papers/${warmId}`);
    console.log(`warm-up (search index built on first use): ${((Date.now() - warm) / 1000).toFixed(1)} s`);
    // Paper pages twice: first views (each page rendered once inside the run, then served from
    // the page cache: mostly rendering) and the same pages again (all cached: the steady state
    // of pages people have opened before).
    const routesFor = (e: number): Array<[string, string[]]> => {
      const pages = ids.filter((_, k) => k % 2 === e).map((id) => `/papers/${id}`);
      return [
        ["/papers", ["/papers"]],
        ["/papers/:id, 2,000 first views", pages],
        ["/papers/:id, the same 2,000 again", pages],
        ["/api/daily_papers", ["/api/daily_papers"]],
      ];
    };
    // A second baseline per route: a bare node:http server sending the very bytes the route
    // sent (every distinct page of it, plain or gzipped as the product sends them), driven the
    // same way right after the route. No server can answer a route faster than that, so it is
    // the route's ceiling on this machine: the cost of moving the bodies and of the load
    // generator reading them (autocannon turns every body into a string), none of it the
    // product's work.
    const sameBytes = async (name: string, paths: string[], gzip: boolean): Promise<Result & { plainBytes: number; gzipBytes: number }> => {
      const bodies: Buffer[] = [];
      // fetch() decompresses; the bare server gzips again, as the product does.
      for (const path of paths) bodies.push(Buffer.from(await (await fetch(`${appBase}${path}`)).arrayBuffer()));
      const file = join(dir, "bodies.json");
      writeFileSync(file, JSON.stringify(bodies.map((b) => b.toString("base64"))));
      const port = await freePort();
      const server = spawn(process.execPath, ["-e", `
        const zlib = require("node:zlib"), fs = require("node:fs");
        const plain = JSON.parse(fs.readFileSync(${JSON.stringify(file)}, "utf8")).map((b) => Buffer.from(b, "base64"));
        const gzip = plain.map((b) => zlib.gzipSync(b));
        require("node:http").createServer((q, s) => {
          const i = Number(q.url.slice(1)) || 0;
          s.setHeader("content-type", "text/html; charset=utf-8");
          if (/gzip/.test(q.headers["accept-encoding"] ?? "")) { s.setHeader("content-encoding", "gzip"); s.end(gzip[i]); }
          else s.end(plain[i]);
        }).listen(${port}, "127.0.0.1")`], { stdio: "inherit" });
      children.push(server);
      try {
        await waitFor(`http://127.0.0.1:${port}/0`);
        const r = await drive(`bare, same bytes as ${name}`, `http://127.0.0.1:${port}`, paths.map((_, i) => `/${i}`), gzip);
        const mean = (f: (b: Buffer) => number) => bodies.reduce((t, b) => t + f(b), 0) / bodies.length;
        return { ...r, plainBytes: mean((b) => b.length), gzipBytes: mean((b) => gzipSync(b).length) };
      } finally {
        server.kill("SIGKILL");
      }
    };

    const bare = await drive("bare node:http hello world", `http://127.0.0.1:${barePort}`, ["/"], false);
    const encodings = args.encoding === "both" ? [false, true] : [args.encoding === "gzip"];
    for (const [e, gzip] of encodings.entries()) {
      console.log(`\nautocannon: ${args.duration} s, ${args.connections} connections per route, ${gzip ? "accept-encoding: gzip (as browsers send)" : "autocannon's defaults (no accept-encoding)"}\n`);
      console.log("| route | body (mean) | req/s | vs hello world | bare server, same bytes: req/s (ceiling), p99 | vs ceiling | p50 ms | p99 ms | errors | non-2xx | targets (≥0.5x hello world, p99<25ms) |");
      console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
      console.log(`| ${bare.name} | 11 B | ${Math.round(bare.rps)} | 1.00x | | | ${bare.p50} | ${bare.p99} | ${bare.errors} | ${bare.non2xx} | baseline |`);
      for (const [name, paths] of routesFor(e)) {
        const r = await drive(name, appBase, paths, gzip);
        const same = await sameBytes(name, paths, gzip);
        const ratio = r.rps / bare.rps;
        const ceiling = same.rps / bare.rps;
        const verdict = ratio >= 0.5 && r.p99 < 25 ? "met"
          : ceiling < 0.5 ? `throughput out of reach: the ceiling is ${ceiling.toFixed(2)}x; p99 ${r.p99 < 25 ? "met" : "NOT met"}`
          : r.p99 < 25 ? "p99 met, throughput NOT met" : "NOT met";
        const body = gzip ? same.gzipBytes : same.plainBytes;
        console.log(`| ${name} | ${(body / 1024).toFixed(1)} KB | ${Math.round(r.rps)} | ${ratio.toFixed(2)}x | ${Math.round(same.rps)} (${ceiling.toFixed(2)}x), p99 ${same.p99} ms | ${(r.rps / same.rps).toFixed(2)}x | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} | ${verdict} |`);
      }
    }
  } finally {
    for (const c of children) c.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
