/** Response headers every page carries, in one place for the normal path and the page cache. */

const CSP =
  "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; script-src 'self'; font-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

export function securityHeaders(contentType: string): Record<string, string> {
  const h: Record<string, string> = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
  };
  if (contentType.startsWith("text/html")) {
    h["x-frame-options"] = "DENY";
    h["content-security-policy"] = CSP;
  }
  return h;
}
