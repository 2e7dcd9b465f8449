/** Small helpers shared by the community's routes: form parsing, HTML-or-JSON answers, safe redirects. */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import { badRequest } from "../web/errors.js";
import { formatOf } from "../web/format.js";

/**
 * A write answers JSON to scripts and fetch calls (Accept: application/json, a JSON body, an
 * /api/ path or a .json one) and redirects browsers' form posts (303, so a reload never
 * resends the form).
 */
export function wantsJson(req: FastifyRequest): boolean {
  if (req.url.startsWith("/api/") || formatOf(req) === "json") return true;
  if (String(req.headers["content-type"] ?? "").startsWith("application/json")) return true;
  const accept = String(req.headers.accept ?? "");
  return /application\/json/.test(accept) && !/text\/html/.test(accept);
}

/** A local path to go back to after a form; anything else (other sites, `//host`) becomes `fallback`. */
export function safeReturn(value: unknown, fallback: string): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\") || /[\r\n]/.test(value)) return fallback;
  return value;
}

export function answer(req: FastifyRequest, reply: FastifyReply, json: unknown, redirectTo: string): FastifyReply {
  if (wantsJson(req)) return reply.type("application/json; charset=utf-8").send(json);
  return reply.redirect(redirectTo, 303);
}

/** Parses a form or JSON body; the first problem becomes a 400 with its message. */
export function parseBody<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw badRequest(r.error.issues[0].message);
  return r.data;
}

/** Like parseBody, but returns the message instead of throwing, for forms that show it in place. */
export function tryParseBody<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, body: unknown): { ok: true; data: T } | { ok: false; message: string } {
  const r = schema.safeParse(body ?? {});
  return r.success ? { ok: true, data: r.data } : { ok: false, message: r.error.issues[0].message };
}

/** Reads a string field of a parsed form body, whatever else it holds. */
export function field(body: unknown, name: string): string {
  if (body && typeof body === "object" && name in body) {
    const v = (body as Record<string, unknown>)[name];
    if (typeof v === "string") return v;
  }
  return "";
}
