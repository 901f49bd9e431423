/**
 * The start and end of every request: a request id (an inbound `X-Request-Id` matching
 * `[A-Za-z0-9._-]{1,128}` is kept, as API.md says — Hono's requestId middleware accepts
 * a different character set, hence this small one), the per-request state with a fresh
 * CSP nonce (drawn the first time it is read: only an HTML page needs one), one
 * structured log line when the response is ready, and a Sentry event for a 5xx that no
 * error handler has reported.
 *
 * Plain calls, not a middleware: the app's one outer layer (app/app.ts) calls
 * {@linkcode startRequest} first and {@linkcode finishRequest} last.
 *
 * The log line's fields are an id that matched the pattern above or a UUID, the method,
 * the route pattern, numbers and a user id, none of which can hold a secret, so it is
 * written with `logRequestLine` (no secret-scrubbing regexes: they were a tenth of a
 * trivial request's CPU).
 *
 * @example
 * ```ts
 * const started = startRequest(c, services);
 * await next();
 * finishRequest(c, started);
 * ```
 */
import type { Context } from "hono";
import { logRequestLine } from "@/lib/log.ts";
import { captureErrorResponse } from "@/lib/sentry.ts";
import type { AppEnv, Services, State } from "./state.ts";

const INBOUND_ID = /^[A-Za-z0-9._-]{1,128}$/;
/** Requests slower than this are logged as warnings. */
export const SLOW_REQUEST_MS = 1_000;

/** What {@linkcode finishRequest} needs from the start. */
export interface RequestStart {
  requestId: string;
  started: number;
}

/** Draws or keeps the request id and sets the request's state. */
export function startRequest(c: Context<AppEnv>, services: Services): RequestStart {
  const started = performance.now();
  const inbound = c.req.header("x-request-id");
  const requestId = inbound && INBOUND_ID.test(inbound) ? inbound : crypto.randomUUID();
  c.set("state", newState(requestId, services));
  return { requestId, started };
}

/** Stamps the response with the request id, writes the log line, and reports an unreported 5xx. */
export function finishRequest(c: Context<AppEnv>, { requestId, started }: RequestStart): void {
  c.res.headers.set("X-Request-Id", requestId);
  const durationMs = Math.round((performance.now() - started) * 10) / 10;
  const fields = {
    requestId,
    method: c.req.method,
    route: c.req.routePath,
    status: c.res.status,
    durationMs,
    userId: c.get("state").user?.id,
  };
  if (durationMs > SLOW_REQUEST_MS) logRequestLine("warn", "request.slow", fields);
  else logRequestLine("info", "request", fields);
  // A 5xx a handler returned without throwing never reached the error handler.
  if (c.res.status >= 500) captureErrorResponse(fields, c.req.raw);
}

/**
 * The request's state, whose `nonce` is drawn on first read and then stays the same.
 *
 * A class, not an object literal with a getter: the literal made a new getter closure
 * per request, and every field the middlewares add later (`user`, `auth`…) moved the
 * object to a new hidden class. Declaring them here gives every request's state one
 * shape from the start.
 */
class RequestState implements State {
  title: string | undefined = undefined;
  user: State["user"] = undefined;
  userVersion: string | undefined = undefined;
  changedUserIds: Set<string> | undefined = undefined;
  keepsAuth: boolean | undefined = undefined;
  auth: State["auth"] = undefined;
  flash: State["flash"] = undefined;
  flashOut: State["flashOut"] = undefined;
  unreadNotifications: number | undefined = undefined;
  #nonce: string | undefined = undefined;

  constructor(readonly requestId: string, readonly services: Services) {}

  get nonce(): string {
    return this.#nonce ??= nonce();
  }
}

function newState(requestId: string, services: Services): State {
  return new RequestState(requestId, services);
}

function nonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
