/**
 * Search as the rest of the program sees it (`ctx.search`): one in-memory engine per process,
 * kept in step with the database and saved under DATA_DIR/search so a restart loads instead of
 * rebuilding.
 *
 *  - Start: load the snapshot when it belongs to this database, else build from the papers
 *    table; then catch up on papers changed since the snapshot's watermark.
 *  - Catching up: before a query, at most every `refreshIntervalMs`, read the papers whose
 *    `updated_at` passed the watermark (an indexed range read). Every app process does this on
 *    its own, so several processes on one PostgreSQL all see an import within seconds.
 *  - Model: MODEL_DIR (pretrained) when set, else the model `dailypapers index` trained, else
 *    none (keyword-only). A retrain elsewhere is noticed by its stamp and loaded.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Db } from "../db/database.js";
import { embedPaper } from "./embed.js";
import { loadStaticModel, type StaticModel } from "./model2vec.js";
import { SearchCore, type CoreResult, type SearchQuery } from "./search.core.js";
import { changedSince, indexRowsAfter, paperTexts, searchDatabaseId, type IndexRow } from "./search.queries.js";
import { KeywordIndex } from "./keyword.index.js";
import { VectorStore } from "./vector.store.js";
import { suggestSpelling } from "./suggest.js";

export interface SearchServiceOptions {
  dataDir: string;
  /** Pretrained Model2Vec folder (MODEL_DIR); null uses the trained model, if any. */
  modelDir: string | null;
  /** Catch up with the database at most this often, before a query (ms). */
  refreshIntervalMs?: number;
  /**
   * A cheap token that changes whenever the database changes (the page cache's data version).
   * When given, a query first catches up if it moved, so a page rendered after a write never
   * shows an index older than that write (and the page cache never keeps such a page).
   */
  dataVersion?: () => Promise<string>;
  log?: (message: string) => void;
}

/**
 * Rows re-read before the watermark: a transaction may commit after a later one did, with an
 * older `updated_at`. Only while the watermark is this recent (by the clock): a write that
 * commits more than this long after it took its timestamp is not expected (imports commit
 * every batch), and re-reading a whole bulk import on every poll would cost far more.
 */
const OVERLAP_MS = 15_000;
const BUILD_CHUNK = 50_000;
const POLL_CHUNK = 2_000;
const SNAPSHOT_VERSION = 1;
/** How often a process looks for a retrained model on disk. */
const MODEL_CHECK_MS = 30_000;

interface SnapshotMeta {
  version: number;
  dbId: string;
  watermark: string;
  watermarkId?: number;
  papers: number;
  combos: string[][];
  recent: Array<[number, string]>;
}

interface VectorMeta {
  dbId: string;
  modelStamp: string;
}

export interface SearchStatus {
  papers: number;
  mode: "keyword" | "hybrid";
  model: string | null;
  vectors: number;
  keywordBytes: number;
  vectorBytes: number;
}

function atomicWrite(path: string, data: string | Uint8Array): void {
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
}

function shiftIso(iso: string, ms: number): string {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t + ms).toISOString() : "";
}

export class SearchService {
  readonly dir: string;
  readonly trainedModelDir: string;
  private core: SearchCore | null = null;
  private opening: Promise<SearchCore> | null = null;
  private polling: Promise<number> | null = null;
  private dbId = "";
  private watermark = "";
  /** Id of the last row at the watermark: (updated_at, id) is the keyset of catching up. */
  private watermarkId = 0;
  private recent = new Map<number, string>();
  private lastPoll = 0;
  private lastModelCheck = 0;
  private modelStamp: string | null = null;
  private dirty = false;
  private lastPersist = 0;
  private opened = false;
  private seenVersion = "";
  private readonly refreshIntervalMs: number;
  /** Where the service reports builds, loads and problems (main.ts points it at the app log). */
  log: (m: string) => void;

  constructor(private readonly db: Db, private readonly opts: SearchServiceOptions) {
    this.dir = join(opts.dataDir, "search");
    this.trainedModelDir = join(this.dir, "model");
    this.refreshIntervalMs = opts.refreshIntervalMs ?? 2000;
    this.log = opts.log ?? (() => {});
  }

  /**
   * Changes when answers can change with no write to the database: a model attached, replaced
   * (a retrain) or dropped. Caches of pages that show search results (the page cache: "similar
   * papers") key on it beside the data version.
   */
  get answersStamp(): string {
    return this.modelStamp ?? "keyword";
  }

  /** True once the engine is open (queries then never wait for a build). */
  isReady(): boolean {
    return this.opened;
  }

  /** The engine, opened once (snapshot or build, model and vectors) and caught up. */
  ready(): Promise<SearchCore> {
    this.opening ??= this.open().catch((e: unknown) => {
      this.opening = null;
      throw e;
    });
    return this.opening;
  }

  private async open(): Promise<SearchCore> {
    this.dbId = await searchDatabaseId(this.db);
    const core = this.loadSnapshot() ?? (await this.build());
    this.core = core;
    await this.catchUp(core);
    await this.attachModel(core);
    this.opened = true;
    return core;
  }

  private loadSnapshot(): SearchCore | null {
    const metaPath = join(this.dir, "keyword.json");
    if (!existsSync(metaPath)) return null;
    try {
      const meta = JSON.parse(readFileSync(metaPath, "utf8")) as SnapshotMeta;
      if (meta.version !== SNAPSHOT_VERSION || meta.dbId !== this.dbId) return null;
      const core = new SearchCore();
      core.keyword = KeywordIndex.deserialize(readFileSync(join(this.dir, "keyword.bin")));
      const facts = readFileSync(join(this.dir, "facts.bin"));
      const n = facts.byteLength / 8;
      const copy = new Uint8Array(facts).buffer;
      core.facts.restore(new Int32Array(copy, 0, n), new Int32Array(copy, n * 4, n), meta.combos);
      this.watermark = meta.watermark;
      this.watermarkId = meta.watermarkId ?? 0;
      this.recent = new Map(meta.recent);
      this.log(`search: loaded snapshot of ${core.size} papers`);
      return core;
    } catch (e) {
      this.log(`search: snapshot unreadable (${e instanceof Error ? e.message : String(e)}), rebuilding`);
      return null;
    }
  }

  private async build(): Promise<SearchCore> {
    const started = Date.now();
    const core = new SearchCore();
    let after = 0;
    let watermark = "";
    const all: IndexRow[] = [];
    for (;;) {
      const rows = await indexRowsAfter(this.db, after, BUILD_CHUNK);
      if (rows.length === 0) break;
      core.addAll(rows);
      for (const r of rows) {
        if (r.updatedAt > watermark || (r.updatedAt === watermark && r.id > this.watermarkId)) {
          watermark = r.updatedAt;
          this.watermarkId = r.id;
        }
        all.push(r);
      }
      after = rows[rows.length - 1].id;
      if (rows.length < BUILD_CHUNK) break;
    }
    this.watermark = watermark;
    const floor = shiftIso(watermark, -OVERLAP_MS);
    this.recent = new Map(all.filter((r) => r.updatedAt >= floor).map((r) => [r.id, r.updatedAt]));
    this.dirty = true;
    this.log(`search: indexed ${core.size} papers in ${Date.now() - started} ms`);
    return core;
  }

  /** Applies every paper changed since the watermark; returns how many were (re)indexed. */
  private async catchUp(core: SearchCore): Promise<number> {
    const recentWatermark = Date.now() - Date.parse(this.watermark) < 2 * OVERLAP_MS;
    let since = this.watermark ? (recentWatermark ? shiftIso(this.watermark, -OVERLAP_MS) : this.watermark) : "";
    // Outside the overlap window the keyset resumes right after the last row seen.
    let afterId = this.watermark && !recentWatermark ? this.watermarkId : 0;
    let changed = 0;
    for (;;) {
      const rows = await changedSince(this.db, since, afterId, POLL_CHUNK);
      for (const r of rows) {
        if (this.recent.get(r.id) !== r.updatedAt) {
          core.upsert(r);
          this.recent.set(r.id, r.updatedAt);
          changed++;
        }
        if (r.updatedAt > this.watermark || (r.updatedAt === this.watermark && r.id > this.watermarkId)) {
          this.watermark = r.updatedAt;
          this.watermarkId = r.id;
        }
      }
      if (rows.length < POLL_CHUNK) break;
      // A big import is indexed chunk by chunk; other requests are served in between.
      await new Promise<void>((resolve) => setImmediate(resolve));
      since = rows[rows.length - 1].updatedAt;
      afterId = rows[rows.length - 1].id;
    }
    const floor = shiftIso(this.watermark, -OVERLAP_MS);
    for (const [id, at] of this.recent) if (at < floor) this.recent.delete(id);
    if (changed > 0) this.dirty = true;
    return changed;
  }

  /**
   * Catches up with the database now (single flight); returns the number of papers indexed.
   * `model`: also look for a new model on disk now rather than at the next periodic check
   * (after a retrain this process ran itself).
   */
  async refresh(opts: { model?: boolean } = {}): Promise<number> {
    const core = await this.ready();
    if (opts.model) {
      await this.polling?.catch(() => {}); // its failure is its caller's to report
      this.lastModelCheck = 0;
    }
    this.polling ??= (async () => {
      try {
        this.lastPoll = Date.now();
        if (Date.now() - this.lastModelCheck > MODEL_CHECK_MS) await this.checkModel(core);
        return await this.catchUp(core);
      } finally {
        this.polling = null;
      }
    })();
    return this.polling;
  }

  private async fresh(): Promise<SearchCore> {
    const core = await this.ready();
    let stale = Date.now() - this.lastPoll >= this.refreshIntervalMs;
    if (!stale && this.opts.dataVersion) {
      const v = await this.opts.dataVersion();
      stale = v !== this.seenVersion;
      this.seenVersion = v;
    }
    if (stale) await this.refresh();
    return core;
  }

  async search(query: SearchQuery): Promise<CoreResult & { suggestion: string | null }> {
    const core = await this.fresh();
    const result = core.search(query);
    // Spelling help for words the index has never seen ("gaussian splating" matches plenty
    // through "gaussian", and still deserves "splatting"). Known words cost one lookup each.
    const suggestion = result.terms.length > 0 && (query.offset ?? 0) === 0
      ? await suggestSpelling(core.keyword, query.q, (ids) => paperTexts(this.db, ids))
      : null;
    return { ...result, suggestion };
  }

  async similar(paperId: number, k: number): Promise<Array<{ id: number; score: number }>> {
    const core = await this.fresh();
    const needText = !core.hybrid || !core.vectors?.has(paperId);
    const doc = needText ? (await paperTexts(this.db, [paperId]))[0] ?? null : null;
    return core.similar(paperId, doc, k);
  }

  async nearest(q: string, k: number): Promise<Array<{ id: number; score: number }>> {
    return (await this.fresh()).nearest(q, k);
  }

  // ------------------------------------------------------------------ model and vectors

  /** Whether `dailypapers index` has trained a model into this data folder. */
  hasTrainedModel(): boolean {
    return existsSync(join(this.trainedModelDir, "model.safetensors"));
  }

  /** Whether queries can rank by meaning: a pretrained model (MODEL_DIR) or a trained one. */
  hasModel(): boolean {
    return this.opts.modelDir !== null || this.hasTrainedModel();
  }

  /** Where the model comes from, and a stamp that changes when it is replaced. */
  private modelSource(): { dir: string; stamp: string } | null {
    const dir = this.opts.modelDir ?? (this.hasTrainedModel() ? this.trainedModelDir : null);
    if (dir === null) return null;
    try {
      const file = existsSync(join(dir, "model.safetensors")) ? join(dir, "model.safetensors") : join(dir, "0_StaticEmbedding", "model.safetensors");
      const st = statSync(file);
      return { dir, stamp: `${dir}:${st.size}:${st.mtimeMs}` };
    } catch {
      return null;
    }
  }

  private async checkModel(core: SearchCore): Promise<void> {
    this.lastModelCheck = Date.now();
    const src = this.modelSource();
    if ((src?.stamp ?? null) !== this.modelStamp) await this.attachModel(core);
  }

  /** Loads the model and its vectors (from disk when they match, embedding what is missing). */
  async attachModel(core: SearchCore, model?: StaticModel, stamp?: string): Promise<void> {
    this.lastModelCheck = Date.now();
    const src = model && stamp ? { dir: "", stamp } : this.modelSource();
    if (src && src.stamp === this.modelStamp && core.model && core.vectors) {
      await this.embedMissing(core, core.model, core.vectors);
      return;
    }
    if (!src) {
      core.model = null;
      core.vectors = null;
      this.modelStamp = null;
      return;
    }
    let loaded: StaticModel;
    try {
      loaded = model ?? (await loadStaticModel(src.dir));
    } catch (e) {
      this.log(`search: cannot load the model in ${src.dir} (${e instanceof Error ? e.message : String(e)}); keyword search only`);
      core.model = null;
      core.vectors = null;
      this.modelStamp = src.stamp;
      return;
    }
    let vectors: VectorStore | null = null;
    const metaPath = join(this.dir, "vectors.json");
    if (existsSync(metaPath)) {
      try {
        const meta = JSON.parse(readFileSync(metaPath, "utf8")) as VectorMeta;
        if (meta.dbId === this.dbId && meta.modelStamp === src.stamp) vectors = VectorStore.load(join(this.dir, "vectors.bin"));
      } catch (e) {
        this.log(`search: vector file unreadable (${e instanceof Error ? e.message : String(e)}), re-embedding`);
      }
    }
    if (vectors && vectors.dim !== loaded.dim) vectors = null;
    if (!vectors) this.dirty = true;
    const fresh = vectors ?? new VectorStore(loaded.dim);
    await this.embedMissing(core, loaded, fresh);
    core.model = loaded;
    core.vectors = fresh;
    this.modelStamp = src.stamp;
  }

  /** Embeds every indexed paper that has no vector yet (all of them with a new model). */
  private async embedMissing(core: SearchCore, model: StaticModel, vectors: VectorStore): Promise<number> {
    const missing: number[] = [];
    const combo = core.facts.combo;
    for (let id = 0; id < combo.length; id++) if (combo[id] >= 0 && !vectors.has(id)) missing.push(id);
    const CHUNK = 2000;
    const started = Date.now();
    // Many at once (a first index, a new model): one graph build at the end, on every core.
    const bulk = missing.length > 1000;
    for (let i = 0; i < missing.length; i += CHUNK) {
      const texts = await paperTexts(this.db, missing.slice(i, i + CHUNK));
      const m = new Float32Array(texts.length * model.dim);
      texts.forEach((t, j) => m.set(embedPaper(model, t), j * model.dim));
      vectors.addMany(texts.map((t) => t.id), m, { deferGraph: bulk });
    }
    if (missing.length > 0) {
      if (bulk) vectors.rebuildGraphIfLarge();
      this.dirty = true;
      this.log(`search: embedded ${missing.length} papers in ${Date.now() - started} ms`);
    }
    return missing.length;
  }

  /**
   * Writes the snapshot (keyword index, facts, vectors) when something changed since the last
   * one, and not within `minIntervalMs` of it (a big archive's snapshot is hundreds of MB;
   * a somewhat older one plus catching up starts just as well).
   */
  async persist(force = false, minIntervalMs = 0): Promise<boolean> {
    const core = await this.ready();
    if (!force && (!this.dirty || Date.now() - this.lastPersist < minIntervalMs)) return false;
    this.lastPersist = Date.now();
    mkdirSync(this.dir, { recursive: true });
    // Serialised without awaiting in between: the files describe exactly one state.
    const facts = core.facts;
    const n = facts.combo.length;
    const factsBuf = Buffer.alloc(n * 8);
    factsBuf.set(new Uint8Array(facts.day.buffer, facts.day.byteOffset, n * 4), 0);
    factsBuf.set(new Uint8Array(facts.combo.buffer, facts.combo.byteOffset, n * 4), n * 4);
    const meta: SnapshotMeta = { version: SNAPSHOT_VERSION, dbId: this.dbId, watermark: this.watermark, watermarkId: this.watermarkId, papers: core.size, combos: facts.combos, recent: [...this.recent] };
    atomicWrite(join(this.dir, "keyword.bin"), core.keyword.serialize());
    atomicWrite(join(this.dir, "facts.bin"), factsBuf);
    if (core.vectors && this.modelStamp) {
      core.vectors.save(join(this.dir, "vectors.bin"));
      atomicWrite(join(this.dir, "vectors.json"), JSON.stringify({ dbId: this.dbId, modelStamp: this.modelStamp } satisfies VectorMeta));
    }
    // The keyword meta goes last: it is what makes a snapshot count as complete.
    atomicWrite(join(this.dir, "keyword.json"), JSON.stringify(meta));
    this.dirty = false;
    return true;
  }

  async status(): Promise<SearchStatus> {
    const core = await this.ready();
    return {
      papers: core.size,
      mode: core.hybrid ? "hybrid" : "keyword",
      model: this.modelStamp ? (this.opts.modelDir ?? this.trainedModelDir) : null,
      vectors: core.vectors?.size ?? 0,
      keywordBytes: core.keyword.stats().bytes,
      vectorBytes: core.vectors?.bytes() ?? 0,
    };
  }

  /** Drops the in-memory engine (tests, and `index` after replacing the model). */
  reset(): void {
    this.core = null;
    this.opening = null;
    this.opened = false;
    this.modelStamp = null;
  }
}
