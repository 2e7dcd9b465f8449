/**
 * Collections: GET/POST /collections (yours, and a new one), GET /collections/:id (+ .json,
 * .atom, .rss), POST /collections/:id (edit), /collections/:id/delete, /collections/:id/papers
 * (add or remove a paper) and /collections/save (the paper page's form: into a chosen or a new
 * collection). A private collection answers 404 to everyone but its owner, as if it did not exist.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { AppContext } from "../context.js";
import type { CollectionRow } from "../db/schema.js";
import { squish } from "../lib/text.js";
import { bibtexFile } from "../papers/bibtex.js";
import { findFeedEntries } from "../papers/feed.queries.js";
import { paperFeed, presentDailyItem } from "../papers/papers.present.js";
import { badRequest, HttpError, notFound } from "../web/errors.js";
import { formatOf } from "../web/format.js";
import { sendPage } from "../web/page.js";
import { intParam } from "../web/params.js";
import {
  addToCollection, collectionPapers, countCollectionPapers, countCollections, createCollection, deleteCollection, findCollection, listCollections,
  MAX_COLLECTIONS_PER_USER, MAX_PAPERS_PER_COLLECTION, removeFromCollection, updateCollection, type CollectionFields, type CollectionSummary, type CollectionWithOwner,
} from "./collections.queries.js";
import { collectionPath, CollectionPage, CollectionsPage } from "./collections.views.js";
import { presentCollection } from "./community.present.js";
import { rateLimit } from "./limits.js";
import { visiblePaper } from "./papers.lookup.js";
import { authorize, type Viewer } from "./policy.js";
import { answer, field, parseBody, safeReturn, tryParseBody, wantsJson } from "./respond.js";
import { votedPaperIds } from "./votes.queries.js";

const PAGE_SIZE = 50;
const pageQuery = z.object({ p: intParam("p", 0, 10_000, 0) });

const name = z.string({ required_error: "Give the collection a name." }).transform(squish)
  .pipe(z.string().min(1, "Give the collection a name.").max(100, "A collection's name is at most 100 characters."));
const fieldsSchema = z.object({
  name,
  description: z.string().optional().transform((s) => squish(s ?? "")).pipe(z.string().max(500, "A description is at most 500 characters.")),
  visibility: z.enum(["public", "private"], { errorMap: () => ({ message: "visibility must be public or private" }) }).optional(),
  // Private unless said otherwise: a reading list shows on a profile only when its owner chose so.
}).transform((f): CollectionFields => ({ name: f.name, description: f.description, isPublic: f.visibility === "public" }));

const paperField = z.string({ required_error: "Name the paper: its arXiv id or URL." }).min(1, "Name the paper: its arXiv id or URL.");
const paperSchema = z.object({
  paper: paperField,
  action: z.enum(["add", "remove"], { errorMap: () => ({ message: "action must be add or remove" }) }).optional(),
  return_to: z.string().optional(),
});
const saveSchema = z.object({
  paper: paperField,
  collection: z.string({ required_error: "Choose a collection." }).regex(/^(new|\d{1,9})$/, "Choose one of your collections, or a new one."),
  name: z.string().optional(),
  return_to: z.string().optional(),
});

/** The collection an URL names, if the viewer may see it; 404 otherwise (a private one stays secret). */
async function visibleCollection(ctx: AppContext, raw: string, viewer: Viewer | null): Promise<CollectionWithOwner> {
  const id = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  const c = Number.isNaN(id) ? undefined : await findCollection(ctx.db, id);
  if (!c || (c.public !== 1 && c.user_id !== viewer?.id)) throw notFound(`There is no collection ${raw.slice(0, 20)}.`);
  return c;
}

/** The collection an URL names, for a change by its owner (401, 403 or 404 otherwise). */
async function ownCollection(ctx: AppContext, req: FastifyRequest<{ Params: { id: string } }>): Promise<{ user: Viewer; collection: CollectionWithOwner }> {
  const user = authorize(req.viewer, "collect");
  const collection = await visibleCollection(ctx, req.params.id, user);
  authorize(user, "editCollection", collection);
  return { user, collection };
}

/** Saves a paper in a collection; true when it was not there yet, a 400 when the collection is full. */
async function addPaper(ctx: AppContext, collectionId: number, paperId: number): Promise<boolean> {
  const r = await addToCollection(ctx.db, collectionId, paperId, ctx.now());
  if (r === "full") {
    throw badRequest(`This collection holds ${MAX_PAPERS_PER_COLLECTION.toLocaleString("en-US")} papers, the most one can. Remove some, or save to another collection.`);
  }
  return r === "added";
}

async function createFor(ctx: AppContext, user: Viewer, fields: CollectionFields): Promise<CollectionRow> {
  if ((await countCollections(ctx.db, user.id)) >= MAX_COLLECTIONS_PER_USER) {
    throw badRequest(`You have ${MAX_COLLECTIONS_PER_USER} collections, the most one reader can keep. Delete one to make another.`);
  }
  return createCollection(ctx.db, user.id, fields, ctx.now());
}

export function registerCollectionRoutes(app: FastifyInstance, ctx: AppContext): void {
  const base = () => ctx.config.baseUrl;
  const listPage = (req: FastifyRequest, reply: FastifyReply, mine: CollectionSummary[], status = 200, error: string | null = null, value?: CollectionFields) =>
    sendPage(ctx, req, reply, {
      title: "Your collections",
      path: "/collections",
      section: "other",
      status,
      json: error ? { error } : { collections: mine.map((c) => presentCollection(base(), c, req.viewer!.username, c.papers)) },
      body: () => CollectionsPage({ collections: mine, csrf: req.csrfToken, error, value }),
    });

  app.get("/collections", async (req, reply) => {
    if (!req.viewer) {
      if (wantsJson(req)) throw new HttpError(401, "Log in to see your collections.", "unauthenticated");
      return reply.redirect("/login?next=/collections");
    }
    return listPage(req, reply, await listCollections(ctx.db, req.viewer.id, { publicOnly: false }));
  });

  app.post("/collections", { config: { rateLimit: rateLimit("collect") } }, async (req, reply) => {
    const user = authorize(req.viewer, "collect");
    const parsed = tryParseBody(fieldsSchema, req.body);
    let error = parsed.ok ? null : parsed.message;
    let created: CollectionRow | null = null;
    if (parsed.ok) {
      try {
        created = await createFor(ctx, user, parsed.data);
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        error = e.message;
      }
    }
    if (!created) {
      if (wantsJson(req)) throw badRequest(error ?? "");
      // A browser's form shows what was wrong in place, with what was typed.
      const typed = { name: field(req.body, "name"), description: field(req.body, "description"), isPublic: field(req.body, "visibility") === "public" };
      return listPage(req, reply, await listCollections(ctx.db, user.id, { publicOnly: false }), 400, error, typed);
    }
    if (wantsJson(req)) return reply.code(201).send(presentCollection(base(), created, user.username, 0));
    return reply.redirect(collectionPath(created.id), 303);
  });

  app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>("/collections/:id", async (req, reply) => {
    const c = await visibleCollection(ctx, req.params.id, req.viewer);
    const { p: page } = parseBody(pageQuery, req.query);
    const owner = { username: c.owner_username, displayName: c.owner_display_name };
    const [rows, total] = await Promise.all([
      collectionPapers(ctx.db, c.id, PAGE_SIZE + 1, page * PAGE_SIZE),
      countCollectionPapers(ctx.db, c.id),
    ]);
    const hasMore = rows.length > PAGE_SIZE;
    const shown = rows.slice(0, PAGE_SIZE);
    const everything = formatOf(req) === "bib" ? await collectionPapers(ctx.db, c.id, MAX_PAPERS_PER_COLLECTION, 0) : [];
    const entries = await findFeedEntries(ctx.db, shown.map((r) => r.paper.id));
    const items = shown.map((r) => ({ paper: r.paper, entry: entries.get(r.paper.id) ?? null }));
    const viewer = req.viewer;
    const voted = viewer ? await votedPaperIds(ctx.db, viewer.id, items.map((it) => it.paper.id)) : new Set<number>();
    const isOwner = viewer !== null && viewer.id === c.user_id && !viewer.banned;
    const path = collectionPath(c.id);
    return sendPage(ctx, req, reply, {
      title: `${c.name} (a collection by ${owner.displayName})`,
      description: c.description || undefined,
      path,
      section: "other",
      json: {
        collection: presentCollection(base(), c, owner.username, total),
        page,
        hasMore,
        papers: items.map((it, i) => ({ ...presentDailyItem(base(), it), addedAt: shown[i].addedAt })),
      },
      // Every paper of the collection, not this page's: a reading list cited whole.
      bib: () => bibtexFile(everything.map((r) => r.paper)),
      // Private collections have no feed: a feed reader cannot sign in.
      feed: c.public === 1
        ? () => paperFeed(base(), {
          title: `Daily Papers: ${c.name}`,
          subtitle: c.description || `A collection by ${owner.displayName}`,
          pageUrl: `${base()}${path}`,
          atomUrl: `${base()}${path}.atom`,
          rssUrl: `${base()}${path}.rss`,
        }, items.map((it) => it.paper))
        : undefined,
      body: () => CollectionPage({
        collection: c,
        owner,
        items,
        total,
        page,
        hasMore,
        vote: (id) => (viewer ? { csrf: req.csrfToken, voted: voted.has(id) } : undefined),
        manage: isOwner ? { csrf: req.csrfToken } : null,
      }),
    });
  });

  app.post<{ Params: { id: string } }>("/collections/:id", { config: { rateLimit: rateLimit("collect") } }, async (req, reply) => {
    const { user, collection } = await ownCollection(ctx, req);
    // A field left out keeps its value (a script may change just the name).
    const body = (req.body && typeof req.body === "object" ? req.body : {}) as Record<string, unknown>;
    const fields = parseBody(fieldsSchema, {
      name: body.name ?? collection.name,
      description: body.description ?? collection.description,
      visibility: body.visibility ?? (collection.public === 1 ? "public" : "private"),
    });
    await updateCollection(ctx.db, collection.id, fields, ctx.now());
    const updated = { ...collection, name: fields.name, description: fields.description, public: fields.isPublic ? 1 : 0 };
    return answer(req, reply, presentCollection(base(), updated, user.username), collectionPath(collection.id));
  });

  app.post<{ Params: { id: string } }>("/collections/:id/delete", { config: { rateLimit: rateLimit("collect") } }, async (req, reply) => {
    const { collection } = await ownCollection(ctx, req);
    await deleteCollection(ctx.db, collection.id);
    return answer(req, reply, { deleted: collection.id }, "/collections");
  });

  app.post<{ Params: { id: string } }>("/collections/:id/papers", { config: { rateLimit: rateLimit("collect") } }, async (req, reply) => {
    const { collection } = await ownCollection(ctx, req);
    const body = parseBody(paperSchema, req.body);
    const paper = await visiblePaper(ctx, body.paper);
    const add = body.action !== "remove";
    const changed = add
      ? await addPaper(ctx, collection.id, paper.id)
      : await removeFromCollection(ctx.db, collection.id, paper.id, ctx.now());
    return answer(req, reply, { collection: collection.id, paper: paper.arxiv_id, saved: add, changed }, safeReturn(body.return_to, collectionPath(collection.id)));
  });

  app.post("/collections/save", { config: { rateLimit: rateLimit("collect") } }, async (req, reply) => {
    const user = authorize(req.viewer, "collect");
    const body = parseBody(saveSchema, req.body);
    const paper = await visiblePaper(ctx, body.paper);
    let collection: CollectionRow;
    if (body.collection === "new") {
      collection = await createFor(ctx, user, parseBody(fieldsSchema, { name: body.name ?? "" }));
    } else {
      collection = await visibleCollection(ctx, body.collection, user);
      authorize(user, "editCollection", collection);
    }
    const changed = await addPaper(ctx, collection.id, paper.id);
    return answer(req, reply, { collection: collection.id, paper: paper.arxiv_id, saved: true, changed }, safeReturn(body.return_to, `/papers/${paper.arxiv_id}`));
  });
}
