/**
 * Who is asking: the session cookie (a random token whose hash names a row in `sessions`) is
 * read once per request, before routing, and the signed-in user lands on `request.viewer`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../context.js";
import { cookieOptions } from "./cookies.js";
import { createSession, deleteSession, viewerOfSession } from "./accounts.queries.js";
import { csrfTokenFor } from "./csrf.js";
import type { Viewer } from "./policy.js";
import { sha256 } from "./secrets.js";

export const SESSION_COOKIE = "dp_session";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in user, or null. */
    viewer: Viewer | null;
    /** The hash of the session cookie's token when it names a live session. */
    sessionId: string | null;
    /** The CSRF token forms on this response must carry. */
    csrfToken: string;
  }
}

/** Paths that never need a user: assets and health checks skip the session lookup. */
const ANONYMOUS_PATHS = /^\/(static|avatars)\/|^\/healthz$/;

export function registerSessions(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest("viewer", null);
  app.decorateRequest("sessionId", null);
  app.decorateRequest("csrfToken", "");
  app.addHook("onRequest", async (req, reply) => {
    if (ANONYMOUS_PATHS.test(req.url)) return;
    const token = req.cookies[SESSION_COOKIE];
    if (token) {
      const id = sha256(token);
      const viewer = await viewerOfSession(ctx.db, id, ctx.now());
      if (viewer) {
        req.viewer = viewer;
        req.sessionId = id;
      } else {
        reply.clearCookie(SESSION_COOKIE, cookieOptions(ctx));
      }
    }
    // Anonymous visitors get a CSRF cookie only from pages with a form (csrfForForm), so the
    // pages everyone reads stay identical for everyone and cache by ETag.
    req.csrfToken = csrfTokenFor(ctx, req);
  });
}

/** Logs a user in on this response: a fresh session (never a reused one: no fixation). */
export async function startSession(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, userId: number): Promise<void> {
  if (req.sessionId) await deleteSession(ctx.db, req.sessionId);
  const s = await createSession(ctx.db, userId, ctx.now());
  reply.setCookie(SESSION_COOKIE, s.token, cookieOptions(ctx, Math.floor((s.expiresAt.getTime() - ctx.now().getTime()) / 1000)));
}

export async function endSession(ctx: AppContext, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (req.sessionId) await deleteSession(ctx.db, req.sessionId);
  reply.clearCookie(SESSION_COOKIE, cookieOptions(ctx));
}
