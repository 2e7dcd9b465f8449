import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readCorpus, readQrels, readQueries } from "./beir.js";

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test("reads a gzipped corpus, queries and qrels with a header", async () => {
  const dir = mkdtempSync(join(tmpdir(), "beir-"));
  try {
    const corpus = ['{"_id": "d1", "title": "T1", "text": "one"}', '{"_id": 2, "text": "two"}', ""].join("\n");
    writeFileSync(join(dir, "corpus.jsonl.gz"), gzipSync(corpus));
    writeFileSync(join(dir, "queries.jsonl"), '{"_id": "q1", "text": "first?"}\r\n{"_id": "q2", "text": "second"}\n');
    mkdirSync(join(dir, "qrels"));
    writeFileSync(join(dir, "qrels", "train.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\t2\t2\nq2\td1\t0\n");
    assert.deepEqual(await collect(readCorpus(dir)), [
      { id: "d1", title: "T1", text: "one" },
      { id: "2", title: "", text: "two" },
    ]);
    assert.deepEqual(await collect(readQueries(dir)), [
      { id: "q1", text: "first?" },
      { id: "q2", text: "second" },
    ]);
    const qrels = await readQrels(dir, "train");
    assert.deepEqual([...qrels.keys()], ["q1", "q2"]);
    assert.deepEqual([...qrels.get("q1")!], [["d1", 1], ["2", 2]]);
    await assert.rejects(readQrels(dir, "test"), /test\.tsv/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
