/**
 * Turns any thrown value into the response API.md promises: the JSON error envelope
 * for `/api` and JSON clients, the `_404`/`_500` pages for browsers. Unknown errors
 * become a 500 that names the request id and never leaks the error's message.
 *
 * @example
 * ```ts
 * app.onError((error, c) => errorResponse(c, error, router));
 * ```
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { isDbBusy, isDbUnavailable } from "@/db/errors.ts";
import { asRuleViolation, RULE_STATUS } from "@/domain/rules.ts";
import { HttpError, MethodNotAllowedError, type Router } from "fresh";
import { KvTimeoutError } from "@/lib/kv.ts";
import { KvUnavailableError } from "@/lib/kv_remote.ts";
import { log } from "@/lib/log.ts";
import { ValidationError } from "@/lib/validate.ts";
import { captureRequestError } from "@/lib/sentry.ts";
import { ApiError } from "./api_error.ts";
import type { AppEnv } from "./state.ts";

/** True when the client should get JSON: `/api` paths, or an Accept that prefers JSON. */
export function wantsJson(c: Context<AppEnv>): boolean {
  if (c.req.path === "/api" || c.req.path.startsWith("/api/")) return true;
  const accept = c.req.header("accept") ?? "";
  return accept.includes("application/json") && !accept.includes("text/html");
}

/**
 * Normalises any thrown value to an {@linkcode ApiError}: an ApiError as it is; a bare
 * `HttpError` with its status, message and cause (the router's 405 with its `Allow`,
 * a field-naming 400 with its `details`); a rule violation, a DB or KV outage, or anything
 * else by what it means. 5xx ones keep the cause.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HttpError) {
    const details = error instanceof ValidationError ? error.details : undefined;
    const headers = error instanceof MethodNotAllowedError ? { Allow: error.allow.join(", ") } : undefined;
    return new ApiError(error.status, error.message, {
      details,
      headers,
      ...("cause" in error ? { cause: error.cause } : {}),
    });
  }
  if (error instanceof HTTPException) {
    return new ApiError(error.status, error.status === 413 ? undefined : error.message, { cause: error });
  }
  const rule = asRuleViolation(error);
  if (rule) {
    const status = RULE_STATUS[rule.kind];
    const upgrade = rule.kind === "plan_limit" ? { upgradeUrl: "/upgrade" } : undefined;
    return new ApiError(status, rule.message, { details: upgrade, cause: error });
  }
  if (isDbUnavailable(error) || error instanceof KvTimeoutError || error instanceof KvUnavailableError) {
    return new ApiError(503, undefined, { cause: error, headers: { "Retry-After": "5" } });
  }
  // A statement timeout, a lock wait or a deadlock: the server is up but could not do it now.
  if (isDbBusy(error)) {
    return new ApiError(503, "The database is busy right now: try again in a few seconds", {
      cause: error,
      headers: { "Retry-After": "2" },
    });
  }
  return new ApiError(500, undefined, { cause: error });
}

/** The error response for `error`, logged once (5xx as errors with the cause, and sent to Sentry). */
export function errorResponse(c: Context<AppEnv>, error: unknown, router: Router): Response {
  const http = toApiError(error);
  const state = c.get("state");
  const requestId = state?.requestId;
  if (http.status >= 500) {
    // A 5xx a route chose (billing off: an HttpError with no cause) is not a failure to
    // page anyone about; one with a cause (a throw, a DB outage) is.
    (http.cause === undefined ? log.warn : log.error)("request.failed", {
      requestId,
      method: c.req.method,
      path: c.req.path,
      status: http.status,
      error: http.cause ?? http.message,
    });
    // Hono's onError swallows the error before the SDK's Deno.serve wrapper sees it.
    captureRequestError(http.cause ?? error, {
      requestId: requestId ?? "",
      route: c.req.routePath,
      method: c.req.method,
      status: http.status,
      userId: state?.user?.id,
    }, c.req.raw);
  }
  if (wantsJson(c)) return jsonError(http, requestId);
  if (http.status === 401) return loginRedirect(c);
  return router.renderError(c, http.status, http, http.headers);
}

/** The API.md envelope: `{"error": {"code", "message", "details"?, "requestId"?}}`. */
export function jsonError(error: ApiError, requestId?: string): Response {
  const body: Record<string, unknown> = { code: error.code, message: error.message };
  if (error.details) body.details = error.details;
  if (error.status >= 500 && requestId) body.requestId = requestId;
  return Response.json({ error: body }, { status: error.status, headers: error.headers });
}

/** Signed-out visits to app pages go to the log-in page, which comes back here after. */
function loginRedirect(c: Context<AppEnv>): Response {
  const url = new URL(c.req.url);
  const next = c.req.method === "GET" ? url.pathname + url.search : url.pathname;
  return new Response(null, { status: 303, headers: { Location: `/login?next=${encodeURIComponent(next)}` } });
}
