import { sql, type Kysely } from "kysely";
import { dialectOf } from "../database.js";
import { trendingScore } from "../../ranking/trending.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * The community: sessions, votes, threaded comments, notifications, the public moderation
 * log and emailed tokens, plus the user columns they need. Ends with a one-off backfill of
 * the stored trending score of every paper already in a feed (imports left it at 0).
 */
export async function up(db: AnyDb): Promise<void> {
  const pg = dialectOf(db) === "postgres";
  const idType = pg ? "serial" : "integer";

  // PostgreSQL's "real" is a 4-byte float: at today's scores (~10^4) it keeps 3 decimals,
  // which cannot tell 1,000 votes from 1,001 (log10 differs by 0.0004). SQLite's REAL is
  // already 8 bytes.
  if (pg) await sql`alter table papers alter column trending_score type double precision`.execute(db);

  await db.schema.alterTable("users").addColumn("email_confirmed_at", "text").execute();
  await db.schema.alterTable("users").addColumn("banned_at", "text").execute();
  await db.schema.alterTable("users").addColumn("notify_by_email", "integer", (c) => c.notNull().defaultTo(0)).execute();

  await db.schema
    .createTable("sessions")
    // The SHA-256 of the cookie's token: a leaked table cannot be replayed as cookies.
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute();

  await db.schema
    .createTable("auth_tokens")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    /** confirm | reset */
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("used_at", "text")
    .execute();
  await db.schema.createIndex("auth_tokens_user").on("auth_tokens").columns(["user_id", "purpose"]).execute();

  await db.schema
    .createTable("votes")
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("paper_id", "integer", (c) => c.notNull().references("papers.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    // One vote per user and paper: the database refuses a second, whatever the race.
    .addPrimaryKeyConstraint("votes_pk", ["user_id", "paper_id"])
    .execute();
  await db.schema.createIndex("votes_paper").on("votes").columns(["paper_id", "created_at"]).execute();

  await db.schema
    .createTable("comments")
    .addColumn("id", idType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn("paper_id", "integer", (c) => c.notNull().references("papers.id").onDelete("cascade"))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("parent_id", "integer", (c) => c.references("comments.id").onDelete("cascade"))
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("hidden", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("deleted", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("edited_at", "text")
    .execute();
  await db.schema.createIndex("comments_paper").on("comments").columns(["paper_id", "id"]).execute();
  await db.schema.createIndex("comments_user").on("comments").columns(["user_id", "id"]).execute();

  await db.schema
    .createTable("notifications")
    .addColumn("id", idType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    /** mention | reply */
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("actor_id", "integer", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("paper_id", "integer", (c) => c.references("papers.id").onDelete("cascade"))
    .addColumn("comment_id", "integer", (c) => c.references("comments.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("read_at", "text")
    .execute();
  await db.schema.createIndex("notifications_user").on("notifications").columns(["user_id", "read_at", "id"]).execute();

  await db.schema
    .createTable("moderation_log")
    .addColumn("id", idType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn("moderator_id", "integer", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("action", "text", (c) => c.notNull())
    /** paper | comment | user */
    .addColumn("target_kind", "text", (c) => c.notNull())
    .addColumn("target_id", "integer", (c) => c.notNull())
    /** What the target was called when the action was taken (a title, a username). */
    .addColumn("target_label", "text", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("moderation_log_created").on("moderation_log").columns(["created_at", "id"]).execute();

  // Backfill: papers already in a feed get the score of their feed day. Before this migration
  // no paper had votes or comments, so every paper of a day shares one score: one UPDATE per
  // day rather than per paper (a large archive has a few thousand days, millions of papers).
  const days = await sql<{ day: string }>`select distinct day from daily_entries`.execute(db);
  for (const { day } of days.rows) {
    const score = trendingScore(0, 0, new Date(`${day}T00:00:00.000Z`));
    await sql`update papers set trending_score = ${score}
      where upvotes = 0 and num_comments = 0 and id in (select paper_id from daily_entries where day = ${day})`.execute(db);
  }
}

export async function down(db: AnyDb): Promise<void> {
  for (const t of ["moderation_log", "notifications", "comments", "votes", "auth_tokens", "sessions"]) await db.schema.dropTable(t).ifExists().execute();
  for (const c of ["notify_by_email", "banned_at", "email_confirmed_at"]) await db.schema.alterTable("users").dropColumn(c).execute();
}
