/**
 * The community: accounts, sessions, CSRF, votes, submissions, comments, collections,
 * moderation and notifications. Other features import it only through this file.
 */
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { registerAccountRoutes } from "./accounts.routes.js";
import { registerCsrf } from "./csrf.js";
import { registerSessions } from "./sessions.js";
import { registerVoteRoutes } from "./votes.routes.js";
import { registerCommentRoutes } from "./comments.routes.js";
import { registerModerationRoutes } from "./moderation.routes.js";
import { registerProfileRoutes } from "./profile.routes.js";
import { registerSubmissionRoutes } from "./submissions.routes.js";
import { registerCollectionRoutes } from "./collections.routes.js";
import type { SubmitOptions } from "./submissions.service.js";

/** Hooks every request passes: who is asking (onRequest), and the CSRF check of writes (preHandler). */
export function registerCommunityHooks(app: FastifyInstance, ctx: AppContext): void {
  registerSessions(app, ctx);
  registerCsrf(app, ctx);
}

/** `fetchUnknown` lets submissions of papers we do not hold fetch them (the arXiv API client). */
export function registerCommunity(app: FastifyInstance, ctx: AppContext, opts: SubmitOptions = {}): void {
  registerAccountRoutes(app, ctx);
  registerVoteRoutes(app, ctx);
  registerCommentRoutes(app, ctx);
  registerModerationRoutes(app, ctx);
  registerProfileRoutes(app, ctx);
  registerSubmissionRoutes(app, ctx, opts);
  registerCollectionRoutes(app, ctx);
}

export type { Viewer } from "./policy.js";
export { submitPaper, featurePaper, type FetchUnknown } from "./submissions.service.js";
export { votedPaperIds } from "./votes.queries.js";
export { paperCommunity } from "./paper.community.js";
export { UpvoteButton, type VoteState } from "./votes.views.js";
export { refreshTrendingScores } from "./trending.queries.js";
export { csrfForForm } from "./csrf.js";
export { CheckInbox, CsrfField, FormError, Notice, ButtonForm } from "./forms.views.js";
export { answer, field, tryParseBody, wantsJson } from "./respond.js";
export { emailSchema } from "./accounts.service.js";
export { authorize } from "./policy.js";
