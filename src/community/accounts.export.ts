/**
 * "Download your data": everything the site keeps about one account, as one JSON document,
 * what deleting the account would erase. Papers are named by arXiv id; times are ISO strings
 * as stored.
 */
import type { Db } from "../db/database.js";

export async function exportAccount(db: Db, userId: number, now: Date) {
  const user = await db.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirstOrThrow();
  const [upvotes, submissions, comments, collections, collected, subscription] = await Promise.all([
    db.selectFrom("votes as v").innerJoin("papers as p", "p.id", "v.paper_id")
      .select(["p.arxiv_id", "p.title", "v.created_at"]).where("v.user_id", "=", userId).orderBy("v.created_at").execute(),
    db.selectFrom("daily_entries as e").innerJoin("papers as p", "p.id", "e.paper_id")
      .select(["p.arxiv_id", "p.title", "e.day", "e.submitted_at"]).where("e.submitted_by", "=", userId).orderBy("e.submitted_at").execute(),
    db.selectFrom("comments as c").innerJoin("papers as p", "p.id", "c.paper_id")
      .select(["c.id", "p.arxiv_id", "c.parent_id", "c.body", "c.created_at", "c.edited_at", "c.deleted", "c.hidden"])
      .where("c.user_id", "=", userId).orderBy("c.id").execute(),
    db.selectFrom("collections").selectAll().where("user_id", "=", userId).orderBy("id").execute(),
    db.selectFrom("collection_papers as cp").innerJoin("collections as c", "c.id", "cp.collection_id").innerJoin("papers as p", "p.id", "cp.paper_id")
      .select(["cp.collection_id", "p.arxiv_id", "cp.added_at"]).where("c.user_id", "=", userId).orderBy("cp.added_at").execute(),
    db.selectFrom("digest_subscriptions").selectAll().where("user_id", "=", userId).executeTakeFirst(),
  ]);
  const [topics, authors] = subscription
    ? await Promise.all([
      db.selectFrom("digest_topics").select(["query", "categories"]).where("subscription_id", "=", subscription.id).orderBy("id").execute(),
      db.selectFrom("digest_authors").select("name").where("subscription_id", "=", subscription.id).orderBy("name").execute(),
    ])
    : [[], []];
  return {
    exportedAt: now.toISOString(),
    account: {
      username: user.username,
      displayName: user.display_name,
      email: user.email,
      role: user.role,
      createdAt: user.created_at,
      emailConfirmedAt: user.email_confirmed_at,
      mentionEmails: user.notify_by_email === 1,
    },
    upvotes: upvotes.map((v) => ({ paper: v.arxiv_id, title: v.title, at: v.created_at })),
    submissions: submissions.map((s) => ({ paper: s.arxiv_id, title: s.title, day: s.day, at: s.submitted_at })),
    comments: comments.map((c) => ({
      id: c.id, paper: c.arxiv_id, parentId: c.parent_id, body: c.body, createdAt: c.created_at, editedAt: c.edited_at,
      deleted: c.deleted === 1, hiddenByModerators: c.hidden === 1,
    })),
    collections: collections.map((c) => ({
      name: c.name,
      description: c.description,
      visibility: c.public === 1 ? "public" : "private",
      createdAt: c.created_at,
      papers: collected.filter((x) => x.collection_id === c.id).map((x) => ({ paper: x.arxiv_id, addedAt: x.added_at })),
    })),
    digest: subscription
      ? {
        email: subscription.email,
        status: subscription.status,
        frequency: subscription.frequency,
        trending: subscription.trending === 1,
        forYou: subscription.for_you === 1,
        topicAlertsOn: subscription.topics === 1,
        topicAlerts: topics.map((t) => ({ query: t.query, categories: t.categories.split(" ").filter(Boolean) })),
        authorsOn: subscription.authors === 1,
        authors: authors.map((a) => a.name),
      }
      : null,
  };
}
