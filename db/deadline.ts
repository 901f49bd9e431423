/**
 * Every statement gets a deadline, enforced by the client.
 *
 * Why client-side: a server-side `statement_timeout` cannot bound a query whose
 * server or network went silent (it never answers, so it never times out), and
 * through PgBouncer in transaction mode it only works as `SET LOCAL` inside an
 * explicit transaction. A timer in this process bounds every query, wherever it
 * is stuck: queued for a connection, running, or on a dead connection.
 *
 * What happens at the deadline:
 * 1. Queued, never sent: postgres.js drops it; the caller gets a
 *    {@linkcode QueryTimeoutError}.
 * 2. Running: a cancel request goes to the server (PgBouncer forwards it). A healthy
 *    server stops the statement within milliseconds and the caller gets a
 *    {@linkcode QueryTimeoutError}; the connection stays usable.
 * 3. No answer to the cancel within `cancelGraceMs`: the server is presumed gone.
 *    The caller gets a {@linkcode DbUnavailableError} and `onSilentServer` runs (the
 *    pool is replaced, so recovery does not wait for TCP's ~15-minute timeout).
 *
 * Embedded PGlite cannot cancel a running statement (`cancelGraceMs: null`): the
 * caller gets its {@linkcode QueryTimeoutError} at the deadline and the statement
 * finishes in the background.
 *
 * A cursor or `forEach` stream is bounded as a whole, reading included: give a long
 * export its own deadline (`db.withTimeout(ms)`).
 *
 * Deadlines count time this process could see passing ({@linkcode observedTimeout}): when
 * the process itself was stalled (a long synchronous task, a starved CPU), a timer that
 * comes due late first lets the answers that arrived meanwhile in, instead of blaming
 * the server for the process's own pause and replacing a healthy pool.
 *
 * @example
 * ```ts
 * const sql = boundSql(() => ({ sql: pool, policy }));
 * await sql`select pg_sleep(60)`; // QueryTimeoutError after policy.timeoutMs
 * ```
 */
import type postgres from "postgres";
import { observedTimeout, type ObservedTimer } from "@/lib/observed_timeout.ts";
import type { ConnectionGate } from "./connection_gate.ts";
import { DbUnavailableError, QueryTimeoutError, toDbError } from "./errors.ts";

/** How long statements may run, and what to do about a server that stops answering. */
export interface DeadlinePolicy {
  /** Longest time from executing a statement to its answer, in milliseconds. */
  timeoutMs: number;
  /**
   * How long a server gets to answer a cancel request before it is presumed gone;
   * `null` when it cannot cancel statements at all (embedded PGlite).
   */
  cancelGraceMs: number | null;
  /** Runs when the server did not answer a cancel in time. */
  onSilentServer(): void;
  /**
   * Told of every statement and transaction as it starts, with a promise that settles
   * when it is done (the pool counts what it must wait for before closing).
   */
  onStart?(done: Promise<unknown>): void;
  /**
   * The pool's permits ({@linkcode ConnectionGate}): statements and transactions sent on
   * the pool wait for one, within their deadline; absent inside a transaction.
   */
  gate?: ConnectionGate;
}

/** The policy for statements that run on a connection already held (a transaction's). */
function held(policy: DeadlinePolicy): DeadlinePolicy {
  return policy.gate ? { ...policy, gate: undefined } : policy;
}

/** The pool (or transaction) to send to now, and the policy for it. */
export interface BoundTarget<S> {
  sql: S;
  policy: DeadlinePolicy;
}

/**
 * The postgres.js `Query` internals used here. They are not in its public types;
 * tests/db/client_test.ts fails if an upgrade changes them.
 */
interface QueryInternals {
  handle(): Promise<void>;
  reject(err: unknown): void;
  canceller: ((query: QueryInternals) => Promise<void>) | null;
}

// deno-lint-ignore no-explicit-any
type AnyFunction = (...args: any[]) => any;

/**
 * Wraps a postgres.js `sql` function (pool, transaction or reserved connection) so
 * that every query it makes is bounded by the policy. `current` is read on every
 * call: the pool behind one wrapper can be replaced without callers noticing.
 * Helpers (`sql(obj)`, `sql.json`, ...) pass through untouched.
 */
export function boundSql<S extends AnyFunction>(
  current: () => BoundTarget<S>,
): S {
  return new Proxy((() => {}) as unknown as S, {
    apply(_target, _this, args) {
      const { sql, policy } = current();
      const result = Reflect.apply(sql, undefined, args);
      return isQuery(result) ? withDeadline(result, policy) : result;
    },
    get(_target, prop) {
      const { sql, policy } = current();
      const value = Reflect.get(sql, prop);
      if (typeof value !== "function") return value;
      switch (prop) {
        case "unsafe":
        case "file":
          return (...args: unknown[]) => withDeadline(Reflect.apply(value, sql, args), policy);
        case "begin":
          return (...args: unknown[]) => {
            const fn = args.at(-1) as TransactionBody<unknown>;
            const mode = args.length > 1 ? args[0] as string : undefined;
            return boundBegin(sql as unknown as postgres.Sql, policy, fn, mode);
          };
        case "savepoint":
          return (...args: unknown[]) => {
            const fn = args.at(-1) as TransactionBody<unknown>;
            const wrapped = (inner: postgres.TransactionSql) =>
              fn(boundSql(() => ({ sql: inner, policy: held(policy) })));
            return Reflect.apply(value, sql, [...args.slice(0, -1), wrapped]);
          };
        case "reserve":
          return async () => {
            const reserved = await Reflect.apply(value, sql, []);
            return boundSql(() => ({ sql: reserved, policy: held(policy) }));
          };
        default:
          return value;
      }
    },
    has(_target, prop) {
      return prop in current().sql;
    },
  });
}

type TransactionBody<T> = (sql: postgres.TransactionSql) => T | Promise<T>;

/**
 * `sql.begin` with deadlines on the parts the caller cannot see: getting a
 * connection and `BEGIN` answered, then `COMMIT`/`ROLLBACK` answered. The body's own
 * queries are bounded one by one; time spent in the caller's code between them is
 * not limited. A commit that is not confirmed in time rejects with a
 * {@linkcode DbUnavailableError}: its outcome is unknown.
 */
export function boundBegin<T>(
  sql: postgres.Sql,
  policy: DeadlinePolicy,
  fn: TransactionBody<T>,
  mode?: string,
): Promise<T> {
  const limitMs = policy.timeoutMs + (policy.cancelGraceMs ?? 0);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let bodyFailure: { error: unknown } | undefined;
    let timer = observedTimeout(beginStuck, limitMs);
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      timer.clear();
      finish();
    };

    const body = async (tx: postgres.TransactionSql) => {
      // BEGIN answered after the caller was told it failed: roll back.
      if (settled) throw new QueryTimeoutError(limitMs, "transaction abandoned");
      timer.clear();
      try {
        return await fn(boundSql(() => ({ sql: tx, policy: held(policy) })));
      } catch (error) {
        bodyFailure = { error };
        throw error;
      } finally {
        if (!settled) timer = observedTimeout(endStuck, limitMs);
      }
    };
    const begin = () => {
      const run = mode === undefined ? sql.begin(body) : sql.begin(mode, body);
      policy.onStart?.(run);
      run.then(
        (value) => settle(() => resolve(value as T)),
        (error) => settle(() => reject(toDbError(error))),
      );
      return run;
    };
    if (!policy.gate) begin();
    else {
      // Waiting for a free connection counts towards "could not start in time".
      policy.gate.acquire().then((release) => {
        if (settled) return release();
        begin().then(release, release);
      });
    }

    function beginStuck() {
      settle(() =>
        reject(
          new QueryTimeoutError(
            limitMs,
            `could not start a transaction within ${limitMs} ms: ` +
              "every connection is busy or the server is not answering",
          ),
        )
      );
    }

    function endStuck() {
      if (bodyFailure) {
        // The caller's own error matters more than a slow rollback.
        const { error } = bodyFailure;
        return settle(() => reject(error));
      }
      settle(() =>
        reject(
          new DbUnavailableError(
            `the database did not confirm the commit within ${limitMs} ms; ` +
              "the transaction's outcome is unknown",
          ),
        )
      );
      if (policy.cancelGraceMs !== null) policy.onSilentServer();
    }
  });
}

function isQuery(value: unknown): boolean {
  return value instanceof Promise &&
    typeof (value as { cancel?: unknown }).cancel === "function" &&
    typeof (value as { handle?: unknown }).handle === "function";
}

/** Arms a deadline on a postgres.js query when it executes (queries are lazy). */
function withDeadline<Q>(query: Q, policy: DeadlinePolicy): Q {
  const q = query as unknown as QueryInternals;
  const { handle, reject } = q;
  let timedOut = false;
  let armed = false;
  let waitingForPermit = false;
  let sent: Promise<void> | undefined;

  // Every rejection passes here: driver errors become the app's error types.
  q.reject = (error: unknown) =>
    reject.call(
      q,
      timedOut && (error as { code?: unknown })?.code === "57014"
        ? new QueryTimeoutError(policy.timeoutMs, undefined, { cause: error })
        : toDbError(error),
    );

  q.handle = function handleWithDeadline(this: QueryInternals) {
    if (!armed) {
      armed = true;
      arm();
    }
    const gate = policy.gate;
    if (!gate) return handle.call(this);
    if (sent) return sent;
    waitingForPermit = true;
    return sent = gate.acquire().then((release) => {
      waitingForPermit = false;
      // Its deadline passed while it waited: it was never sent.
      if (timedOut) return release();
      // The base `then`, as below.
      Promise.prototype.then.call(query, release, release);
      return handle.call(this);
    });
  };

  function arm() {
    const timers: ObservedTimer[] = [observedTimeout(onDeadline, policy.timeoutMs)];
    const disarm = () => timers.forEach((timer) => timer.clear());
    // The base `then`: Query's own `then` would execute the query.
    policy.onStart?.(Promise.prototype.then.call(query, disarm, disarm));

    function onDeadline() {
      timedOut = true;
      if (waitingForPermit) {
        q.reject(
          new QueryTimeoutError(
            policy.timeoutMs,
            `waited ${policy.timeoutMs} ms for a free connection: every one was busy`,
          ),
        );
        return;
      }
      if (policy.cancelGraceMs === null) {
        q.reject(
          new QueryTimeoutError(
            policy.timeoutMs,
            `query exceeded its ${policy.timeoutMs} ms deadline; the embedded ` +
              "database cannot cancel it, so it finishes in the background",
          ),
        );
        return;
      }
      sendCancel(q);
      const graceMs = policy.cancelGraceMs;
      timers.push(observedTimeout(() => {
        q.reject(
          new DbUnavailableError(
            `the database did not answer within ${policy.timeoutMs + graceMs} ms, ` +
              "not even a cancel request",
          ),
        );
        policy.onSilentServer();
      }, graceMs));
    }
  }

  return query;
}

let cancelRequests = 0;

/**
 * How many cancel requests this process has sent. Test support reads it: PgBouncer 1.18
 * (Debian 12's) exits when a server it is still cancelling on is terminated
 * (pgbouncer/pgbouncer#822, fixed in 1.21), so a test database is dropped only after its
 * cancels have settled.
 */
export function cancelRequestsSent(): number {
  return cancelRequests;
}

/**
 * Sends a cancel request for a query. postgres.js's public `cancel()` drops the
 * promise of the request, so a cancel connection that is refused becomes an
 * unhandled rejection (which ends a Deno process); its canceller is called here
 * instead and a failure ignored: the grace timer already covers a server that
 * cannot be reached.
 */
function sendCancel(q: QueryInternals): void {
  const canceller = q.canceller;
  if (typeof canceller !== "function") return;
  q.canceller = null;
  cancelRequests++;
  Promise.resolve().then(() => canceller(q)).catch(() => {});
}
