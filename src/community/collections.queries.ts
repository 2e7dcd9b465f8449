/**
 * Collections: a reader's named lists of papers. A paper is in a collection at most once (the
 * primary key decides, whatever the race); adding or removing one touches the collection's
 * `updated_at`, so lists of collections show the recently used first.
 */
import { sql } from "kysely";
import type { Db } from "../db/database.js";
import type { CollectionRow, PaperRow } from "../db/schema.js";

export interface CollectionFields {
  name: string;
  description: string;
  isPublic: boolean;
}

export interface CollectionSummary extends CollectionRow {
  papers: number;
}

/** How many collections one reader may keep: plenty for real use, a bound on abuse. */
export const MAX_COLLECTIONS_PER_USER = 200;

export async function createCollection(db: Db, userId: number, f: CollectionFields, now: Date): Promise<CollectionRow> {
  const at = now.toISOString();
  return db.insertInto("collections")
    .values({ user_id: userId, name: f.name, description: f.description, public: f.isPublic ? 1 : 0, created_at: at, updated_at: at })
    .returningAll().executeTakeFirstOrThrow();
}

export async function countCollections(db: Db, userId: number): Promise<number> {
  const r = await db.selectFrom("collections").select((eb) => eb.fn.countAll<number>().as("n")).where("user_id", "=", userId).executeTakeFirstOrThrow();
  return Number(r.n);
}

export interface CollectionWithOwner extends CollectionRow {
  owner_username: string;
  owner_display_name: string;
}

export async function findCollection(db: Db, id: number): Promise<CollectionWithOwner | undefined> {
  return db.selectFrom("collections as c").innerJoin("users as u", "u.id", "c.user_id")
    .selectAll("c").select(["u.username as owner_username", "u.display_name as owner_display_name"])
    .where("c.id", "=", id).executeTakeFirst();
}

/** Visible papers in the collection. */
export async function countCollectionPapers(db: Db, id: number): Promise<number> {
  const r = await db.selectFrom("collection_papers as cp").innerJoin("papers as p", "p.id", "cp.paper_id")
    .select((eb) => eb.fn.countAll<number>().as("n")).where("cp.collection_id", "=", id).where("p.hidden", "=", 0).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function updateCollection(db: Db, id: number, f: CollectionFields, now: Date): Promise<void> {
  await db.updateTable("collections")
    .set({ name: f.name, description: f.description, public: f.isPublic ? 1 : 0, updated_at: now.toISOString() })
    .where("id", "=", id).execute();
}

/** Deletes the collection; its papers leave it (the foreign key cascades), not the site. */
export async function deleteCollection(db: Db, id: number): Promise<void> {
  await db.deleteFrom("collections").where("id", "=", id).execute();
}

/** A user's collections, most recently changed first, with their visible papers counted. */
export async function listCollections(db: Db, userId: number, opts: { publicOnly: boolean }): Promise<CollectionSummary[]> {
  let q = db.selectFrom("collections as c")
    .selectAll("c")
    .select((eb) => eb.selectFrom("collection_papers as cp").innerJoin("papers as p", "p.id", "cp.paper_id")
      .select(sql<number>`count(*)`.as("n")).whereRef("cp.collection_id", "=", "c.id").where("p.hidden", "=", 0).as("papers"))
    .where("c.user_id", "=", userId);
  if (opts.publicOnly) q = q.where("c.public", "=", 1);
  const rows = await q.orderBy("c.updated_at", "desc").orderBy("c.id", "desc").execute();
  return rows.map((r) => ({ ...r, papers: Number(r.papers ?? 0) }));
}

/**
 * How many papers one collection may hold: far more than a reading list needs, a bound on what
 * one page of a collection's feed and its owner's "for you" seeds have to consider. Two saves
 * at the same moment may pass it by one; it bounds a list, it is not an invariant.
 */
export const MAX_PAPERS_PER_COLLECTION = 1000;

/** Adds a paper: "added", "present" when it was already there, "full" at the limit. */
export async function addToCollection(db: Db, collectionId: number, paperId: number, now: Date): Promise<"added" | "present" | "full"> {
  return db.transaction().execute(async (tx) => {
    const held = await tx.selectFrom("collection_papers").select((eb) => eb.fn.countAll<number>().as("n"))
      .where("collection_id", "=", collectionId).executeTakeFirstOrThrow();
    if (Number(held.n) >= MAX_PAPERS_PER_COLLECTION) {
      // Full, unless it already holds this paper: saving it again is no change, not an error.
      const present = await tx.selectFrom("collection_papers").select("paper_id")
        .where("collection_id", "=", collectionId).where("paper_id", "=", paperId).executeTakeFirst();
      return present ? "present" : "full";
    }
    const at = now.toISOString();
    const ins = await tx.insertInto("collection_papers").values({ collection_id: collectionId, paper_id: paperId, added_at: at })
      .onConflict((oc) => oc.columns(["collection_id", "paper_id"]).doNothing()).returning("paper_id").executeTakeFirst();
    if (!ins) return "present";
    await tx.updateTable("collections").set({ updated_at: at }).where("id", "=", collectionId).execute();
    return "added";
  });
}

/** Removes a paper; false when it was not there. */
export async function removeFromCollection(db: Db, collectionId: number, paperId: number, now: Date): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const del = await tx.deleteFrom("collection_papers").where("collection_id", "=", collectionId).where("paper_id", "=", paperId)
      .returning("paper_id").executeTakeFirst();
    if (del) await tx.updateTable("collections").set({ updated_at: now.toISOString() }).where("id", "=", collectionId).execute();
    return del !== undefined;
  });
}

/** The collection's visible papers, the latest added first. */
export async function collectionPapers(db: Db, collectionId: number, limit: number, offset = 0): Promise<Array<{ paper: PaperRow; addedAt: string }>> {
  const rows = await db.selectFrom("collection_papers as cp").innerJoin("papers as p", "p.id", "cp.paper_id")
    .selectAll("p").select("cp.added_at as added_at_in_collection")
    .where("cp.collection_id", "=", collectionId).where("p.hidden", "=", 0)
    .orderBy("cp.added_at", "desc").orderBy("p.id", "desc").limit(limit).offset(offset).execute();
  return rows.map(({ added_at_in_collection, ...paper }) => ({ paper, addedAt: added_at_in_collection }));
}

/** Which of the user's collections hold the paper. */
export async function collectionsHolding(db: Db, userId: number, paperId: number): Promise<Set<number>> {
  const rows = await db.selectFrom("collection_papers as cp").innerJoin("collections as c", "c.id", "cp.collection_id")
    .select("cp.collection_id").where("c.user_id", "=", userId).where("cp.paper_id", "=", paperId).execute();
  return new Set(rows.map((r) => r.collection_id));
}
