/**
 * Sign-up, log-in, confirmation and password reset. Neither sign-up nor log-in ever tells
 * whether an email or username has an account: sign-up always answers "check your inbox" and
 * the mail says what happened (confirm, you already have an account, pick another username);
 * log-in has one message for every failure and checks a password even for unknown users.
 */
import { z } from "zod";
import type { AppContext } from "../context.js";
import { enqueueMail } from "../mail/mail.jobs.js";
import {
  consumeAuthToken,
  createAuthToken,
  deleteUserSessions,
  findUserByEmail,
  findUserByLogin,
  findUserByUsername,
  insertUser,
} from "./accounts.queries.js";
import type { Role } from "./policy.js";
import { dummyPasswordHash, hashPassword, verifyPassword } from "./secrets.js";
import { storeTrendingScore } from "./trending.queries.js";

/** Names that would confuse readers (the listing pseudo-user, staff-sounding names). */
const RESERVED = new Set(["arxiv-listing", "admin", "administrator", "moderator", "curator", "root", "system", "support", "daily-papers", "dailypapers", "anonymous", "deleted"]);

export const usernameSchema = z
  .string({ required_error: "Choose a username." })
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_-]{2,29}$/, "A username is 3 to 30 letters, digits, - or _, starting with a letter or digit.");
export const emailSchema = z
  .string({ required_error: "Give your email address." })
  .trim()
  .toLowerCase()
  .max(254, "That email address is too long.")
  .regex(/^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/, "That does not look like an email address.");
export const passwordSchema = z
  .string({ required_error: "Choose a password." })
  .min(10, "A password needs at least 10 characters.")
  .max(200, "A password can have at most 200 characters.");

export const signupSchema = z.object({ username: usernameSchema, email: emailSchema, password: passwordSchema });
export const loginSchema = z.object({
  login: z.string({ required_error: "Give your username or email." }).trim().min(1, "Give your username or email.").max(254, "That login is too long."),
  password: z.string({ required_error: "Give your password." }).min(1, "Give your password.").max(200, "That password is too long."),
});

export const LOGIN_FAILED = "Wrong username/email or password. (A new account has to confirm its email before it can log in.)";

const isUniqueViolation = (e: unknown) => /unique|duplicate key/i.test(e instanceof Error ? e.message : String(e));

export async function signup(ctx: AppContext, input: z.infer<typeof signupSchema>): Promise<void> {
  const now = ctx.now();
  const base = ctx.config.baseUrl;
  // Hash first, whatever happens next, so every outcome takes the same time.
  const passwordHash = await hashPassword(input.password);
  await ctx.db.transaction().execute(async (tx) => {
    if (await findUserByEmail(tx, input.email)) {
      await enqueueMail(tx, { kind: "already_registered", to: input.email, loginUrl: `${base}/login`, resetUrl: `${base}/forgot` }, now);
      return;
    }
    const taken = RESERVED.has(input.username) || (await findUserByUsername(tx, input.username));
    if (taken) {
      await enqueueMail(tx, { kind: "username_taken", to: input.email, username: input.username, signupUrl: `${base}/signup` }, now);
      return;
    }
    const userId = await insertUser(tx, { username: input.username, email: input.email, passwordHash }, now);
    const token = await createAuthToken(tx, userId, "confirm", now);
    await enqueueMail(tx, { kind: "confirm", to: input.email, username: input.username, url: `${base}/confirm?token=${token}` }, now);
  }).catch(async (e) => {
    // A concurrent sign-up took the name or address between our check and insert.
    if (!isUniqueViolation(e)) throw e;
    await enqueueMail(ctx.db, { kind: "username_taken", to: input.email, username: input.username, signupUrl: `${base}/signup` }, now);
  });
}

/** The user id when the login and password match a confirmed account; null for every failure. */
export async function checkLogin(ctx: AppContext, input: z.infer<typeof loginSchema>): Promise<number | null> {
  const user = await findUserByLogin(ctx.db, input.login);
  const ok = await verifyPassword(input.password, user?.password_hash ?? (await dummyPasswordHash()));
  if (!user || !ok || !user.email_confirmed_at) return null;
  return user.id;
}

/** Confirms the email a token was sent to; returns the user id, or null for a bad/used/expired token. */
export async function confirmEmail(ctx: AppContext, token: string): Promise<number | null> {
  const now = ctx.now();
  return ctx.db.transaction().execute(async (tx) => {
    const userId = await consumeAuthToken(tx, token, "confirm", now);
    if (userId === null) return null;
    await tx.updateTable("users").set({ email_confirmed_at: now.toISOString() }).where("id", "=", userId).where("email_confirmed_at", "is", null).execute();
    return userId;
  });
}

/** Sends a reset link when the address has an account; says nothing either way. */
export async function requestPasswordReset(ctx: AppContext, email: string): Promise<void> {
  const now = ctx.now();
  await ctx.db.transaction().execute(async (tx) => {
    const user = await findUserByEmail(tx, email);
    if (!user) return;
    const token = await createAuthToken(tx, user.id, "reset", now);
    await enqueueMail(tx, { kind: "reset", to: user.email, username: user.username, url: `${ctx.config.baseUrl}/reset?token=${token}` }, now);
  });
}

/** Sets a new password with a reset token; every other session of the user ends. Null for a bad token. */
export async function resetPassword(ctx: AppContext, token: string, password: string): Promise<number | null> {
  const now = ctx.now();
  const passwordHash = await hashPassword(password);
  return ctx.db.transaction().execute(async (tx) => {
    const userId = await consumeAuthToken(tx, token, "reset", now);
    if (userId === null) return null;
    // The reset link reached the inbox, which proves the address as well as a confirmation would.
    const u = await tx.selectFrom("users").select("email_confirmed_at").where("id", "=", userId).executeTakeFirstOrThrow();
    await tx.updateTable("users").set({ password_hash: passwordHash, email_confirmed_at: u.email_confirmed_at ?? now.toISOString() }).where("id", "=", userId).execute();
    await deleteUserSessions(tx, userId);
    return userId;
  });
}

/**
 * Changes a signed-in user's password, given the current one. Every other session ends (a
 * stolen one among them); the one making the change stays. False when the current password
 * is wrong.
 */
export async function changePassword(ctx: AppContext, userId: number, currentSessionId: string | null, current: string, next: string): Promise<boolean> {
  const user = await ctx.db.selectFrom("users").select("password_hash").where("id", "=", userId).executeTakeFirstOrThrow();
  if (!(await verifyPassword(current, user.password_hash))) return false;
  const passwordHash = await hashPassword(next);
  await ctx.db.transaction().execute(async (tx) => {
    await tx.updateTable("users").set({ password_hash: passwordHash }).where("id", "=", userId).execute();
    let others = tx.deleteFrom("sessions").where("user_id", "=", userId);
    if (currentSessionId) others = others.where("id", "!=", currentSessionId);
    await others.execute();
  });
  return true;
}

/** The name a deleted account keeps: no sign-up can take it (a dot is not allowed in usernames). */
export const deletedUsername = (userId: number) => `deleted.${userId}`;

/**
 * Deletes an account, given its password. What the person wrote and chose goes: their
 * comments' text (each keeps its place in its thread, as when an author deletes one), their
 * upvotes (the papers' counts and trending scores follow), collections, digest subscription,
 * notifications, sessions and emailed tokens. Papers they submitted stay in the feed without
 * their name. The row stays, scrubbed of name, address and password, so threads and the
 * moderation log keep their references; it has no profile and cannot log in. False when the
 * password is wrong.
 */
export async function deleteAccount(ctx: AppContext, userId: number, password: string): Promise<boolean> {
  const user = await ctx.db.selectFrom("users").select("password_hash").where("id", "=", userId).executeTakeFirstOrThrow();
  if (!(await verifyPassword(password, user.password_hash))) return false;
  await eraseAccount(ctx, userId);
  return true;
}

/** The erasing half of `deleteAccount`, with no password: `dailypapers user delete` acts on a request. */
export async function eraseAccount(ctx: AppContext, userId: number): Promise<void> {
  await ctx.db.transaction().execute(async (tx) => {
    const touched = new Set<number>();
    const voted = await tx.deleteFrom("votes").where("user_id", "=", userId).returning("paper_id").execute();
    for (const { paper_id } of voted) {
      await tx.updateTable("papers").set((eb) => ({ upvotes: eb("upvotes", "-", 1) })).where("id", "=", paper_id).execute();
      touched.add(paper_id);
    }
    // Only comments still shown are counted on their paper.
    const shown = await tx.updateTable("comments").set({ deleted: 1, body: "" })
      .where("user_id", "=", userId).where("deleted", "=", 0).where("hidden", "=", 0).returning("paper_id").execute();
    for (const { paper_id } of shown) {
      await tx.updateTable("papers").set((eb) => ({ num_comments: eb("num_comments", "-", 1) })).where("id", "=", paper_id).execute();
      touched.add(paper_id);
    }
    await tx.updateTable("comments").set({ deleted: 1, body: "" }).where("user_id", "=", userId).where("deleted", "=", 0).execute();
    for (const paperId of touched) await storeTrendingScore(tx, paperId);
    await tx.updateTable("daily_entries").set({ submitted_by: null }).where("submitted_by", "=", userId).execute();
    for (const table of ["collections", "digest_subscriptions", "notifications", "sessions", "auth_tokens"] as const) {
      await tx.deleteFrom(table).where("user_id", "=", userId).execute();
    }
    // A digest the address subscribed to before signing up, too.
    const { email } = await tx.selectFrom("users").select("email").where("id", "=", userId).executeTakeFirstOrThrow();
    await tx.deleteFrom("digest_subscriptions").where("email", "=", email.toLowerCase()).execute();
    await tx.updateTable("users").set({
      username: deletedUsername(userId),
      email: `${deletedUsername(userId)}@deleted.invalid`,
      display_name: "Deleted account",
      password_hash: "deleted",
      email_confirmed_at: null,
      notify_by_email: 0,
    }).where("id", "=", userId).execute();
  });
}

/** Creates a confirmed account directly (the command line, tests). Throws a clear message when taken. */
export async function createAccount(ctx: AppContext, input: { username: string; email: string; password: string; role: Role }): Promise<number> {
  const parsed = signupSchema.safeParse(input);
  if (!parsed.success) throw new Error(parsed.error.issues[0].message);
  const { username, email, password } = parsed.data;
  if (await findUserByUsername(ctx.db, username)) throw new Error(`the username "${username}" is taken`);
  if (await findUserByEmail(ctx.db, email)) throw new Error(`an account with the email ${email} exists`);
  return insertUser(ctx.db, { username, email, passwordHash: await hashPassword(password), role: input.role, confirmed: true }, ctx.now());
}

