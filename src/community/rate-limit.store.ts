/**
 * A store for @fastify/rate-limit that keeps its counters in the database, so a limit holds
 * across every app process sharing it (several processes on PostgreSQL, or a web and a worker
 * process on one SQLite file), and across restarts. One atomic upsert per counted request
 * (only writes are limited, so it rides along with a write anyway): a new window starts at 1,
 * a live one counts up. Expired rows are swept now and then.
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from "@fastify/rate-limit";
import { sql } from "kysely";
import type { Db } from "../db/database.js";

/** Hits before a store sweeps the expired rows (a cheap delete behind an index). */
const SWEEP_EVERY = 500;

export async function countHit(db: Db, key: string, windowMs: number, now: number): Promise<{ current: number; ttl: number }> {
  const nowIso = new Date(now).toISOString();
  const resetIso = new Date(now + windowMs).toISOString();
  const row = await db.insertInto("rate_limits")
    .values({ key, hits: 1, reset_at: resetIso })
    .onConflict((oc) => oc.column("key").doUpdateSet({
      hits: sql<number>`case when rate_limits.reset_at <= ${nowIso} then 1 else rate_limits.hits + 1 end`,
      reset_at: sql<string>`case when rate_limits.reset_at <= ${nowIso} then excluded.reset_at else rate_limits.reset_at end`,
    }))
    .returning(["hits", "reset_at"])
    .executeTakeFirstOrThrow();
  return { current: Number(row.hits), ttl: Math.max(0, Date.parse(row.reset_at) - now) };
}

export async function sweepExpired(db: Db, now: number): Promise<void> {
  await db.deleteFrom("rate_limits").where("reset_at", "<=", new Date(now).toISOString()).execute();
}

export function databaseRateLimitStore(db: Db, clock: () => number = Date.now): FastifyRateLimitStoreCtor {
  let sinceSweep = 0;
  class DatabaseStore implements FastifyRateLimitStore {
    // The plugin passes the window and maximum of the route's limit after the callback.
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, windowMs = 60_000): void {
      const now = clock();
      countHit(db, key, windowMs, now).then(
        (r) => callback(null, r),
        (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
      );
      if (++sinceSweep >= SWEEP_EVERY) {
        sinceSweep = 0;
        sweepExpired(db, now).catch(() => undefined);
      }
    }

    child(): FastifyRateLimitStore {
      return new DatabaseStore();
    }
  }
  return DatabaseStore;
}
