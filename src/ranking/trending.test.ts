import { test } from "node:test";
import assert from "node:assert/strict";
import { trendingScore, TRENDING_WINDOW_SECONDS } from "./trending.js";

const day = (d: string) => new Date(`${d}T00:00:00.000Z`);

test("exact values", () => {
  // 2025-08-05T00:00Z is 1754352000 s after the epoch: 1754352000 / 172800 = 10152.5
  assert.equal(trendingScore(0, 0, day("2025-08-05")), 10152.5);
  assert.equal(trendingScore(9, 0, day("2025-08-05")), 10153.5);
  assert.equal(trendingScore(98, 2, day("2025-08-05")), 10154.5);
  assert.equal(TRENDING_WINDOW_SECONDS, 172800);
});

test("a paper two days newer with 10x fewer interest ties", () => {
  const older = trendingScore(99, 0, day("2025-08-05"));
  const newer = trendingScore(9, 0, day("2025-08-07"));
  assert.ok(Math.abs(older - newer) < 1e-9);
});

test("more votes rank higher on the same day; negative counts never lower the floor", () => {
  assert.ok(trendingScore(5, 0, day("2025-08-05")) > trendingScore(4, 0, day("2025-08-05")));
  assert.ok(trendingScore(0, 3, day("2025-08-05")) > trendingScore(0, 0, day("2025-08-05")));
  assert.equal(trendingScore(-5, -1, day("2025-08-05")), trendingScore(0, 0, day("2025-08-05")));
});
