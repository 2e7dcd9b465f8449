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

export interface Database {
  papers: PapersTable;
  daily_entries: DailyEntriesTable;
  users: UsersTable;
  settings: SettingsTable;
  jobs: JobsTable;
}

export type PaperRow = Selectable<PapersTable>;
export type NewPaperRow = Insertable<PapersTable>;
export type PaperUpdate = Updateable<PapersTable>;
export type DailyEntryRow = Selectable<DailyEntriesTable>;
export type UserRow = Selectable<UsersTable>;
export type JobRow = Selectable<JobsTable>;
