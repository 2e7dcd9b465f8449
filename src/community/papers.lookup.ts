import type { AppContext } from "../context.js";
import type { PaperRow } from "../db/schema.js";
import { parseArxivId } from "../papers/arxiv-id.js";
import { findPaperByArxivId } from "../papers/papers.queries.js";
import { notFound } from "../web/errors.js";

/** The visible paper an action's URL names, or a 404 that says why. */
export async function visiblePaper(ctx: AppContext, raw: string, opts: { includeHidden?: boolean } = {}): Promise<PaperRow> {
  const parsed = parseArxivId(raw);
  if (!parsed.ok) throw notFound(`No paper here: ${parsed.reason}.`);
  const paper = await findPaperByArxivId(ctx.db, parsed.id);
  if (!paper || (paper.hidden && !opts.includeHidden)) throw notFound(`We do not have arXiv:${parsed.id}.`);
  return paper;
}
