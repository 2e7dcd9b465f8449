// Runs every test file with node's test runner. Database tests get a throwaway PostgreSQL
// cluster started once here (see test/postgres.cluster.ts), shared by all files through
// TEST_POSTGRES_URL; each test file then creates its own database in it.
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function findTests(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (/\.test\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

const filter = process.argv.slice(2);
let files = [...findTests("src"), ...findTests("test")].sort();
if (filter.length) files = files.filter((f) => filter.some((s) => f.includes(s)));

const { startTestPostgres } = await import("../test/postgres.cluster.js");
let pg: Awaited<ReturnType<typeof startTestPostgres>> = null;
pg = await startTestPostgres();

const child = spawn(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...files],
  { stdio: "inherit", env: { ...process.env, ...(pg ? { TEST_POSTGRES_URL: pg.url } : {}) } },
);
const code = await new Promise<number>((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
if (pg) await pg.stop();
process.exit(code);
