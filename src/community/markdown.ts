/**
 * Comment Markdown to safe HTML, pure. Not a general HTML sanitiser: an allow-list built into
 * the renderer. marked escapes every text token; what it would pass through raw (HTML blocks
 * and inline tags) is escaped here too, so the only markup in the output is the markup this
 * renderer writes. Links keep only http(s), mailto and same-site paths (after decoding
 * entities and dropping control characters, so `jav&#x61;script:` and `java\tscript:` die),
 * and carry rel="nofollow ugc noopener". Images become links (no third-party requests from
 * our pages). Headings become bold paragraphs (a comment cannot outrank the page's headings).
 * `@username` becomes a profile link, and the names mentioned are returned.
 */
import { Marked, type TokenizerAndRendererExtension, type Tokens } from "marked";

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]);
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", colon: ":", tab: "\t", newline: "\n", sol: "/", lpar: "(", rpar: ")" };
function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (m, e: string) => {
    if (e[0] === "#") {
      const code = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "";
    }
    return NAMED[e.toLowerCase()] ?? m;
  });
}

/** The href to write, or null when the link must lose its target. */
export function safeHref(raw: string): string | null {
  // Browsers ignore control characters and whitespace inside a scheme; so do we, before judging it.
  // eslint-disable-next-line no-control-regex
  const href = decodeEntities(decodeEntities(raw)).replace(/[\u0000-\u0020\u007f-\u00a0\u2028\u2029]/g, "");
  if (href.startsWith("/") && !href.startsWith("//") && !href.startsWith("/\\")) return href;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  return url.protocol === "http:" || url.protocol === "https:" || url.protocol === "mailto:" ? url.href : null;
}

const MENTION = /^@([A-Za-z0-9][A-Za-z0-9_-]{2,29})(?![A-Za-z0-9_@.-]*[A-Za-z0-9_-])/;

/** Mentions collected during one (synchronous) render. */
let collecting: Set<string> | null = null;

const mention: TokenizerAndRendererExtension = {
  name: "mention",
  level: "inline",
  start(src: string) {
    // Only an @ at the start or after a non-word character: "joe@example.org" is no mention.
    const m = /(^|[^\w@./-])@[A-Za-z0-9]/.exec(src);
    return m ? m.index + m[1].length : undefined;
  },
  tokenizer(src: string) {
    const m = MENTION.exec(src);
    if (!m) return undefined;
    return { type: "mention", raw: m[0], username: m[1].toLowerCase() };
  },
  renderer(token) {
    const username = String(token.username);
    collecting?.add(username);
    return `<a class="mention" href="/u/${escapeHtml(username)}">@${escapeHtml(username)}</a>`;
  },
};

const REL = "nofollow ugc noopener";

const marked = new Marked({ gfm: true, breaks: true, async: false });
marked.use({
  extensions: [mention],
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(text);
    },
    heading({ tokens }: Tokens.Heading) {
      return `<p><strong>${this.parser.parseInline(tokens)}</strong></p>\n`;
    },
    link({ href, title, tokens }: Tokens.Link) {
      const text = this.parser.parseInline(tokens);
      const safe = safeHref(href);
      if (!safe) return text;
      return `<a href="${escapeHtml(safe)}"${title ? ` title="${escapeHtml(title)}"` : ""} rel="${REL}">${text}</a>`;
    },
    image({ href, text }: Tokens.Image) {
      const safe = safeHref(href);
      const label = `image: ${text || "untitled"}`;
      return safe ? `<a href="${escapeHtml(safe)}" rel="${REL}">[${escapeHtml(label)}]</a>` : `[${escapeHtml(label)}]`;
    },
  },
});

export interface Rendered {
  html: string;
  /** Lower-cased usernames mentioned outside code, in order of first mention. */
  mentions: string[];
}

export function renderMarkdown(source: string): Rendered {
  const found = new Set<string>();
  collecting = found;
  try {
    const html = marked.parse(source, { async: false });
    return { html, mentions: [...found] };
  } finally {
    collecting = null;
  }
}
