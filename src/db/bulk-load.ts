/**
 * Bulk loading a SQLite file that holds nothing yet (the first import of an archive).
 *
 * In WAL mode every page is written twice: to the log at commit, then into the database by a
 * checkpoint; for an import that is about a third of its time. With a rollback journal, pages
 * appended to a growing file are written once, since only pages that existed before a
 * transaction are copied to the journal. So for the load the connection takes the file to
 * itself (exclusive locking), switches to a rollback journal and stops syncing; at the end it
 * syncs again and goes back to WAL. Meanwhile the file is flushed to disk in the background
 * after committed batches, so that sync at the end (0.4 s for 250 MB, all of it waiting) finds
 * almost nothing left: the disk writes while the load computes.
 *
 * What that risks, and why only here:
 * - A killed process loses nothing committed: its writes are with the operating system, and
 *   the next connection to open the file rolls back the open batch from the hot journal.
 * - A power cut during the load can damage the file. Which is why the caller only asks for
 *   this on a database with nothing in it but what the load itself writes: the remedy is to
 *   delete the file and import again.
 * - Other connections wait (or fail after their busy timeout) until the load ends. When one
 *   is already open the switch is refused at once, and the caller imports in WAL mode.
 */
import { closeSync, fsync, openSync } from "node:fs";
import type SQLite from "better-sqlite3";

export interface BulkLoad {
  /**
   * Call after each committed batch: starts writing the load's pages so far to disk on a
   * background thread (one flush at a time), so the disk works while the load computes and
   * the final sync finds little left to write.
   */
  committed(): void;
  /** Background flushes finished so far. */
  readonly flushes: number;
  /**
   * Waits for the flush in flight, syncs, goes back to WAL and lets other connections in.
   * Call once, also after a failure.
   */
  end(): Promise<void>;
}

export function beginBulkLoad(raw: SQLite.Database): BulkLoad | null {
  if (raw.memory || raw.inTransaction) return null;
  // The load's own descriptor for the flushes (fsync acts on the file, whoever wrote it),
  // opened first: a file that cannot be opened fails here, before any mode has changed.
  const fd = openSync(raw.name, "r+");
  if (!takeFile(raw)) {
    closeSync(fd);
    return null;
  }
  raw.pragma("synchronous = OFF");
  let flushing: Promise<void> | null = null;
  let flushes = 0;
  let ended = false;
  return {
    committed() {
      if (flushing || ended) return;
      // A failed flush loses nothing: the final sync writes it all again, and reports errors.
      flushing = new Promise((resolve) => fsync(fd, () => {
        flushing = null;
        flushes++;
        resolve();
      }));
    },
    get flushes() {
      return flushes;
    },
    async end() {
      if (ended) return;
      ended = true;
      await flushing;
      closeSync(fd);
      // Syncing again first: the switch back commits a header change, and that commit's sync
      // puts everything the load wrote on disk.
      raw.pragma("synchronous = NORMAL");
      // Back to normal locking before WAL: a file that enters WAL in exclusive mode keeps it.
      raw.pragma("locking_mode = NORMAL");
      raw.pragma("journal_mode = WAL");
    },
  };
}

/** Exclusive locking and a rollback journal, if this is the only connection to the file. */
function takeFile(raw: SQLite.Database): boolean {
  const timeout = Number(raw.pragma("busy_timeout", { simple: true }));
  // Leaving WAL needs the only connection; another one open means "not now", not "wait".
  raw.pragma("busy_timeout = 0");
  try {
    // Exclusive first, so no connection can open the file between the switch and the load.
    raw.pragma("locking_mode = EXCLUSIVE");
    let mode: unknown;
    try {
      mode = raw.pragma("journal_mode = DELETE", { simple: true });
    } catch {
      mode = null; // SQLITE_BUSY: another connection has the file open
    }
    if (mode === "delete") return true;
    raw.pragma("locking_mode = NORMAL");
    return false;
  } finally {
    raw.pragma(`busy_timeout = ${timeout}`);
  }
}
