/**
 * The `mail` job: one email, described by its kind and parameters, so a request only writes a
 * row and the worker talks to SMTP. A rejected recipient (5xx) is permanent; anything else is
 * retried with the worker's backoff.
 */
import { z } from "zod";
import type { Db } from "../db/database.js";
import { enqueue } from "../jobs/jobs.queries.js";
import { PermanentJobError, type JobHandler } from "../jobs/worker.js";
import type { Mailer } from "./mailer.js";

export const MAIL_JOB = "mail";

const mailPayload = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("confirm"), to: z.string(), username: z.string(), url: z.string() }),
  z.object({ kind: z.literal("already_registered"), to: z.string(), loginUrl: z.string(), resetUrl: z.string() }),
  z.object({ kind: z.literal("username_taken"), to: z.string(), username: z.string(), signupUrl: z.string() }),
  z.object({ kind: z.literal("reset"), to: z.string(), username: z.string(), url: z.string() }),
  z.object({ kind: z.literal("notice"), to: z.string(), username: z.string(), actor: z.string(), paperTitle: z.string(), url: z.string(), notice: z.enum(["mention", "reply"]) }),
]);

export type MailPayload = z.infer<typeof mailPayload>;

/** Enqueues an email; call inside the transaction that causes it, so it exists only if that commits. */
export function enqueueMail(db: Db, payload: MailPayload, now: Date): Promise<boolean> {
  return enqueue(db, MAIL_JOB, payload, { maxAttempts: 8 }, now);
}

export function mailJobHandlers(mailer: Mailer): Record<string, JobHandler> {
  return {
    [MAIL_JOB]: async (raw) => {
      const parsed = mailPayload.safeParse(raw);
      if (!parsed.success) throw new PermanentJobError(`bad mail payload: ${parsed.error.issues[0].message}`);
      const p = parsed.data;
      try {
        switch (p.kind) {
          case "confirm":
            await mailer.sendConfirmEmail(p.to, p);
            break;
          case "already_registered":
            await mailer.sendAlreadyRegistered(p.to, p);
            break;
          case "username_taken":
            await mailer.sendUsernameTaken(p.to, p);
            break;
          case "reset":
            await mailer.sendPasswordReset(p.to, p);
            break;
          case "notice":
            await mailer.sendMentionNotice(p.to, { ...p, kind: p.notice });
            break;
        }
      } catch (e) {
        const code = (e as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500 && code < 600) throw new PermanentJobError(e instanceof Error ? e.message : String(e));
        throw e;
      }
    },
  };
}
