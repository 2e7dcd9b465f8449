import { test } from "node:test";
import assert from "node:assert/strict";
import { addDays, addMonths, addWeeks, dayInZone, formatWeek, isoWeekOf, parseDay, parseMonth, parseWeek } from "./dates.js";

test("parseDay accepts real dates only", () => {
  assert.deepEqual(parseDay("2025-02-28"), { ok: true, day: "2025-02-28" });
  assert.equal(parseDay("2025-02-29").ok, false);
  assert.equal(parseDay("2024-02-29").ok, true);
  assert.equal(parseDay("2025-13-01").ok, false);
  assert.equal(parseDay("25-01-01").ok, false);
  assert.equal(parseDay("2025-1-01").ok, false);
});

test("ISO weeks: week 1, week 53, and the years they belong to", () => {
  assert.deepEqual(isoWeekOf("2025-01-01"), { year: 2025, week: 1 });
  assert.deepEqual(isoWeekOf("2024-12-30"), { year: 2025, week: 1 });
  assert.deepEqual(isoWeekOf("2021-01-03"), { year: 2020, week: 53 });
  assert.equal(formatWeek("2026-06-30"), "2026-W27");
  assert.deepEqual(parseWeek("2020-W53"), { ok: true, week: "2020-W53", from: "2020-12-28", to: "2021-01-03" });
  assert.deepEqual(parseWeek("2025-W01"), { ok: true, week: "2025-W01", from: "2024-12-30", to: "2025-01-05" });
  const w53 = parseWeek("2025-W53");
  assert.equal(w53.ok, false);
  if (!w53.ok) assert.match(w53.reason, /week 53 does not exist in 2025/);
  assert.equal(parseWeek("2025-W54").ok, false);
  assert.equal(parseWeek("2025-W00").ok, false);
  assert.equal(parseWeek("2025-7").ok, false);
  assert.equal(addWeeks("2025-W52", 1), "2026-W01");
});

test("months and day arithmetic", () => {
  assert.deepEqual(parseMonth("2024-02"), { ok: true, month: "2024-02", from: "2024-02-01", to: "2024-02-29" });
  assert.equal(parseMonth("2024-13").ok, false);
  assert.equal(addMonths("2025-12", 1), "2026-01");
  assert.equal(addMonths("2025-01", -1), "2024-12");
  assert.equal(addDays("2025-03-01", -1), "2025-02-28");
});

test("the feed day of an instant depends on the time zone", () => {
  const t = new Date("2025-08-05T02:30:00.000Z");
  assert.equal(dayInZone(t, "UTC"), "2025-08-05");
  assert.equal(dayInZone(t, "America/New_York"), "2025-08-04");
  assert.equal(dayInZone(t, "Asia/Tokyo"), "2025-08-05");
});
