/**
 * A worker process for the crash test (digest.delivery.test.ts): runs the digest jobs of the
 * database in DATABASE_URL against SMTP_URL until none is left. The test kills it mid-send.
 */
import { loadConfig } from "../config.js";
import { createContext } from "../context.js";
import { digestWorker } from "./testing.js";

const ctx = await createContext(loadConfig());
await digestWorker(ctx).drain();
await ctx.close();
