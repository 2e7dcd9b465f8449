/**
 * The tables, typed. Timestamps are ISO 8601 UTC strings (`toISOString()`) in both databases:
 * they sort correctly as text, survive better-sqlite3 (which refuses Date parameters) and come
 * back from both drivers the same way. Feed days are `YYYY-MM-DD` in FEED_TIMEZONE.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

export interface PapersTable {
  id: Generated<number>;
  arxiv_id: string;
  version: number;
  title: string;
  abstract: string;
  /** JSON array of author names, in order. */
  authors: string;
  /** Author names joined by ", ": what full-text search indexes. */
  authors_text: string;
  /** Space-separated categories, primary first. */
  categories: string;
  primary_category: string;
  comment: string | null;
  journal_ref: string | null;
  doi: string | null;
  github_repo: string | null;
  project_page: string | null;
  first_version_at: string;
  latest_version_at: string;
  /** Hash of the stored metadata: an import of the same version with the same hash is "unchanged". */
  content_hash: string;
  upvotes: ColumnType<number, number | undefined, number>;
  num_comments: ColumnType<number, number | undefined, number>;
  /** Stored trending score, recomputed with each vote (see ranking/). */
  trending_score: ColumnType<number, number | undefined, number>;
  /** 1 when a moderator hid the paper from feeds. */
  hidden: ColumnType<number, number | undefined, number>;
  created_at: string;
  updated_at: string;
}

export interface DailyEntriesTable {
  id: Generated<number>;
  paper_id: number;
  /** Feed day, YYYY-MM-DD in FEED_TIMEZONE. */
  day: string;
  /** import | submission | curator | harvest */
  source: string;
  submitted_by: number | null;
  submitted_at: string;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  email: string;
  display_name: string;
  password_hash: string;
  /** reader | curator | admin */
  role: string;
  created_at: string;
  /** When the owner followed the emailed confirmation link; null until then. */
  email_confirmed_at: string | null;
  /** When a moderator banned the user; a banned user can read but not write. */
  banned_at: string | null;
  /** 1 when mentions and replies are also sent by email. */
  notify_by_email: ColumnType<number, number | undefined, number>;
}

export interface SessionsTable {
  /** SHA-256 of the cookie's token (hex). */
  id: string;
  user_id: number;
  created_at: string;
  expires_at: string;
}

export interface AuthTokensTable {
  /** SHA-256 of the emailed token (hex). */
  token_hash: string;
  user_id: number;
  /** confirm | reset */
  purpose: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface VotesTable {
  user_id: number;
  paper_id: number;
  created_at: string;
}

export interface CollectionsTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  description: ColumnType<string, string | undefined, string>;
  /** 1: anyone may see it (and it shows on the owner's profile); 0: only its owner. */
  public: ColumnType<number, number | undefined, number>;
  created_at: string;
  updated_at: string;
}

export interface CollectionPapersTable {
  collection_id: number;
  paper_id: number;
  added_at: string;
}

export interface CommentsTable {
  id: Generated<number>;
  paper_id: number;
  user_id: number;
  parent_id: number | null;
  /** Markdown source; rendered and sanitised on display. Emptied when the author deletes. */
  body: string;
  hidden: ColumnType<number, number | undefined, number>;
  deleted: ColumnType<number, number | undefined, number>;
  created_at: string;
  edited_at: string | null;
}

export interface NotificationsTable {
  id: Generated<number>;
  user_id: number;
  /** mention | reply */
  kind: string;
  actor_id: number | null;
  paper_id: number | null;
  comment_id: number | null;
  created_at: string;
  read_at: string | null;
}

export interface ModerationLogTable {
  id: Generated<number>;
  moderator_id: number | null;
  /** hide_paper | unhide_paper | hide_comment | unhide_comment | ban_user | unban_user | feature_paper */
  action: string;
  /** paper | comment | user */
  target_kind: string;
  target_id: number;
  target_label: string;
  reason: string;
  created_at: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface JobsTable {
  id: Generated<number>;
  name: string;
  /** JSON payload. */
  payload: string;
  unique_key: string | null;
  run_at: string;
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: ColumnType<number, number | undefined, number>;
  locked_by: string | null;
  locked_until: string | null;
  last_error: string | null;
  done_at: string | null;
  failed_at: string | null;
  created_at: string;
}

export interface HarvestStateTable {
  set_spec: string;
  last_datestamp: string | null;
  resumption_token: string | null;
  token_from: string | null;
  updated_at: string;
}

export interface DigestSubscriptionsTable {
  id: Generated<number>;
  /** Lower-cased; one subscription per address. */
  email: string;
  /** The account it belongs to (signed-in subscribers), or null for a visitor's. */
  user_id: number | null;
  /** daily | weekly */
  frequency: string;
  trending: number;
  for_you: number;
  topics: number;
  authors: number;
  /** pending | active | unsubscribed | bounced */
  status: string;
  /** SHA-256 of the emailed double opt-in token (hex), until it is used. */
  confirm_token_hash: string | null;
  confirm_expires_at: string | null;
  created_at: string;
  confirmed_at: string | null;
  updated_at: string;
}

export interface DigestTopicsTable {
  id: Generated<number>;
  subscription_id: number;
  query: string;
  /** Space-separated arXiv categories; empty: any. */
  categories: string;
  created_at: string;
}

export interface DigestAuthorsTable {
  subscription_id: number;
  author_key: string;
  name: string;
  created_at: string;
}

export interface DigestSendsTable {
  id: Generated<number>;
  subscription_id: number;
  /** day:YYYY-MM-DD or week:YYYY-Www */
  period: string;
  /** sending | sent | retry | unknown | bounced | empty */
  status: string;
  message_id: string;
  /** JSON of the selected digest (sections, paper ids, reasons). */
  content: string;
  paper_count: ColumnType<number, number | undefined, number>;
  attempts: ColumnType<number, number | undefined, number>;
  error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface DigestSentPapersTable {
  subscription_id: number;
  paper_id: number;
  send_id: number;
}

export interface RateLimitsTable {
  /** The limit's name and who it counts (an address or a user). */
  key: string;
  hits: number;
  reset_at: string;
}

export interface Database {
  papers: PapersTable;
  daily_entries: DailyEntriesTable;
  users: UsersTable;
  settings: SettingsTable;
  jobs: JobsTable;
  sessions: SessionsTable;
  auth_tokens: AuthTokensTable;
  votes: VotesTable;
  comments: CommentsTable;
  notifications: NotificationsTable;
  moderation_log: ModerationLogTable;
  harvest_state: HarvestStateTable;
  digest_subscriptions: DigestSubscriptionsTable;
  digest_topics: DigestTopicsTable;
  digest_authors: DigestAuthorsTable;
  digest_sends: DigestSendsTable;
  digest_sent_papers: DigestSentPapersTable;
  rate_limits: RateLimitsTable;
  collections: CollectionsTable;
  collection_papers: CollectionPapersTable;
}

export type PaperRow = Selectable<PapersTable>;
export type CollectionRow = Selectable<CollectionsTable>;
export type NewPaperRow = Insertable<PapersTable>;
export type PaperUpdate = Updateable<PapersTable>;
export type DailyEntryRow = Selectable<DailyEntriesTable>;
export type UserRow = Selectable<UsersTable>;
export type JobRow = Selectable<JobsTable>;
export type CommentRow = Selectable<CommentsTable>;
export type NotificationRow = Selectable<NotificationsTable>;
export type ModerationLogRow = Selectable<ModerationLogTable>;
export type DigestSubscriptionRow = Selectable<DigestSubscriptionsTable>;
export type DigestSendRow = Selectable<DigestSendsTable>;
