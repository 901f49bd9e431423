/**
 * `Cache-Control` for everything the app computes, decided in one place (API.md: every
 * response that depends on the signed-in user carries `no-store`):
 *
 * - a request that authenticated (session or token): `no-store`, whatever the route
 *   said — nothing a user sees may sit in a shared cache or the browser's back-forward
 *   history for the next person at the keyboard;
 * - anything else without a `Cache-Control` of its own (pages, API answers, errors,
 *   redirects): `no-store` too, because a signed-out page can still differ by cookie
 *   (the landing page redirects a signed-in visitor).
 *
 * Static files set their own caching (ETag, `immutable` for hashed builds) and never
 * authenticate, so they keep it.
 *
 * @example
 * ```ts
 * app.use(requestContext(services));
 * app.use(cacheControl());
 * ```
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./state.ts";

/** The middleware; put it right after the request context, so errors from any later step get it too. */
export function cacheControl(): MiddlewareHandler<AppEnv> {
  return async function cacheControl(c, next) {
    await next();
    const personal = c.get("state")?.user !== undefined;
    if (!personal && c.res.headers.has("cache-control")) return;
    try {
      c.res.headers.set("Cache-Control", "no-store");
    } catch {
      // Immutable headers (Response.redirect): copy the response.
      const copy = new Response(c.res.body, c.res);
      copy.headers.set("Cache-Control", "no-store");
      c.res = copy;
    }
  };
}
