/** Small SVG images made on the fly: avatars from initials, and paper thumbnails for API clients. */
import { createHash } from "node:crypto";
import type { PaperRow } from "../db/schema.js";
import { escapeHtml, texToText } from "./tex.js";

function hue(s: string): number {
  return createHash("sha1").update(s).digest()[0] * 360 / 256;
}

export function avatarSvg(name: string): string {
  const initials = escapeHtml((name.match(/[\p{L}\p{N}]/gu) ?? ["?"]).slice(0, 2).join("").toUpperCase());
  return `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><rect width="64" height="64" rx="32" fill="hsl(${hue(name).toFixed(0)} 55% 45%)"/><text x="32" y="41" font-family="system-ui,sans-serif" font-size="24" font-weight="600" text-anchor="middle" fill="#fff">${initials}</text></svg>`;
}

/** Wraps text into at most `lines` lines of about `width` characters. */
function wrap(text: string, width: number, lines: number): string[] {
  const out: string[] = [];
  let cur = "";
  for (const word of text.split(/\s+/)) {
    if ((cur + " " + word).trim().length > width) {
      out.push(cur);
      cur = word;
      if (out.length === lines) break;
    } else cur = (cur + " " + word).trim();
  }
  if (out.length < lines && cur) out.push(cur);
  if (out.length === lines && out.join(" ").length < text.length) out[lines - 1] = out[lines - 1].replace(/.{0,1}$/, "…");
  return out;
}

export function thumbnailSvg(paper: Pick<PaperRow, "arxiv_id" | "title" | "primary_category">): string {
  const lines = wrap(texToText(paper.title), 34, 4);
  const text = lines.map((l, i) => `<text x="40" y="${150 + i * 52}" font-size="40" font-weight="700">${escapeHtml(l)}</text>`).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="420" viewBox="0 0 800 420" font-family="system-ui,sans-serif"><rect width="800" height="420" fill="hsl(${hue(paper.primary_category).toFixed(0)} 40% 96%)"/><text x="40" y="80" font-size="26" fill="#555">arXiv:${escapeHtml(paper.arxiv_id)} · ${escapeHtml(paper.primary_category)}</text><g fill="#111">${text}</g><text x="40" y="390" font-size="22" fill="#777">Daily Papers</text></svg>`;
}
