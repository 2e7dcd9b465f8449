import type { AppContext } from "../context.js";

/** Every cookie of the site: HttpOnly, SameSite=Lax, Secure when the site is served over https. */
export function cookieOptions(ctx: AppContext, maxAgeSeconds?: number) {
  return {
    path: "/",
    httpOnly: true,
    sameSite: "lax" as const,
    // Read at request time: the browser tests learn the base URL only after listening.
    secure: ctx.config.baseUrl.startsWith("https:"),
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  };
}
