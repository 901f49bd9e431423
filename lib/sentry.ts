/**
 * Error tracking with Sentry, active only when `SENTRY_DSN` is set.
 *
 * What is sent: unhandled errors (the SDK's global handlers and its `Deno.serve`
 * wrapper), every 5xx the app answers (captured by {@linkcode captureRequestError}
 * from the error handler, or for 5xx returned without throwing, from the request
 * context middleware), and the islands' client errors (`POST /api/monitoring`).
 * Each event carries the request id, route, method, status, release and environment,
 * and the user's id — never the e-mail (`sendDefaultPii` stays false).
 *
 * What is never sent: {@linkcode scrubEvent} runs on every event and transaction just
 * before it leaves, and masks cookies, authorization headers, passwords, tokens and
 * secrets wherever they sit (headers, request data, extra, contexts, breadcrumbs,
 * query strings, even messages); request bodies and cookies are dropped whole.
 *
 * The SDK (~20 MB of RSS once loaded) is imported only when a DSN is set: a server
 * without Sentry never loads it (docs/performance.md, "Memory").
 *
 * @example
 * ```ts
 * await initSentry(config); // no-op without config.sentryDsn
 * captureRequestError(error, { requestId, route: "/api/habits", method: "POST", status: 500 });
 * await flushSentry(2_000);
 * ```
 */
import type * as SentrySdk from "@sentry/deno";
import type { Config } from "./config.ts";
import { FILTERED, scrubString, SECRET_KEY } from "./scrub.ts";

export { FILTERED, scrubString };

/** The replacement for every scrubbed value. */
const MAX_DEPTH = 12;

/** The SDK once {@linkcode initSentry} has loaded and started it; undefined while Sentry is off. */
let Sentry: typeof SentrySdk | undefined;
let starting: Promise<typeof SentrySdk> | undefined;

/**
 * Loads and starts the SDK once per process. Without a DSN nothing is loaded and `false`
 * is returned; later calls return `true` without starting it again. Call it before
 * `Deno.serve`: the SDK wraps it to capture what escapes the app.
 */
export async function initSentry(config: Config): Promise<boolean> {
  if (Sentry) return true;
  if (!config.sentryDsn) return false;
  starting ??= import("@sentry/deno").then((sdk) => {
    start(sdk, config);
    return sdk;
  });
  Sentry = await starting;
  return true;
}

function start(sdk: typeof SentrySdk, config: Config): void {
  sdk.init({
    dsn: config.sentryDsn,
    release: config.version,
    environment: config.sentryEnvironment,
    tracesSampleRate: config.sentryTracesSampleRate,
    // No IP addresses, cookies or request bodies by default; the user id is set by hand.
    sendDefaultPii: false,
    beforeSend: (event) => scrubEvent(event),
    beforeSendTransaction: (event) => scrubEvent(event),
    beforeBreadcrumb: (breadcrumb) => scrubValue(breadcrumb, 0) as SentrySdk.Breadcrumb,
  });
}

/** True once {@linkcode initSentry} has started the SDK. */
export function sentryEnabled(): boolean {
  return Sentry !== undefined;
}

/** What a request's 5xx event is tagged with. */
export interface RequestErrorContext {
  requestId: string;
  /** The matched route pattern ("/api/habits/:id"), never the raw path with ids. */
  route: string;
  method: string;
  status: number;
  userId?: string;
}

// Requests already captured, so the middleware that sees every 5xx response does not
// send a second event for an error the error handler has sent.
const captured = new WeakSet<Request>();

/**
 * Sends one request failure. A 503 (database or KV unavailable: an outage the app
 * answered deliberately) is sent as a warning, any other 5xx as an error. Marks `req`
 * so {@linkcode captureErrorResponse} does not send it again. No-op when Sentry is off.
 */
export function captureRequestError(
  error: unknown,
  context: RequestErrorContext,
  req?: Request,
  fingerprint?: string[],
): void {
  if (req) captured.add(req);
  if (!Sentry) return;
  const sdk = Sentry;
  sdk.withScope((scope) => {
    if (fingerprint) scope.setFingerprint(fingerprint);
    scope.setTags({
      request_id: context.requestId,
      route: context.route,
      method: context.method,
      status: String(context.status),
    });
    if (context.userId) scope.setUser({ id: context.userId });
    scope.setLevel(context.status === 503 ? "warning" : "error");
    sdk.captureException(error);
  });
}

/**
 * Sends a 5xx that a handler returned without throwing. Such events share one stack
 * (this function's), so they are grouped by route and status instead.
 */
export function captureErrorResponse(context: RequestErrorContext, req: Request): void {
  // A failing deep health check answers 503 by design, to whatever polls it every few
  // seconds: the poller alerts on it; an event per poll would only bury real errors.
  if (captured.has(req) || context.route.startsWith("/api/health")) return;
  const error = new Error(`${context.method} ${context.route} answered ${context.status}`);
  error.name = "ServerErrorResponse";
  captureRequestError(error, context, req, ["server-error-response", context.route, String(context.status)]);
}

/** A client (island) error as `POST /api/monitoring` accepts it. */
export interface ClientErrorReport {
  message: string;
  stack?: string;
  url?: string;
  island?: string;
  userAgent?: string;
}

/**
 * Sends an error reported by the browser, tagged `source: client`. Returns false when
 * Sentry is off (the caller logs it instead).
 */
export function captureClientError(
  report: ClientErrorReport,
  context: { requestId: string; userId?: string },
): boolean {
  if (!Sentry) return false;
  const sdk = Sentry;
  sdk.withScope((scope) => {
    scope.setTags({ source: "client", request_id: context.requestId });
    if (report.island) scope.setTag("island", report.island);
    if (context.userId) scope.setUser({ id: context.userId });
    scope.setLevel("error");
    scope.setContext("client", { url: report.url, userAgent: report.userAgent, stack: report.stack });
    sdk.captureEvent({
      message: report.message,
      exception: { values: [{ type: "ClientError", value: report.message }] },
    });
  });
  return true;
}

/** Waits up to `timeoutMs` for queued events to be sent; true when all went out (or Sentry is off). */
export async function flushSentry(timeoutMs: number): Promise<boolean> {
  if (!Sentry) return true;
  return await Sentry.flush(timeoutMs);
}

/**
 * Masks every secret in an event before it leaves the process: secret-named keys
 * anywhere, `key=value` secrets and bearer credentials inside strings, and drops the
 * request body and cookies whole.
 *
 * @example
 * ```ts
 * scrubEvent({ request: { headers: { Cookie: "session=x" } } });
 * // { request: { headers: { Cookie: "[Filtered]" } } }
 * ```
 */
export function scrubEvent<T extends SentrySdk.Event>(event: T): T {
  if (event.request) {
    delete event.request.data;
    delete event.request.cookies;
  }
  return scrubValue(event, 0) as T;
}

function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === "string") return scrubString(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > MAX_DEPTH) return FILTERED;
  if (Array.isArray(value)) {
    // Header and query lists arrive as [name, value] pairs too.
    if (value.length === 2 && typeof value[0] === "string" && SECRET_KEY.test(value[0])) {
      return [value[0], FILTERED];
    }
    return value.map((item) => scrubValue(item, depth + 1));
  }
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && item !== undefined && item !== null ? FILTERED : scrubValue(item, depth + 1);
  }
  return out;
}

/**
 * Sends the failure of background work (a scheduled backup, a job) that no request
 * saw, tagged `task`, grouped per task and error type. No-op when Sentry is off.
 *
 * @example
 * ```ts
 * captureTaskError("backup", error, { day: "2026-11-29" });
 * ```
 */
export function captureTaskError(task: string, error: unknown, extra: Record<string, unknown> = {}): void {
  if (!Sentry) return;
  const sdk = Sentry;
  sdk.withScope((scope) => {
    scope.setTags({ task });
    scope.setContext("task", { name: task, ...extra });
    scope.setLevel("error");
    const type = error instanceof Error ? error.name : "Error";
    scope.setFingerprint(["task", task, type]);
    sdk.captureException(error);
  });
}
