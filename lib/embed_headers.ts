/**
 * Headers for the one kind of response other sites may embed: a shared grid image
 * (`/s/<token>.svg`). The app's security headers (lib/app.ts) say `same-origin` for
 * `Cross-Origin-Resource-Policy`, which would stop every `<img>` on a blog or a README
 * from loading it, and a page CSP that is meaningless for an image. For these responses
 * only, this sets `Cross-Origin-Resource-Policy: cross-origin` and a CSP that lets an SVG
 * opened on its own do nothing but apply its inline style.
 *
 * Register it before `secureHeaders` so that it runs after it on the way out.
 *
 * @example
 * ```ts
 * app.use(embedHeaders());
 * app.use(secureHeaders({ … }));
 * ```
 */
import type { MiddlewareHandler } from "hono";

/** Paths whose successful answers may be embedded anywhere. */
const EMBEDDABLE = /^\/s\/[^/]+\.svg$/;

/** The middleware. */
export function embedHeaders(): MiddlewareHandler {
  return async function embedHeaders(c, next) {
    await next();
    if (!EMBEDDABLE.test(c.req.path) || c.res.status !== 200) return;
    c.res.headers.set("Cross-Origin-Resource-Policy", "cross-origin");
    c.res.headers.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
    c.res.headers.delete("X-Frame-Options");
  };
}
