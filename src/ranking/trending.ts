/**
 * Trending: the one ranking formula of the site, Lobsters/Reddit style. The score grows with
 * the log of community interest and linearly with the time the paper entered the feed, so a
 * newer paper needs fewer votes to rank as high:
 *
 *   score = log10(max(1, interest)) + featuredAt / TRENDING_WINDOW_SECONDS
 *   interest = 1 + upvotes + COMMENT_WEIGHT * comments
 *
 * Because time enters as a growing constant rather than a decaying factor, a stored score
 * never goes stale: it changes only when its paper gets a vote or a comment, and the trending
 * page is a plain `ORDER BY trending_score DESC` on an index.
 */

/**
 * Seconds over which the score of a paper's featuring time grows by 1, i.e. the age at which
 * a paper needs 10x the interest to rank level with a fresh one. Two days: a strong paper
 * stays up through a weekend; last week's papers need a lot of votes to hold on.
 */
export const TRENDING_WINDOW_SECONDS = 2 * 24 * 3600;

/** A comment is worth a fraction of a vote: discussion signals interest but is cheaper to game with replies. */
export const COMMENT_WEIGHT = 0.5;

/** How far back the trending page looks (days before the latest feed day). */
export const TRENDING_DAYS = 7;

/** When a paper entered the feed: its feed day at 00:00 UTC; a paper never featured counts from its first version. */
export function featuredAt(day: string | null, firstVersionAt: string): Date {
  return day ? new Date(`${day}T00:00:00.000Z`) : new Date(firstVersionAt);
}

export function trendingScore(upvotes: number, comments: number, featuredAt: Date): number {
  // The +1 lets a paper with no interest yet score by its time alone (log10(1) = 0).
  const interest = 1 + Math.max(0, upvotes) + COMMENT_WEIGHT * Math.max(0, comments);
  const order = Math.log10(Math.max(1, interest));
  const seconds = featuredAt.getTime() / 1000;
  return order + seconds / TRENDING_WINDOW_SECONDS;
}
