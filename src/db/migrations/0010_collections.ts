import { sql, type Kysely } from "kysely";
import { dialectOf } from "../database.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const TABLES = ["collections", "collection_papers"];

/**
 * Collections: a reader's named lists of papers, public or private. Their pages are served
 * from the page cache like every anonymous page, so on PostgreSQL their writes move the data
 * version too (see 0006_data_version).
 */
export async function up(db: AnyDb): Promise<void> {
  const pg = dialectOf(db) === "postgres";
  await db.schema
    .createTable("collections")
    .addColumn("id", pg ? "serial" : "integer", (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("public", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("collections_user").on("collections").columns(["user_id", "updated_at"]).execute();
  await db.schema
    .createTable("collection_papers")
    .addColumn("collection_id", "integer", (c) => c.notNull().references("collections.id").onDelete("cascade"))
    .addColumn("paper_id", "integer", (c) => c.notNull().references("papers.id").onDelete("cascade"))
    .addColumn("added_at", "text", (c) => c.notNull())
    // A paper is in a collection once, whatever the race between two saves.
    .addPrimaryKeyConstraint("collection_papers_pk", ["collection_id", "paper_id"])
    .execute();
  await db.schema.createIndex("collection_papers_added").on("collection_papers").columns(["collection_id", "added_at"]).execute();
  await db.schema.createIndex("collection_papers_paper").on("collection_papers").column("paper_id").execute();
  if (pg) {
    for (const t of TABLES) {
      await sql`create trigger ${sql.raw(`${t}_data_version`)} after insert or update or delete or truncate on ${sql.table(t)}
        for each statement execute function bump_data_version()`.execute(db);
    }
  }
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("collection_papers").ifExists().execute();
  await db.schema.dropTable("collections").ifExists().execute();
}
