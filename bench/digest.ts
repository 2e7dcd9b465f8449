/**
 * Digest benchmark: 10,000 subscribers over the 74,728-paper corpus in a fresh SQLite database.
 *
 *   node --import tsx bench/digest.ts                       # build + send, search-service sources
 *   node --import tsx bench/digest.ts --sources keyword     # database full-text + in-memory tf-idf
 *   node --import tsx bench/digest.ts --subscribers 10000 --workers 8 --connections 32
 *
 * Half the subscribers are trending-only visitors; half are signed-in readers with 5 upvotes
 * (from the week before, the "for you" seeds), 1 to 3 topic alerts from a pool of 40, and 0 to
 * 2 followed authors, all on trending too. Measures:
 *  1. builds/s: every reader's digest for one feed day (selection + rendering, no writes), in
 *     batches of 100 readers as the send jobs do, per kind;
 *  2. the whole send: the plan job enqueues send jobs of 100 subscriptions, `--workers` job workers in this
 *     process drain them through nodemailer's pooled SMTP (`--connections`) to a real SMTP
 *     server in a separate process (smtp-server), until the server has accepted every message.
 * Targets: 1,000 personal digests built per second; all 10,000 delivered within 60 s.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { SMTPServer } from "smtp-server";
import { toConfig } from "../src/config.js";
import { createContext } from "../src/context.js";
import { sqliteHandle } from "../src/db/database.js";
import { importFiles } from "../src/ingest/import.js";
import { refreshTrendingScores } from "../src/community/index.js";
import { Worker } from "../src/jobs/worker.js";
import { DIGEST_SEND_JOB, DigestRunner, digestJobHandlers, renderSend } from "../src/digests/digest.jobs.js";
import { dayPeriod } from "../src/digests/digest.period.js";
import { keywordSources } from "../src/digests/digest.sources.js";
import { isEmptyDigest } from "../src/digests/digest.select.js";
import { trendingScore } from "../src/ranking/trending.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    data: { type: "string", default: resolve(ROOT, "../shared/data/arxiv-daily-cs") },
    subscribers: { type: "string", default: "10000" },
    workers: { type: "string", default: "8" },
    connections: { type: "string", default: "32" },
    sources: { type: "string", default: "search" },
    day: { type: "string" },
    "smtp-server": { type: "boolean" },
    "build-only": { type: "boolean" },
  },
});

const TOPICS = [
  "diffusion models", "large language models", "reinforcement learning", "vision language models [cs.CV]", "graph neural networks",
  "retrieval augmented generation", "gaussian splatting [cs.CV]", "object detection", "speech recognition", "federated learning",
  "knowledge distillation", "medical image segmentation", "autonomous driving", "code generation [cs.SE, cs.CL]", "mixture of experts",
  "neural radiance fields", "contrastive learning", "time series forecasting", "adversarial attacks", "text to image",
  "video generation", "point cloud", "semantic segmentation", "question answering [cs.CL]", "machine translation",
  "multi agent", "robot manipulation [cs.RO]", "image restoration", "anomaly detection", "hallucination",
  "chain of thought", "in-context learning", "prompt tuning", "quantization", "state space models",
  "benchmark evaluation", "pose estimation", "optical flow", "visual tracking", "uncertainty estimation",
];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

async function main(): Promise<void> {
  const N = Number(args.subscribers);
  const dir = mkdtempSync(join(tmpdir(), "dp-bench-digest-"));
  const server = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--smtp-server"], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: server.stdout! });
  let delivered = 0;
  const port = await new Promise<number>((res) => lines.on("line", (l) => (l.startsWith("port ") ? res(Number(l.slice(5))) : l.startsWith("count ") ? (delivered = Number(l.slice(6))) : undefined)));
  const smtpUrl = `smtp://127.0.0.1:${port}/?pool=true&maxConnections=${Number(args.connections)}&maxMessages=1000000`;
  const config = toConfig({ DATABASE_URL: join(dir, "bench.sqlite"), DATA_DIR: dir, BASE_URL: "https://papers.example.org", LOG_LEVEL: "silent", IMPORT_SAMPLE: "false", SMTP_URL: smtpUrl });
  const ctx = await createContext(config);
  try {
    let t = Date.now();
    const s = await importFiles(ctx.db, [args.data]);
    await refreshTrendingScores(ctx.db);
    console.error(`imported ${s.inserted} papers in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const raw = sqliteHandle(ctx.db)!;

    // The period: the latest weekday of the corpus with the most papers among the last five.
    const days = raw.prepare("select day, count(*) n from daily_entries group by day order by day desc limit 7").all() as Array<{ day: string; n: number }>;
    const weekday = (d: string) => [1, 2, 3, 4, 5].includes(new Date(`${d}T00:00:00Z`).getUTCDay());
    const day = args.day ?? days.filter((d) => weekday(d.day)).sort((a, b) => b.n - a.n)[0].day;
    const period = dayPeriod(day);
    const dayPapers = raw.prepare("select p.id, p.authors from papers p join daily_entries e on e.paper_id = p.id where e.day = ?").all(day) as Array<{ id: number; authors: string }>;
    const prevWeek = raw.prepare("select paper_id from daily_entries where day < ? and day >= date(?, '-7 days')").pluck().all(day, day) as number[];
    const rand = rng(42);
    // Some community interest on the day: votes give the trending order something to rank.
    const setScore = raw.prepare("update papers set upvotes = ?, trending_score = ? where id = ?");
    raw.transaction(() => {
      for (const p of dayPapers) {
        const up = Math.floor(rand() ** 3 * 60);
        setScore.run(up, trendingScore(up, 0, new Date(`${day}T00:00:00Z`)), p.id);
      }
    })();
    const authorPool = [...new Set(dayPapers.flatMap((p) => (JSON.parse(p.authors) as string[]).slice(0, 2)))];

    // Subscribers: even ids trending-only visitors, odd ids signed-in readers with signals.
    t = Date.now();
    const now = new Date().toISOString();
    const insUser = raw.prepare("insert into users (username, email, display_name, password_hash, role, created_at, email_confirmed_at) values (?, ?, ?, 'x', 'reader', ?, ?)");
    const insVote = raw.prepare("insert or ignore into votes (user_id, paper_id, created_at) values (?, ?, ?)");
    const insSub = raw.prepare("insert into digest_subscriptions (email, user_id, frequency, trending, for_you, topics, authors, status, created_at, confirmed_at, updated_at) values (?, ?, 'daily', 1, ?, ?, ?, 'active', ?, ?, ?)");
    const insTopic = raw.prepare("insert into digest_topics (subscription_id, query, categories, created_at) values (?, ?, ?, ?)");
    const insAuthor = raw.prepare("insert or ignore into digest_authors (subscription_id, author_key, name, created_at) values (?, ?, ?, ?)");
    raw.transaction(() => {
      for (let i = 0; i < N; i++) {
        const email = `reader${i}@bench.example.org`;
        if (i % 2 === 0) {
          insSub.run(email, null, 0, 0, 0, now, now, now);
          continue;
        }
        const userId = Number(insUser.run(`reader${i}`, email, `Reader ${i}`, now, now).lastInsertRowid);
        for (let v = 0; v < 5; v++) insVote.run(userId, prevWeek[Math.floor(rand() * prevWeek.length)], now);
        const subId = Number(insSub.run(email, userId, 1, 1, 1, now, now, now).lastInsertRowid);
        const nTopics = 1 + Math.floor(rand() * 3);
        for (let k = 0; k < nTopics; k++) {
          const line = TOPICS[Math.floor(rand() * TOPICS.length)];
          const m = /^(.*?)(?: \[(.*)\])?$/.exec(line)!;
          insTopic.run(subId, m[1], (m[2] ?? "").split(/[\s,]+/).filter(Boolean).join(" "), now);
        }
        const nAuthors = Math.floor(rand() * 3);
        for (let k = 0; k < nAuthors; k++) {
          const name = authorPool[Math.floor(rand() * authorPool.length)];
          insAuthor.run(subId, name.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/[.\s]+/g, " ").trim(), name, now);
        }
      }
    })();
    console.error(`${N} subscribers created in ${((Date.now() - t) / 1000).toFixed(1)} s; period ${period.key} with ${dayPapers.length} papers`);

    const runner = new DigestRunner(ctx, args.sources === "keyword" ? { sources: keywordSources() } : {});
    t = Date.now();
    if (runner.sources.name === "search") await ctx.search.ready();
    const searchOpen = (Date.now() - t) / 1000;
    t = Date.now();
    await runner.periodData(period);
    const periodLoad = (Date.now() - t) / 1000;

    // 1. Builds: selection and rendering of every reader's digest, nothing written.
    const subs = raw.prepare("select * from digest_subscriptions order by id").all() as Parameters<DigestRunner["build"]>[0][];
    const times = { trending: { n: 0, ms: 0 }, personal: { n: 0, ms: 0 } };
    let empty = 0;
    let papers = 0;
    const buildStart = Date.now();
    // As the send jobs do: batches of 100 readers, their data read together. Each kind is
    // timed on its own batches: selection and rendering, nothing written.
    const known = (await runner.periodData(period)).papers;
    for (const [kind, group] of [[times.trending, subs.filter((s) => s.user_id === null)], [times.personal, subs.filter((s) => s.user_id !== null)]] as const) {
      for (let i = 0; i < group.length; i += 100) {
        const t0 = performance.now();
        const batch = group.slice(i, i + 100);
        const built = await runner.buildMany(batch, period);
        for (const sub of batch) {
          const d = built.get(sub.id)!;
          if (isEmptyDigest(d)) empty++;
          else await renderSend(ctx, sub, { id: 1, period: period.key }, d, known);
          papers += d.sections.reduce((a, x) => a + x.items.length, 0);
        }
        kind.n += batch.length;
        kind.ms += performance.now() - t0;
      }
    }
    const buildSeconds = (Date.now() - buildStart) / 1000;

    if (args["build-only"]) {
      console.log(`builds: ${subs.length} in ${buildSeconds.toFixed(1)} s; personal ${(times.personal.n / (times.personal.ms / 1000)).toFixed(0)}/s, trending-only ${(times.trending.n / (times.trending.ms / 1000)).toFixed(0)}/s`);
      return;
    }
    // 2. The whole send, through the jobs: plan, then workers drain to the SMTP server.
    const sendStart = Date.now();
    const planned = await runner.plan([period]);
    const planSeconds = (Date.now() - sendStart) / 1000;
    const handlers = digestJobHandlers(ctx, () => {}, runner);
    const workers = Array.from({ length: Number(args.workers) }, () => new Worker(ctx.db, { handlers: { [DIGEST_SEND_JOB]: handlers[DIGEST_SEND_JOB] }, log: (m) => console.error(m) }));
    await Promise.all(workers.map((w) => w.drain()));
    const sentRows = Number(raw.prepare("select count(*) from digest_sends where status = 'sent'").pluck().get());
    while (delivered < sentRows) await new Promise((r) => setTimeout(r, 20));
    const sendSeconds = (Date.now() - sendStart) / 1000;
    const statuses = raw.prepare("select status, count(*) n from digest_sends group by status").all() as Array<{ status: string; n: number }>;

    const rate = (x: { n: number; ms: number }) => (x.n / (x.ms / 1000)).toFixed(0);
    console.log(`sources: ${runner.sources.name}${runner.sources.name === "search" ? ` (search service opened in ${searchOpen.toFixed(1)} s)` : ""}; period ${period.key}: ${dayPapers.length} papers, loaded in ${periodLoad.toFixed(2)} s`);
    console.log(`builds: ${subs.length} digests in ${buildSeconds.toFixed(1)} s = ${(subs.length / buildSeconds).toFixed(0)}/s overall; personal ${rate(times.personal)}/s, trending-only ${rate(times.trending)}/s; ${empty} with nothing new; ${(papers / subs.length).toFixed(1)} papers per digest`);
    console.log(`send: ${planned} digests planned in ${planSeconds.toFixed(1)} s; ${sentRows} delivered to the SMTP server in ${sendSeconds.toFixed(1)} s = ${(sentRows / sendSeconds).toFixed(0)} messages/s (${args.workers} workers, ${args.connections} pooled connections); ${statuses.map((x) => `${x.status} ${x.n}`).join(", ")}`);
  } finally {
    await ctx.close();
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Server mode: a counting SMTP server in its own process, so it does not share the sender's core.
function smtpServerMode(): void {
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _s, cb) {
      stream.on("data", () => {});
      stream.on("end", () => {
        count++;
        if (count % 500 === 0) process.stdout.write(`count ${count}\n`);
        cb();
      });
    },
  });
  server.listen(0, "127.0.0.1", () => {
    const a = server.server.address();
    process.stdout.write(`port ${typeof a === "object" && a ? a.port : 0}\n`);
  });
  setInterval(() => process.stdout.write(`count ${count}\n`), 250);
}

if (args["smtp-server"]) smtpServerMode();
else await main();
