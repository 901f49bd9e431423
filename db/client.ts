/**
 * The app's one way to reach the database: {@linkcode openDb} gives a
 * {@linkcode Db} over postgres.js, whichever backend the configuration names.
 *
 * - `DATABASE_URL` set: a pool of `PG_POOL_MAX` connections to that server;
 *   `PGBOUNCER=true` turns prepared statements off (PgBouncer's transaction mode
 *   cannot keep them). Nothing is written locally and PGlite is never loaded, so
 *   this runs on Deno Deploy.
 * - `DATABASE_URL` unset: embedded PGlite under `DATA_DIR/pglite` (or in memory
 *   for `DATA_DIR=:memory:`), one connection (its connections would share one
 *   session anyway).
 *
 * Both backends return the same JavaScript shapes (`db/types.ts`), bound every
 * query by a deadline (`db/deadline.ts`), and reject with
 * {@linkcode DbUnavailableError} when the database cannot be reached. After an
 * outage the same `Db` reconnects by itself.
 *
 * @example
 * ```ts
 * const db = await openDb(loadConfig());
 * const plans = await db.sql`select id, max_active_habits from plans order by id`;
 * await db.tx(async (sql) => {
 *   await sql`insert into activity ${sql({ user_id: id, kind: "habit.created" })}`;
 * });
 * await db.close();
 * ```
 */
import postgres from "postgres";
import type { Config } from "@/lib/config.ts";
import { log } from "@/lib/log.ts";
import { observedTimeout, type ObservedTimer } from "@/lib/observed_timeout.ts";
import { boundBegin, boundSql, type BoundTarget, type DeadlinePolicy } from "./deadline.ts";
import { ConnectionGate } from "./connection_gate.ts";
import type { EmbeddedServer } from "./embedded.ts";
import { DbUnavailableError, QueryTimeoutError, RETRYABLE_SQLSTATES, sqlStateIn, toDbError } from "./errors.ts";
import { PG_TYPES, SESSION_PARAMETERS } from "./types.ts";

/** Every statement's deadline unless told otherwise. */
export const DEFAULT_QUERY_TIMEOUT_MS = 10_000;
/**
 * How long a statement waits for a lock before the server gives up (SQLSTATE 55P03):
 * the app role's `lock_timeout`, set by sql/010_lock_timeout.sql (a test checks they
 * agree). Shorter than {@linkcode DEFAULT_QUERY_TIMEOUT_MS}, so a lock wait ends as a
 * clean, quick 503 rather than a cancelled statement at the deadline.
 */
export const LOCK_TIMEOUT_MS = 3_000;
/** How long `ping()` waits for its answer. */
export const DEFAULT_PING_TIMEOUT_MS = 2_000;
/** How long `close()` waits for connections to finish. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;
/** How long opening one connection may take: a host that is down fails fast. */
export const DEFAULT_CONNECT_TIMEOUT_S = 3;
/** How long a server gets to answer a cancel request before it is presumed gone. */
export const DEFAULT_CANCEL_GRACE_MS = 2_000;

/** The queries half of a {@linkcode Db}, e.g. with another deadline. */
export interface DbQueries {
  /** postgres.js tagged-template client (pooled); every query is bounded. */
  readonly sql: postgres.Sql;
  /**
   * Runs fn in one transaction (BEGIN..COMMIT through the pool, PgBouncer-transaction-mode
   * safe). A transaction that lost a deadlock or a serialization check (40P01, 40001) was
   * rolled back whole and is run once more, so fn may run twice: keep it to database work.
   */
  tx<T>(fn: (sql: postgres.TransactionSql) => Promise<T>): Promise<T>;
}

/** An open database. */
export interface Db extends DbQueries {
  readonly backend: "pglite" | "postgres";
  /** One round trip (`select 1`), returns its latency in ms; throws DbUnavailableError when the DB is down. Bounded by a short timeout (default 2 s, parameter). */
  ping(timeoutMs?: number): Promise<number>;
  /**
   * Waits for this Db's statements and transactions in flight (bounded by timeoutMs,
   * default 5 s), then ends the pool at once and, for embedded, the socket server and
   * PGlite. Logs what it waited for (`db.closing`, `db.closed`). Idempotent.
   */
  close(timeoutMs?: number): Promise<void>;
  /**
   * The same pool with another statement deadline, for work known to be long
   * (migrations, exports).
   *
   * @example
   * ```ts
   * await db.withTimeout(600_000).tx((sql) => sql.unsafe(migrationSql));
   * ```
   */
  withTimeout(timeoutMs: number): DbQueries;
}

/** An embedded {@linkcode Db}, which can also copy its whole database. */
export interface EmbeddedDb extends Db {
  readonly backend: "pglite";
  /** A tarball of the data directory; start another embedded Db from it. */
  dump(): Promise<ArrayBuffer>;
}

/** Tuning for {@linkcode openDb}; the defaults suit production. */
export interface OpenDbOptions {
  /** Every statement's deadline in ms. Default {@linkcode DEFAULT_QUERY_TIMEOUT_MS}. */
  queryTimeoutMs?: number;
  /** Limit for opening one connection, in seconds. Default {@linkcode DEFAULT_CONNECT_TIMEOUT_S}. */
  connectTimeoutS?: number;
  /** See {@linkcode DEFAULT_CANCEL_GRACE_MS}. */
  cancelGraceMs?: number;
}

/**
 * Opens the database the configuration names: real Postgres when
 * `config.databaseUrl` is set, else embedded PGlite in `config.dataDir`.
 */
export function openDb(config: Config, options: OpenDbOptions = {}): Promise<Db> {
  if (config.databaseUrl) {
    return Promise.resolve(openPostgresDb(config.databaseUrl, {
      ...options,
      poolMax: config.pgPoolMax,
      pgBouncer: config.pgBouncer,
    }));
  }
  return openEmbeddedDb({
    ...options,
    dataDir: config.dataDir === ":memory:" ? null : config.dataDir,
  });
}

/**
 * A pool to a Postgres server (directly, or through PgBouncer with
 * `pgBouncer: true`). Connecting is lazy: this never fails for a server that is
 * down; the first query does.
 */
export function openPostgresDb(
  url: string,
  options: OpenDbOptions & { poolMax: number; pgBouncer: boolean },
): Db {
  guardTypeFetch();
  const connectTimeoutS = options.connectTimeoutS ?? DEFAULT_CONNECT_TIMEOUT_S;
  const makePool = () =>
    postgres(url, {
      ...commonOptions(connectTimeoutS),
      max: options.poolMax,
      prepare: !options.pgBouncer,
      // Idle connections are closed after a minute so a quiet instance holds no
      // PgBouncer slots or server processes; reopening one costs a round trip.
      idle_timeout: 60,
      // Recycled every 20-30 min (jittered per pool so a fleet does not reconnect
      // at once), which spreads load again after PgBouncer or a failover moves.
      max_lifetime: 60 * (20 + Math.random() * 10),
    }) as unknown as postgres.Sql;
  return new PooledDb(
    "postgres",
    makePool,
    {
      timeoutMs: options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
      cancelGraceMs: options.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS,
    },
    null,
    options.poolMax,
  );
}

/**
 * Embedded PGlite: persisted in `dataDir/pglite`, or in memory for `null`;
 * `loadDataDir` starts from another embedded Db's {@linkcode EmbeddedDb.dump}.
 */
export async function openEmbeddedDb(
  options: OpenDbOptions & {
    dataDir: string | null;
    loadDataDir?: ArrayBuffer;
  },
): Promise<EmbeddedDb> {
  guardTypeFetch();
  const started = performance.now();
  // Loaded here only: with DATABASE_URL set, PGlite is never imported.
  const { startEmbeddedServer } = await import("./embedded.ts");
  const server = await startEmbeddedServer(options);
  // In memory is what tests use, many times a run: keep their output quiet.
  (options.dataDir === null ? log.debug : log.info)("db.embedded.started", {
    dataDir: options.dataDir ?? ":memory:",
    ms: Math.round(performance.now() - started),
  });
  const connectTimeoutS = options.connectTimeoutS ?? DEFAULT_CONNECT_TIMEOUT_S;
  const makePool = () =>
    postgres({
      ...server.connection,
      user: "postgres",
      database: "postgres",
      ...commonOptions(connectTimeoutS),
      // All connections to pglite-socket share one session: a second one would
      // see the first one's transactions and SET commands.
      max: 1,
      idle_timeout: undefined,
      max_lifetime: null,
    }) as unknown as postgres.Sql;
  const db = new PooledDb(
    "pglite",
    makePool,
    {
      timeoutMs: options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
      cancelGraceMs: null,
    },
    server,
    null,
  );
  return Object.assign(db, {
    backend: "pglite" as const,
    dump: () => server.dump(),
  });
}

function commonOptions(connectTimeoutS: number) {
  return {
    types: PG_TYPES,
    connection: SESSION_PARAMETERS,
    connect_timeout: connectTimeoutS,
    // postgres.js's default waits up to 20 s between reconnect attempts after a
    // run of failures, which would delay both failing fast during an outage and
    // recovering after it; cap the wait at one second.
    backoff: (attempt: number) => (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** attempt, 1),
    onnotice: (notice: postgres.Notice) => log.debug("db.notice", { code: notice.code, message: notice.message }),
  };
}

/** A pool that can be swapped for a fresh one behind the same `sql` function. */
class PooledDb implements Db {
  readonly backend: "pglite" | "postgres";
  readonly sql: postgres.Sql;
  #pool: postgres.Sql;
  /** One statement or transaction per connection at a time (./connection_gate.ts); none for PGlite's one session. */
  #gate: ConnectionGate | undefined;
  #permits: number | null;
  #retired = new Set<postgres.Sql>();
  #makePool: () => postgres.Sql;
  #policy: Omit<DeadlinePolicy, "onSilentServer">;
  #server: EmbeddedServer | null;
  #closing: Promise<void> | undefined;
  /** Statements and transactions of this Db that have started and not yet settled. */
  #active = new Set<Promise<unknown>>();

  constructor(
    backend: "pglite" | "postgres",
    makePool: () => postgres.Sql,
    policy: Omit<DeadlinePolicy, "onSilentServer">,
    server: EmbeddedServer | null,
    permits: number | null,
  ) {
    this.backend = backend;
    this.#makePool = makePool;
    this.#pool = makePool();
    this.#permits = permits;
    this.#gate = permits === null ? undefined : new ConnectionGate(permits);
    this.#policy = policy;
    this.#server = server;
    this.sql = boundSql(() => this.#target(policy.timeoutMs));
  }

  tx<T>(fn: (sql: postgres.TransactionSql) => Promise<T>): Promise<T> {
    return this.withTimeout(this.#policy.timeoutMs).tx(fn);
  }

  withTimeout(timeoutMs: number): DbQueries {
    return {
      sql: boundSql(() => this.#target(timeoutMs)),
      tx: <T>(fn: (sql: postgres.TransactionSql) => Promise<T>) =>
        retryOnce(() => {
          const { sql, policy } = this.#target(timeoutMs);
          return boundBegin(sql, policy, fn);
        }),
    };
  }

  async ping(timeoutMs = DEFAULT_PING_TIMEOUT_MS): Promise<number> {
    const started = performance.now();
    const query = boundSql(() => this.#target(timeoutMs))`select 1`;
    // The same stall-tolerant timer as every statement's deadline (./deadline.ts).
    let timer: ObservedTimer | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = observedTimeout(
        () => reject(new DbUnavailableError(`the database did not answer a ping within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([query, late]);
    } catch (err) {
      // A health check that times out means "not available", whatever the cause.
      if (err instanceof QueryTimeoutError) {
        throw new DbUnavailableError(
          `the database did not answer a ping within ${timeoutMs} ms`,
          { cause: err },
        );
      }
      throw toDbError(err);
    } finally {
      timer?.clear();
    }
    return performance.now() - started;
  }

  close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    return this.#closing ??= this.#shutdown(timeoutMs);
  }

  /**
   * Waits (bounded) for this Db's own statements and transactions to finish, then ends
   * the pools at once. Why not postgres.js's graceful `end({ timeout })`: a connection
   * that lost its socket mid-statement keeps that statement as current, and its `end()`
   * waits for an answer that never comes (porsager/postgres#1097), so after any outage
   * shutdown stalled for the whole timeout. The count of our statements is the truth
   * about what is still in use.
   */
  async #shutdown(timeoutMs: number): Promise<void> {
    const started = performance.now();
    const deadline = started + timeoutMs;
    const waitingFor = this.#active.size;
    let timedOut = false;
    if (waitingFor > 0) {
      log.info("db.closing", { backend: this.backend, waitingFor: { statements: waitingFor }, timeoutMs });
      timedOut = !await settlesWithin(Promise.allSettled([...this.#active]), timeoutMs);
    }
    const pools = [this.#pool, ...this.#retired];
    const ended = await settlesWithin(
      Promise.allSettled(pools.map((pool) => pool.end({ timeout: 0 }))),
      Math.max(100, deadline - performance.now()),
    );
    await this.#server?.close(Math.max(500, deadline - performance.now()));
    // Quiet when there was nothing to wait for (tests close hundreds of Dbs).
    (timedOut || !ended ? log.warn : waitingFor > 0 ? log.info : log.debug)("db.closed", {
      backend: this.backend,
      ms: Math.round(performance.now() - started),
      waitedFor: { statements: waitingFor },
      ...(timedOut ? { abandoned: { statements: this.#active.size } } : {}),
      timedOut: timedOut || !ended,
    });
  }

  #target(timeoutMs: number): BoundTarget<postgres.Sql> {
    const pool = this.#pool;
    return {
      sql: pool,
      policy: {
        ...this.#policy,
        gate: this.#gate,
        timeoutMs,
        onSilentServer: () => this.#replace(pool),
        onStart: (done) => {
          this.#active.add(done);
          const forget = () => this.#active.delete(done);
          done.then(forget, forget);
        },
      },
    };
  }

  /** Swaps a pool whose server went silent for a fresh one; in-flight work on it fails. */
  #replace(pool: postgres.Sql): void {
    if (pool !== this.#pool || this.#closing) return;
    this.#pool = this.#makePool();
    // The old pool's statements keep their permits until they fail with it.
    this.#gate = this.#permits === null ? undefined : new ConnectionGate(this.#permits);
    this.#retired.add(pool);
    log.warn("db.pool.replaced", {
      backend: this.backend,
      reason: "the server did not answer a cancel request",
    });
    pool.end({ timeout: 0 }).catch(() => {}).finally(() => this.#retired.delete(pool));
  }
}

/**
 * Runs a transaction again, once, when the server rolled it back as a deadlock victim or
 * for a serialization failure: the retry usually finds the other transaction gone.
 */
async function retryOnce<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!sqlStateIn(error, RETRYABLE_SQLSTATES)) throw error;
    log.warn("db.tx.retried", { code: (error as { code?: string }).code, error });
    return await run();
  }
}

/** True when `promise` settled within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise.then(() => true, () => true),
      new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), ms)),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

let typeFetchGuarded = false;

/**
 * postgres.js fetches array types on each new connection without handling the
 * failure of that query; when the server refuses work right after login (PgBouncer
 * with Postgres down: "server login has been failing") the rejection is unhandled
 * and would end the process. The caller's own query fails with the same error, so
 * this one is dropped.
 */
function guardTypeFetch(): void {
  if (typeFetchGuarded) return;
  typeFetchGuarded = true;
  globalThis.addEventListener("unhandledrejection", (event) => {
    const query = (event.reason as { query?: unknown } | null)?.query;
    if (
      typeof query === "string" && query.includes("pg_catalog.pg_type") &&
      query.includes("typarray")
    ) {
      event.preventDefault();
      log.debug("db.type_fetch_failed", { error: event.reason });
    }
  });
}
