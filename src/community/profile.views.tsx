/** A user's public profile, and their notification list. */
import type { VNode } from "preact";
import type { FeedItem } from "../papers/feed.queries.js";
import { PaperCard } from "../papers/papers.views.js";
import type { CollectionSummary } from "./collections.queries.js";
import { CollectionList } from "./collections.views.js";
import { ButtonForm, CsrfField } from "./forms.views.js";
import type { NotificationItem } from "./notifications.queries.js";
import type { VoteState } from "./votes.views.js";

export interface ProfileProps {
  username: string;
  displayName: string;
  role: string;
  joined: string;
  banned: boolean;
  submitted: FeedItem[];
  upvoted: FeedItem[];
  /** Public collections only. */
  collections: CollectionSummary[];
  vote: (paperId: number) => VoteState | undefined;
  /** The ban form, for moderators allowed to use it. */
  ban: { csrf: string } | null;
}

function Papers({ items, vote, empty, returnTo }: { items: FeedItem[]; vote: ProfileProps["vote"]; empty: string; returnTo: string }): VNode {
  if (items.length === 0) return <p class="empty">{empty}</p>;
  return (
    <ol class="cards">
      {items.map((it) => (
        <li>
          <PaperCard paper={it.paper} entry={it.entry} vote={vote(it.paper.id)} returnTo={returnTo} />
        </li>
      ))}
    </ol>
  );
}

export function ProfilePage(p: ProfileProps): VNode {
  const self = `/u/${p.username}`;
  return (
    <section>
      <div class="profile-head">
        <img src={`/avatars/${encodeURIComponent(p.username)}.svg`} width={56} height={56} alt="" />
        <div>
          <h1>{p.displayName}</h1>
          <p class="muted">
            @{p.username}
            {p.role !== "reader" && <> · {p.role}</>} · joined {p.joined.slice(0, 10)}
            {p.banned && <> · <strong>banned</strong></>}
          </p>
        </div>
      </div>
      {p.ban && (
        <form method="post" action={`/u/${p.username}/ban`} class="mod-tools">
          <CsrfField token={p.ban.csrf} />
          <input type="hidden" name="action" value={p.banned ? "unban" : "ban"} />
          <label for="ban-reason">Reason (public)</label>
          <input id="ban-reason" type="text" name="reason" required minLength={3} maxLength={500} />
          <button type="submit" class="btn">{p.banned ? "Lift the ban" : "Ban this user"}</button>
        </form>
      )}
      <h2>Submitted</h2>
      <Papers items={p.submitted} vote={p.vote} empty="No submissions yet." returnTo={self} />
      <h2>Upvoted</h2>
      <Papers items={p.upvoted} vote={p.vote} empty="No upvotes yet." returnTo={self} />
      <h2>Collections</h2>
      <CollectionList collections={p.collections} empty="No public collections." />
    </section>
  );
}

const WHAT: Record<string, string> = { mention: "mentioned you", reply: "replied to your comment" };

export function NotificationsPage({ items, csrf }: { items: NotificationItem[]; csrf: string }): VNode {
  const unread = items.some((n) => !n.read);
  return (
    <section>
      <h1>Notifications</h1>
      {unread && <ButtonForm action="/notifications/read" csrf={csrf} label="Mark all as read" />}
      {items.length === 0 ? (
        <p class="empty">Nothing yet. You are told here when someone @mentions you or replies to you.</p>
      ) : (
        <ul class="notif-list">
          {items.map((n) => (
            <li class={n.read ? "" : "unread"}>
              {n.actor ? <a href={`/u/${n.actor}`}>{n.actor}</a> : "Someone"} {WHAT[n.kind] ?? n.kind}
              {n.paper && (
                <>
                  {" on "}
                  <a href={`/papers/${n.paper.arxivId}${n.commentId ? `#c${n.commentId}` : ""}`}>{n.paper.title}</a>
                </>
              )}{" "}
              <time class="muted" dateTime={n.createdAt}>{n.createdAt.slice(0, 16).replace("T", " ")} UTC</time>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
