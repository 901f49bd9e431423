/**
 * Cross-site request forgery guard. Browsers attach the session cookie to requests
 * any site triggers, so an unsafe request that could act with it (forms and JSON
 * alike, and a GET its rate-limit policy declares state-changing, like the export
 * download that spends a monthly quota) must come from our own origin (lib/auth/own_origin.ts). Bearer-token requests carry no ambient
 * credentials and are exempt; a request with no cookie and no `Origin` (a script) passes.
 *
 * Hono's csrf middleware only looks at form content types, hence this one.
 */
import type { FreshContext } from "fresh";
import { isStateChangingGet } from "@/lib/rate_limit/policies.ts";
import type { State } from "@/app/state.ts";
import { isOwnOrigin } from "@/lib/auth/own_origin.ts";
import { HttpError } from "fresh";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

export function csrfGuard(ctx: FreshContext<State>): Promise<Response> {
  // A GET that spends something (GET /api/export) is judged like a write: a cross-site
  // link must not spend the victim's quota. Browsers send no Origin on GET navigations;
  // Sec-Fetch-Site decides then.
  const safe = SAFE.has(ctx.req.method) && !isStateChangingGet(ctx.req.method, ctx.route);
  if (safe || ctx.state.auth?.kind === "token") return ctx.next();
  // With `Referrer-Policy: no-referrer` (secureHeaders' default) browsers send
  // `Origin: null` on form posts, even same-origin ones; Sec-Fetch-Site decides then.
  const rawOrigin = ctx.req.headers.get("origin");
  const origin = rawOrigin === "null" ? null : rawOrigin;
  const site = ctx.req.headers.get("sec-fetch-site");
  if (origin !== null) {
    if (!isOwnOrigin(ctx.state.services.config, origin, ctx.url)) {
      throw new HttpError(403, "Cross-origin request refused");
    }
  } else if (site !== null) {
    if (site !== "same-origin" && site !== "none") throw new HttpError(403, "Cross-origin request refused");
  } else if (ctx.req.headers.has("cookie")) {
    // A browser sends Origin on unsafe requests; a cookie without either header is suspect.
    throw new HttpError(403, "Cross-origin request refused: no Origin header");
  }
  return ctx.next();
}
