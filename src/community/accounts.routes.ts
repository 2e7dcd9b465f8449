/**
 * Account pages: sign up, log in and out, confirm an email, reset a password, settings.
 * Every page is a plain form post (no JavaScript needed); each POST passes the rate limit,
 * the CSRF check (a global preHandler) and validation before it touches anything.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { badRequest } from "../web/errors.js";
import { sendPage } from "../web/page.js";
import { exportAccount } from "./accounts.export.js";
import { peekAuthToken } from "./accounts.queries.js";
import { changePassword, checkLogin, confirmEmail, deleteAccount, emailSchema, LOGIN_FAILED, loginSchema, passwordSchema, requestPasswordReset, resetPassword, signup, signupSchema } from "./accounts.service.js";
import { CheckInboxPage, ConfirmPage, ForgotPage, LoginPage, ResetPage, SettingsPage, SignupPage } from "./accounts.views.js";
import { csrfForForm } from "./csrf.js";
import { rateLimit } from "./limits.js";
import { authorize } from "./policy.js";
import { answer, field, safeReturn, tryParseBody, wantsJson } from "./respond.js";
import { endSession, startSession } from "./sessions.js";

const tokenQuery = z.object({ token: z.string().min(10).max(200) });

const settingsSchema = z.object({
  display_name: z.string({ required_error: "Give a display name." }).trim().min(1, "Give a display name.").max(60, "A display name has at most 60 characters."),
  notify_by_email: z.literal("1").optional(),
});

function formPage(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, title: string, path: string, status: number, json: unknown, body: () => ReturnType<typeof SignupPage>) {
  csrfForForm(ctx, req, reply);
  return sendPage(ctx, req, reply, { title, path, status, section: "other", json, body });
}

export function registerAccountRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get("/signup", async (req, reply) => {
    if (req.viewer) return reply.redirect("/papers");
    return formPage(ctx, req, reply, "Sign up", "/signup", 200, { csrfToken: csrfForForm(ctx, req, reply) }, () => SignupPage({ csrf: req.csrfToken }));
  });

  app.post("/signup", { config: { rateLimit: rateLimit("signup") } }, async (req, reply) => {
    const parsed = tryParseBody(signupSchema, req.body);
    if (!parsed.ok) {
      if (wantsJson(req)) throw badRequest(parsed.message);
      const values = { username: field(req.body, "username"), email: field(req.body, "email") };
      return formPage(ctx, req, reply, "Sign up", "/signup", 400, { error: parsed.message }, () => SignupPage({ csrf: req.csrfToken, error: parsed.message, values }));
    }
    await signup(ctx, parsed.data);
    const message = `We sent a message to ${parsed.data.email}. Follow the link in it to finish signing up.`;
    return formPage(ctx, req, reply, "Check your inbox", "/signup", 200, { ok: true, message }, () => CheckInboxPage({ email: parsed.data.email }));
  });

  app.get("/login", async (req, reply) => {
    const next = safeReturn((req.query as Record<string, unknown>).next, "");
    if (req.viewer) return reply.redirect(next || "/papers");
    return formPage(ctx, req, reply, "Log in", "/login", 200, { csrfToken: csrfForForm(ctx, req, reply) }, () => LoginPage({ csrf: req.csrfToken, next }));
  });

  app.post("/login", { config: { rateLimit: rateLimit("login") } }, async (req, reply) => {
    const next = safeReturn(field(req.body, "next"), "/papers");
    const parsed = tryParseBody(loginSchema, req.body);
    const userId = parsed.ok ? await checkLogin(ctx, parsed.data) : null;
    if (userId === null) {
      const error = parsed.ok ? LOGIN_FAILED : parsed.message;
      if (wantsJson(req)) throw badRequest(error);
      return formPage(ctx, req, reply, "Log in", "/login", 400, { error }, () => LoginPage({ csrf: req.csrfToken, error, login: field(req.body, "login"), next }));
    }
    await startSession(ctx, req, reply, userId);
    return answer(req, reply, { ok: true }, next);
  });

  app.post("/logout", async (req, reply) => {
    await endSession(ctx, req, reply);
    return answer(req, reply, { ok: true }, "/papers");
  });

  // Email links open a page with a button: a GET never changes anything (mail scanners
  // fetch links), the POST does.
  app.get("/confirm", async (req, reply) => {
    const q = tokenQuery.safeParse(req.query);
    const user = q.success ? await peekAuthToken(ctx.db, q.data.token, "confirm", ctx.now()) : null;
    if (!q.success || !user) throw badRequest("This confirmation link has expired or was already used. Log in, or sign up again for a new link.");
    return formPage(ctx, req, reply, "Confirm your email", "/confirm", 200, { username: user.username }, () => ConfirmPage({ csrf: req.csrfToken, token: q.data.token, username: user.username }));
  });

  app.post("/confirm", async (req, reply) => {
    const userId = await confirmEmail(ctx, field(req.body, "token"));
    if (userId === null) throw badRequest("This confirmation link has expired or was already used. Log in, or sign up again for a new link.");
    await startSession(ctx, req, reply, userId);
    return answer(req, reply, { ok: true }, "/papers");
  });

  app.get("/forgot", async (req, reply) =>
    formPage(ctx, req, reply, "Reset your password", "/forgot", 200, { csrfToken: csrfForForm(ctx, req, reply) }, () => ForgotPage({ csrf: req.csrfToken })),
  );

  app.post("/forgot", { config: { rateLimit: rateLimit("passwordReset") } }, async (req, reply) => {
    const parsed = emailSchema.safeParse(field(req.body, "email"));
    if (!parsed.success) {
      const error = parsed.error.issues[0].message;
      if (wantsJson(req)) throw badRequest(error);
      return formPage(ctx, req, reply, "Reset your password", "/forgot", 400, { error }, () => ForgotPage({ csrf: req.csrfToken, error }));
    }
    await requestPasswordReset(ctx, parsed.data);
    return formPage(ctx, req, reply, "Reset your password", "/forgot", 200, { ok: true }, () => ForgotPage({ csrf: req.csrfToken, sent: true }));
  });

  app.get("/reset", async (req, reply) => {
    const q = tokenQuery.safeParse(req.query);
    const user = q.success ? await peekAuthToken(ctx.db, q.data.token, "reset", ctx.now()) : null;
    if (!q.success || !user) throw badRequest("This reset link has expired or was already used. Ask for a new one at /forgot.");
    return formPage(ctx, req, reply, "Choose a new password", "/reset", 200, { username: user.username }, () => ResetPage({ csrf: req.csrfToken, token: q.data.token, username: user.username }));
  });

  app.post("/reset", { config: { rateLimit: rateLimit("passwordReset") } }, async (req, reply) => {
    const token = field(req.body, "token");
    const pw = passwordSchema.safeParse(field(req.body, "password"));
    if (!pw.success) {
      const error = pw.error.issues[0].message;
      const user = await peekAuthToken(ctx.db, token, "reset", ctx.now());
      if (wantsJson(req) || !user) throw badRequest(error);
      return formPage(ctx, req, reply, "Choose a new password", "/reset", 400, { error }, () => ResetPage({ csrf: req.csrfToken, token, username: user.username, error }));
    }
    const userId = await resetPassword(ctx, token, pw.data);
    if (userId === null) throw badRequest("This reset link has expired or was already used. Ask for a new one at /forgot.");
    await startSession(ctx, req, reply, userId);
    return answer(req, reply, { ok: true }, "/papers");
  });

  const settingsPage = async (req: FastifyRequest, reply: FastifyReply, status = 200, errors: { passwordError?: string; deleteError?: string } = {}) => {
    const viewer = req.viewer!;
    const u = await ctx.db.selectFrom("users").selectAll().where("id", "=", viewer.id).executeTakeFirstOrThrow();
    const q = req.query as Record<string, unknown>;
    return sendPage(ctx, req, reply, {
      title: "Settings",
      path: "/settings",
      section: "other",
      status,
      json: errors.passwordError || errors.deleteError ? { error: errors.passwordError ?? errors.deleteError } : { username: u.username, displayName: u.display_name, email: u.email, emailConfirmed: u.email_confirmed_at !== null, notifyByEmail: u.notify_by_email === 1 },
      body: () => SettingsPage({
        csrf: req.csrfToken, email: u.email, confirmed: u.email_confirmed_at !== null, notifyByEmail: u.notify_by_email === 1, displayName: u.display_name,
        saved: q.saved === "1", passwordChanged: q.password === "changed", ...errors,
      }),
    });
  };

  app.get("/settings", async (req, reply) => {
    if (!req.viewer) return reply.redirect("/login?next=/settings");
    return settingsPage(req, reply);
  });

  app.get("/settings/export", async (req, reply) => {
    if (!req.viewer) return reply.redirect("/login?next=/settings");
    const data = await exportAccount(ctx.db, req.viewer.id, ctx.now());
    return reply
      .header("content-disposition", `attachment; filename="dailypapers-${req.viewer.username}.json"`)
      // Personal data: no cache along the way keeps a copy.
      .header("cache-control", "private, no-store")
      .type("application/json; charset=utf-8")
      .send(JSON.stringify(data, null, 2));
  });

  app.post("/settings/password", { config: { rateLimit: rateLimit("passwordCheck") } }, async (req, reply) => {
    const user = authorize(req.viewer, "editSettings");
    const next = passwordSchema.safeParse(field(req.body, "new_password"));
    let error = next.success ? null : next.error.issues[0].message;
    if (next.success && !(await changePassword(ctx, user.id, req.sessionId, field(req.body, "current_password"), next.data))) {
      error = "That is not your current password.";
    }
    if (error !== null) {
      if (wantsJson(req)) throw badRequest(error);
      return settingsPage(req, reply, 400, { passwordError: error });
    }
    return answer(req, reply, { ok: true }, "/settings?password=changed");
  });

  app.post("/settings/delete", { config: { rateLimit: rateLimit("passwordCheck") } }, async (req, reply) => {
    const user = authorize(req.viewer, "editSettings");
    if (!(await deleteAccount(ctx, user.id, field(req.body, "password")))) {
      const error = "That is not your password: the account is not deleted.";
      if (wantsJson(req)) throw badRequest(error);
      return settingsPage(req, reply, 400, { deleteError: error });
    }
    // Its sessions are gone already; this clears the cookie.
    await endSession(ctx, req, reply);
    return answer(req, reply, { deleted: true }, "/papers");
  });

  app.post("/settings", async (req, reply) => {
    const user = authorize(req.viewer, "editSettings");
    const parsed = tryParseBody(settingsSchema, req.body);
    if (!parsed.ok) throw badRequest(parsed.message);
    await ctx.db.updateTable("users").set({ display_name: parsed.data.display_name, notify_by_email: parsed.data.notify_by_email ? 1 : 0 }).where("id", "=", user.id).execute();
    return answer(req, reply, { ok: true }, "/settings?saved=1");
  });
}
