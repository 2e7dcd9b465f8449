/**
 * The job worker: claims due jobs and runs their handler, retrying failures with exponential
 * backoff. Handlers must be idempotent: a job whose worker died mid-run runs again.
 */
import { hostname } from "node:os";
import type { Db } from "../db/database.js";
import type { JobRow } from "../db/schema.js";
import { claimJob, completeJob, failJob, renewLease } from "./jobs.queries.js";

export type JobHandler = (payload: unknown, job: JobRow) => Promise<void>;

/** A failure that retrying cannot fix (e.g. a mailbox that does not exist). */
export class PermanentJobError extends Error {}

/** Base delay of the first retry; each further attempt doubles it, up to the cap. */
export const RETRY_BASE_MS = 30_000;
export const RETRY_CAP_MS = 6 * 3600_000;

export function retryDelayMs(attempt: number): number {
  return Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
}

export interface WorkerOptions {
  handlers: Record<string, JobHandler>;
  now?: () => Date;
  pollMs?: number;
  leaseMs?: number;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
}

export class Worker {
  readonly id = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly db: Db, private readonly opts: WorkerOptions) {}

  /** Runs due jobs until none is left; returns how many ran. For commands and tests. */
  async drain(limit = Infinity): Promise<number> {
    let n = 0;
    while (n < limit && (await this.runOne())) n++;
    return n;
  }

  async runOne(): Promise<boolean> {
    const now = this.opts.now?.() ?? new Date();
    const leaseMs = this.opts.leaseMs ?? 5 * 60_000;
    const job = await claimJob(this.db, this.id, now, leaseMs, Object.keys(this.opts.handlers));
    if (!job) return false;
    const handler = this.opts.handlers[job.name];
    // A job may outlast its lease (training a search model on a large archive takes minutes):
    // while it runs, the lease is renewed, so another worker never starts it a second time.
    // A worker that dies stops renewing, and the job is taken over once the lease runs out.
    const renewal = setInterval(() => {
      const until = new Date((this.opts.now?.() ?? new Date()).getTime() + leaseMs);
      renewLease(this.db, job.id, this.id, until).catch((e: unknown) => this.opts.log?.(`job ${job.name}#${job.id}: could not renew its lease: ${e instanceof Error ? e.message : String(e)}`));
    }, leaseMs / 3);
    renewal.unref();
    try {
      await handler(JSON.parse(job.payload), job);
      await completeJob(this.db, job.id, this.opts.now?.() ?? new Date());
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const at = new Date((this.opts.now?.() ?? new Date()).getTime() + retryDelayMs(job.attempts));
      const outcome = await failJob(this.db, job, message, at, e instanceof PermanentJobError);
      this.opts.log?.(`job ${job.name}#${job.id} failed (${outcome}): ${message}`, { jobId: job.id });
    } finally {
      clearInterval(renewal);
    }
    return true;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        let ran = false;
        try {
          ran = await this.runOne();
        } catch (e) {
          this.opts.log?.(`worker error: ${e instanceof Error ? e.message : String(e)}`);
        }
        if (!ran && this.running) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, this.opts.pollMs ?? 1000);
            this.wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }
}
