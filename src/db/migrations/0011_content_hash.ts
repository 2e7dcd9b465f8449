import { sql, type Kysely } from "kysely";
import { contentHash, HASHED_COLUMNS } from "../../papers/papers.prepare.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** Rows per statement: two parameters each, well under either database's limit. */
const PAGE = 1000;

/**
 * `content_hash` is now a digest of the row's own stored columns (it was one of the parsed
 * record, which cost a bulk import a JSON serialisation per paper). Recomputes it for every
 * stored paper, so the next import of an unchanged record still finds it unchanged. Only that
 * column is written: `updated_at`, which search follows, stays as it was.
 */
export async function up(db: AnyDb): Promise<void> {
  for (let after = 0; ; ) {
    const rows = (await db.selectFrom("papers").select(["id", ...HASHED_COLUMNS]).where("id", ">", after)
      .orderBy("id").limit(PAGE).execute()) as Array<{ id: number } & Parameters<typeof contentHash>[0]>;
    if (rows.length === 0) return;
    // The cast: PostgreSQL would otherwise type the id parameters as text.
    const values = sql.join(rows.map((r) => sql`(cast(${r.id} as integer), ${contentHash(r)})`));
    await sql`with v(id, h) as (values ${values})
      update papers set content_hash = v.h from v where papers.id = v.id`.execute(db);
    after = rows[rows.length - 1].id;
  }
}

export async function down(): Promise<void> {
  // The old digest needs the parsed record; a re-import with the old code would simply count
  // every paper once as updated.
}
