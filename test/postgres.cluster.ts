/**
 * A throwaway PostgreSQL cluster for the test run: initdb + pg_ctl on a free port in a temp
 * folder, removed afterwards. Started once by scripts/test.ts; test files get its URL through
 * TEST_POSTGRES_URL and create a database each.
 */
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

function findBinDir(): string | null {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim());
  } catch {
    /* pg_config not on PATH */
  }
  const base = "/usr/lib/postgresql";
  if (existsSync(base)) {
    for (const v of readdirSync(base).sort((a, b) => Number(b) - Number(a))) candidates.push(join(base, v, "bin"));
  }
  return candidates.find((d) => existsSync(join(d, "initdb")) && existsSync(join(d, "pg_ctl"))) ?? null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

export async function startTestPostgres(): Promise<TestPostgres | null> {
  const given = process.env.DATABASE_URL;
  if (given && /^postgres/.test(given)) return { url: given, stop: async () => {} };
  const bin = findBinDir();
  if (!bin) {
    const msg = "PostgreSQL binaries (initdb, pg_ctl) not found: database tests run on SQLite ONLY.";
    if (process.env.REQUIRE_POSTGRES === "1") throw new Error(`${msg} REQUIRE_POSTGRES=1 makes this a failure.`);
    console.warn(`\n!!! ${msg}\n!!! Install PostgreSQL or set DATABASE_URL=postgres://... to test both.\n`);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), "dp-pg-"));
  const port = await freePort();
  // initdb refuses to run as root: run the server as the postgres system user then.
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const full = join(bin, cmd);
    if (asRoot) execFileSync("runuser", ["-u", "postgres", "--", full, ...args], { stdio: "pipe" });
    else execFileSync(full, args, { stdio: "pipe" });
  };
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8"]);
  run("pg_ctl", [
    "-D", data, "-w", "-l", join(dir, "log"),
    "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`,
    "start",
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      try {
        run("pg_ctl", ["-D", data, "-w", "-m", "immediate", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
