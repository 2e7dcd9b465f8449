/**
 * Rate limits of the community's writes (429 with Retry-After). Sign-up, log-in and password
 * resets are keyed by client address; the rest by the signed-in user (or the address for an
 * anonymous attempt, which is refused anyway). Counters live in the database
 * (rate-limit.store.ts), so the limits hold across every app process.
 */
import type { FastifyRequest } from "fastify";
import { HttpError } from "../web/errors.js";

export interface Limit {
  max: number;
  /** Milliseconds. */
  timeWindow: number;
}

export const RATE_LIMITS = {
  // Generous enough for a lab or a conference behind one address.
  signup: { max: 20, timeWindow: 3600_000 },
  login: { max: 10, timeWindow: 15 * 60_000 },
  passwordReset: { max: 5, timeWindow: 3600_000 },
  // Changing the password or deleting the account: each attempt checks the current password,
  // so as strict as logging in.
  passwordCheck: { max: 10, timeWindow: 15 * 60_000 },
  submit: { max: 20, timeWindow: 3600_000 },
  vote: { max: 120, timeWindow: 60_000 },
  comment: { max: 10, timeWindow: 60_000 },
  collect: { max: 60, timeWindow: 60_000 },
} satisfies Record<string, Limit>;

export type LimitName = keyof typeof RATE_LIMITS;

const byUser = (req: FastifyRequest) => (req.viewer ? `u:${req.viewer.id}` : `ip:${req.ip}`);
const keys: Record<LimitName, (req: FastifyRequest) => string> = {
  signup: (req) => `ip:${req.ip}`,
  // The body is not parsed yet at onRequest, so log-in keys by address; the account is
  // protected by the same counter because every guess comes through some address.
  login: (req) => `ip:${req.ip}`,
  passwordReset: (req) => `ip:${req.ip}`,
  passwordCheck: byUser,
  submit: byUser,
  vote: byUser,
  comment: byUser,
  collect: byUser,
};

/** The route option of one named limit: `{ config: { rateLimit: rateLimit("vote") } }`. */
export function rateLimit(name: LimitName) {
  return {
    ...RATE_LIMITS[name],
    groupId: name,
    keyGenerator: keys[name],
    errorResponseBuilder: (_req: FastifyRequest, c: { after: string }) =>
      new HttpError(429, `Too many attempts. Try again in ${c.after}.`, "rate_limited"),
  };
}
