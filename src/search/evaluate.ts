// Retrieval metrics as computed by trec_eval / pytrec_eval (what BEIR reports): graded gain
// rel (not 2^rel - 1), log2 discount, ideal ranking from the judged relevant documents only.

/** Judged relevance per query: query id -> (document id -> grade). Grades <= 0 are non-relevant. */
export type Qrels = ReadonlyMap<string, ReadonlyMap<string, number>>;

export function ndcgAtK(ranking: readonly string[], judged: ReadonlyMap<string, number>, k: number): number {
  const ideal = [...judged.values()].filter((g) => g > 0).sort((a, b) => b - a);
  let idcg = 0;
  for (let i = 0; i < Math.min(k, ideal.length); i++) idcg += ideal[i] / Math.log2(i + 2);
  if (idcg === 0) return 0;
  let dcg = 0;
  const seen = new Set<string>();
  let rank = 0;
  for (const doc of ranking) {
    if (rank >= k) break;
    // A document listed twice would otherwise be rewarded twice.
    if (seen.has(doc)) continue;
    seen.add(doc);
    const g = judged.get(doc) ?? 0;
    if (g > 0) dcg += g / Math.log2(rank + 2);
    rank++;
  }
  return dcg / idcg;
}

export function recallAtK(ranking: readonly string[], judged: ReadonlyMap<string, number>, k: number): number {
  let relevant = 0;
  for (const g of judged.values()) if (g > 0) relevant++;
  if (relevant === 0) return 0;
  const top = new Set(ranking.slice(0, k));
  let found = 0;
  for (const doc of top) if ((judged.get(doc) ?? 0) > 0) found++;
  return found / relevant;
}

/** Mean of a per-query metric over every query that has judgements (missing runs score 0). */
export function meanMetric(
  run: ReadonlyMap<string, readonly string[]>,
  qrels: Qrels,
  metric: (ranking: readonly string[], judged: ReadonlyMap<string, number>) => number,
): number {
  let sum = 0;
  let n = 0;
  for (const [qid, judged] of qrels) {
    sum += metric(run.get(qid) ?? [], judged);
    n++;
  }
  return n === 0 ? 0 : sum / n;
}
