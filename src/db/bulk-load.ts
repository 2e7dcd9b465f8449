/**
 * Bulk loading a SQLite file that holds nothing yet (the first import of an archive).
 *
 * In WAL mode every page is written twice: to the log at commit, then into the database by a
 * checkpoint; for an import that is about a third of its time. With a rollback journal, pages
 * appended to a growing file are written once, since only pages that existed before a
 * transaction are copied to the journal. So for the load the connection takes the file to
 * itself (exclusive locking), switches to a rollback journal and stops syncing; at the end it
 * syncs again and goes back to WAL.
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
import type SQLite from "better-sqlite3";

export interface BulkLoad {
  /** Syncs, goes back to WAL and lets other connections in. Call once, also after a failure. */
  end(): void;
}

export function beginBulkLoad(raw: SQLite.Database): BulkLoad | null {
  if (raw.memory || raw.inTransaction) return null;
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
    if (mode !== "delete") {
      raw.pragma("locking_mode = NORMAL");
      return null;
    }
  } finally {
    raw.pragma(`busy_timeout = ${timeout}`);
  }
  raw.pragma("synchronous = OFF");
  let ended = false;
  return {
    end() {
      if (ended) return;
      ended = true;
      // Syncing again first: the switch back commits a header change, and that commit's sync
      // puts everything the load wrote on disk.
      raw.pragma("synchronous = NORMAL");
      // Back to normal locking before WAL: a file that enters WAL in exclusive mode keeps it.
      raw.pragma("locking_mode = NORMAL");
      raw.pragma("journal_mode = WAL");
    },
  };
}
