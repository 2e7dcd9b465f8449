import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { beginBulkLoad } from "./bulk-load.js";
import { openDatabase, sqliteHandle } from "./database.js";

/** A new SQLite file opened as the product opens one, holding an empty table `t`. */
function freshDatabase() {
  const path = join(mkdtempSync(join(tmpdir(), "dp-bulk-")), "test.sqlite");
  const db = openDatabase({ kind: "sqlite", path });
  const raw = sqliteHandle(db)!;
  raw.exec("create table t (x integer)");
  return { path, db, raw };
}

/** Descriptors this process holds on a file (SQLite's own among them). */
function descriptorsOn(path: string): number {
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false; // the directory's own descriptor, gone by now
    }
  }).length;
}

describe("bulk load [sqlite]", () => {
  it("takes the file to itself with a rollback journal, and gives it back in WAL mode", async () => {
    const { path, db, raw } = freshDatabase();
    const bulk = beginBulkLoad(raw);
    assert.ok(bulk, "the only connection may bulk load");
    assert.equal(raw.pragma("journal_mode", { simple: true }), "delete");
    assert.equal(raw.pragma("synchronous", { simple: true }), 0);
    raw.exec("insert into t values (1)");
    // Nobody else gets in while the load runs, not even to read.
    const other = new SQLite(path, { timeout: 0 });
    assert.throws(() => other.prepare("select count(*) from t").get(), /locked/);
    await bulk.end();
    await bulk.end(); // a second end is harmless
    assert.equal(raw.pragma("journal_mode", { simple: true }), "wal");
    assert.equal(raw.pragma("synchronous", { simple: true }), 1);
    // And everyone is back: another connection reads and writes beside this one.
    assert.equal(other.prepare("select count(*) from t").pluck().get(), 1);
    other.exec("insert into t values (2)");
    assert.equal(raw.prepare("select count(*) from t").pluck().get(), 2);
    other.close();
    await db.destroy();
  });

  it("flushes committed pages in the background, one flush at a time, and closes its descriptor after the last", async () => {
    const { path, db, raw } = freshDatabase();
    const openFiles = () => descriptorsOn(path);
    const before = openFiles();
    const bulk = beginBulkLoad(raw)!;
    assert.equal(openFiles(), before + 1, "the load holds a descriptor for its flushes");
    for (let i = 0; i < 5; i++) {
      raw.exec(`insert into t values (${i})`);
      bulk.committed(); // with a flush in flight, no second one starts
    }
    while (bulk.flushes === 0) await new Promise(setImmediate);
    raw.exec("insert into t values (5)");
    bulk.committed();
    await bulk.end(); // waits for that flush before closing its descriptor
    assert.equal(bulk.flushes, 2);
    assert.equal(openFiles(), before);
    bulk.committed(); // after the end: nothing to do
    assert.equal(bulk.flushes, 2);
    assert.equal(raw.pragma("journal_mode", { simple: true }), "wal");
    assert.equal(raw.prepare("select count(*) from t").pluck().get(), 6);
    await db.destroy();
  });

  it("a process opening the file during a load waits, then says why it cannot", async () => {
    const { path, db, raw } = freshDatabase();
    const bulk = beginBulkLoad(raw)!;
    raw.exec("insert into t values (1)");
    assert.throws(() => openDatabase({ kind: "sqlite", path }), /is locked by another process: an import into a new database holds the file until it ends/);
    await bulk.end();
    const later = openDatabase({ kind: "sqlite", path });
    assert.equal(sqliteHandle(later)!.prepare("select count(*) from t").pluck().get(), 1);
    await later.destroy();
    await db.destroy();
  });

  it("is refused at once, leaving WAL as it was, when another connection has the file open", async () => {
    const { path, db, raw } = freshDatabase();
    const other = new SQLite(path);
    other.prepare("select count(*) from t").get();
    const t0 = performance.now();
    const held = descriptorsOn(path);
    assert.equal(beginBulkLoad(raw), null);
    assert.equal(descriptorsOn(path), held, "a refused load keeps no descriptor");
    assert.ok(performance.now() - t0 < 1000, "a refusal does not wait out the busy timeout");
    assert.equal(raw.pragma("journal_mode", { simple: true }), "wal");
    assert.equal(raw.pragma("busy_timeout", { simple: true }), 5000);
    // Both connections still write: nothing holds the file.
    raw.exec("insert into t values (1)");
    other.exec("insert into t values (2)");
    assert.equal(raw.prepare("select count(*) from t").pluck().get(), 2);
    other.close();
    await db.destroy();
  });

  it("does not apply to an in-memory database", async () => {
    const db = openDatabase({ kind: "sqlite", path: ":memory:" });
    assert.equal(beginBulkLoad(sqliteHandle(db)!), null);
    await db.destroy();
  });
});
