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
 * applyCacheControl(c.get("state")?.user !== undefined, res.headers);
 * ```
 */

/** Sets `no-store` unless the response is not personal and set its own caching. */
export function applyCacheControl(personal: boolean, headers: Headers): void {
  if (!personal && headers.has("cache-control")) return;
  headers.set("Cache-Control", "no-store");
}
