/**
 * Headers for the one kind of response other sites may embed: a shared grid image
 * (`/s/<token>.svg`). The app's security headers (lib/secure_headers.ts) say
 * `same-origin` for `Cross-Origin-Resource-Policy`, which would stop every `<img>` on a
 * blog or a README from loading it, and a page CSP that is meaningless for an image. For
 * these responses only, this sets `Cross-Origin-Resource-Policy: cross-origin` and a CSP
 * that lets an SVG opened on its own do nothing but apply its inline style.
 *
 * Apply it after the security headers, so that it overrides them.
 *
 * @example
 * ```ts
 * applyEmbedHeaders(c.req.path, res.status, res.headers);
 * ```
 */

/** Paths whose successful answers may be embedded anywhere. */
const EMBEDDABLE = /^\/s\/[^/]+\.svg$/;

/** Loosens `headers` for a successful answer on an embeddable path; leaves any other alone. */
export function applyEmbedHeaders(path: string, status: number, headers: Headers): void {
  if (status !== 200 || !EMBEDDABLE.test(path)) return;
  headers.set("Cross-Origin-Resource-Policy", "cross-origin");
  headers.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
  headers.delete("X-Frame-Options");
}
