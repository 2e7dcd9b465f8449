import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { authorKey } from "../papers/papers.present.js";
import { DAILY_LIMITS, selectDigest, type SelectInput } from "./digest.select.js";
import { digestSubject, renderDigest, shortAbstract } from "./digest.render.js";
import { closedPeriods, parsePeriod } from "./digest.period.js";
import { subscriptionToken, verifySubscriptionToken, verifyViewToken, viewToken } from "./digest.tokens.js";

const base: SelectInput = {
  wants: { topics: true, authors: true, for_you: true, trending: true },
  trending: [1, 2, 3, 4, 5, 6],
  topicHits: [],
  authorHits: [],
  similar: [],
  exclude: new Set(),
  limits: { ...DAILY_LIMITS, trending: 3, perTopic: 2 },
};

describe("digest selection", () => {
  it("places a paper once, in its first section, with every reason", () => {
    const d = selectDigest({
      ...base,
      topicHits: [{ query: "diffusion", ids: [2, 7] }, { query: "video", ids: [7, 8, 9] }],
      authorHits: [{ name: "Ada", ids: [7, 10] }],
      similar: [{ id: 10, score: 0.5, seed: { title: "S", arxivId: "x", via: "upvoted" } }, { id: 11, score: 0.9, seed: { title: "T", arxivId: "y", via: "submitted" } }, { id: 11, score: 0.2, seed: { title: "S", arxivId: "x", via: "upvoted" } }],
    });
    assert.deepEqual(d.sections.map((s) => [s.kind, s.items.map((i) => i.paperId)]), [["topics", [2, 7, 8]], ["authors", [10]], ["for_you", [11]], ["trending", [1, 3, 4]]]);
    const seven = d.sections[0].items.find((i) => i.paperId === 7)!;
    // Topics take turns (each one's best first): 7 is placed as video's best, then gains diffusion's reason.
    assert.deepEqual(seven.reasons, [{ kind: "topic", query: "video" }, { kind: "topic", query: "diffusion" }, { kind: "author", name: "Ada" }]);
    // Paper 2 is a topic hit and trending #2: both reasons, listed once.
    assert.deepEqual(d.sections[0].items[0].reasons, [{ kind: "topic", query: "diffusion" }, { kind: "trending", rank: 2 }]);
    // The closest of the reader's papers names the reason; 10 was placed by its author first.
    assert.deepEqual(d.sections[2].items[0].reasons, [{ kind: "similar", seedTitle: "T", seedArxivId: "y", via: "submitted" }]);
    assert.deepEqual(d.sections[1].items[0].reasons.map((r) => r.kind), ["author", "similar"]);
  });

  it("never picks what the reader already got, and leaves out sections they did not ask for", () => {
    const d = selectDigest({ ...base, wants: { ...base.wants, topics: false }, topicHits: [{ query: "q", ids: [9] }], exclude: new Set([1, 2]) });
    assert.deepEqual(d.sections.map((s) => [s.kind, s.items.map((i) => i.paperId)]), [["trending", [3, 4, 5]]]);
    assert.equal(selectDigest({ ...base, wants: { topics: true, authors: false, for_you: false, trending: false } }).sections.length, 0, "no news: nothing to send");
  });

  it("matches authors however they are written", () => {
    assert.equal(authorKey("José  Ramón.García"), authorKey("jose ramon garcia"));
  });
});

describe("digest rendering, periods and tokens", () => {
  it("escapes titles, renders TeX readable and cuts long abstracts", () => {
    const papers = new Map([[1, { arxivId: "2606.00001", title: "<b>$\\alpha$-Nets</b>", authors: ["A", "B"], abstract: "word ".repeat(200) }]]);
    const r = renderDigest({ sections: [{ kind: "trending", items: [{ paperId: 1, reasons: [{ kind: "trending", rank: 1 }] }] }] }, papers, { baseUrl: "https://p.example", periodLabel: "Monday, June 29, 2026", frequency: "daily", browserUrl: "https://p.example/digests/1?t=x", manageUrl: "https://p.example/m", unsubscribeUrl: "https://p.example/u" });
    assert.match(r.html, /&lt;b&gt;α-Nets&lt;\/b&gt;/);
    assert.doesNotMatch(r.html, /<b>/);
    assert.match(r.text, /\* <b>α-Nets<\/b>\n {2}A, B\n {2}Why: trending #1/);
    assert.ok(shortAbstract("word ".repeat(200)).length <= 321);
    assert.equal(r.subject, "Daily Papers digest: 1 paper for Monday, June 29, 2026");
    assert.equal(digestSubject({ sections: [] }, { periodLabel: "x", frequency: "weekly" }), "Daily Papers weekly digest: 0 papers for x");
  });

  it("a day closes at midnight in the feed's time zone; weekends send no daily digest; Mondays close a week", () => {
    const keys = (iso: string, tz = "America/New_York") => closedPeriods(new Date(iso), tz).map((p) => p.key);
    assert.deepEqual(keys("2026-06-30T04:20:00Z"), ["day:2026-06-29"]); // 00:20 Tuesday in New York
    assert.deepEqual(keys("2026-06-30T03:59:00Z"), ["week:2026-W26"], "23:59 Monday in New York: Monday has not closed yet");
    assert.deepEqual(keys("2026-06-29T04:20:00Z"), ["week:2026-W26"]); // 00:20 Monday: the week closed
    assert.deepEqual(keys("2026-06-27T04:20:00Z"), ["day:2026-06-26"]); // 00:20 Saturday: Friday closed
    assert.equal(parsePeriod("week:2025-W53"), null);
    assert.equal(parsePeriod("day:2026-02-30"), null);
    assert.deepEqual(parsePeriod("week:2026-W27"), { key: "week:2026-W27", frequency: "weekly", from: "2026-06-29", to: "2026-07-05" });
  });

  it("signed tokens verify only for their id and purpose", () => {
    const t = subscriptionToken("secret-a", 42);
    assert.equal(verifySubscriptionToken("secret-a", t), 42);
    assert.equal(verifySubscriptionToken("secret-b", t), null);
    assert.equal(verifySubscriptionToken("secret-a", t.replace(/^42/, "43")), null);
    assert.equal(verifySubscriptionToken("secret-a", viewToken("secret-a", 42)), null);
    assert.equal(verifyViewToken("secret-a", 42, viewToken("secret-a", 42)), true);
    assert.equal(verifySubscriptionToken("secret-a", undefined), null);
  });
});
