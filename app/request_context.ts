/**
 * The first middleware of every request: a request id (an inbound `X-Request-Id`
 * matching `[A-Za-z0-9._-]{1,128}` is kept, as API.md says — Hono's requestId
 * middleware accepts a different character set, hence this small one), the per-request
 * state with a fresh CSP nonce, one structured log line when the response is ready, and
 * a Sentry event for a 5xx that no error handler has reported.
 *
 * @example
 * ```ts
 * app.use(requestContext(services));
 * ```
 */
import type { MiddlewareHandler } from "hono";
import { log } from "@/lib/log.ts";
import { captureErrorResponse } from "@/lib/sentry.ts";
import type { AppEnv, Services } from "./state.ts";

const INBOUND_ID = /^[A-Za-z0-9._-]{1,128}$/;
/** Requests slower than this are logged as warnings. */
export const SLOW_REQUEST_MS = 1_000;

export function requestContext(services: Services): MiddlewareHandler<AppEnv> {
  return async function requestContext(c, next) {
    const started = performance.now();
    const inbound = c.req.header("x-request-id");
    const requestId = inbound && INBOUND_ID.test(inbound) ? inbound : crypto.randomUUID();
    c.set("state", { requestId, nonce: nonce(), services });
    try {
      await next();
    } finally {
      c.res.headers.set("X-Request-Id", requestId);
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      const state = c.get("state");
      const fields = {
        requestId,
        method: c.req.method,
        route: c.req.routePath,
        status: c.res.status,
        durationMs,
        userId: state.user?.id,
      };
      if (durationMs > SLOW_REQUEST_MS) log.warn("request.slow", fields);
      else log.info("request", fields);
      // A 5xx a handler returned without throwing never reached the error handler.
      if (c.res.status >= 500) captureErrorResponse(fields, c.req.raw);
    }
  };
}

function nonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
