/**
 * CSRF protection for every state-changing request (anything but GET/HEAD/OPTIONS):
 *  1. a synchronizer token: HMAC(secret, the session id, or an anonymous id cookie for forms
 *     shown before login), sent as the `_csrf` form field or the `x-csrf-token` header;
 *  2. the Origin (or, failing that, Referer) header, when the browser sends one, must be this
 *     site.
 * A forged cross-site form has neither the token (it cannot read our pages) nor our origin.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../context.js";
import { HttpError } from "../web/errors.js";
import { hmac, newToken, safeEqual } from "./secrets.js";
import { cookieOptions } from "./cookies.js";

export const ANON_COOKIE = "dp_anon";
export const CSRF_FIELD = "_csrf";
export const CSRF_HEADER = "x-csrf-token";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The token for a page that shows a form: an anonymous visitor first gets the random id
 * cookie their tokens are bound to (signed-in visitors' tokens are bound to the session).
 */
export function csrfForForm(ctx: AppContext, req: FastifyRequest, reply: FastifyReply): string {
  if (!req.sessionId && !req.cookies[ANON_COOKIE]) {
    const id = newToken();
    req.cookies[ANON_COOKIE] = id;
    reply.setCookie(ANON_COOKIE, id, cookieOptions(ctx, 365 * 24 * 3600));
  }
  req.csrfToken = csrfTokenFor(ctx, req);
  return req.csrfToken;
}

export function csrfTokenFor(ctx: AppContext, req: FastifyRequest): string {
  if (req.sessionId) return hmac(ctx.secret, `csrf:s:${req.sessionId}`);
  const anon = req.cookies[ANON_COOKIE];
  return anon ? hmac(ctx.secret, `csrf:a:${anon}`) : "";
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

function sameSite(ctx: AppContext, req: FastifyRequest): boolean {
  const claimed = req.headers.origin ?? (req.headers.referer ? originOf(req.headers.referer) : undefined);
  if (claimed === undefined) return true; // non-browser clients; the token still has to match
  const ours = new Set([originOf(ctx.config.baseUrl), `${req.protocol}://${req.host}`]);
  return claimed !== null && claimed !== "null" && ours.has(claimed);
}

function submittedToken(req: FastifyRequest): string {
  const header = req.headers[CSRF_HEADER];
  if (typeof header === "string" && header) return header;
  const body = req.body;
  if (body && typeof body === "object" && CSRF_FIELD in body) {
    const v = (body as Record<string, unknown>)[CSRF_FIELD];
    if (typeof v === "string") return v;
  }
  return "";
}

declare module "fastify" {
  interface FastifyContextConfig {
    /**
     * The route authorizes writes by a signed token in its URL instead of a session (RFC 8058
     * one-click unsubscribe: mail providers POST it from their servers, with no cookie, no
     * page and no Origin): a forger without the token can do nothing there.
     */
    csrfExempt?: boolean;
  }
}

export function registerCsrf(app: FastifyInstance, ctx: AppContext): void {
  app.addHook("preHandler", async (req) => {
    if (SAFE_METHODS.has(req.method)) return;
    // No route for this method and path: the 404 answer changes nothing, and says what is wrong.
    if (req.routeOptions.url === undefined) return;
    if (req.routeOptions.config?.csrfExempt === true) return;
    if (!sameSite(ctx, req)) throw new HttpError(403, "This form was sent from another site; it was refused.", "csrf");
    const expected = req.csrfToken;
    const got = submittedToken(req);
    if (!expected || !got || !safeEqual(got, expected)) {
      throw new HttpError(403, "This form has expired or did not come from this site. Reload the page and try again.", "csrf");
    }
  });
}
