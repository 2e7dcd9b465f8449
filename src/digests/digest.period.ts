/**
 * Digest periods: what one email covers. A daily digest covers one feed day (weekdays only),
 * a weekly one an ISO week; both are named by a key (`day:2026-06-29`, `week:2026-W27`) that
 * is part of the "sent at most once" record. Pure.
 */
import { addDays, dayInZone, formatWeek, parseDay, parseWeek } from "../lib/dates.js";

export type Frequency = "daily" | "weekly";

export interface DigestPeriod {
  key: string;
  frequency: Frequency;
  /** Inclusive feed days. */
  from: string;
  to: string;
}

export function dayPeriod(day: string): DigestPeriod {
  return { key: `day:${day}`, frequency: "daily", from: day, to: day };
}

export function weekPeriod(week: string): DigestPeriod {
  const w = parseWeek(week);
  if (!w.ok) throw new Error(w.reason);
  return { key: `week:${week}`, frequency: "weekly", from: w.from, to: w.to };
}

/** Reads a period key (from a job payload or the command line); null when it is not one. */
export function parsePeriod(key: string): DigestPeriod | null {
  if (key.startsWith("day:")) {
    const d = parseDay(key.slice(4));
    return d.ok ? dayPeriod(d.day) : null;
  }
  if (key.startsWith("week:")) {
    const w = parseWeek(key.slice(5));
    return w.ok ? weekPeriod(w.week) : null;
  }
  return null;
}

function isWeekday(day: string): boolean {
  const dow = new Date(`${day}T00:00:00Z`).getUTCDay();
  return dow >= 1 && dow <= 5;
}

/**
 * The periods that closed by `instant`, seen from FEED_TIMEZONE: the feed day that ended at the
 * last midnight (when it was a weekday), and on Mondays the ISO week that ended. The plan job
 * runs shortly after midnight, so "after the day's feed closes" holds by construction.
 */
export function closedPeriods(instant: Date, timeZone: string): DigestPeriod[] {
  const yesterday = addDays(dayInZone(instant, timeZone), -1);
  const out: DigestPeriod[] = [];
  if (isWeekday(yesterday)) out.push(dayPeriod(yesterday));
  if (new Date(`${yesterday}T00:00:00Z`).getUTCDay() === 0) out.push(weekPeriod(formatWeek(yesterday)));
  return out;
}

/** The latest period of a frequency that contains `day` (for previews of the next digest). */
export function periodContaining(frequency: Frequency, day: string): DigestPeriod {
  return frequency === "daily" ? dayPeriod(day) : weekPeriod(formatWeek(day));
}

// Formatters are made once: building one costs more than formatting a thousand dates.
const WITH_WEEKDAY = new Intl.DateTimeFormat("en-US", { weekday: "long", month: "long", day: "numeric", year: "numeric", timeZone: "UTC" });
const WITHOUT_WEEKDAY = new Intl.DateTimeFormat("en-US", { month: "long", day: "numeric", year: "numeric", timeZone: "UTC" });

export function describePeriod(p: DigestPeriod): string {
  const at = new Date(`${p.from}T00:00:00Z`);
  return p.frequency === "daily" ? WITH_WEEKDAY.format(at) : `the week of ${WITHOUT_WEEKDAY.format(at)}`;
}
