/**
 * At most one statement (or transaction) per pooled connection at a time.
 *
 * Why: when every connection is busy, postgres.js pipelines the next query onto a busy
 * one (up to `max_pipeline`). PgBouncer in transaction mode before 1.21 hands a server
 * connection back to its pool at the first query's ReadyForQuery, so the pipelined
 * query's answer arrives "when not linked", is dropped, and its caller waits for its
 * whole deadline (then, since the cancel finds an idle client, the pool is replaced).
 * Its `max_pipeline: 0` is no way out: `sql.begin` then never reserves its connection
 * (postgres.js answers UNSAFE_TRANSACTION). Even straight to Postgres, a query
 * pipelined behind a slow one waits for it while another connection may be free.
 *
 * So the Db hands postgres.js no more statements and transactions at once than it has
 * connections: each takes a permit before it is sent and gives it back when it
 * settles; the rest wait here, first come first served, within their own deadline
 * (./deadline.ts). The statements inside a transaction run on its connection and take
 * no permit of their own.
 *
 * @example
 * ```ts
 * const gate = new ConnectionGate(10);
 * const release = await gate.acquire();
 * try {
 *   await pool`select 1`;
 * } finally {
 *   release();
 * }
 * ```
 */
export class ConnectionGate {
  #free: number;
  #waiting: (() => void)[] = [];

  constructor(permits: number) {
    if (!Number.isInteger(permits) || permits < 1) {
      throw new RangeError(`permits must be a positive integer: ${permits}`);
    }
    this.#free = permits;
  }

  /** Statements and transactions waiting for a connection. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Resolves with the function that gives the permit back (calling it twice is harmless). */
  acquire(): Promise<() => void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve) => this.#waiting.push(() => resolve(this.#releaser())));
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}
