/** Presenters of the community's JSON: the only shapes its rows leave the server in. */
import type { VoteResult } from "./votes.queries.js";

export function presentVote(arxivId: string, r: VoteResult) {
  return { paper: arxivId, upvoted: r.upvoted, upvotes: r.upvotes };
}
