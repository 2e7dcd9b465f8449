import type { Kysely } from "kysely";
import { dialectOf } from "../database.js";
import { createFullTextIndex } from "../../papers/papers.fulltext.js";

// Migrations receive an untyped Kysely: the schema at migration time is not today's schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const pg = dialectOf(db) === "postgres";
  const idType = pg ? "serial" : "integer";

  await db.schema
    .createTable("users")
    .addColumn("id", idType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn("username", "text", (c) => c.notNull().unique())
    .addColumn("email", "text", (c) => c.notNull().unique())
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull().defaultTo("reader"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("papers")
    .addColumn("id", idType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn("arxiv_id", "text", (c) => c.notNull().unique())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("abstract", "text", (c) => c.notNull())
    .addColumn("authors", "text", (c) => c.notNull())
    .addColumn("authors_text", "text", (c) => c.notNull())
    .addColumn("categories", "text", (c) => c.notNull())
    .addColumn("primary_category", "text", (c) => c.notNull())
    .addColumn("comment", "text")
    .addColumn("journal_ref", "text")
    .addColumn("doi", "text")
    .addColumn("github_repo", "text")
    .addColumn("project_page", "text")
    .addColumn("first_version_at", "text", (c) => c.notNull())
    .addColumn("latest_version_at", "text", (c) => c.notNull())
    .addColumn("content_hash", "text", (c) => c.notNull())
    .addColumn("upvotes", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("num_comments", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("trending_score", "real", (c) => c.notNull().defaultTo(0))
    .addColumn("hidden", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("papers_first_version_at").on("papers").column("first_version_at").execute();
  await db.schema.createIndex("papers_trending").on("papers").columns(["trending_score", "id"]).execute();

  await db.schema
    .createTable("daily_entries")
    .addColumn("id", idType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    // A paper is featured in the daily feed once: the first day it was announced or submitted.
    .addColumn("paper_id", "integer", (c) => c.notNull().unique().references("papers.id").onDelete("cascade"))
    .addColumn("day", "text", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("submitted_by", "integer", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("submitted_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("daily_entries_day").on("daily_entries").columns(["day", "paper_id"]).execute();
  await db.schema.createIndex("daily_entries_submitted_by").on("daily_entries").column("submitted_by").execute();

  await db.schema
    .createTable("settings")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .execute();

  await createFullTextIndex(db);
}

export async function down(db: AnyDb): Promise<void> {
  for (const t of ["settings", "daily_entries", "papers", "users"]) await db.schema.dropTable(t).ifExists().execute();
}
