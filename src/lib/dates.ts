/**
 * Calendar arithmetic of the feed: days are `YYYY-MM-DD` strings in FEED_TIMEZONE, weeks are
 * ISO weeks `YYYY-Www`, months `YYYY-MM`. Pure; days are handled as UTC dates internally so
 * no local time zone of the machine can shift them.
 */

export type Period =
  | { kind: "day"; day: string }
  | { kind: "week"; week: string; from: string; to: string }
  | { kind: "month"; month: string; from: string; to: string };

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEK = /^(\d{4})-W(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;

function utc(y: number, m: number, d: number): Date {
  return new Date(Date.UTC(y, m - 1, d));
}

export function formatDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** A real calendar day in YYYY-MM-DD, or an error message. */
export function parseDay(s: string): { ok: true; day: string } | { ok: false; reason: string } {
  const m = DAY.exec(s);
  if (!m) return { ok: false, reason: `"${s}" is not a date in YYYY-MM-DD form` };
  const d = utc(Number(m[1]), Number(m[2]), Number(m[3]));
  if (formatDay(d) !== s) return { ok: false, reason: `"${s}" is not a real calendar date` };
  return { ok: true, day: s };
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return formatDay(d);
}

/** Number of ISO weeks in an ISO week-year: 53 when Dec 28 falls in week 53. */
function weeksInYear(year: number): number {
  return isoWeekOf(formatDay(utc(year, 12, 28))).week;
}

/** The ISO week-year and week number of a day. */
export function isoWeekOf(day: string): { year: number; week: number } {
  const d = new Date(`${day}T00:00:00Z`);
  const dow = d.getUTCDay() || 7; // Monday 1 .. Sunday 7
  d.setUTCDate(d.getUTCDate() + 4 - dow); // the Thursday of this week decides its year
  const year = d.getUTCFullYear();
  const jan1 = utc(year, 1, 1);
  const week = Math.ceil(((d.getTime() - jan1.getTime()) / 86400000 + 1) / 7);
  return { year, week };
}

export function formatWeek(day: string): string {
  const { year, week } = isoWeekOf(day);
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** Monday..Sunday of an ISO week, or an error message (e.g. week 54). */
export function parseWeek(s: string): { ok: true; week: string; from: string; to: string } | { ok: false; reason: string } {
  const m = WEEK.exec(s);
  if (!m) return { ok: false, reason: `"${s}" is not an ISO week in YYYY-Www form (e.g. 2025-W07)` };
  const year = Number(m[1]);
  const week = Number(m[2]);
  const max = weeksInYear(year);
  if (week < 1 || week > max) return { ok: false, reason: `week ${week} does not exist in ${year} (weeks 1..${max})` };
  const jan4 = utc(year, 1, 4); // always in week 1
  const monday = new Date(jan4);
  monday.setUTCDate(jan4.getUTCDate() - ((jan4.getUTCDay() || 7) - 1) + (week - 1) * 7);
  const from = formatDay(monday);
  return { ok: true, week: s, from, to: addDays(from, 6) };
}

export function parseMonth(s: string): { ok: true; month: string; from: string; to: string } | { ok: false; reason: string } {
  const m = MONTH.exec(s);
  if (!m) return { ok: false, reason: `"${s}" is not a month in YYYY-MM form` };
  const month = Number(m[2]);
  if (month < 1 || month > 12) return { ok: false, reason: `month ${m[2]} is not 01..12` };
  const from = `${m[1]}-${m[2]}-01`;
  const last = utc(Number(m[1]), month + 1, 0);
  return { ok: true, month: s, from, to: formatDay(last) };
}

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split("-").map(Number);
  const d = utc(y, m + n, 1);
  return formatDay(d).slice(0, 7);
}

export function addWeeks(week: string, n: number): string {
  const p = parseWeek(week);
  if (!p.ok) throw new Error(p.reason);
  return formatWeek(addDays(p.from, 7 * n));
}

/** The feed day an instant falls on in a time zone. */
export function dayInZone(instant: Date, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(instant);
}

const LONG = new Intl.DateTimeFormat("en-US", { weekday: "long", year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
const MONTH_NAME = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "long", timeZone: "UTC" });
const SHORT = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });

export function humanDay(day: string): string {
  return LONG.format(new Date(`${day}T00:00:00Z`));
}

export function humanShortDay(day: string): string {
  return SHORT.format(new Date(`${day}T00:00:00Z`));
}

export function humanMonth(month: string): string {
  return MONTH_NAME.format(new Date(`${month}-01T00:00:00Z`));
}
