import { test } from "node:test";
import assert from "node:assert/strict";
import { createProgress, formatDuration } from "./progress.js";

/** What a command's stderr receives, as a terminal or as a log. */
function sink(isTTY: boolean) {
  const writes: string[] = [];
  const stream = { isTTY, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test("formatDuration reads as a person would say it", () => {
  assert.equal(formatDuration(0), "0 s");
  assert.equal(formatDuration(42.4), "42 s");
  assert.equal(formatDuration(185), "3 min 05 s");
  assert.equal(formatDuration(3720), "1 h 02 min");
  assert.equal(formatDuration(-3), "0 s");
});

test("on a terminal: a bar filled by the fraction done, the percentage, the rate and the time left", () => {
  const { stream, writes } = sink(true);
  const c = clock();
  const p = createProgress(stream, { unit: "papers", now: c.now });
  c.advance(2000);
  p.update(5000, { fraction: 0.25, label: "5,000 new" });
  assert.equal(writes.length, 1);
  assert.equal(writes[0], `\r\x1b[2K[${"█".repeat(6)}${"░".repeat(18)}] 5,000 papers (25.0%) · 2,500 papers/s · 5,000 new · 6 s left`);
  // Redrawn at most every 100 ms.
  c.advance(50);
  p.update(5100, { fraction: 0.26 });
  assert.equal(writes.length, 1);
  c.advance(2950);
  p.update(20000, { fraction: 1, label: "20,000 new" });
  assert.equal(writes.length, 2);
  assert.ok(writes[1]!.startsWith(`\r\x1b[2K[${"█".repeat(24)}] 20,000 papers (100.0%) · 4,000 papers/s`), writes[1]);
  assert.ok(!writes[1]!.includes("left"), "nothing is left at 100%");
  p.finish();
  assert.equal(writes[2], "\r\x1b[2K20,000 papers · 4,000 papers/s · 20,000 new · in 5 s\n");
});

test("on a terminal, work of unknown size shows a moving block and no percentage", () => {
  const { stream, writes } = sink(true);
  const c = clock(0);
  const p = createProgress(stream, { unit: "papers", now: c.now });
  c.advance(150 * 3);
  p.update(10);
  assert.equal(writes[0], `\r\x1b[2K[${" ".repeat(3)}█${" ".repeat(20)}] 10 papers · 22 papers/s`);
});

test("in a log: whole lines, every 5 s by default, and the last figures at the end", () => {
  const { stream, writes } = sink(false);
  const c = clock();
  const p = createProgress(stream, { unit: "papers", now: c.now });
  p.update(100, { fraction: 0.001 });
  c.advance(1000);
  p.update(1000, { fraction: 0.1 });
  c.advance(4000);
  p.update(5000, { fraction: 0.5 });
  assert.deepEqual(writes, ["100 papers (0.1%)\n", "5,000 papers (50.0%) · 1,000 papers/s · 5 s left\n"]);
  p.finish();
  assert.equal(writes[2], "5,000 papers · 1,000 papers/s · in 5 s\n");
});
