import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { ConfigError, readEnv, toConfig } from "./config.js";

test("defaults give the embedded setup", () => {
  const c = toConfig({});
  assert.deepEqual(c.database, { kind: "sqlite", path: resolve("data/dailypapers.sqlite") });
  assert.equal(c.host, "127.0.0.1");
  assert.equal(c.port, 3000);
  assert.equal(c.baseUrl, "http://127.0.0.1:3000");
  assert.equal(c.feedTimeZone, "America/New_York");
  assert.equal(c.sessionSecret, null);
  assert.equal(c.importSampleOnStart, true);
  assert.equal(c.mail.smtpUrl, null);
  assert.equal(c.mail.from, "Daily Papers <no-reply@127.0.0.1>");
  assert.deepEqual(c.arxiv.harvestCategories, []);
  assert.equal(c.arxiv.requestIntervalMs, 3000);
  assert.deepEqual(toConfig({ HARVEST_CATEGORIES: "cs.LG, cs.CV" }).arxiv.harvestCategories, ["cs.LG", "cs.CV"]);
});

test("postgres URLs and sqlite paths are told apart", () => {
  assert.deepEqual(toConfig({ DATABASE_URL: "postgres://u:p@localhost:5432/dp" }).database, {
    kind: "postgres",
    url: "postgres://u:p@localhost:5432/dp",
  });
  assert.deepEqual(toConfig({ DATABASE_URL: "/tmp/x.sqlite" }).database, { kind: "sqlite", path: "/tmp/x.sqlite" });
  assert.throws(() => toConfig({ DATABASE_URL: "mysql://x" }), /SQLite file path or a postgres/);
});

test("bad values fail fast with a fix-it message", () => {
  assert.throws(() => toConfig({ PORT: "abc" }), (e: unknown) => e instanceof ConfigError && /PORT must be a number/.test(e.message));
  assert.throws(() => toConfig({ PORT: "70000" }), /PORT must be/);
  assert.throws(() => toConfig({ FEED_TIMEZONE: "Mars/Olympus" }), /not an IANA time zone/);
  assert.throws(() => toConfig({ BASE_URL: "papers.example.org" }), /absolute http/);
  assert.throws(() => toConfig({ SESSION_SECRET: "short" }), /at least 32/);
  assert.throws(() => toConfig({ IMPORT_SAMPLE: "maybe" }), /true or false/);
  assert.throws(() => toConfig({ ROLE: "boss" }), /web, worker or all/);
  assert.throws(() => toConfig({ SMTP_URL: "mail.example.org" }), /SMTP_URL must look like smtp:/);
  assert.throws(() => toConfig({ SUBMIT_DAILY_LIMIT: "0" }), /positive whole number/);
  assert.throws(() => toConfig({ HARVEST_CATEGORIES: "cs.LG, not a category" }), /HARVEST_CATEGORIES/);
});

test("BASE_URL loses its trailing slash; readEnv ignores empty and unknown variables", () => {
  assert.equal(toConfig({ BASE_URL: "https://p.example.org/" }).baseUrl, "https://p.example.org");
  assert.deepEqual(readEnv({ PORT: "", HOST: "0.0.0.0", OTHER: "x" }), { HOST: "0.0.0.0" });
});
