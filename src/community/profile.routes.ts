/** GET /u/:username (+ .json): the papers a user submitted and upvoted. GET/POST /notifications. */
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import type { Db } from "../db/database.js";
import { findFeedEntries, type FeedItem } from "../papers/feed.queries.js";
import { presentDailyItem } from "../papers/papers.present.js";
import { findPapersByIds } from "../papers/papers.queries.js";
import { notFound } from "../web/errors.js";
import { sendPage } from "../web/page.js";
import { findUserByUsername } from "./accounts.queries.js";
import { listCollections } from "./collections.queries.js";
import { presentCollection } from "./community.present.js";
import { listNotifications, markAllRead } from "./notifications.queries.js";
import { authorize, can, isRole } from "./policy.js";
import { NotificationsPage, ProfilePage } from "./profile.views.js";
import { answer } from "./respond.js";
import { votedPaperIds } from "./votes.queries.js";

const PROFILE_PAPERS = 30;

async function itemsInOrder(db: Db, ids: number[]): Promise<FeedItem[]> {
  const [papers, entries] = await Promise.all([
    findPapersByIds(db, ids).then((rows) => new Map(rows.map((p) => [p.id, p]))),
    findFeedEntries(db, ids),
  ]);
  const out: FeedItem[] = [];
  for (const id of ids) {
    const paper = papers.get(id);
    const entry = entries.get(id);
    if (paper && !paper.hidden && entry) out.push({ paper, entry });
  }
  return out;
}

export function registerProfileRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Params: { username: string } }>("/u/:username", async (req, reply) => {
    const user = await findUserByUsername(ctx.db, req.params.username);
    // An account that never confirmed its email has no public profile (nor a name to probe).
    if (!user || !user.email_confirmed_at) throw notFound(`There is no user ${req.params.username}.`);
    if (user.username !== req.params.username) return reply.redirect(`/u/${user.username}`, 301);
    const [submittedIds, upvotedIds, collections] = await Promise.all([
      ctx.db.selectFrom("daily_entries").select("paper_id").where("submitted_by", "=", user.id).orderBy("submitted_at", "desc").limit(PROFILE_PAPERS).execute(),
      ctx.db.selectFrom("votes").select("paper_id").where("user_id", "=", user.id).orderBy("created_at", "desc").limit(PROFILE_PAPERS).execute(),
      listCollections(ctx.db, user.id, { publicOnly: true }),
    ]);
    const [submitted, upvoted] = await Promise.all([itemsInOrder(ctx.db, submittedIds.map((r) => r.paper_id)), itemsInOrder(ctx.db, upvotedIds.map((r) => r.paper_id))]);
    const viewer = req.viewer;
    const voted = viewer ? await votedPaperIds(ctx.db, viewer.id, [...submitted, ...upvoted].map((it) => it.paper.id)) : new Set<number>();
    const base = ctx.config.baseUrl;
    return sendPage(ctx, req, reply, {
      title: `${user.display_name} (@${user.username})`,
      path: `/u/${user.username}`,
      section: "other",
      json: {
        user: { user: user.username, fullname: user.display_name, role: user.role, joinedAt: user.created_at, banned: user.banned_at !== null, avatarUrl: `${base}/avatars/${user.username}.svg` },
        submitted: submitted.map((it) => presentDailyItem(base, it)),
        upvoted: upvoted.map((it) => presentDailyItem(base, it)),
        collections: collections.map((c) => presentCollection(base, c, user.username, c.papers)),
      },
      body: () =>
        ProfilePage({
          username: user.username,
          displayName: user.display_name,
          role: isRole(user.role) ? user.role : "reader",
          joined: user.created_at,
          banned: user.banned_at !== null,
          submitted,
          upvoted,
          collections,
          vote: (id) => (viewer ? { csrf: req.csrfToken, voted: voted.has(id) } : undefined),
          ban: can(viewer, "banUser", user) ? { csrf: req.csrfToken } : null,
        }),
    });
  });

  app.get("/notifications", async (req, reply) => {
    if (!req.viewer) return reply.redirect("/login?next=/notifications");
    const items = await listNotifications(ctx.db, req.viewer.id);
    return sendPage(ctx, req, reply, {
      title: "Notifications",
      path: "/notifications",
      section: "other",
      json: { notifications: items.map((n) => ({ id: n.id, kind: n.kind, actor: n.actor, paper: n.paper?.arxivId ?? null, commentId: n.commentId, createdAt: n.createdAt, read: n.read })) },
      body: () => NotificationsPage({ items, csrf: req.csrfToken }),
    });
  });

  app.post("/notifications/read", async (req, reply) => {
    const user = authorize(req.viewer, "editSettings");
    const n = await markAllRead(ctx.db, user.id, ctx.now());
    return answer(req, reply, { marked: n }, "/notifications");
  });
}
