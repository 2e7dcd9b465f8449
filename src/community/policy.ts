/**
 * Who may do what: every rule of the community in one table, checked as the first line of
 * every write through `authorize`. A rule gets the acting user (never null: signing in is
 * checked before) and, where it matters, the target.
 */
import { HttpError } from "../web/errors.js";

export type Role = "reader" | "curator" | "admin";
export const ROLES: readonly Role[] = ["reader", "curator", "admin"];

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

/** The signed-in user as requests see them. */
export interface Viewer {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  banned: boolean;
  unreadNotifications: number;
}

/** How long after posting an author may still edit a comment. */
export const COMMENT_EDIT_WINDOW_MS = 15 * 60_000;

const moderator = (u: Viewer) => u.role === "curator" || u.role === "admin";

type Target = {
  comment: { user_id: number; created_at: string; deleted: number };
  collection: { user_id: number };
  user: { id: number; role: string };
};

const rules = {
  /** Everyone signed in and not banned may take part. */
  vote: (u: Viewer) => !u.banned,
  submit: (u: Viewer) => !u.banned,
  comment: (u: Viewer) => !u.banned,
  editSettings: () => true,
  collect: (u: Viewer) => !u.banned,
  editCollection: (u: Viewer, c: Target["collection"]) => !u.banned && c.user_id === u.id,
  editComment: (u: Viewer, c: Target["comment"], now: Date) =>
    !u.banned && c.user_id === u.id && !c.deleted && now.getTime() - Date.parse(c.created_at) <= COMMENT_EDIT_WINDOW_MS,
  deleteComment: (u: Viewer, c: Target["comment"]) => !u.banned && c.user_id === u.id && !c.deleted,
  feature: (u: Viewer) => !u.banned && moderator(u),
  moderatePaper: (u: Viewer) => !u.banned && moderator(u),
  moderateComment: (u: Viewer) => !u.banned && moderator(u),
  /** Curators ban readers; admins ban anyone but themselves. */
  banUser: (u: Viewer, target: Target["user"]) => !u.banned && moderator(u) && target.id !== u.id && (u.role === "admin" || target.role === "reader"),
} as const;

export type Action = keyof typeof rules;

const refusals: Record<Action, string> = {
  vote: "Your account is suspended: you cannot vote.",
  submit: "Your account is suspended: you cannot submit papers.",
  comment: "Your account is suspended: you cannot comment.",
  editSettings: "You cannot change these settings.",
  collect: "Your account is suspended: you cannot keep collections.",
  editCollection: "Only its owner can change this collection.",
  editComment: "You can edit only your own comments, within 15 minutes of posting them.",
  deleteComment: "You can delete only your own comments.",
  feature: "Only curators and admins can feature papers.",
  moderatePaper: "Only curators and admins can moderate.",
  moderateComment: "Only curators and admins can moderate.",
  banUser: "You cannot ban this user (curators ban readers; nobody bans themselves).",
};

const needSignIn: Record<Action, string> = {
  vote: "Log in to upvote papers.",
  submit: "Log in to submit papers.",
  comment: "Log in to join the discussion.",
  editSettings: "Log in to change your settings.",
  collect: "Log in to keep collections of papers.",
  editCollection: "Log in to change your collections.",
  editComment: "Log in to edit your comments.",
  deleteComment: "Log in to delete your comments.",
  feature: "Log in as a curator to feature papers.",
  moderatePaper: "Log in as a moderator.",
  moderateComment: "Log in as a moderator.",
  banUser: "Log in as a moderator.",
};

type Rest<A extends Action> = (typeof rules)[A] extends (u: Viewer, ...rest: infer R) => boolean ? R : never;

/** True when the rule allows it; for showing or hiding buttons. */
export function can<A extends Action>(user: Viewer | null, action: A, ...rest: Rest<A>): boolean {
  if (!user) return false;
  return (rules[action] as (u: Viewer, ...r: Rest<A>) => boolean)(user, ...rest);
}

/** Throws 401 when nobody is signed in and 403 when the rule refuses; returns the user otherwise. */
export function authorize<A extends Action>(user: Viewer | null, action: A, ...rest: Rest<A>): Viewer {
  if (!user) throw new HttpError(401, needSignIn[action], "unauthenticated");
  if (!can(user, action, ...rest)) throw new HttpError(403, refusals[action], "forbidden");
  return user;
}
