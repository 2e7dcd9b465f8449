/**
 * The `dailypapers` command. Each subcommand parses its own flags with node:util parseArgs
 * and gets the program's context from context.ts.
 *
 * A command loads what it needs when it runs: the sources run through tsx, where loading the
 * whole program (the web server, search, mail) takes about a second, which `--help` or a
 * mistyped flag should not cost.
 */
import { parseArgs } from "node:util";
import { ConfigError, loadConfig, SETTINGS } from "./config.js";
import { UsageError } from "./lib/usage-error.js";
import { parseDay } from "./lib/dates.js";

interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

const commands: Record<string, Command> = {
  harvest: {
    summary: "harvest new and updated papers of arXiv categories through OAI-PMH, from where the last run stopped",
    usage: "dailypapers harvest --categories cs.LG,cs.CV [--from YYYY-MM-DD] [--until YYYY-MM-DD]",
    async run(args) {
      const { values } = parseArgs({ args, options: { categories: { type: "string" }, from: { type: "string" }, until: { type: "string" } } });
      const config = loadConfig();
      const { createContext } = await import("./context.js");
      const { arxivClients, runHarvest } = await import("./ingest/arxiv.service.js");
      const categories = (values.categories ?? config.arxiv.harvestCategories.join(",")).split(",").map((c) => c.trim()).filter(Boolean);
      if (categories.length === 0) throw new UsageError("give --categories (or set HARVEST_CATEGORIES)");
      for (const d of [values.from, values.until]) if (d !== undefined && !parseDay(d).ok) throw new UsageError(`"${d}" is not a YYYY-MM-DD date`);
      const ctx = await createContext(config);
      try {
        const s = await runHarvest(ctx, arxivClients(ctx).oai, { categories, from: values.from, until: values.until, log: (m) => console.error(m) });
        console.log(`pages ${s.pages} · records ${s.records} · inserted ${s.inserted} · updated ${s.updated} · unchanged ${s.unchanged} · skipped ${s.skipped} · deleted upstream ${s.deleted} · featured ${s.featured}`);
        return s.skipped > 0 ? 2 : 0;
      } finally {
        await ctx.close();
      }
    },
  },
  index: {
    summary: "bring search up to date: keyword index, embedding model (trained here when there is none, or with --retrain), vectors and nearest-neighbour graph, saved under DATA_DIR/search",
    usage: "dailypapers index [--retrain] [--time-budget SECONDS]",
    async run(args) {
      const { values } = parseArgs({ args, options: { retrain: { type: "boolean" }, "time-budget": { type: "string" } } });
      const budget = values["time-budget"] === undefined ? undefined : Number(values["time-budget"]);
      if (budget !== undefined && !(budget > 0)) throw new UsageError("--time-budget must be a positive number of seconds");
      const config = loadConfig();
      const { createContext } = await import("./context.js");
      const { runIndex } = await import("./search/indexer.js");
      const ctx = await createContext(config);
      try {
        const r = await runIndex(ctx.db, ctx.search, {
          retrain: values.retrain,
          pretrained: config.modelDir !== null,
          train: budget === undefined ? undefined : { timeBudgetMs: budget * 1000 },
          log: (m) => console.error(m),
        });
        const mb = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MB`;
        const onDisk = Object.values(r.files).reduce((a, b) => a + b, 0);
        console.log(`papers ${r.papers} · ${r.mode} · ${r.trained ? `trained in ${r.trainSeconds.toFixed(1)} s` : "model reused"} · vocabulary ${r.vocabulary} · dim ${r.dim} · vectors ${r.vectors}`);
        console.log(`memory: keyword index ${mb(r.keywordBytes)} · vectors ${mb(r.vectorBytes)} · process ${mb(r.rss)} · on disk ${mb(onDisk)} · ${r.totalSeconds.toFixed(1)} s`);
        return 0;
      } finally {
        await ctx.close();
      }
    },
  },
  serve: {
    summary: "start the web server and the job worker (ROLE=web|worker|all)",
    usage: "dailypapers serve",
    async run() {
      const { serve } = await import("./main.js");
      await serve(loadConfig());
      return -1; // keeps running
    },
  },
  migrate: {
    summary: "apply pending database migrations",
    usage: "dailypapers migrate",
    async run() {
      const config = loadConfig();
      const { openDatabase } = await import("./db/database.js");
      const { migrateToLatest } = await import("./db/migrate.js");
      const db = openDatabase(config.database);
      try {
        const done = await migrateToLatest(db);
        console.log(done.length ? `applied: ${done.join(", ")}` : "database is up to date");
        return 0;
      } finally {
        await db.destroy();
      }
    },
  },
  import: {
    summary: "import JSON-lines files or folders (daily corpus or arXiv snapshot format, plain or gzipped)",
    usage: "dailypapers import [--batch N] [--quiet] PATH...",
    async run(args) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: { batch: { type: "string" }, quiet: { type: "boolean" } },
      });
      if (positionals.length === 0) throw new UsageError("give at least one file or folder to import");
      const batchSize = values.batch === undefined ? undefined : Number(values.batch);
      if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) throw new UsageError("--batch must be a positive integer");
      const config = loadConfig();
      const { openDatabase } = await import("./db/database.js");
      const { migrateToLatest } = await import("./db/migrate.js");
      const { importFiles } = await import("./ingest/import.js");
      const { createProgress } = await import("./ingest/progress.js");
      // The query module itself, not community/index.js: that loads every community page
      // (about 0.17 s), which an import never serves.
      const { refreshTrendingScores } = await import("./community/trending.queries.js");
      const db = openDatabase(config.database);
      try {
        await migrateToLatest(db);
        const progress = createProgress(process.stderr, { unit: "papers" });
        let rejectedShown = 0;
        const summary = await importFiles(db, positionals, {
          batchSize,
          onReject: (m) => {
            // The first rejects are shown in full; past that the summary gives the count.
            if (rejectedShown++ < 100) process.stderr.write(`${m}\n`);
          },
          onProgress: values.quiet ? undefined : (s, input) =>
            progress.update(s.read, { fraction: input.totalBytes > 0 ? input.bytes / input.totalBytes : undefined, label: `${s.inserted.toLocaleString("en-US")} new` }),
        });
        if (!values.quiet) progress.finish();
        // Papers the import put into feeds start with the trending score of their feed day.
        await refreshTrendingScores(db);
        console.log(
          `files ${summary.files} · read ${summary.read} · inserted ${summary.inserted} · updated ${summary.updated} · unchanged ${summary.unchanged} · rejected ${summary.rejected}`,
        );
        return summary.rejected > 0 ? 2 : 0;
      } finally {
        await db.destroy();
      }
    },
  },
  digest: {
    summary: "preview a reader's next email digest, or send the due digests now",
    usage: [
      "dailypapers digest preview (--user NAME | --email ADDRESS) [--period day:YYYY-MM-DD|week:YYYY-Www] [--html | --open]",
      "dailypapers digest send [--dry-run] [--period day:YYYY-MM-DD|week:YYYY-Www] [--concurrency N]",
    ].join("\n       "),
    run: async (args) => (await import("./digests/index.js")).runDigestCommand(args),
  },
  user: {
    summary: "create accounts (the first admin) and change roles",
    usage: [
      "dailypapers user create --username NAME --email ADDRESS (--password-stdin | --password PASSWORD) [--admin | --curator]",
      "dailypapers user role NAME reader|curator|admin",
      "dailypapers user delete NAME --yes   (as the user's own 'delete my account' does)",
    ].join("\n       "),
    run: async (args) => (await import("./community/users.cli.js")).runUserCommand(args),
  },
};


export function helpText(): string {
  const lines = ["Daily Papers: a self-hosted daily feed, search and digests of arXiv papers.", "", "Usage: dailypapers <command> [options]", "", "Commands:"];
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(width)}  ${c.summary}`);
  lines.push("", "Settings (environment variables):");
  for (const [name, what, def] of SETTINGS) lines.push(`  ${name.padEnd(14)} ${what} (default: ${def})`);
  return lines.join("\n");
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(helpText());
    return 0;
  }
  const cmd = commands[name];
  if (!cmd) {
    console.error(`unknown command "${name}"\n\n${helpText()}`);
    return 64;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(`Usage: ${cmd.usage}\n\n${cmd.summary}`);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof ConfigError) console.error(`configuration error:\n${e.message}`);
    else if (e instanceof UsageError || (e instanceof TypeError && "code" in e && String(e.code).startsWith("ERR_PARSE_ARGS"))) {
      console.error(`${e.message}\nUsage: ${cmd.usage}`);
      return 64;
    } else console.error(e instanceof Error ? e.message : String(e));
    return 1;
  }
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/").split("/").pop() ?? "");
if (isMain) {
  runCli(process.argv.slice(2)).then((code) => {
    if (code >= 0) process.exit(code);
  });
}
