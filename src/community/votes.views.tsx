/** The upvote button: a form post without JavaScript, updated in place with it (community.js). */
import type { VNode } from "preact";
import { CsrfField } from "./forms.views.js";

export interface VoteState {
  /** Null when nobody is signed in: the button is then a link to log in. */
  csrf: string | null;
  voted: boolean;
}

export function UpvoteButton({ arxivId, upvotes, state, returnTo }: { arxivId: string; upvotes: number; state: VoteState; returnTo: string }): VNode {
  const inner = (
    <>
      <span class="arrow" aria-hidden="true">▲</span>
      <span class="count">{upvotes}</span>
    </>
  );
  if (!state.csrf) {
    return (
      <a class="vote-login" href={`/login?next=${encodeURIComponent(returnTo)}`} title="Log in to upvote">
        {inner}
        <span class="visually-hidden"> upvotes. Log in to upvote</span>
      </a>
    );
  }
  return (
    <form method="post" action={`/upvote/${arxivId}`} class="vote-form" data-vote>
      <CsrfField token={state.csrf} />
      <input type="hidden" name="vote" value={state.voted ? "0" : "1"} />
      <input type="hidden" name="return_to" value={returnTo} />
      <button type="submit" aria-pressed={state.voted ? "true" : "false"} title={state.voted ? "Remove your upvote" : "Upvote"}>
        {inner}
        <span class="visually-hidden"> upvotes. Upvote</span>
      </button>
    </form>
  );
}
