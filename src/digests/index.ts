/**
 * Email digests: subscriptions (double opt-in, settings, RFC 8058 unsubscribe), per-reader
 * selection (trending, for you, topic alerts, followed authors), rendering and at-most-once
 * sending by jobs. Other features import it only through this file.
 */
export { registerDigestRoutes } from "./subscriptions.routes.js";
export { digestJobHandlers, DigestRunner, DIGEST_PLAN_JOB, DIGEST_SCHEDULE } from "./digest.jobs.js";
export { runDigestCommand } from "./digests.cli.js";
