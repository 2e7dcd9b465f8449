/** The discussion of a paper: the thread, reply/edit/delete/hide controls, and the comment form. */
import type { VNode } from "preact";
import type { ThreadComment } from "./comments.service.js";
import { ButtonForm, CsrfField } from "./forms.views.js";
import { can, type Viewer } from "./policy.js";

export interface DiscussionProps {
  arxivId: string;
  comments: ThreadComment[];
  viewer: Viewer | null;
  csrf: string;
  now: Date;
}

function CommentForm(p: { arxivId: string; csrf: string; parentId?: number; idSuffix: string }): VNode {
  const id = `cb-${p.idSuffix}`;
  return (
    <form method="post" action={`/comment/${p.arxivId}`} class="comment-form stack-form" data-comment-form>
      <CsrfField token={p.csrf} />
      {p.parentId !== undefined && <input type="hidden" name="parent_id" value={String(p.parentId)} />}
      <label for={id}>{p.parentId === undefined ? "Add to the discussion" : "Your reply"}</label>
      <textarea id={id} name="body" required maxLength={10000} rows={p.parentId === undefined ? 4 : 3} aria-describedby="md-hint" />
      <button type="submit" class="btn primary">{p.parentId === undefined ? "Comment" : "Reply"}</button>
    </form>
  );
}

function Comment({ c, p }: { c: ThreadComment; p: DiscussionProps }): VNode {
  const removed = c.deleted || (c.hidden && !(p.viewer && can(p.viewer, "moderateComment")));
  const target = { user_id: c.authorId, created_at: c.createdAt, deleted: c.deleted ? 1 : 0 };
  return (
    <li class="comment" id={`c${c.id}`}>
      <article aria-label={`Comment by ${c.author.username}`}>
        <p class="comment-meta">
          {removed ? <span>—</span> : <a class="author" href={`/u/${c.author.username}`}>{c.author.displayName}</a>}
          <a href={`#c${c.id}`}><time dateTime={c.createdAt}>{c.createdAt.slice(0, 16).replace("T", " ")} UTC</time></a>
          {c.editedAt && !removed && <span>(edited)</span>}
          {c.hidden && !c.deleted && <span class="badge-hidden">hidden by a moderator</span>}
        </p>
        {removed ? (
          <p class="comment-gone">{c.deleted ? "[deleted by its author]" : "[hidden by a moderator]"}</p>
        ) : (
          <div class="comment-body" dangerouslySetInnerHTML={{ __html: c.html }} />
        )}
        {p.viewer && !removed && (
          <div class="comment-actions">
            {can(p.viewer, "comment") && !c.hidden && (
              <details>
                <summary>Reply</summary>
                <CommentForm arxivId={p.arxivId} csrf={p.csrf} parentId={c.id} idSuffix={`r${c.id}`} />
              </details>
            )}
            {can(p.viewer, "editComment", target, p.now) && (
              <details>
                <summary>Edit</summary>
                <form method="post" action={`/comments/${c.id}/edit`} class="comment-form stack-form" data-comment-form>
                  <CsrfField token={p.csrf} />
                  <label for={`ce-${c.id}`}>Edit your comment</label>
                  <textarea id={`ce-${c.id}`} name="body" required maxLength={10000} rows={3}>{c.body}</textarea>
                  <button type="submit" class="btn primary">Save</button>
                </form>
              </details>
            )}
            {can(p.viewer, "deleteComment", target) && <ButtonForm action={`/comments/${c.id}/delete`} csrf={p.csrf} label="Delete" confirm="Delete this comment?" />}
            {can(p.viewer, "moderateComment") && (
              <ButtonForm action={`/comments/${c.id}/moderate`} csrf={p.csrf} label={c.hidden ? "Unhide" : "Hide"} fields={{ action: c.hidden ? "unhide" : "hide", reason: "off-topic or abusive" }} />
            )}
          </div>
        )}
      </article>
      {c.replies.length > 0 && (
        <ol>
          {c.replies.map((r) => (
            <Comment c={r} p={p} />
          ))}
        </ol>
      )}
    </li>
  );
}

export function Discussion(p: DiscussionProps): VNode {
  return (
    <div class="discussion" data-discussion>
      {p.comments.length === 0 ? <p class="empty">No comments yet.</p> : (
        <ol class="comments">
          {p.comments.map((c) => (
            <Comment c={c} p={p} />
          ))}
        </ol>
      )}
      {p.viewer ? (
        can(p.viewer, "comment") ? (
          <>
            <CommentForm arxivId={p.arxivId} csrf={p.csrf} idSuffix="new" />
            <p id="md-hint" class="muted">Markdown works: *emphasis*, `code`, [links](https://…), &gt; quotes. @username notifies someone.</p>
          </>
        ) : (
          <p class="muted">Your account is suspended: you cannot comment.</p>
        )
      ) : (
        <p>
          <a href={`/login?next=${encodeURIComponent(`/papers/${p.arxivId}#discussion`)}`}>Log in</a> to join the discussion.
        </p>
      )}
    </div>
  );
}
