/**
 * Every header the app adds to a response, in one step on the way out: the security
 * headers (lib/secure_headers.ts; a CSP with the request's nonce on HTML only), the
 * embeddable shared-grid exception (lib/embed_headers.ts), then `Cache-Control`
 * (app/cache_control.ts). A plain call from the app's one outer layer (app/app.ts), not
 * a middleware: each Hono layer costs a closure, a promise and a turn per request, and
 * this only writes headers.
 *
 * A response with immutable headers (`Response.redirect`) is copied first.
 *
 * @example
 * ```ts
 * const writeHeaders = responseHeaders({ https: true });
 * await next();
 * writeHeaders(c);
 * ```
 */
import type { Context } from "hono";
import { applyEmbedHeaders } from "@/lib/embed_headers.ts";
import { secureHeaderSet } from "@/lib/secure_headers.ts";
import { applyCacheControl } from "./cache_control.ts";
import type { AppEnv } from "./state.ts";

/** Returns the function that writes the headers onto `c.res` (replacing it when its headers are immutable). */
export function responseHeaders(options: { https: boolean }): (c: Context<AppEnv>) => void {
  const secure = secureHeaderSet(options);
  const apply = (headers: Headers, path: string, status: number, state: AppEnv["Variables"]["state"] | undefined) => {
    for (const [name, value] of secure.fixed) headers.set(name, value);
    const html = headers.get("content-type")?.startsWith("text/html") ?? false;
    headers.set("Content-Security-Policy", secure.csp(html && state ? state.nonce : undefined));
    applyEmbedHeaders(path, status, headers);
    applyCacheControl(state?.user !== undefined, headers);
  };
  return function writeResponseHeaders(c) {
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
