/**
 * Every header the app adds to a response, in one step on the way out: the security
 * headers (lib/secure_headers.ts; a CSP with the request's nonce on HTML only), the
 * embeddable shared-grid exception (lib/embed_headers.ts), then `Cache-Control`
 * (app/cache_control.ts). One middleware instead of three: each Hono layer costs a
 * closure, a promise and a turn per request, and these only write headers.
 *
 * A response with immutable headers (`Response.redirect`) is copied first.
 *
 * @example
 * ```ts
 * app.use(requestContext(services));
 * app.use(responseHeaders({ https: true }));
 * ```
 */
import type { MiddlewareHandler } from "hono";
import { applyEmbedHeaders } from "@/lib/embed_headers.ts";
import { secureHeaderSet } from "@/lib/secure_headers.ts";
import { applyCacheControl } from "./cache_control.ts";
import type { AppEnv } from "./state.ts";

/** The middleware; put it right after the request context, so errors from any later step get the headers too. */
export function responseHeaders(options: { https: boolean }): MiddlewareHandler<AppEnv> {
  const secure = secureHeaderSet(options);
  const apply = (headers: Headers, path: string, status: number, state: AppEnv["Variables"]["state"] | undefined) => {
    for (const [name, value] of secure.fixed) headers.set(name, value);
    const html = headers.get("content-type")?.startsWith("text/html") ?? false;
    headers.set("Content-Security-Policy", secure.csp(html && state ? state.nonce : undefined));
    applyEmbedHeaders(path, status, headers);
    applyCacheControl(state?.user !== undefined, headers);
  };
  return async function responseHeaders(c, next) {
    await next();
    const state = c.get("state");
    try {
      apply(c.res.headers, c.req.path, c.res.status, state);
    } catch {
      // Immutable headers (Response.redirect): copy the response.
      const copy = new Response(c.res.body, c.res);
      apply(copy.headers, c.req.path, copy.status, state);
      c.res = copy;
    }
  };
}
