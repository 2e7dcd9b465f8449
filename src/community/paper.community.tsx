/**
 * What the community adds to a paper page: the viewer's upvote button, the discussion
 * thread with its form, and the curator/moderator tools; plus the same facts for the JSON twin.
 */
import type { FastifyRequest } from "fastify";
import type { VNode } from "preact";
import type { AppContext } from "../context.js";
import type { PaperRow } from "../db/schema.js";
import { dayInZone } from "../lib/dates.js";
import type { FeedEntry } from "../papers/feed.queries.js";
import { commentThread } from "./comments.service.js";
import { Discussion } from "./comments.views.js";
import { presentThread } from "./community.present.js";
import { collectionsHolding, listCollections } from "./collections.queries.js";
import { SaveToCollection } from "./collections.views.js";
import { can } from "./policy.js";
import { FeatureForm } from "./submissions.views.js";
import { votedPaperIds } from "./votes.queries.js";
import type { VoteState } from "./votes.views.js";

export interface PaperCommunity {
  vote: VoteState | undefined;
  json: Record<string, unknown>;
  views(): { tools: VNode | null; save: VNode | null; discussion: VNode };
}

export async function paperCommunity(ctx: AppContext, req: FastifyRequest, paper: PaperRow, entry: FeedEntry | null): Promise<PaperCommunity> {
  const viewer = req.viewer;
  const moderator = can(viewer, "moderatePaper");
  const collects = can(viewer, "collect");
  const [voted, comments, mine, holding] = await Promise.all([
    viewer ? votedPaperIds(ctx.db, viewer.id, [paper.id]).then((s) => s.has(paper.id)) : Promise.resolve(false),
    commentThread(ctx.db, paper.id, { showHidden: moderator }),
    viewer && collects ? listCollections(ctx.db, viewer.id, { publicOnly: false }) : Promise.resolve([]),
    viewer && collects ? collectionsHolding(ctx.db, viewer.id, paper.id) : Promise.resolve(new Set<number>()),
  ]);
  const now = ctx.now();
  return {
    vote: viewer ? { csrf: req.csrfToken, voted } : undefined,
    json: { comments: presentThread(comments), ...(viewer ? { upvotedByYou: voted, inYourCollections: [...holding] } : {}) },
    views: () => ({
      tools: moderator ? (
        <section class="mod-tools" aria-label="Curator tools">
          {!entry && can(viewer, "feature") && <FeatureForm arxivId={paper.arxiv_id} csrf={req.csrfToken} today={dayInZone(now, ctx.config.feedTimeZone)} />}
          <form method="post" action={`/moderate/paper/${paper.arxiv_id}`}>
            <input type="hidden" name="_csrf" value={req.csrfToken} />
            <input type="hidden" name="action" value="hide" />
            <label for="mod-reason">Reason</label>
            <input id="mod-reason" type="text" name="reason" required maxLength={500} />
            <button type="submit" class="btn">Hide from feeds</button>
          </form>
        </section>
      ) : null,
      save: viewer && collects
        ? <SaveToCollection arxivId={paper.arxiv_id} csrf={req.csrfToken} collections={mine.map((c) => ({ id: c.id, name: c.name, holds: holding.has(c.id) }))} />
        : null,
      discussion: <Discussion arxivId={paper.arxiv_id} comments={comments} viewer={viewer} csrf={req.csrfToken} now={now} />,
    }),
  };
}

