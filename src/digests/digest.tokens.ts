/**
 * Signed links of the digests. An emailed link must work without a session (a reader opens it
 * from their mail, possibly on another device) and for a long time (RFC 8058 one-click
 * unsubscribes come months later), so it carries the id and an HMAC of it under the site
 * secret: nothing to store, nothing to expire, and it cannot be forged for another id.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

type Purpose = "subscription" | "view";

function sign(secret: string, purpose: Purpose, id: number): string {
  // 128 bits of the HMAC: plenty against guessing, short enough for a List-Unsubscribe header.
  return createHmac("sha256", secret).update(`digest:${purpose}:${id}`).digest("base64url").slice(0, 22);
}

function make(secret: string, purpose: Purpose, id: number): string {
  return `${id}.${sign(secret, purpose, id)}`;
}

function verify(secret: string, purpose: Purpose, token: unknown): number | null {
  if (typeof token !== "string") return null;
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m) return null;
  const id = Number(m[1]);
  const want = Buffer.from(sign(secret, purpose, id));
  const got = Buffer.from(m[2]);
  return want.length === got.length && timingSafeEqual(want, got) ? id : null;
}

/** Manages (and unsubscribes) one subscription: the links in every digest's footer and headers. */
export const subscriptionToken = (secret: string, subscriptionId: number) => make(secret, "subscription", subscriptionId);
export const verifySubscriptionToken = (secret: string, token: unknown) => verify(secret, "subscription", token);

/** Opens one sent digest in a browser (/digests/:id?t=...). */
export const viewToken = (secret: string, sendId: number) => make(secret, "view", sendId);
export const verifyViewToken = (secret: string, sendId: number, token: unknown) => verify(secret, "view", token) === sendId;
