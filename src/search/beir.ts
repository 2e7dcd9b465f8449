// Streaming readers for a BEIR dataset folder (corpus.jsonl[.gz], queries.jsonl[.gz],
// qrels/<split>.tsv). Corpora reach millions of lines, so nothing is read whole.
import { createReadStream, existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import type { Qrels } from "./evaluate.js";

export interface BeirDoc {
  id: string;
  title: string;
  text: string;
}

export interface BeirQuery {
  id: string;
  text: string;
}

function resolveFile(dir: string, name: string): string {
  for (const candidate of [join(dir, name), join(dir, `${name}.gz`)]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`BEIR: neither ${name} nor ${name}.gz in ${dir}`);
}

/** Non-empty lines of a text file, transparently gunzipping *.gz. */
export async function* readLines(file: string): AsyncGenerator<string> {
  const raw = createReadStream(file);
  const input = file.endsWith(".gz") ? raw.pipe(createGunzip()) : raw;
  const rl = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of rl) if (line.trim().length > 0) yield line;
  } finally {
    rl.close();
    raw.destroy();
  }
}

function str(v: unknown): string {
  return typeof v === "string" ? v : v === undefined || v === null ? "" : String(v);
}

export async function* readCorpus(dir: string): AsyncGenerator<BeirDoc> {
  for await (const line of readLines(resolveFile(dir, "corpus.jsonl"))) {
    const o = JSON.parse(line) as Record<string, unknown>;
    yield { id: str(o._id), title: str(o.title), text: str(o.text) };
  }
}

export async function* readQueries(dir: string): AsyncGenerator<BeirQuery> {
  for await (const line of readLines(resolveFile(dir, "queries.jsonl"))) {
    const o = JSON.parse(line) as Record<string, unknown>;
    yield { id: str(o._id), text: str(o.text) };
  }
}

/** qrels/<split>.tsv: "query-id corpus-id score" with a header line. */
export async function readQrels(dir: string, split: string): Promise<Qrels> {
  const qrels = new Map<string, Map<string, number>>();
  let first = true;
  for await (const line of readLines(resolveFile(join(dir, "qrels"), `${split}.tsv`))) {
    const [qid, docId, score] = line.split("\t");
    if (first) {
      first = false;
      if (Number.isNaN(Number(score))) continue; // header
    }
    if (qid === undefined || docId === undefined) continue;
    let m = qrels.get(qid);
    if (!m) qrels.set(qid, (m = new Map()));
    m.set(docId, Number(score ?? 0));
  }
  return qrels;
}
