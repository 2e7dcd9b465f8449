import type { Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** Where each harvested OAI set stopped, so the next run continues from there. */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("harvest_state")
    .addColumn("set_spec", "text", (c) => c.primaryKey())
    .addColumn("last_datestamp", "text")
    .addColumn("resumption_token", "text")
    // The `from` date of the list a stored token belongs to: an expired token restarts there.
    .addColumn("token_from", "text")
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("harvest_state").ifExists().execute();
}
