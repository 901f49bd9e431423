/**
 * The two database failures the rest of the app must tell apart.
 *
 * - {@linkcode DbUnavailableError}: the database cannot be reached or does not answer
 *   (down, restarting, network cut, PgBouncer out of server connections). Retrying
 *   later may work; the HTTP layer answers `503 unavailable`.
 * - {@linkcode QueryTimeoutError}: the server is healthy but one statement ran past
 *   its deadline and was cancelled. That is a slow query (or a lock wait), not an
 *   outage, so it is *not* "unavailable" — but it is not the client's fault either:
 *   it is one of the "busy" failures of {@linkcode isDbBusy}, which also answer 503.
 *
 * Every query made through `db/client.ts` rejects with one of these instead of the
 * driver's raw connection errors, so callers can test with `instanceof`.
 *
 * @example
 * ```ts
 * try {
 *   await db.sql`select 1`;
 * } catch (err) {
 *   if (err instanceof DbUnavailableError) return c.json(unavailableBody, 503);
 *   throw err;
 * }
 * ```
 */

/** The database cannot be reached or did not answer. Safe to retry later. */
export class DbUnavailableError extends Error {
  override name = "DbUnavailableError";
  constructor(
    message = "the database is unavailable; retry shortly",
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A statement ran past its deadline on a server that is otherwise answering. */
export class QueryTimeoutError extends Error {
  override name = "QueryTimeoutError";
  /** The deadline that was exceeded, in milliseconds. */
  readonly timeoutMs: number;
  constructor(timeoutMs: number, message?: string, options?: ErrorOptions) {
    super(
      message ??
        `query exceeded its ${timeoutMs} ms deadline and was cancelled; ` +
          "make it cheaper (index, smaller batch) or give it a longer timeout",
      options,
    );
    this.timeoutMs = timeoutMs;
  }
}

/** Socket-level error codes (Node style, as Deno's node:net reports them). */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  // postgres.js's own codes for a connection it lost or gave up on.
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
]);

/** Deno's native network error classes, should one surface unwrapped. */
const DENO_NETWORK_ERRORS = new Set([
  "ConnectionRefused",
  "ConnectionReset",
  "ConnectionAborted",
  "BrokenPipe",
  "NotConnected",
  "TimedOut",
  "AddrNotAvailable",
]);

/**
 * SQLSTATEs meaning "this server cannot serve you right now": class 08 (connection
 * exceptions, which PgBouncer also uses for its own errors), server shutdown and
 * start-up, and too many connections.
 */
const UNAVAILABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);

/** PgBouncer's words for "no server for you", whatever SQLSTATE it picked. */
const PGBOUNCER_MESSAGES =
  /no more connections allowed|server login (?:has been )?fail|pgbouncer cannot connect to server|query_wait_timeout|server conn crashed|client_login_timeout|database .* is (?:paused|disabled)|pooler is shutting down/i;

/**
 * True when `err` (or one of its causes) says the database is unreachable or not
 * answering: connection refused/reset/timed out, postgres.js's
 * `CONNECT_TIMEOUT`/`CONNECTION_CLOSED`/`CONNECTION_ENDED`/`CONNECTION_DESTROYED`,
 * server shutdown, or PgBouncer's "no more connections", "server login failed",
 * `query_wait_timeout` and the like. A {@linkcode QueryTimeoutError} is not.
 *
 * @example
 * ```ts
 * isDbUnavailable(Object.assign(new Error("connect"), { code: "ECONNREFUSED" })); // true
 * isDbUnavailable(new QueryTimeoutError(10_000)); // false
 * ```
 */
export function isDbUnavailable(err: unknown): boolean {
  for (let depth = 0; depth < 5 && err; depth++) {
    if (err instanceof DbUnavailableError) return true;
    if (err instanceof QueryTimeoutError) return false;
    if (typeof err !== "object") return false;
    const { code, name, message, syscall } = err as {
      code?: unknown;
      name?: unknown;
      message?: unknown;
      syscall?: unknown;
    };
    if (typeof code === "string") {
      if (NETWORK_CODES.has(code)) return true;
      // A missing unix socket: the embedded server is gone.
      if (code === "ENOENT" && syscall === "connect") return true;
      if (code.startsWith("08") || UNAVAILABLE_SQLSTATES.has(code)) return true;
    }
    if (typeof name === "string" && DENO_NETWORK_ERRORS.has(name)) return true;
    if (typeof message === "string" && PGBOUNCER_MESSAGES.test(message)) {
      return true;
    }
    err = (err as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Turns a driver error into the app's vocabulary: unavailability becomes a
 * {@linkcode DbUnavailableError} (the original kept as `cause`); anything else
 * (constraint violations, syntax errors, ...) is returned unchanged so callers can
 * still read its SQLSTATE `code`.
 */
export function toDbError(err: unknown): unknown {
  if (err instanceof DbUnavailableError || err instanceof QueryTimeoutError) {
    return err;
  }
  if (isDbUnavailable(err)) {
    const reason = err instanceof Error ? err.message : String(err);
    return new DbUnavailableError(`the database is unavailable: ${reason}`, {
      cause: err,
    });
  }
  return err;
}

/**
 * SQLSTATEs of a healthy server that could not do this statement now: cancelled or timed
 * out (57014), a lock not granted within `lock_timeout` (55P03), a serialization failure
 * (40001) or a deadlock victim (40P01). None is the client's fault; a retry later may
 * well work.
 */
export const BUSY_SQLSTATES: ReadonlySet<string> = new Set(["57014", "55P03", "40001", "40P01"]);

/** SQLSTATEs after which the whole transaction may simply be run again. */
export const RETRYABLE_SQLSTATES: ReadonlySet<string> = new Set(["40001", "40P01"]);

/**
 * True when `err` (or one of its causes) says the database was too busy for this
 * statement: a {@linkcode QueryTimeoutError} (our deadline) or one of
 * {@linkcode BUSY_SQLSTATES} (the server's statement or lock timeout, a deadlock). The
 * HTTP layer answers these `503 unavailable` with `Retry-After`, never `500`.
 *
 * @example
 * ```ts
 * isDbBusy(Object.assign(new Error("canceling statement due to lock timeout"), { code: "55P03" })); // true
 * isDbBusy(Object.assign(new Error("duplicate key"), { code: "23505" })); // false
 * ```
 */
export function isDbBusy(err: unknown): boolean {
  return sqlStateIn(err, BUSY_SQLSTATES) || hasCause(err, (e) => e instanceof QueryTimeoutError);
}

/** True when `err` (or a cause) carries one of `codes` as its SQLSTATE. */
export function sqlStateIn(err: unknown, codes: ReadonlySet<string>): boolean {
  return hasCause(err, (e) => {
    const code = (e as { code?: unknown }).code;
    return typeof code === "string" && codes.has(code);
  });
}

function hasCause(err: unknown, test: (err: object) => boolean): boolean {
  for (let depth = 0; depth < 5 && typeof err === "object" && err !== null; depth++) {
    if (test(err)) return true;
    err = (err as { cause?: unknown }).cause;
  }
  return false;
}
