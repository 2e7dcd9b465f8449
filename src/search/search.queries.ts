/**
 * The database reads search needs: papers in id order (a full build), papers changed since a
 * watermark (catching up), texts by id (embedding, training). Functions take `db` first.
 */
import type { Db } from "../db/database.js";
import type { IndexDoc } from "./search.core.js";

export interface IndexRow extends IndexDoc {
  updatedAt: string;
}

interface RawRow {
  id: number | string;
  title: string;
  abstract: string;
  authors_text: string;
  categories: string;
  first_version_at: string;
  updated_at: string;
}

function toDoc(r: RawRow): IndexRow {
  return {
    id: Number(r.id),
    title: r.title,
    authors: r.authors_text,
    abstract: r.abstract,
    categories: r.categories.split(" ").filter(Boolean),
    day: r.first_version_at.slice(0, 10),
    updatedAt: r.updated_at,
  };
}

const COLUMNS = ["id", "title", "abstract", "authors_text", "categories", "first_version_at", "updated_at"] as const;

/** Papers with id > afterId, in id order (hidden ones too: hiding is applied when presenting). */
export async function indexRowsAfter(db: Db, afterId: number, limit: number): Promise<IndexRow[]> {
  const rows = await db.selectFrom("papers").select(COLUMNS).where("id", ">", afterId).orderBy("id").limit(limit).execute();
  return rows.map(toDoc);
}

/** Papers changed at or after `since`, in (updated_at, id) order, after the keyset (since, afterId). */
export async function changedSince(db: Db, since: string, afterId: number, limit: number): Promise<IndexRow[]> {
  const rows = await db
    .selectFrom("papers")
    .select(COLUMNS)
    .where((eb) => eb.or([eb("updated_at", ">", since), eb.and([eb("updated_at", "=", since), eb("id", ">", afterId)])]))
    .orderBy("updated_at")
    .orderBy("id")
    .limit(limit)
    .execute();
  return rows.map(toDoc);
}

/** Title and abstract of the given papers (any order). */
export async function paperTexts(db: Db, ids: readonly number[]): Promise<Array<{ id: number; title: string; abstract: string }>> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("papers").select(["id", "title", "abstract"]).where("id", "in", [...ids]).execute();
  return rows.map((r) => ({ id: Number(r.id), title: r.title, abstract: r.abstract }));
}

/**
 * A random id for this database, stored once. Index files on disk carry it, so a snapshot is
 * never loaded against another database that happens to use the same DATA_DIR.
 */
export async function searchDatabaseId(db: Db): Promise<string> {
  // Normally made by migration 0005; written here only for a database migrated before that.
  const row = await db.selectFrom("settings").select("value").where("key", "=", "search_db_id").executeTakeFirst();
  if (row) return row.value;
  const fresh = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
  await db.insertInto("settings").values({ key: "search_db_id", value: fresh }).onConflict((oc) => oc.column("key").doNothing()).execute();
  return (await db.selectFrom("settings").select("value").where("key", "=", "search_db_id").executeTakeFirstOrThrow()).value;
}
