/**
 * Harvesting chosen arXiv categories through OAI-PMH, idempotent and restartable: each page
 * is stored, then the set's checkpoint (resumption token and latest datestamp) is saved, so a
 * run killed at any point continues where it stopped and at worst stores a page twice, which
 * the idempotent upsert turns into "unchanged".
 */
import type { Db } from "../db/database.js";
import type { ImportedPaper, PaperRecord } from "../papers/paper.js";
import { upsertPapers } from "../papers/papers.queries.js";
import { OaiProtocolError, type OaiClient } from "./oai.client.js";
import type { OaiMetadataPrefix } from "./oai.parse.js";

/** Archives that arXiv's OAI sets place under the physics group. */
const PHYSICS_ARCHIVES = new Set([
  "astro-ph", "cond-mat", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math-ph", "nlin", "nucl-ex", "nucl-th", "physics", "quant-ph",
]);

/** The OAI set of an arXiv category: cs.LG -> cs:cs:LG, hep-th -> physics:hep-th, math.GT -> math:math:GT. */
export function setSpecFor(category: string): string {
  const [archive, sub] = category.split(".");
  if (PHYSICS_ARCHIVES.has(archive)) return sub ? `physics:${archive}:${sub}` : `physics:${archive}`;
  return sub ? `${archive}:${archive}:${sub}` : archive;
}

export interface HarvestOptions {
  categories: string[];
  /** First datestamp to harvest (YYYY-MM-DD) when a set has no checkpoint yet. */
  from: string;
  until?: string;
  metadataPrefix?: OaiMetadataPrefix;
  /** Feed day for newly announced papers (version 1 seen for the first time); null: none. */
  feedDay?: (datestamp: string) => string | null;
  /** Whether a record is a new announcement that may enter the feed (default: version 1). */
  isNew?: (paper: PaperRecord, datestamp: string) => boolean;
  now?: () => Date;
  log?: (msg: string) => void;
}

export interface HarvestSummary {
  pages: number;
  records: number;
  inserted: number;
  updated: number;
  unchanged: number;
  skipped: number;
  deleted: number;
  featured: number;
}

async function loadState(db: Db, set: string) {
  return db.selectFrom("harvest_state").selectAll().where("set_spec", "=", set).executeTakeFirst();
}

async function saveState(db: Db, set: string, values: { last_datestamp?: string | null; resumption_token: string | null; token_from: string | null }, now: Date) {
  await db
    .insertInto("harvest_state")
    .values({ set_spec: set, last_datestamp: values.last_datestamp ?? null, resumption_token: values.resumption_token, token_from: values.token_from, updated_at: now.toISOString() })
    .onConflict((oc) =>
      oc.column("set_spec").doUpdateSet({
        ...(values.last_datestamp !== undefined ? { last_datestamp: values.last_datestamp } : {}),
        resumption_token: values.resumption_token,
        token_from: values.token_from,
        updated_at: now.toISOString(),
      }),
    )
    .execute();
}

/** Harvests every category's set from its checkpoint (or `from`) to now. */
export async function harvest(db: Db, client: OaiClient, opts: HarvestOptions): Promise<HarvestSummary> {
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? (() => {});
  const sum: HarvestSummary = { pages: 0, records: 0, inserted: 0, updated: 0, unchanged: 0, skipped: 0, deleted: 0, featured: 0 };
  const wanted = new Set(opts.categories);
  for (const category of opts.categories) {
    const set = setSpecFor(category);
    const state = await loadState(db, set);
    let from = state?.last_datestamp ?? opts.from;
    let token = state?.resumption_token ?? null;
    if (token && state?.token_from) from = state.token_from;
    let lastDatestamp = state?.last_datestamp ?? null;
    for (let restart = 0; restart < 2; restart++) {
      try {
        const pages = client.listRecords({ metadataPrefix: opts.metadataPrefix ?? "arXivRaw", set, from, until: opts.until, resumptionToken: token ?? undefined });
        for await (const page of pages) {
          sum.pages++;
          sum.records += page.records.length;
          sum.deleted += page.deleted.length;
          for (const e of page.errors) {
            sum.skipped++;
            log(`skipped ${e.identifier ?? "a record"}: ${e.reason}`);
          }
          // A set may be wider than the category (cs:cs:LG holds cross-lists too): keep the
          // papers that carry a wanted category.
          const items: ImportedPaper[] = page.records
            .filter((r) => r.paper.categories.some((c) => wanted.has(c)))
            .map((r) => {
              const fresh = opts.isNew ? opts.isNew(r.paper, r.header.datestamp) : r.paper.version === 1;
              const day = fresh ? opts.feedDay?.(r.header.datestamp) ?? null : null;
              return { paper: r.paper, listingDates: day ? [day] : [] };
            });
          const c = await upsertPapers(db, items, now(), "harvest");
          sum.featured += c.featured;
          sum.inserted += c.inserted;
          sum.updated += c.updated;
          sum.unchanged += c.unchanged;
          if (page.maxDatestamp && (!lastDatestamp || page.maxDatestamp > lastDatestamp)) lastDatestamp = page.maxDatestamp;
          await saveState(db, set, { resumption_token: page.resumptionToken, token_from: page.resumptionToken ? from : null }, now());
        }
        break;
      } catch (e) {
        // Tokens expire: restart the list from the date it began, once.
        if (e instanceof OaiProtocolError && e.code === "badResumptionToken" && token && restart === 0) {
          log(`resumption token for ${set} expired; restarting from ${from}`);
          token = null;
          continue;
        }
        throw e;
      }
    }
    await saveState(db, set, { last_datestamp: lastDatestamp, resumption_token: null, token_from: null }, now());
    log(`${set}: done up to ${lastDatestamp ?? from}`);
  }
  return sum;
}
