/**
 * db/client.ts against the backend the environment names (embedded without
 * DATABASE_URL, real Postgres with it), plus one test that holds both side by side.
 */
import { deepStrictEqual, equal, fail, ok } from "node:assert/strict";
import { type Db, openEmbeddedDb, openPostgresDb } from "@/db/client.ts";
import { DbUnavailableError, isDbUnavailable, QueryTimeoutError } from "@/db/errors.ts";
import { openTestDb } from "@/tests/support/db.ts";
import { startThrowawayPostgres } from "@/tests/support/throwaway_postgres.ts";

const onPostgres = Boolean(Deno.env.get("DATABASE_URL"));

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    ok(error instanceof Error, `rejected with a non-Error: ${error}`);
    return error;
  }
  fail("expected a rejection");
}

/** One row holding a value of every type the app cares about. */
async function shapes(db: Db) {
  const [row] = await db.sql`
    select
      1::int2 as i2, 2::int4 as i4, 3::int8 as i8,
      9007199254740991::int8 as i8_max, count(*) over () as count,
      2.5::numeric as num, 0.1::float8 as f8, true as yes, 'x'::text as txt,
      null::text as nothing,
      '2024-02-29'::date as day,
      '2024-02-29 23:30:00'::timestamp as ts,
      '2024-02-29 23:30:00+02'::timestamptz as tstz,
      '{"a": [1, "b"]}'::jsonb as doc,
      array[1, 2]::int4[] as ints, array[10000000000]::int8[] as bigs,
      array['2024-01-01', '2024-12-31']::date[] as days,
      array[1.5]::numeric[] as nums,
      '1 day'::interval as span,
      '00000000-0000-0000-0000-000000000001'::uuid as id,
      ${"2024-03-01"}::date as day_param,
      ${new Date("2024-01-01T12:00:00Z")}::timestamptz as at_param,
      ${[3, 4]}::int4[] as ints_param,
      ${5}::int8 as big_param`;
  return { ...row };
}

const EXPECTED_SHAPES = {
  i2: 1,
  i4: 2,
  i8: 3,
  i8_max: Number.MAX_SAFE_INTEGER,
  count: 1,
  num: 2.5,
  f8: 0.1,
  yes: true,
  txt: "x",
  nothing: null,
  day: "2024-02-29",
  ts: new Date("2024-02-29T23:30:00Z"),
  tstz: new Date("2024-02-29T21:30:00Z"),
  doc: { a: [1, "b"] },
  ints: [1, 2],
  bigs: [10_000_000_000],
  days: ["2024-01-01", "2024-12-31"],
  nums: [1.5],
  span: "1 day",
  id: "00000000-0000-0000-0000-000000000001",
  day_param: "2024-03-01",
  at_param: new Date("2024-01-01T12:00:00Z"),
  ints_param: [3, 4],
  big_param: 5,
};

Deno.test("values come back in the app's shapes", async () => {
  await using t = await openTestDb();
  deepStrictEqual(await shapes(t.db), EXPECTED_SHAPES);
  const [session] = await t.db.sql`select current_setting('TimeZone') as tz`;
  equal(session.tz, "UTC");
});

Deno.test({
  name: "embedded PGlite and real Postgres return identical shapes",
  async fn(t) {
    const throwaway = onPostgres ? null : await startThrowawayPostgres();
    if (!onPostgres && !throwaway) {
      console.warn("no Postgres available: compared embedded only");
    }
    const embedded = await openEmbeddedDb({ dataDir: null });
    const postgresTest = onPostgres ? await openTestDb() : null;
    const server: Db | null = postgresTest?.db ??
      (throwaway ? openPostgresDb(throwaway.url, { poolMax: 1, pgBouncer: false }) : null);
    try {
      const fromEmbedded = await shapes(embedded);
      deepStrictEqual(fromEmbedded, EXPECTED_SHAPES);
      if (server) {
        await t.step(server.backend, async () => {
          deepStrictEqual(await shapes(server), fromEmbedded);
        });
      }
    } finally {
      await embedded.close();
      if (postgresTest) await postgresTest.dispose();
      else await server?.close();
      await throwaway?.dispose();
    }
  },
});

Deno.test("an int8 beyond 2^53 fails loudly and the connection carries on", async () => {
  await using t = await openTestDb({ poolMax: 1 });
  const error = await rejection(t.db.sql`select 9007199254740993::int8 as big`);
  ok(error instanceof RangeError, String(error));
  equal((await t.db.sql`select 9007199254740993::int8::text as big`)[0].big, "9007199254740993");
});

Deno.test("a statement past its deadline is cancelled and the connection serves the next query", async () => {
  await using t = await openTestDb({ queryTimeoutMs: 300, poolMax: 1 });
  await t.db.withTimeout(30_000).sql`select 1`; // connected (a busy runner may be slow)
  // The embedded database cannot cancel: its sleep must end before the next query runs.
  const sleepS = t.backend === "pglite" ? 2 : 5;
  const started = performance.now();
  const error = await rejection(t.db.sql`select pg_sleep(${sleepS})`);
  const elapsed = performance.now() - started;
  ok(error instanceof QueryTimeoutError, String(error));
  equal(error.timeoutMs, 300);
  ok(!isDbUnavailable(error), "a slow query is not an outage");
  // Well before the sleep would have ended, however slow the runner (no timing beyond that).
  ok(elapsed >= 290 && elapsed < sleepS * 1_000 - 500, `rejected after ${elapsed.toFixed(0)} ms`);

  const [row] = await t.db.withTimeout(5_000).sql`select 1 as one`;
  equal(row.one, 1);
  if (t.backend === "postgres") {
    const [{ sleeping }] = await t.db.sql`
      select count(*) as sleeping from pg_stat_activity
      where datname = current_database() and state = 'active'
        and query like '%pg_sleep%' and pid <> pg_backend_pid()`;
    equal(sleeping, 0, "the server stopped the statement");
    ok(performance.now() - started < 4_500, "no waiting for the 5 s sleep");
  }
});

Deno.test("a stall of this process past the deadline is not blamed on the database", async () => {
  await using t = await openTestDb({ queryTimeoutMs: 300, poolMax: 1 });
  await t.db.withTimeout(30_000).sql`select 1`; // connected (a first connection may be slow)
  // The answer arrives while the event loop is blocked (a long synchronous task, a starved
  // CPU); when the loop wakes, the deadline timer is overdue and the answer unread.
  const query = t.db.sql`select 2 as n`;
  const answered = query.then((rows) => rows[0].n, (error) => error);
  await new Promise((resolve) => setTimeout(resolve, 0)); // the query is on the wire
  const blockedUntil = performance.now() + 1_500;
  while (performance.now() < blockedUntil) { /* busy: the loop cannot run */ }
  const outcome = await answered;
  equal(outcome, 2, `the query failed after a stall: ${outcome}`);
  const [row] = await t.db.sql`select 3 as n`;
  equal(row.n, 3, "the pool still serves");
});

Deno.test("more statements at once than connections: every one gets its own answer", async () => {
  // Through PgBouncer (before 1.21) a statement pipelined onto a busy connection lost its
  // answer and waited out its whole deadline; here that is a failure within 10 s.
  await using t = await openTestDb({ queryTimeoutMs: 10_000, poolMax: 2 });
  await t.db.withTimeout(30_000).sql`select 1`; // connected (a first connection may be slow)
  // Statements without parameters are the ones postgres.js would pipeline others behind
  // (one with parameters is described first, and holds its connection).
  const slow = [0, 1].map(() => t.db.sql`select pg_sleep(0.2), 'slept' as n`.then((rows) => rows[0].n));
  const quick = Array.from({ length: 30 }, (_, i) => t.db.sql`select ${i}::int as n`.then((rows) => rows[0].n));
  const txs = [0, 1, 2].map((i) =>
    t.db.tx(async (sql) => {
      const [{ n }] = await sql`select ${i}::int as n`;
      const [{ m }] = await sql`select ${n}::int + 100 as m`;
      return m;
    })
  );
  deepStrictEqual(await Promise.all(slow), ["slept", "slept"]);
  deepStrictEqual(await Promise.all(quick), Array.from({ length: 30 }, (_, i) => i));
  deepStrictEqual(await Promise.all(txs), [100, 101, 102]);
});

Deno.test({
  name: "a statement that waits past its deadline for a free connection is never sent",
  ignore: !onPostgres, // one embedded session runs statements in turn, in order
  async fn() {
    await using t = await openTestDb({ queryTimeoutMs: 300, poolMax: 1 });
    await t.db.withTimeout(30_000).sql`select 1`;
    const holder = t.db.withTimeout(5_000).sql`select pg_sleep(1)`.then(() => "slept"); // sent now
    const waiter = rejection(t.db.sql`insert into users (email, password_hash) values ('never@example.com', 'x')`);
    const error = await waiter;
    ok(error instanceof QueryTimeoutError, String(error));
    ok(/free connection/.test(error.message), error.message);
    equal(await holder, "slept");
    const [{ n }] = await t.db.sql`select count(*)::int as n from users where email = 'never@example.com'`;
    equal(n, 0, "the timed-out statement ran anyway");
  },
});

Deno.test("withTimeout gives long work a longer deadline on the same pool", async () => {
  await using t = await openTestDb({ queryTimeoutMs: 200 });
  const [row] = await t.db.withTimeout(5_000).sql`select pg_sleep(0.4), 7 as n`;
  equal(row.n, 7);
  equal(await t.db.withTimeout(5_000).tx(async (sql) => (await sql`select 8 as n`)[0].n), 8);
});

Deno.test("tx commits what its function wrote and returns its value", async () => {
  await using t = await openTestDb();
  await t.db.sql`create table notes (id int primary key, body text not null)`;
  const result = await t.db.tx(async (sql) => {
    await sql`insert into notes ${sql([{ id: 1, body: "a" }, { id: 2, body: "b" }])}`;
    const [{ n }] = await sql`select count(*) as n from notes`;
    return n;
  });
  equal(result, 2);
  deepStrictEqual(
    (await t.db.sql`select id, body from notes order by id`).map((r) => ({ ...r })),
    [{ id: 1, body: "a" }, { id: 2, body: "b" }],
  );
});

Deno.test("tx rolls back when its function throws, and rethrows that very error", async () => {
  await using t = await openTestDb();
  await t.db.sql`create table notes (id int primary key)`;
  const boom = new Error("boom");
  const error = await rejection(t.db.tx(async (sql) => {
    await sql`insert into notes values (1)`;
    throw boom;
  }));
  equal(error, boom);

  const duplicate = await rejection(t.db.tx(async (sql) => {
    await sql`insert into notes values (2)`;
    await sql`insert into notes values (2)`;
  }));
  equal((duplicate as { code?: string }).code, "23505", "SQL errors keep their SQLSTATE");
  ok(!isDbUnavailable(duplicate));
  equal((await t.db.sql`select count(*) as n from notes`)[0].n, 0);
});

Deno.test("a statement inside tx has the same deadline, and the tx rolls back", async () => {
  await using t = await openTestDb({ queryTimeoutMs: 300, poolMax: 1 });
  await t.db.withTimeout(30_000).sql`create table notes (id int primary key)`;
  const sleepS = t.backend === "pglite" ? 2 : 5;
  const started = performance.now();
  const error = await rejection(t.db.tx(async (sql) => {
    await sql`insert into notes values (1)`;
    await sql`select pg_sleep(${sleepS})`;
  }));
  ok(error instanceof QueryTimeoutError, String(error));
  ok(performance.now() - started < sleepS * 1_000 - 500, "well before the sleep would have ended");
  const [{ n }] = await t.db.withTimeout(5_000).sql`select count(*) as n from notes`;
  equal(n, 0);
});

Deno.test("savepoints, helpers and unsafe work through the bounded sql", async () => {
  await using t = await openTestDb();
  await t.db.sql.unsafe("create table docs (id int primary key, body jsonb not null)");
  await t.db.tx(async (sql) => {
    await sql`insert into docs ${sql({ id: 1, body: sql.json({ a: 1 }) })}`;
    await rejection(
      (sql as unknown as { savepoint<T>(fn: (sql: typeof t.db.sql) => Promise<T>): Promise<T> })
        .savepoint(async (inner) => {
          await inner`insert into docs values (2, '{}')`;
          throw new Error("undo the savepoint only");
        }),
    );
  });
  const rows = await t.db.sql.unsafe("select id, body from docs where id = $1", [1]);
  deepStrictEqual(rows.map((r) => ({ ...r })), [{ id: 1, body: { a: 1 } }]);
  equal((await t.db.sql`select count(*) as n from docs`)[0].n, 1);
});

Deno.test("SQL errors pass through unchanged: they are not outages", async () => {
  await using t = await openTestDb();
  const error = await rejection(t.db.sql`select * from no_such_table`);
  equal((error as { code?: string }).code, "42P01");
  ok(!isDbUnavailable(error));
});

Deno.test("ping measures one round trip", async () => {
  await using t = await openTestDb();
  const ms = await t.db.ping();
  ok(ms >= 0 && ms < 2_000, `ping took ${ms} ms`);
});

Deno.test("close is idempotent and a closed Db reports itself unavailable", async () => {
  await using t = await openTestDb();
  await t.db.sql`select 1`;
  await Promise.all([t.db.close(), t.db.close()]);
  await t.db.close();
  const error = await rejection(t.db.sql`select 1`);
  ok(error instanceof DbUnavailableError, String(error));
  ok(await rejection(t.db.ping()) instanceof DbUnavailableError);
});

Deno.test("the postgres.js internals the deadlines rely on are still there", async () => {
  await using t = await openTestDb();
  const query = t.db.sql`select 1 as one` as unknown as Record<string, unknown>;
  equal(typeof query.canceller, "function", "Query.canceller");
  equal(typeof query.reject, "function", "Query.reject");
  equal((query.handle as { name?: string }).name, "handleWithDeadline");
  equal((await (query as unknown as Promise<{ one: number }[]>))[0].one, 1);
});

Deno.test({
  name: "a slow embedded statement does not block this thread",
  ignore: onPostgres,
  async fn() {
    await using t = await openTestDb();
    let ticks = 0;
    const interval = setInterval(() => ticks++, 50);
    try {
      await t.db.sql`select pg_sleep(0.5)`;
    } finally {
      clearInterval(interval);
    }
    ok(ticks >= 5, `only ${ticks} timer ticks during a 500 ms statement`);
  },
});
