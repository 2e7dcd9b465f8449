/**
 * Query-string parameters shared by the pages and the API, validated with zod at the edge.
 * A parameter given twice (`?limit=5&limit=6`) counts once: the first.
 */
import { z } from "zod";

export const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);

/** A whole number in [min, max], `def` when absent or empty; the message names the parameter. */
export const intParam = (name: string, min: number, max: number, def: number) =>
  z.preprocess(first, z.string().optional()).transform((v, c) => {
    if (v === undefined || v === "") return def;
    const n = Number(v);
    if (!/^-?\d+$/.test(v) || n < min || n > max) {
      c.addIssue({ code: z.ZodIssueCode.custom, message: `${name} must be a whole number from ${min} to ${max}, got "${v.slice(0, 20)}"` });
      return z.NEVER;
    }
    return n;
  });
