/** Presenters of the community's JSON: the only shapes its rows leave the server in. */
import type { CollectionRow, CommentRow } from "../db/schema.js";
import type { ThreadComment } from "./comments.service.js";
import { renderMarkdown } from "./markdown.js";
import type { VoteResult } from "./votes.queries.js";

export function presentVote(arxivId: string, r: VoteResult) {
  return { paper: arxivId, upvoted: r.upvoted, upvotes: r.upvotes };
}

export function presentComment(c: CommentRow, username: string) {
  return {
    id: c.id,
    parentId: c.parent_id,
    author: username,
    body: c.deleted ? "" : c.body,
    html: c.deleted ? "" : renderMarkdown(c.body).html,
    createdAt: c.created_at,
    editedAt: c.edited_at,
  };
}

export function presentThread(list: ThreadComment[]): unknown[] {
  return list.map((c) => ({
    id: c.id,
    author: c.deleted || c.hidden ? null : c.author.username,
    body: c.body,
    html: c.html,
    createdAt: c.createdAt,
    editedAt: c.editedAt,
    removed: c.deleted || c.hidden,
    replies: presentThread(c.replies),
  }));
}

/** A collection as the JSON twins and the API show it. */
export function presentCollection(base: string, c: CollectionRow, owner: string, papers?: number) {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    visibility: c.public === 1 ? "public" : "private",
    owner,
    url: `${base}/collections/${c.id}`,
    createdAt: c.created_at,
    updatedAt: c.updated_at,
    ...(papers === undefined ? {} : { numPapers: papers }),
  };
}
