/**
 * The job queue is a table. Enqueue inside the caller's transaction (so a job exists only if
 * its cause committed); workers claim one due job at a time with a lease. On PostgreSQL the
 * claim uses FOR UPDATE SKIP LOCKED so several workers never take the same job; on SQLite the
 * single writer lock makes the UPDATE ... RETURNING claim atomic.
 */
import { sql } from "kysely";
import { dialectOf, type Db } from "../db/database.js";
import type { JobRow } from "../db/schema.js";

export interface EnqueueOptions {
  runAt?: Date;
  /** At most one job ever exists with this key: enqueueing again is a no-op. */
  uniqueKey?: string;
  maxAttempts?: number;
}

/** Enqueues a job; returns false when a job with the same unique key already exists. */
export async function enqueue(db: Db, name: string, payload: unknown, opts: EnqueueOptions = {}, now = new Date()): Promise<boolean> {
  const r = await db
    .insertInto("jobs")
    .values({
      name,
      payload: JSON.stringify(payload ?? null),
      unique_key: opts.uniqueKey ?? null,
      run_at: (opts.runAt ?? now).toISOString(),
      max_attempts: opts.maxAttempts ?? 5,
      created_at: now.toISOString(),
    })
    .onConflict((oc) => oc.column("unique_key").doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Claims the oldest due job for `leaseMs`; a worker that dies loses the lease and another takes over. */
export async function claimJob(db: Db, workerId: string, now: Date, leaseMs: number, names?: string[]): Promise<JobRow | null> {
  const nowIso = now.toISOString();
  const until = new Date(now.getTime() + leaseMs).toISOString();
  const nameFilter = names && names.length ? sql`and name in (${sql.join(names)})` : sql``;
  const lock = dialectOf(db) === "postgres" ? sql`for update skip locked` : sql``;
  const r = await sql<JobRow>`update jobs set locked_by = ${workerId}, locked_until = ${until}, attempts = attempts + 1
    where id = (
      select id from jobs
      where done_at is null and failed_at is null and run_at <= ${nowIso}
        and (locked_until is null or locked_until < ${nowIso}) ${nameFilter}
      order by run_at, id limit 1 ${lock}
    )
    returning *`.execute(db);
  return r.rows[0] ?? null;
}

/**
 * Extends the lease of a job its worker is still running, so that no other worker takes it
 * over; does nothing once the job is no longer this worker's.
 */
export async function renewLease(db: Db, id: number, workerId: string, until: Date): Promise<void> {
  await db.updateTable("jobs").set({ locked_until: until.toISOString() }).where("id", "=", id).where("locked_by", "=", workerId).execute();
}

export async function completeJob(db: Db, id: number, now = new Date()): Promise<void> {
  await db.updateTable("jobs").set({ done_at: now.toISOString(), locked_by: null, locked_until: null, last_error: null }).where("id", "=", id).execute();
}

/**
 * Records a failure: retried at `retryAt` while attempts remain, otherwise marked failed for
 * good (kept for inspection, never retried). `permanent` skips the remaining attempts.
 */
export async function failJob(db: Db, job: Pick<JobRow, "id" | "attempts" | "max_attempts">, error: string, retryAt: Date, permanent = false, now = new Date()): Promise<"retry" | "failed"> {
  const giveUp = permanent || job.attempts >= job.max_attempts;
  await db
    .updateTable("jobs")
    .set({
      last_error: error.slice(0, 2000),
      locked_by: null,
      locked_until: null,
      run_at: giveUp ? undefined : retryAt.toISOString(),
      failed_at: giveUp ? now.toISOString() : null,
    })
    .where("id", "=", job.id)
    .execute();
  return giveUp ? "failed" : "retry";
}

export async function pendingJobs(db: Db, name?: string): Promise<JobRow[]> {
  let q = db.selectFrom("jobs").selectAll().where("done_at", "is", null).where("failed_at", "is", null);
  if (name) q = q.where("name", "=", name);
  return q.orderBy("run_at").execute();
}
