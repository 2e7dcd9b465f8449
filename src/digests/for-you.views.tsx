/** The "for you" page: recent papers like the reader's own, each with the reason it is there. */
import type { VNode } from "preact";
import type { PaperRow } from "../db/schema.js";
import type { FeedEntry } from "../papers/feed.queries.js";
import { PaperCard } from "../papers/papers.views.js";
import type { VoteState } from "../community/index.js";
import { humanShortDay } from "../lib/dates.js";

export interface ForYouProps {
  items: Array<{ paper: PaperRow; entry: FeedEntry | null; reasons: string[] }>;
  seeds: number;
  from: string;
  to: string;
  vote: (paperId: number) => VoteState | undefined;
}

export function ForYouPage(p: ForYouProps): VNode {
  return (
    <section>
      <h1>For you</h1>
      <p class="intro">
        Papers of the feed from {humanShortDay(p.from)} to {humanShortDay(p.to)} most like the ones you upvoted, submitted or saved to a collection.
        The same choice goes into the "for you" part of <a href="/digests/settings">your email digest</a>.
      </p>
      {p.seeds === 0 ? (
        <p class="empty">Nothing to go on yet: upvote, submit or save a few papers, and this page suggests others like them.</p>
      ) : p.items.length === 0 ? (
        <p class="empty">No paper of these days is close to yours. New papers arrive every weekday.</p>
      ) : (
        <ol class="cards">
          {p.items.map((it) => (
            <li>
              <PaperCard paper={it.paper} entry={it.entry} vote={p.vote(it.paper.id)} returnTo="/for-you" />
              <p class="muted why">Why: {it.reasons.join("; ")}</p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
