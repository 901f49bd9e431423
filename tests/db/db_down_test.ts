/**
 * Outages, for real: a private Postgres server that is stopped, or frozen so it
 * stops answering, and PgBouncer in front of one. The same Db must report
 * DbUnavailableError quickly (well under the 10 s query deadline) and work again
 * once the server is back, without being reopened.
 */
import { equal, fail, ok } from "node:assert/strict";
import { type Db, openPostgresDb } from "@/db/client.ts";
import { DbUnavailableError } from "@/db/errors.ts";
import { type LogLevel } from "@/lib/config.ts";
import { setLogLevel, setLogSink } from "@/lib/log.ts";
import {
  postgresInstalled,
  startThrowawayPgBouncer,
  startThrowawayPostgres,
} from "@/tests/support/throwaway_postgres.ts";

const installed = await postgresInstalled();

/** Runs `attempt`, which must reject with DbUnavailableError; returns how long it took. */
async function unavailableWithin(
  what: string,
  attempt: () => Promise<unknown>,
  limitMs: number,
): Promise<number> {
  const started = performance.now();
  try {
    await attempt();
  } catch (error) {
    const ms = performance.now() - started;
    ok(error instanceof DbUnavailableError, `${what}: ${error}`);
    ok(ms < limitMs, `${what} took ${ms.toFixed(0)} ms (limit ${limitMs})`);
    return ms;
  }
  fail(`${what} succeeded against a database that is down`);
}

/** Polls until the Db answers again; returns how long that took. */
async function recovers(db: Db, limitMs = 15_000): Promise<number> {
  const started = performance.now();
  let last: unknown;
  while (performance.now() - started < limitMs) {
    try {
      const [row] = await db.sql`select 1 as one`;
      equal(row.one, 1);
      return performance.now() - started;
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  fail(`the same Db did not recover within ${limitMs} ms: ${last}`);
}

Deno.test({
  name: "a stopped server: query, tx and ping fail fast with DbUnavailableError; the same Db recovers",
  ignore: !installed,
  async fn() {
    await using pg = (await startThrowawayPostgres())!;
    // Production defaults: 10 s query deadline, 3 s connect timeout.
    const db = openPostgresDb(pg.url, { poolMax: 3, pgBouncer: false });
    try {
      await db.sql`create table t (n int)`;
      await pg.stop("immediate");

      const times = {
        query: await unavailableWithin("query", () => db.sql`select 1`, 2_000),
        tx: await unavailableWithin("tx", () => db.tx((sql) => sql`insert into t values (1)`), 2_000),
        ping: await unavailableWithin("ping", () => db.ping(), 2_000),
      };
      await pg.start();
      const recoveryMs = await recovers(db);
      await db.tx((sql) => sql`insert into t values (1)`);
      equal((await db.sql`select count(*) as n from t`)[0].n, 1);
      console.log("stopped server, detection ms:", roundAll(times), "recovery ms:", Math.round(recoveryMs));
    } finally {
      await db.close();
    }
  },
});

Deno.test({
  name: "a server that stops answering: queries are bounded, reported unavailable, and the Db recovers",
  ignore: !installed,
  async fn() {
    await using pg = (await startThrowawayPostgres())!;
    const db = openPostgresDb(pg.url, {
      poolMax: 2,
      pgBouncer: false,
      queryTimeoutMs: 500,
      cancelGraceMs: 500,
      connectTimeoutS: 1,
    });
    try {
      await db.sql`select 1`;
      await pg.freeze();
      let times;
      try {
        times = {
          // deadline 500 ms + 500 ms for the cancel that never gets an answer
          query: await unavailableWithin("query", () => db.sql`select 1`, 3_000),
          ping: await unavailableWithin("ping", () => db.ping(500), 1_500),
        };
      } finally {
        await pg.thaw();
      }
      const recoveryMs = await recovers(db);
      console.log("frozen server, detection ms:", roundAll(times), "recovery ms:", Math.round(recoveryMs));
    } finally {
      await db.close();
    }
  },
});

Deno.test({
  name: "behind PgBouncer, a stopped server is reported unavailable (no crash) and the Db recovers",
  ignore: !installed,
  async fn() {
    await using pg = (await startThrowawayPostgres())!;
    const bouncer = await startThrowawayPgBouncer(pg);
    if (!bouncer) {
      console.warn("pgbouncer not installed: skipped");
      return;
    }
    await using _bouncer = bouncer;
    const db = openPostgresDb(bouncer.url, { poolMax: 2, pgBouncer: true });
    try {
      await db.sql`select 1`;
      await pg.stop("immediate");
      // The first query waits in PgBouncer for a server until its
      // query_wait_timeout (2 s here); after that PgBouncer refuses at once.
      const times = {
        first: await unavailableWithin("first query", () => db.sql`select 1`, 5_000),
        query: await unavailableWithin("query", () => db.sql`select 1`, 3_000),
        ping: await unavailableWithin("ping", () => db.ping(), 3_000),
      };
      await pg.start();
      const recoveryMs = await recovers(db);
      console.log("behind PgBouncer, detection ms:", roundAll(times), "recovery ms:", Math.round(recoveryMs));
    } finally {
      // After this outage postgres.js may wait on one connection until close's
      // deadline; a short one keeps the test quick.
      await db.close(1_000);
    }
  },
});

Deno.test({
  name: "close() after statements died with their connection ends at once (no wait for their lost answers)",
  ignore: !installed,
  async fn() {
    await using pg = (await startThrowawayPostgres())!;
    const bouncer = await startThrowawayPgBouncer(pg);
    if (!bouncer) {
      console.warn("pgbouncer not installed: skipped");
      return;
    }
    await using _bouncer = bouncer;
    for (const [label, url, pgBouncer] of [["direct", pg.url, false], ["PgBouncer", bouncer.url, true]] as const) {
      const db = openPostgresDb(url, { poolMax: 3, pgBouncer });
      const lines: Record<string, unknown>[] = [];
      try {
        await db.sql`select 1`;
        // Three statements running when the server is killed: their connections close
        // under them (postgres.js then keeps each as its connection's current query).
        const running = [1, 2, 3].map(() => db.sql`select pg_sleep(30)`.catch((error) => error));
        await new Promise((resolve) => setTimeout(resolve, 300));
        await pg.crash();
        for (const error of await Promise.all(running)) ok(error instanceof DbUnavailableError, `${label}: ${error}`);
        await pg.start();
        await recovers(db);
      } finally {
        const restoreSink = setLogSink((_level, line) => lines.push(JSON.parse(line)));
        setLogLevel("debug");
        const started = performance.now();
        try {
          await db.close(5_000);
        } finally {
          restoreSink();
          setLogLevel((Deno.env.get("LOG_LEVEL") as LogLevel | undefined) ?? "info");
        }
        const closed = lines.find((line) => line.msg === "db.closed");
        console.log(`${label}: close after the crash took ${Math.round(performance.now() - started)} ms`, closed);
        ok(closed, `${label}: close() logged no db.closed line`);
        equal(closed.timedOut, false, `${label}: close() waited out its timeout`);
      }
    }
  },
});

function roundAll(times: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.round(v)]));
}
