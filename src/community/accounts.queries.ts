/** Users, sessions and emailed tokens: plain functions taking `db` first. */
import type { Db } from "../db/database.js";
import type { UserRow } from "../db/schema.js";
import { isRole, type Role, type Viewer } from "./policy.js";
import { newToken, sha256 } from "./secrets.js";

/** Sessions last 30 days from login. */
export const SESSION_TTL_MS = 30 * 24 * 3600_000;
export const TOKEN_TTL_MS = { confirm: 48 * 3600_000, reset: 3600_000 } as const;
export type TokenPurpose = keyof typeof TOKEN_TTL_MS;

export interface NewUser {
  username: string;
  email: string;
  passwordHash: string;
  role?: Role;
  confirmed?: boolean;
}

export async function insertUser(db: Db, u: NewUser, now: Date): Promise<number> {
  const r = await db
    .insertInto("users")
    .values({
      username: u.username,
      email: u.email,
      display_name: u.username,
      password_hash: u.passwordHash,
      role: u.role ?? "reader",
      created_at: now.toISOString(),
      email_confirmed_at: u.confirmed ? now.toISOString() : null,
      banned_at: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return r.id;
}

export function findUserByUsername(db: Db, username: string): Promise<UserRow | undefined> {
  return db.selectFrom("users").selectAll().where("username", "=", username.toLowerCase()).executeTakeFirst();
}

export function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.selectFrom("users").selectAll().where("email", "=", email.toLowerCase()).executeTakeFirst();
}

/** A login names a user by username or email. */
export function findUserByLogin(db: Db, login: string): Promise<UserRow | undefined> {
  const l = login.trim().toLowerCase();
  return l.includes("@") ? findUserByEmail(db, l) : findUserByUsername(db, l);
}

export async function setRole(db: Db, username: string, role: Role): Promise<boolean> {
  const r = await db.updateTable("users").set({ role }).where("username", "=", username.toLowerCase()).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

// Sessions ------------------------------------------------------------------------------

/** Creates a session; returns the cookie's token (only its hash is stored). */
export async function createSession(db: Db, userId: number, now: Date): Promise<{ token: string; id: string; expiresAt: Date }> {
  const token = newToken();
  const id = sha256(token);
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db.insertInto("sessions").values({ id, user_id: userId, created_at: now.toISOString(), expires_at: expiresAt.toISOString() }).execute();
  return { token, id, expiresAt };
}

/** The user of a live session, with their unread notification count, or null. */
export async function viewerOfSession(db: Db, sessionId: string, now: Date): Promise<Viewer | null> {
  const r = await db
    .selectFrom("sessions as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .select((eb) => [
      "u.id",
      "u.username",
      "u.display_name",
      "u.role",
      "u.banned_at",
      eb
        .selectFrom("notifications as n")
        .select((e2) => e2.fn.countAll<number>().as("c"))
        .whereRef("n.user_id", "=", "u.id")
        .where("n.read_at", "is", null)
        .as("unread"),
    ])
    .where("s.id", "=", sessionId)
    .where("s.expires_at", ">", now.toISOString())
    .executeTakeFirst();
  if (!r) return null;
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: isRole(r.role) ? r.role : "reader",
    banned: r.banned_at !== null,
    unreadNotifications: Number(r.unread ?? 0),
  };
}

export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom("sessions").where("id", "=", sessionId).execute();
}

export async function deleteUserSessions(db: Db, userId: number): Promise<void> {
  await db.deleteFrom("sessions").where("user_id", "=", userId).execute();
}

// Emailed tokens ------------------------------------------------------------------------

export async function createAuthToken(db: Db, userId: number, purpose: TokenPurpose, now: Date): Promise<string> {
  const token = newToken();
  await db
    .insertInto("auth_tokens")
    .values({ token_hash: sha256(token), user_id: userId, purpose, created_at: now.toISOString(), expires_at: new Date(now.getTime() + TOKEN_TTL_MS[purpose]).toISOString(), used_at: null })
    .execute();
  return token;
}

/** The user a live, unused token was issued to (without using it), or null. */
export async function peekAuthToken(db: Db, token: string, purpose: TokenPurpose, now: Date): Promise<UserRow | null> {
  const r = await db
    .selectFrom("auth_tokens as t")
    .innerJoin("users as u", "u.id", "t.user_id")
    .selectAll("u")
    .where("t.token_hash", "=", sha256(token))
    .where("t.purpose", "=", purpose)
    .where("t.used_at", "is", null)
    .where("t.expires_at", ">", now.toISOString())
    .executeTakeFirst();
  return r ?? null;
}

/**
 * Marks a token used and returns its user; a second use (or a concurrent one) gets null,
 * because only one UPDATE can flip used_at from null.
 */
export async function consumeAuthToken(db: Db, token: string, purpose: TokenPurpose, now: Date): Promise<number | null> {
  const r = await db
    .updateTable("auth_tokens")
    .set({ used_at: now.toISOString() })
    .where("token_hash", "=", sha256(token))
    .where("purpose", "=", purpose)
    .where("used_at", "is", null)
    .where("expires_at", ">", now.toISOString())
    .returning("user_id")
    .executeTakeFirst();
  return r?.user_id ?? null;
}
