/**
 * What the community adds to a paper page: the viewer's upvote button, the discussion
 * thread with its form, and the curator/moderator tools; plus the same facts for the JSON twin.
 */
import type { FastifyRequest } from "fastify";
import type { VNode } from "preact";
import type { AppContext } from "../context.js";
import type { PaperRow } from "../db/schema.js";
import type { FeedEntry } from "../papers/feed.queries.js";
import { votedPaperIds } from "./votes.queries.js";
import type { VoteState } from "./votes.views.js";

export interface PaperCommunity {
  vote: VoteState | undefined;
  json: Record<string, unknown>;
  views(): { tools: VNode | null; discussion: VNode };
}

export async function paperCommunity(ctx: AppContext, req: FastifyRequest, paper: PaperRow, _entry: FeedEntry | null): Promise<PaperCommunity> {
  const viewer = req.viewer;
  const voted = viewer ? (await votedPaperIds(ctx.db, viewer.id, [paper.id])).has(paper.id) : false;
  return {
    vote: viewer ? { csrf: req.csrfToken, voted } : undefined,
    json: viewer ? { upvotedByYou: voted } : {},
    views: () => ({ tools: null, discussion: <p class="empty">No comments yet.</p> }),
  };
}
