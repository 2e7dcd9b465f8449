/**
 * Static embedding models in the Model2Vec format: a token -> vector table, mean-pooled.
 *
 * A model folder holds config.json, model.safetensors and tokenizer.json (the Model2Vec
 * layout), or the sentence-transformers StaticEmbedding layout (tensor `embedding.weight`,
 * config_sentence_transformers.json / modules.json, possibly in a `0_StaticEmbedding` subfolder).
 * Pipeline, as in the reference Python library: tokenize (no special tokens; unknowns dropped for
 * WordPiece) -> look up rows (vocab-quantized: centroid row * per-token weight) -> mean ->
 * L2-normalise (when the config says so).
 * The same format is written by `train.ts`, so one loader serves pretrained and trained models.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { encodeSafetensors, parseSafetensors, tensorToFloat32, tensorToInt32, type RawTensor } from "./model2vec.safetensors.js";
import { tokenizerFromJson, wordPieceTokenizerJson, type Tokenizer } from "./model2vec.tokenizer.js";

export interface StaticModelParts {
  tokenizer: Tokenizer;
  /** Row-major [rows x dim]; rows = vocab size, or the number of centroids when `mapping` is set. */
  embeddings: Float32Array;
  dim: number;
  /** Vocab quantization: token id -> embeddings row. */
  mapping?: Int32Array;
  /** Per-token scale applied to the looked-up row. */
  weights?: Float32Array;
  normalize: boolean;
  /** Extra config.json fields, kept for saving and display. */
  config?: Record<string, unknown>;
}

export interface EncodeOptions {
  /** Keep at most this many tokens (the reference default is 512); null = no limit. */
  maxTokens?: number | null;
}

export class StaticModel {
  readonly tokenizer: Tokenizer;
  readonly embeddings: Float32Array;
  readonly dim: number;
  readonly mapping: Int32Array | undefined;
  readonly weights: Float32Array | undefined;
  readonly normalize: boolean;
  readonly config: Record<string, unknown>;
  /** Median token length in chars: texts are cut at maxTokens * this before tokenizing (cheap pre-truncation, as the reference does). */
  private readonly medianTokenLength: number;

  constructor(parts: StaticModelParts) {
    this.tokenizer = parts.tokenizer;
    this.embeddings = parts.embeddings;
    this.dim = parts.dim;
    this.mapping = parts.mapping;
    this.weights = parts.weights;
    this.normalize = parts.normalize;
    this.config = parts.config ?? {};
    const lens = parts.tokenizer.vocab.map((t) => (t ?? "").length).sort((a, b) => a - b);
    this.medianTokenLength = Math.max(1, lens[lens.length >> 1] ?? 1);
    const rows = parts.embeddings.length / parts.dim;
    if (!Number.isInteger(rows)) throw new Error("model2vec: embeddings size is not a multiple of dim");
  }

  get vocabSize(): number {
    return this.tokenizer.vocab.length;
  }

  /** Token ids that contribute to the embedding (unknowns removed where the format says so). */
  tokenize(text: string, opts: EncodeOptions = {}): number[] {
    const maxTokens = opts.maxTokens === undefined ? 512 : opts.maxTokens;
    const input = maxTokens === null ? text : text.slice(0, maxTokens * this.medianTokenLength);
    let ids = this.tokenizer.encode(input);
    const unk = this.tokenizer.unkId;
    if (this.tokenizer.dropUnknown && unk >= 0) ids = ids.filter((id) => id !== unk);
    const rows = this.mapping ? this.mapping.length : this.embeddings.length / this.dim;
    ids = ids.filter((id) => id >= 0 && id < rows);
    if (maxTokens !== null && ids.length > maxTokens) ids.length = maxTokens;
    return ids;
  }

  /** Mean of the token rows, L2-normalised if configured; all zeros when no token is known. */
  embedIds(ids: readonly number[]): Float32Array {
    const d = this.dim;
    const acc = new Float64Array(d);
    for (const id of ids) {
      const row = this.mapping ? this.mapping[id] : id;
      const w = this.weights ? this.weights[id] : 1;
      const off = row * d;
      for (let j = 0; j < d; j++) acc[j] += this.embeddings[off + j] * w;
    }
    const out = new Float32Array(d);
    if (ids.length === 0) return out;
    let norm = 0;
    for (let j = 0; j < d; j++) {
      acc[j] /= ids.length;
      norm += acc[j] * acc[j];
    }
    const scale = this.normalize ? 1 / Math.max(Math.sqrt(norm), 1e-12) : 1;
    for (let j = 0; j < d; j++) out[j] = acc[j] * scale;
    return out;
  }

  embed(text: string, opts?: EncodeOptions): Float32Array {
    return this.embedIds(this.tokenize(text, opts));
  }

  embedBatch(texts: readonly string[], opts?: EncodeOptions): Float32Array[] {
    return texts.map((t) => this.embed(t, opts));
  }
}

function readJsonIfExists(path: string): Promise<Record<string, unknown> | null> {
  if (!existsSync(path)) return Promise.resolve(null);
  return readFile(path, "utf8").then((t) => JSON.parse(t) as Record<string, unknown>);
}

/** Find the folder holding model.safetensors + tokenizer.json (root or sentence-transformers subfolder). */
function resolveModelFolder(dir: string): string {
  const candidates = [dir, join(dir, "0_StaticEmbedding")];
  for (const c of candidates) {
    if (existsSync(join(c, "model.safetensors")) && existsSync(join(c, "tokenizer.json"))) return c;
  }
  throw new Error(`model2vec: no valid model layout in ${dir} (need model.safetensors and tokenizer.json)`);
}

function pickTensor(tensors: Map<string, RawTensor>, names: string[]): RawTensor | undefined {
  for (const n of names) {
    const t = tensors.get(n);
    if (t) return t;
  }
  return undefined;
}

export interface LoadOptions {
  /** Override the config's `normalize`. */
  normalize?: boolean;
}

/** Load a static embedding model from a local folder. */
export async function loadStaticModel(dir: string, opts: LoadOptions = {}): Promise<StaticModel> {
  const folder = resolveModelFolder(dir);
  const [config, stConfig, modules, tokJson, weightsFile] = await Promise.all([
    readJsonIfExists(join(folder, "config.json")),
    readJsonIfExists(join(dir, "config_sentence_transformers.json")),
    existsSync(join(dir, "modules.json")) ? readFile(join(dir, "modules.json"), "utf8").then((t) => JSON.parse(t) as { type?: string }[]) : null,
    readFile(join(folder, "tokenizer.json"), "utf8").then((t) => JSON.parse(t) as unknown),
    readFile(join(folder, "model.safetensors")),
  ]);
  const { tensors } = parseSafetensors(new Uint8Array(weightsFile.buffer, weightsFile.byteOffset, weightsFile.byteLength));
  const emb = pickTensor(tensors, ["embeddings", "embedding.weight", "0"]);
  if (!emb || emb.shape.length !== 2) throw new Error("model2vec: no 2-d 'embeddings' tensor");
  const mappingT = pickTensor(tensors, ["mapping", "token_mapping"]);
  const weightsT = pickTensor(tensors, ["weights"]);
  // The native config.json wins over the sentence-transformers files, as in the reference.
  let normalize = true;
  if (config && typeof config.normalize === "boolean") normalize = config.normalize;
  else if (stConfig && typeof stConfig.normalize === "boolean") normalize = stConfig.normalize;
  else if (modules) normalize = modules.some((m) => String(m.type ?? "").endsWith("Normalize"));
  if (opts.normalize !== undefined) normalize = opts.normalize;
  return new StaticModel({
    tokenizer: tokenizerFromJson(tokJson),
    embeddings: tensorToFloat32(emb),
    dim: emb.shape[1],
    mapping: mappingT ? tensorToInt32(mappingT) : undefined,
    weights: weightsT ? tensorToFloat32(weightsT) : undefined,
    normalize,
    config: config ?? {},
  });
}

export interface SaveModelInput {
  /** Token strings by id; should start with "[PAD]", "[UNK]". */
  vocab: readonly string[];
  /** Row-major [vocab.length x dim]. */
  embeddings: Float32Array;
  dim: number;
  /** Store the table as float16 (half the size; plenty for cosine search). */
  float16?: boolean;
  /** Extra config.json fields. */
  config?: Record<string, unknown>;
}

/** Write a whole-word WordPiece static model in the Model2Vec layout. */
export async function saveStaticModel(dir: string, input: SaveModelInput): Promise<void> {
  if (input.embeddings.length !== input.vocab.length * input.dim) throw new Error("model2vec: embeddings do not match vocab x dim");
  await mkdir(dir, { recursive: true });
  const config = {
    model_type: "model2vec",
    architectures: ["StaticModel"],
    tokenizer_name: null,
    apply_pca: null,
    apply_zipf: null,
    hidden_dim: input.dim,
    seq_length: 1000000,
    normalize: true,
    ...input.config,
  };
  const safetensors = encodeSafetensors({
    embeddings: { dtype: input.float16 ? "F16" : "F32", shape: [input.vocab.length, input.dim], data: input.embeddings },
  });
  const modules = [
    { idx: 0, name: "0", path: ".", type: "sentence_transformers.models.StaticEmbedding" },
    { idx: 1, name: "1", path: "1_Normalize", type: "sentence_transformers.models.Normalize" },
  ];
  await Promise.all([
    writeFile(join(dir, "config.json"), JSON.stringify(config, null, 2) + "\n"),
    writeFile(join(dir, "model.safetensors"), safetensors),
    writeFile(join(dir, "tokenizer.json"), JSON.stringify(wordPieceTokenizerJson(input.vocab))),
    writeFile(join(dir, "modules.json"), JSON.stringify(modules, null, 2) + "\n"),
  ]);
}
