/**
 * Building one reader's digest from the database: the period's papers are loaded once per
 * period and shared by every reader (PeriodData: papers, trending order, authors, caches of
 * topic and similarity lookups); per reader only their topics, authors, own papers and sent
 * history are read, then the pure selection (digest.select.ts) decides.
 */
import { sql } from "kysely";
import type { Db } from "../db/database.js";
import type { DigestSubscriptionRow } from "../db/schema.js";
import { authorKey, authorsOf } from "../papers/papers.present.js";
import type { DigestPeriod } from "./digest.period.js";
import { DAILY_LIMITS, selectDigest, WEEKLY_LIMITS, type DigestItem, type SeedVia, type SelectedDigest, type SimilarHit } from "./digest.select.js";
import { TermIndex, type DigestSources, type SeedPaper } from "./digest.sources.js";
import { tokenize } from "../search/tokenize.js";
import type { RenderPaper } from "./digest.render.js";
import type { Topic } from "./subscriptions.queries.js";

export interface WindowPaper extends RenderPaper {
  id: number;
  categories: string[];
  upvotes: number;
}

export interface PeriodData {
  period: DigestPeriod;
  papers: ReadonlyMap<number, WindowPaper>;
  /** Paper ids by trending score, best first. */
  trending: readonly number[];
  /** authorKey → the author's papers of the period, in trending order. */
  byAuthor: ReadonlyMap<string, readonly number[]>;
  termIndex(): TermIndex;
  topicHits(topic: Topic): Promise<number[]>;
  similarHits(seed: SeedPaper): Promise<Array<{ id: number; score: number }>>;
}

/** Reads the papers featured in a period's feed days (hidden ones never go out). */
export async function loadPeriod(db: Db, period: DigestPeriod, sources: DigestSources): Promise<PeriodData> {
  const rows = await db
    .selectFrom("daily_entries as e")
    .innerJoin("papers as p", "p.id", "e.paper_id")
    .select(["p.id", "p.arxiv_id", "p.title", "p.authors", "p.abstract", "p.categories", "p.upvotes", "p.trending_score"])
    .where("e.day", ">=", period.from)
    .where("e.day", "<=", period.to)
    .where("p.hidden", "=", 0)
    .orderBy("p.trending_score", "desc")
    .orderBy("p.arxiv_id", "desc")
    .execute();
  const papers = new Map<number, WindowPaper>();
  const byAuthor = new Map<string, number[]>();
  for (const r of rows) {
    if (papers.has(r.id)) continue;
    const authors = authorsOf(r);
    papers.set(r.id, { id: r.id, arxivId: r.arxiv_id, title: r.title, authors, abstract: r.abstract, categories: r.categories.split(" ").filter(Boolean), upvotes: r.upvotes });
    for (const a of authors) {
      const k = authorKey(a);
      const list = byAuthor.get(k);
      if (list) list.push(r.id);
      else byAuthor.set(k, [r.id]);
    }
  }
  let index: TermIndex | null = null;
  const tokens = new Map<number, Set<string>>();
  const tokensOf = (p: WindowPaper) => {
    let t = tokens.get(p.id);
    if (!t) tokens.set(p.id, (t = new Set(tokenize(`${p.title} ${p.abstract} ${p.authors.join(" ")}`))));
    return t;
  };
  const topicCache = new Map<string, Promise<number[]>>();
  const similarCache = new Map<number, Promise<Array<{ id: number; score: number }>>>();
  const data: PeriodData = {
    period,
    papers,
    trending: [...papers.keys()],
    byAuthor,
    termIndex: () => (index ??= new TermIndex(papers.values())),
    topicHits(topic) {
      const key = `${topic.query.toLowerCase()}\u0000${[...topic.categories].sort().join(" ")}`;
      let hit = topicCache.get(key);
      if (!hit) {
        const terms = [...new Set(tokenize(topic.query))];
        // An alert is mail someone gets every day: it must be precise. Ranking engines match
        // any query word (BM25) or only meaning (embeddings), so "quantum gravity" would bring
        // "quantum chemistry"; a hit must contain every word of a short query, and most words
        // of a longer, descriptive one.
        const need = terms.length <= 3 ? terms.length : Math.ceil(terms.length * 0.6);
        const precise = (id: number) => {
          const t = tokensOf(papers.get(id)!);
          let n = 0;
          for (const w of terms) if (t.has(w)) n++;
          return n >= need;
        };
        hit = papers.size === 0 || terms.length === 0 ? Promise.resolve([]) : sources.searchTopic(topic, data).then((ids) => ids.filter((id) => papers.has(id) && precise(id)));
        topicCache.set(key, hit);
      }
      return hit;
    },
    similarHits(seed) {
      let hit = similarCache.get(seed.id);
      if (!hit) similarCache.set(seed.id, (hit = papers.size === 0 ? Promise.resolve([]) : sources.similarTo(seed, data)));
      return hit;
    },
  };
  return data;
}

export interface ReaderData {
  topics: Topic[];
  authors: string[];
  seeds: Array<SeedPaper & { via: SeedVia }>;
  /** Papers of the period already sent to this reader. */
  sent: Set<number>;
}

/** The reader's own papers that "for you" starts from: recent upvotes, submissions and saves. */
const MAX_SEEDS = 20;

export async function loadReader(db: Db, sub: DigestSubscriptionRow, period: DigestPeriod): Promise<ReaderData> {
  return (await loadReaders(db, [sub], period)).get(sub.id)!;
}

/**
 * The readers' data of several subscriptions at once (a send batch): one query per kind of
 * data for all of them, whatever their number, instead of four or five per reader.
 */
export async function loadReaders(db: Db, subs: readonly DigestSubscriptionRow[], period: DigestPeriod): Promise<Map<number, ReaderData>> {
  const out = new Map<number, ReaderData>();
  for (const s of subs) out.set(s.id, { topics: [], authors: [], seeds: [], sent: new Set() });
  if (subs.length === 0) return out;
  const withTopics = subs.filter((s) => s.topics === 1).map((s) => s.id);
  const withAuthors = subs.filter((s) => s.authors === 1).map((s) => s.id);
  const users = [...new Set(subs.filter((s) => s.for_you === 1 && s.user_id !== null).map((s) => s.user_id!))];
  const [topics, authors, seeds, sent] = await Promise.all([
    withTopics.length ? db.selectFrom("digest_topics").select(["subscription_id", "query", "categories"]).where("subscription_id", "in", withTopics).orderBy("id").execute() : [],
    withAuthors.length ? db.selectFrom("digest_authors").select(["subscription_id", "name"]).where("subscription_id", "in", withAuthors).execute() : [],
    loadSeeds(db, users),
    sql<{ subscription_id: number; paper_id: number }>`select sp.subscription_id, sp.paper_id from digest_sent_papers sp join daily_entries e on e.paper_id = sp.paper_id
      where sp.subscription_id in (${sql.join(subs.map((s) => s.id))}) and e.day >= ${period.from} and e.day <= ${period.to}`.execute(db).then((r) => r.rows),
  ]);
  for (const t of topics) out.get(t.subscription_id)!.topics.push({ query: t.query, categories: t.categories.split(" ").filter(Boolean) });
  for (const a of authors) out.get(a.subscription_id)!.authors.push(a.name);
  for (const r of sent) out.get(Number(r.subscription_id))!.sent.add(Number(r.paper_id));
  for (const s of subs) if (s.for_you === 1 && s.user_id !== null) out.get(s.id)!.seeds = seeds.get(s.user_id) ?? [];
  return out;
}

/** Each user's latest MAX_SEEDS upvotes, submissions and saves to a collection (a window per user, one query each). */
async function loadSeeds(db: Db, userIds: number[]): Promise<Map<number, ReaderData["seeds"]>> {
  const out = new Map<number, ReaderData["seeds"]>();
  if (userIds.length === 0) return out;
  type Row = { user_id: number; id: number; arxiv_id: string; title: string; abstract: string };
  const [voted, submitted, saved] = await Promise.all([
    sql<Row>`select user_id, id, arxiv_id, title, abstract from (
        select v.user_id, p.id, p.arxiv_id, p.title, p.abstract, row_number() over (partition by v.user_id order by v.created_at desc) as rn
        from votes v join papers p on p.id = v.paper_id where v.user_id in (${sql.join(userIds)})
      ) x where rn <= ${MAX_SEEDS} order by user_id, rn`.execute(db).then((r) => r.rows),
    sql<Row>`select user_id, id, arxiv_id, title, abstract from (
        select e.submitted_by as user_id, p.id, p.arxiv_id, p.title, p.abstract, row_number() over (partition by e.submitted_by order by e.submitted_at desc) as rn
        from daily_entries e join papers p on p.id = e.paper_id where e.submitted_by in (${sql.join(userIds)})
      ) x where rn <= ${MAX_SEEDS} order by user_id, rn`.execute(db).then((r) => r.rows),
    sql<Row>`select user_id, id, arxiv_id, title, abstract from (
        select c.user_id, p.id, p.arxiv_id, p.title, p.abstract, row_number() over (partition by c.user_id order by cp.added_at desc) as rn
        from collection_papers cp join collections c on c.id = cp.collection_id join papers p on p.id = cp.paper_id
        where c.user_id in (${sql.join(userIds)})
      ) x where rn <= ${MAX_SEEDS} order by user_id, rn`.execute(db).then((r) => r.rows),
  ]);
  const byUser = new Map<number, Map<number, ReaderData["seeds"][number]>>();
  for (const [rows, via] of [[submitted, "submitted"], [saved, "saved"], [voted, "upvoted"]] as const) {
    for (const r of rows) {
      const u = Number(r.user_id);
      let m = byUser.get(u);
      if (!m) byUser.set(u, (m = new Map()));
      const id = Number(r.id);
      if (!m.has(id)) m.set(id, { id, arxivId: r.arxiv_id, title: r.title, abstract: r.abstract, via });
    }
  }
  for (const [u, m] of byUser) out.set(u, [...m.values()].slice(0, MAX_SEEDS));
  return out;
}

/** Selects a reader's digest for a period (pure selection over what was loaded). */
export async function buildDigest(period: PeriodData, sub: DigestSubscriptionRow, reader: ReaderData): Promise<SelectedDigest> {
  const [topicHits, similar] = await Promise.all([
    Promise.all(reader.topics.map(async (t) => ({ query: t.categories.length ? `${t.query} [${t.categories.join(", ")}]` : t.query, ids: await period.topicHits(t) }))),
    similarToSeeds(period, reader.seeds),
  ]);
  const exclude = new Set(reader.sent);
  for (const s of reader.seeds) exclude.add(s.id);
  return selectDigest({
    wants: { topics: sub.topics === 1, authors: sub.authors === 1, for_you: sub.for_you === 1 && sub.user_id !== null, trending: sub.trending === 1 },
    trending: period.trending,
    topicHits,
    authorHits: reader.authors.map((name) => {
      const key = authorKey(name);
      const ids = period.byAuthor.get(key) ?? [];
      // Named as the papers spell it ("Ada Lovelace"), not as the reader typed it.
      const spelled = ids.length ? period.papers.get(ids[0])?.authors.find((a) => authorKey(a) === key) : undefined;
      return { name: spelled ?? name, ids };
    }),
    similar,
    exclude,
    limits: period.period.frequency === "daily" ? DAILY_LIMITS : WEEKLY_LIMITS,
  });
}

/** The period's papers like each of the reader's own, each hit naming its seed. */
async function similarToSeeds(period: PeriodData, seeds: ReaderData["seeds"]): Promise<SimilarHit[]> {
  const hits = await Promise.all(seeds.map(async (s) => (await period.similarHits(s)).map((h): SimilarHit => ({ id: h.id, score: h.score, seed: { title: s.title, arxivId: s.arxivId, via: s.via } }))));
  return hits.flat();
}

/**
 * "For you" on the web: the period's papers most like the reader's own (upvoted, submitted,
 * saved), chosen as the digest's section is, up to `limit`. `seeds`: how many of the reader's
 * papers it started from (none: nothing to go on yet).
 */
export async function forYouItems(db: Db, period: PeriodData, userId: number, limit: number): Promise<{ seeds: number; items: DigestItem[] }> {
  const seeds = (await loadSeeds(db, [userId])).get(userId) ?? [];
  const digest = selectDigest({
    wants: { topics: false, authors: false, for_you: true, trending: false },
    trending: period.trending,
    topicHits: [],
    authorHits: [],
    similar: await similarToSeeds(period, seeds),
    exclude: new Set(seeds.map((s) => s.id)),
    limits: { ...WEEKLY_LIMITS, forYou: limit },
  });
  const items = digest.sections.find((x) => x.kind === "for_you")?.items ?? [];
  // The selection also notes each paper's trending rank; here only the likeness explains it.
  return { seeds: seeds.length, items: items.map((i) => ({ ...i, reasons: i.reasons.filter((r) => r.kind === "similar") })) };
}

/** The papers a stored digest shows, for rendering it again (browser view, retries). */
export async function papersForRender(db: Db, ids: number[]): Promise<Map<number, RenderPaper>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom("papers").select(["id", "arxiv_id", "title", "authors", "abstract"]).where("id", "in", ids).execute();
  return new Map(rows.map((r) => [r.id, { arxivId: r.arxiv_id, title: r.title, authors: authorsOf(r), abstract: r.abstract }]));
}
