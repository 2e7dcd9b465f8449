/**
 * What goes into one reader's digest: pure, so every rule is unit-tested without a database.
 *
 * Sections, in priority order: the reader's topic alerts, authors they follow, "for you"
 * (papers similar to ones they upvoted or submitted), then trending. A paper appears once, in
 * the first section that picks it, carrying every reason that applies (it matches "diffusion
 * models" and it is trending); papers the reader was already sent are never picked again.
 */

export type SectionKind = "topics" | "authors" | "for_you" | "trending";

/** How a "for you" seed is the reader's own: "similar to X, which you saved". */
export type SeedVia = "upvoted" | "submitted" | "saved";

export type Reason =
  | { kind: "topic"; query: string }
  | { kind: "author"; name: string }
  | { kind: "similar"; seedTitle: string; seedArxivId: string; via: SeedVia }
  | { kind: "trending"; rank: number };

export interface DigestItem {
  paperId: number;
  reasons: Reason[];
}

export interface DigestSection {
  kind: SectionKind;
  items: DigestItem[];
}

export interface SelectedDigest {
  sections: DigestSection[];
}

export interface SimilarHit {
  id: number;
  score: number;
  seed: { title: string; arxivId: string; via: SeedVia };
}

export interface SelectInput {
  wants: Record<SectionKind, boolean>;
  /** The period's papers by trending score, best first. */
  trending: readonly number[];
  /** Each saved search with its hits in the period, best first. */
  topicHits: ReadonlyArray<{ query: string; ids: readonly number[] }>;
  /** Each followed author with their papers of the period, best first. */
  authorHits: ReadonlyArray<{ name: string; ids: readonly number[] }>;
  /** Papers of the period similar to the reader's own, any order. */
  similar: readonly SimilarHit[];
  /** Papers this reader was already sent (or upvoted, or submitted): never picked. */
  exclude: ReadonlySet<number>;
  limits: DigestLimits;
}

export interface DigestLimits {
  /** Papers one saved search contributes at most, so one broad topic cannot drown the others. */
  perTopic: number;
  topics: number;
  authors: number;
  forYou: number;
  trending: number;
}

export const DAILY_LIMITS: DigestLimits = { perTopic: 5, topics: 12, authors: 10, forYou: 8, trending: 10 };
export const WEEKLY_LIMITS: DigestLimits = { perTopic: 8, topics: 20, authors: 15, forYou: 12, trending: 15 };

/** Round-robin over ranked lists (the best of each topic first, then the second best, ...). */
function interleave(lists: ReadonlyArray<readonly number[]>, perList: number): Array<{ id: number; list: number }> {
  const out: Array<{ id: number; list: number }> = [];
  const depth = Math.min(perList, Math.max(0, ...lists.map((l) => l.length)));
  for (let rank = 0; rank < depth; rank++) {
    lists.forEach((l, i) => {
      if (rank < l.length) out.push({ id: l[rank], list: i });
    });
  }
  return out;
}

export function selectDigest(input: SelectInput): SelectedDigest {
  const placed = new Map<number, DigestItem>();
  const sections: DigestSection[] = [];
  const section = (kind: SectionKind): DigestSection => {
    let s = sections.find((x) => x.kind === kind);
    if (!s) {
      s = { kind, items: [] };
      sections.push(s);
    }
    return s;
  };
  /** Adds a reason to an already placed paper, or places it when the section has room. */
  const offer = (kind: SectionKind, id: number, reason: Reason, room: number): void => {
    if (input.exclude.has(id)) return;
    const existing = placed.get(id);
    if (existing) {
      if (!existing.reasons.some((r) => JSON.stringify(r) === JSON.stringify(reason))) existing.reasons.push(reason);
      return;
    }
    const s = section(kind);
    if (s.items.length >= room) return;
    const item = { paperId: id, reasons: [reason] };
    s.items.push(item);
    placed.set(id, item);
  };

  const topicLists = input.wants.topics ? input.topicHits : [];
  // Every hit of every topic is offered (so a placed paper collects all its topics), but a
  // topic only places its first `perTopic`.
  for (const { id, list } of interleave(topicLists.map((t) => t.ids), Number.MAX_SAFE_INTEGER)) {
    const rank = topicLists[list].ids.indexOf(id);
    const room = rank < input.limits.perTopic ? input.limits.topics : 0;
    offer("topics", id, { kind: "topic", query: topicLists[list].query }, room);
  }
  if (input.wants.authors) {
    for (const { id, list } of interleave(input.authorHits.map((a) => a.ids), Number.MAX_SAFE_INTEGER)) {
      offer("authors", id, { kind: "author", name: input.authorHits[list].name }, input.limits.authors);
    }
  }
  if (input.wants.for_you) {
    // Best similarity first; a paper similar to several of the reader's papers names the closest.
    const best = new Map<number, SimilarHit>();
    for (const h of input.similar) if ((best.get(h.id)?.score ?? -Infinity) < h.score) best.set(h.id, h);
    const ranked = [...best.values()].sort((a, b) => b.score - a.score || a.id - b.id);
    for (const h of ranked) offer("for_you", h.id, { kind: "similar", seedTitle: h.seed.title, seedArxivId: h.seed.arxivId, via: h.seed.via }, input.limits.forYou);
  }
  // Trending last: it fills what is left and marks papers above that are also trending. Only
  // the period's top papers count as trending, whatever the reader was already sent.
  const top = input.trending.slice(0, input.limits.trending * 3);
  top.forEach((id, i) => {
    const room = input.wants.trending ? input.limits.trending : 0;
    if (room === 0 && !placed.has(id)) return;
    offer("trending", id, { kind: "trending", rank: i + 1 }, room);
  });

  const order: SectionKind[] = ["topics", "authors", "for_you", "trending"];
  return { sections: sections.filter((s) => s.items.length > 0).sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind)) };
}

export function digestPaperIds(d: SelectedDigest): number[] {
  return d.sections.flatMap((s) => s.items.map((i) => i.paperId));
}

export function isEmptyDigest(d: SelectedDigest): boolean {
  return d.sections.every((s) => s.items.length === 0);
}

