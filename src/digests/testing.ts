/**
 * Test helpers of the digests (imported by tests and the benchmark only): a small corpus with
 * known topics, authors and days, and a worker that runs the digest jobs.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AppContext } from "../context.js";
import { Worker } from "../jobs/worker.js";
import { digestJobHandlers } from "./digest.jobs.js";

export interface FixturePaper {
  id: string;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
  date: string;
}

/** Monday 2026-06-29 and the Friday before: two feed days with papers of known subjects. */
export const FIXTURE: FixturePaper[] = [
  { id: "2606.10001", date: "2026-06-29", categories: ["cs.CV"], authors: ["Ada Lovelace", "Bo Smith"], title: "Diffusion Models for Video Generation", abstract: "We train latent diffusion models that generate long videos with temporal consistency, using a denoising schedule over frames." },
  { id: "2606.10002", date: "2026-06-29", categories: ["cs.CV", "cs.LG"], authors: ["Chen Wu"], title: "Scaling Diffusion Transformers to Billions of Parameters", abstract: "Diffusion models with transformer backbones scale predictably; we study image generation quality as parameters grow." },
  { id: "2606.10003", date: "2026-06-29", categories: ["cs.LG"], authors: ["Grace Hopper"], title: "Graph Neural Networks for Molecular Property Prediction at Scale", abstract: "Message passing graph neural networks predict molecular properties; we pretrain on millions of molecules and fine-tune on property prediction benchmarks." },
  { id: "2606.10004", date: "2026-06-29", categories: ["cs.CL"], authors: ["Dana Lee"], title: "Language Models Reason About Protein Function", abstract: "Large language models answer questions about proteins when given sequence context; we evaluate reasoning about protein function." },
  { id: "2606.10005", date: "2026-06-29", categories: ["cs.RO"], authors: ["Eve Adams"], title: "Reinforcement Learning for Legged Robots on Rough Terrain", abstract: "A reinforcement learning policy trained in simulation walks on rough terrain; we transfer it to a real quadruped robot." },
  { id: "2606.10006", date: "2026-06-29", categories: ["cs.LG", "q-bio.BM"], authors: ["Frank Ocean"], title: "Equivariant Graph Networks Improve Molecular Property Prediction", abstract: "Equivariant message passing graph networks improve molecular property prediction on quantum chemistry benchmarks of small molecules." },
  { id: "2606.10007", date: "2026-06-29", categories: ["cs.SD"], authors: ["Ada Lovelace"], title: "Diffusion Models for Speech Enhancement", abstract: "Score-based diffusion models remove noise from speech recordings; we compare against discriminative enhancement models." },
  { id: "2606.10008", date: "2026-06-30", categories: ["cs.CV"], authors: ["Gil Stone"], title: "Self-Supervised Depth Estimation from Monocular Video", abstract: "Depth is learned from monocular video without labels by photometric consistency between frames." },
  { id: "2606.09001", date: "2026-06-26", categories: ["cs.LG"], authors: ["Hal Jordan"], title: "Pretraining Graph Neural Networks on Molecules", abstract: "Self-supervised pretraining of graph neural networks on large molecule collections improves molecular property prediction." },
];

/** Writes the fixture as a corpus-format JSON-lines file; returns its path. */
export function writeFixture(papers: FixturePaper[] = FIXTURE): string {
  const dir = mkdtempSync(join(tmpdir(), "dp-digest-"));
  const file = join(dir, "papers.jsonl");
  writeFileSync(file, papers.map((p) => JSON.stringify({ ...p, comment: null, listing_dates: [p.date] })).join("\n") + "\n");
  return file;
}

/** A worker running only the digest jobs (plan, send, opt-in mail). */
export function digestWorker(ctx: AppContext, opts: { now?: () => Date; leaseMs?: number } = {}): Worker {
  return new Worker(ctx.db, { handlers: digestJobHandlers(ctx), now: opts.now, leaseMs: opts.leaseMs });
}
