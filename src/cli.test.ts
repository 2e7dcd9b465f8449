import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// Where the database would go: opening it would create the folder, which nothing here may do.
const DB_FOLDER = join(mkdtempSync(join(tmpdir(), "dp-cli-")), "data");

/** The `dailypapers` program as a user runs it. */
function dailypapers(...args: string[]) {
  const r = spawnSync(process.execPath, ["bin/dailypapers.js", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: join(DB_FOLDER, "dailypapers.sqlite") },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("--help lists every command and every setting", () => {
  const r = dailypapers("--help");
  assert.equal(r.code, 0);
  for (const command of ["harvest", "index", "serve", "migrate", "import", "digest", "user"]) {
    assert.match(r.out, new RegExp(`^  ${command} +\\S`, "m"), command);
  }
  for (const setting of ["DATABASE_URL", "PORT", "HOST", "BASE_URL", "FEED_TIMEZONE", "SESSION_SECRET"]) assert.ok(r.out.includes(setting), setting);
});

test("a command's --help gives its usage, also for the commands with subcommands", () => {
  assert.match(dailypapers("user", "--help").out, /^Usage: dailypapers user create --username NAME/m);
  assert.match(dailypapers("user", "--help").out, /dailypapers user delete NAME --yes/);
  assert.match(dailypapers("digest", "--help").out, /^Usage: dailypapers digest preview/m);
  assert.match(dailypapers("digest", "--help").out, /dailypapers digest send \[--dry-run\]/);
  assert.match(dailypapers("import", "--help").out, /^Usage: dailypapers import \[--batch N\]/m);
});

test("usage mistakes exit 64 with the usage, before any database is opened", () => {
  const none = dailypapers("import");
  assert.equal(none.code, 64);
  assert.match(none.err, /give at least one file or folder to import\nUsage: dailypapers import/);
  const batch = dailypapers("import", "--batch", "x", "papers.jsonl");
  assert.equal(batch.code, 64);
  assert.match(batch.err, /--batch must be a positive integer/);
  const unknown = dailypapers("imprt");
  assert.equal(unknown.code, 64);
  assert.match(unknown.err, /^unknown command "imprt"/);
  assert.ok(!existsSync(DB_FOLDER), "no database was opened");
});
