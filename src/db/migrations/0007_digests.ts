import { type Kysely } from "kysely";
import { dialectOf } from "../database.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Email digests: subscriptions (one per address), their saved searches and followed authors,
 * one row per (subscription, period) ever attempted, and the papers each reader was sent.
 * The unique (subscription_id, period) of digest_sends is what makes "never twice" hold even
 * when two workers or a restarted worker race for the same digest.
 */
export async function up(db: AnyDb): Promise<void> {
  const pg = dialectOf(db) === "postgres";
  const idType = pg ? "serial" : "integer";

  await db.schema
    .createTable("digest_subscriptions")
    .addColumn("id", idType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn("email", "text", (c) => c.notNull().unique())
    .addColumn("user_id", "integer", (c) => c.references("users.id").onDelete("cascade"))
    /** daily | weekly */
    .addColumn("frequency", "text", (c) => c.notNull())
    .addColumn("trending", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("for_you", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("topics", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("authors", "integer", (c) => c.notNull().defaultTo(1))
    /** pending | active | unsubscribed | bounced */
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("confirm_token_hash", "text")
    .addColumn("confirm_expires_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("confirmed_at", "text")
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("digest_subscriptions_due").on("digest_subscriptions").columns(["status", "frequency", "id"]).execute();
  await db.schema.createIndex("digest_subscriptions_user").on("digest_subscriptions").column("user_id").execute();
  await db.schema.createIndex("digest_subscriptions_confirm").on("digest_subscriptions").column("confirm_token_hash").execute();

  await db.schema
    .createTable("digest_topics")
    .addColumn("id", idType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn("subscription_id", "integer", (c) => c.notNull().references("digest_subscriptions.id").onDelete("cascade"))
    .addColumn("query", "text", (c) => c.notNull())
    /** Space-separated arXiv categories; empty: any. */
    .addColumn("categories", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("digest_topics_subscription").on("digest_topics").columns(["subscription_id", "id"]).execute();

  await db.schema
    .createTable("digest_authors")
    .addColumn("subscription_id", "integer", (c) => c.notNull().references("digest_subscriptions.id").onDelete("cascade"))
    /** Lower-cased, accents removed, spaces collapsed: what matching compares. */
    .addColumn("author_key", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("digest_authors_pk", ["subscription_id", "author_key"])
    .execute();

  await db.schema
    .createTable("digest_sends")
    .addColumn("id", idType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn("subscription_id", "integer", (c) => c.notNull().references("digest_subscriptions.id").onDelete("cascade"))
    /** day:YYYY-MM-DD or week:YYYY-Www */
    .addColumn("period", "text", (c) => c.notNull())
    /** sending | sent | retry | unknown | bounced | empty */
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("message_id", "text", (c) => c.notNull())
    /** JSON: the digest's sections, paper ids and reasons, so the browser view shows what was mailed. */
    .addColumn("content", "text", (c) => c.notNull())
    .addColumn("paper_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("error", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("sent_at", "text")
    .addUniqueConstraint("digest_sends_once", ["subscription_id", "period"])
    .execute();
  await db.schema.createIndex("digest_sends_status").on("digest_sends").columns(["status", "created_at"]).execute();

  await db.schema
    .createTable("digest_sent_papers")
    .addColumn("subscription_id", "integer", (c) => c.notNull().references("digest_subscriptions.id").onDelete("cascade"))
    .addColumn("paper_id", "integer", (c) => c.notNull().references("papers.id").onDelete("cascade"))
    .addColumn("send_id", "integer", (c) => c.notNull().references("digest_sends.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("digest_sent_papers_pk", ["subscription_id", "paper_id"])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const t of ["digest_sent_papers", "digest_sends", "digest_authors", "digest_topics", "digest_subscriptions"]) await db.schema.dropTable(t).ifExists().execute();
}
