/** Subscriptions, their topics and authors: plain functions taking `db` first. */
import type { Db } from "../db/database.js";
import type { DigestSubscriptionRow } from "../db/schema.js";
import { authorKey } from "../papers/papers.present.js";
import type { SectionKind } from "./digest.select.js";
import type { Frequency } from "./digest.period.js";

export interface Preferences {
  frequency: Frequency;
  trending: boolean;
  forYou: boolean;
  topics: boolean;
  authors: boolean;
}

export interface Topic {
  query: string;
  /** arXiv categories; empty: any. */
  categories: string[];
}

export interface SubscriptionDetails {
  subscription: DigestSubscriptionRow;
  topics: Topic[];
  authors: string[];
}

/** How long a double opt-in link works. */
export const CONFIRM_TTL_MS = 7 * 24 * 3600_000;

export const SECTION_COLUMNS: Record<SectionKind, "trending" | "for_you" | "topics" | "authors"> = {
  trending: "trending",
  for_you: "for_you",
  topics: "topics",
  authors: "authors",
};

function prefColumns(p: Preferences) {
  return { frequency: p.frequency, trending: p.trending ? 1 : 0, for_you: p.forYou ? 1 : 0, topics: p.topics ? 1 : 0, authors: p.authors ? 1 : 0 };
}

export function preferencesOf(s: DigestSubscriptionRow): Preferences {
  return { frequency: s.frequency === "weekly" ? "weekly" : "daily", trending: s.trending === 1, forYou: s.for_you === 1, topics: s.topics === 1, authors: s.authors === 1 };
}

export function findSubscription(db: Db, id: number): Promise<DigestSubscriptionRow | undefined> {
  return db.selectFrom("digest_subscriptions").selectAll().where("id", "=", id).executeTakeFirst();
}

export function findSubscriptionByEmail(db: Db, email: string): Promise<DigestSubscriptionRow | undefined> {
  return db.selectFrom("digest_subscriptions").selectAll().where("email", "=", email.toLowerCase()).executeTakeFirst();
}

export function findSubscriptionOfUser(db: Db, userId: number): Promise<DigestSubscriptionRow | undefined> {
  return db.selectFrom("digest_subscriptions").selectAll().where("user_id", "=", userId).orderBy("id").executeTakeFirst();
}

export async function subscriptionDetails(db: Db, s: DigestSubscriptionRow): Promise<SubscriptionDetails> {
  const [topics, authors] = await Promise.all([
    db.selectFrom("digest_topics").select(["query", "categories"]).where("subscription_id", "=", s.id).orderBy("id").execute(),
    db.selectFrom("digest_authors").select("name").where("subscription_id", "=", s.id).orderBy("created_at").orderBy("author_key").execute(),
  ]);
  return { subscription: s, topics: topics.map((t) => ({ query: t.query, categories: t.categories.split(" ").filter(Boolean) })), authors: authors.map((a) => a.name) };
}

/** Replaces the saved searches and followed authors of a subscription. */
async function replaceLists(db: Db, id: number, topics: Topic[], authors: string[], now: Date): Promise<void> {
  await db.deleteFrom("digest_topics").where("subscription_id", "=", id).execute();
  await db.deleteFrom("digest_authors").where("subscription_id", "=", id).execute();
  if (topics.length) {
    await db.insertInto("digest_topics").values(topics.map((t) => ({ subscription_id: id, query: t.query, categories: t.categories.join(" "), created_at: now.toISOString() }))).execute();
  }
  const seen = new Set<string>();
  const rows = authors.filter((a) => !seen.has(authorKey(a)) && seen.add(authorKey(a))).map((name) => ({ subscription_id: id, author_key: authorKey(name), name, created_at: now.toISOString() }));
  if (rows.length) await db.insertInto("digest_authors").values(rows).execute();
}

/**
 * A visitor's subscription request: a pending subscription with a fresh confirmation token
 * (replacing the choices of an earlier unconfirmed or stopped one). Must not be called for an
 * active subscription: a stranger would otherwise change someone's choices.
 */
export async function savePendingSubscription(tx: Db, email: string, prefs: Preferences, lists: { topics: Topic[]; authors: string[] }, tokenHash: string, now: Date): Promise<number> {
  // Runs in the caller's transaction, with the job that mails the confirmation.
  const cols = { ...prefColumns(prefs), status: "pending", confirm_token_hash: tokenHash, confirm_expires_at: new Date(now.getTime() + CONFIRM_TTL_MS).toISOString(), updated_at: now.toISOString() };
  const existing = await tx.selectFrom("digest_subscriptions").select(["id", "status"]).where("email", "=", email).executeTakeFirst();
  let id: number;
  if (existing) {
    if (existing.status === "active") throw new Error("savePendingSubscription: the subscription is active");
    await tx.updateTable("digest_subscriptions").set(cols).where("id", "=", existing.id).execute();
    id = existing.id;
  } else {
    const r = await tx.insertInto("digest_subscriptions").values({ email, user_id: null, ...cols, created_at: now.toISOString(), confirmed_at: null }).returning("id").executeTakeFirstOrThrow();
    id = r.id;
  }
  await replaceLists(tx, id, lists.topics, lists.authors, now);
  return id;
}

/** Uses a confirmation token: the subscription becomes active. Null when unknown or expired. */
export async function confirmSubscription(db: Db, tokenHash: string, now: Date): Promise<DigestSubscriptionRow | null> {
  const r = await db
    .updateTable("digest_subscriptions")
    .set({ status: "active", confirm_token_hash: null, confirm_expires_at: null, confirmed_at: now.toISOString(), updated_at: now.toISOString() })
    .where("confirm_token_hash", "=", tokenHash)
    .where("confirm_expires_at", ">", now.toISOString())
    .where("status", "=", "pending")
    .returningAll()
    .executeTakeFirst();
  return r ?? null;
}

export async function peekConfirmation(db: Db, tokenHash: string, now: Date): Promise<DigestSubscriptionRow | null> {
  const r = await db.selectFrom("digest_subscriptions").selectAll().where("confirm_token_hash", "=", tokenHash).where("confirm_expires_at", ">", now.toISOString()).where("status", "=", "pending").executeTakeFirst();
  return r ?? null;
}

/**
 * Saves the settings of a subscription that already exists (its owner is known: a session or
 * a signed link). `activate` turns a stopped one back on (a signed-in user with a confirmed
 * address, whose ownership of the address is already proven).
 */
export async function saveSettings(db: Db, id: number, prefs: Preferences, lists: { topics: Topic[]; authors: string[] }, now: Date, activate = false): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable("digest_subscriptions")
      .set({ ...prefColumns(prefs), updated_at: now.toISOString(), ...(activate ? { status: "active", confirmed_at: now.toISOString(), confirm_token_hash: null, confirm_expires_at: null } : {}) })
      .where("id", "=", id)
      .execute();
    await replaceLists(tx, id, lists.topics, lists.authors, now);
  });
}

/** A signed-in user's subscription, created active (their address is confirmed) or linked. */
export async function subscribeUser(db: Db, user: { id: number; email: string }, prefs: Preferences, lists: { topics: Topic[]; authors: string[] }, now: Date): Promise<number> {
  const existing = (await findSubscriptionOfUser(db, user.id)) ?? (await findSubscriptionByEmail(db, user.email));
  if (existing) {
    if (existing.user_id === null) await db.updateTable("digest_subscriptions").set({ user_id: user.id }).where("id", "=", existing.id).execute();
    await saveSettings(db, existing.id, prefs, lists, now, true);
    return existing.id;
  }
  return db.transaction().execute(async (tx) => {
    const r = await tx
      .insertInto("digest_subscriptions")
      .values({ email: user.email.toLowerCase(), user_id: user.id, ...prefColumns(prefs), status: "active", confirm_token_hash: null, confirm_expires_at: null, created_at: now.toISOString(), confirmed_at: now.toISOString(), updated_at: now.toISOString() })
      .returning("id")
      .executeTakeFirstOrThrow();
    await replaceLists(tx, r.id, lists.topics, lists.authors, now);
    return r.id;
  });
}

/** Stops everything (status) or one section (its column); true when something changed. */
export async function stopSubscription(db: Db, id: number, what: SectionKind | "all", now: Date): Promise<boolean> {
  const q = db.updateTable("digest_subscriptions").where("id", "=", id);
  const r =
    what === "all"
      ? await q.set({ status: "unsubscribed", updated_at: now.toISOString() }).where("status", "in", ["active", "pending"]).executeTakeFirst()
      : await q.set({ [SECTION_COLUMNS[what]]: 0, updated_at: now.toISOString() }).where(SECTION_COLUMNS[what], "=", 1).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Active subscriptions of a frequency with no send record for the period yet, by id, from `afterId`. */
export async function dueSubscriptionIds(db: Db, frequency: Frequency, period: string, afterId: number, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom("digest_subscriptions as s")
    .select("s.id")
    .where("s.status", "=", "active")
    .where("s.frequency", "=", frequency)
    .where("s.id", ">", afterId)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom("digest_sends as d").select("d.id").whereRef("d.subscription_id", "=", "s.id").where("d.period", "=", period))))
    .orderBy("s.id")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
