/**
 * Database trouble is a 503, never a 500 (issue 13 §4, issue 8 item 3): a lock wait, a
 * statement past its deadline and a deadlock are not the client's fault and not a crash.
 *
 * - Real Postgres (through PgBouncer in CI): another connection holds an ACCESS EXCLUSIVE
 *   lock on the check-ins table while requests arrive; they end at the role's
 *   `lock_timeout` (sql/010, shorter than the query deadline) as 503 `unavailable` with
 *   `Retry-After`, the log naming SQLSTATE 55P03; after the lock goes, the same requests
 *   succeed. A deadlock victim's transaction is run again once and succeeds.
 * - Either backend: a statement still waiting at the app's query deadline answers 503 too
 *   (embedded PGlite has one session, so one long statement holds everyone up: that is
 *   its way of being "locked").
 */
import { type DbQueries, DEFAULT_QUERY_TIMEOUT_MS, LOCK_TIMEOUT_MS, openPostgresDb } from "@/db/client.ts";
import { loadConfig } from "@/lib/config.ts";
import { setLogSink } from "@/lib/log.ts";
import { assert, assertEquals, assertStringIncludes } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { openTestDb, type TestDb } from "@/tests/support/db.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";

const onPostgres = Boolean(Deno.env.get("DATABASE_URL"));

/** Holds an ACCESS EXCLUSIVE lock on `checkins` from its own connection until `release()`. */
async function lockCheckins(testDb: TestDb) {
  const holder = openPostgresDb(testDb.url!, { poolMax: 1, pgBouncer: loadConfig().pgBouncer });
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => locked = resolve);
  const done = holder.tx(async (sql) => {
    await sql`lock table checkins in access exclusive mode`;
    locked();
    await released;
  });
  await isLocked;
  return {
    async release() {
      release();
      await done;
      await holder.close();
    },
  };
}

/** A user with a habit and a check-in, and the requests that read or write check-ins. */
async function fixture(app: Awaited<ReturnType<typeof startTestApp>>) {
  const user = await createTestUser(app.services);
  const created = await app.app.request("/api/habits", {
    method: "POST",
    headers: { "content-type": "application/json", ...user.bearer },
    body: JSON.stringify({ name: "Read" }),
  });
  const { habit } = await created.json();
  return { user, habitId: habit.id as string };
}

function checkinRequests(app: Awaited<ReturnType<typeof startTestApp>>, user: TestUser, habitId: string) {
  return {
    read: () => app.app.request(`/api/habits/${habitId}`, { headers: user.bearer }),
    write: () =>
      app.app.request(`/api/habits/${habitId}/checkins`, {
        method: "POST",
        headers: { "content-type": "application/json", ...user.bearer },
        body: JSON.stringify({ date: new Date().toISOString().slice(0, 10), status: "done" }),
      }),
    page: () => app.app.request("/app", { headers: user.session }),
  };
}

async function assertUnavailable(res: Response, kind: "json" | "html") {
  const body = await res.text();
  assertEquals(res.status, 503, body.slice(0, 300));
  assert(Number(res.headers.get("Retry-After")) >= 1, "Retry-After is set");
  if (kind === "json") {
    const { error } = JSON.parse(body);
    assertEquals(error.code, "unavailable");
    assertStringIncludes(error.message, "busy");
  } else {
    assertStringIncludes(res.headers.get("content-type")!, "text/html");
    assertStringIncludes(body, "busy");
  }
}

Deno.test({
  name: "an ACCESS EXCLUSIVE lock on check-ins: reads, writes and pages answer 503 at lock_timeout, then 200",
  ignore: !onPostgres,
  async fn() {
    await using testDb = await openTestDb();
    await using app = await startTestApp({ db: testDb.db });
    const [{ lock_timeout }] = await testDb.db.sql<{ lock_timeout: string }[]>`show lock_timeout`;
    assertEquals(lock_timeout, `${LOCK_TIMEOUT_MS / 1000}s`, "the role's lock_timeout is the app's LOCK_TIMEOUT_MS");
    assert(LOCK_TIMEOUT_MS < DEFAULT_QUERY_TIMEOUT_MS, "a lock wait ends before the query deadline");

    const { user, habitId } = await fixture(app);
    const requests = checkinRequests(app, user, habitId);
    const lines: string[] = [];
    const restore = setLogSink((_level, line) => lines.push(line));
    const lock = await lockCheckins(testDb);
    try {
      const [read, write, page] = await Promise.all([requests.read(), requests.write(), requests.page()]);
      await assertUnavailable(read, "json");
      await assertUnavailable(write, "json");
      await assertUnavailable(page, "html");
    } finally {
      await lock.release();
      restore();
    }
    const failures = lines.filter((line) => line.includes('"request.failed"'));
    assertEquals(failures.length, 3);
    assert(failures.every((line) => line.includes('"code":"55P03"')), "the server's lock_timeout ended the wait");

    for (const request of [requests.read, requests.write, requests.page]) {
      const res = await request();
      assertEquals(res.status, 200);
      await res.body?.cancel();
    }
  },
});

Deno.test("a statement still waiting at the query deadline answers 503 unavailable, not 500", async () => {
  // A short deadline, so the wait below outlasts it; on Postgres also shorter than lock_timeout.
  await using testDb = await openTestDb({ queryTimeoutMs: 2_000 });
  await using app = await startTestApp({ db: testDb.db });
  const { user, habitId } = await fixture(app);
  const requests = checkinRequests(app, user, habitId);
  const restore = setLogSink(() => {});
  // Postgres: a lock on check-ins. Embedded: its one session busy with a long statement.
  const hold = onPostgres ? await lockCheckins(testDb) : (() => {
    const sleeping = testDb.db.withTimeout(30_000).sql`select pg_sleep(5)`.then(() => {});
    return { release: () => sleeping };
  })();
  try {
    const [read, write] = await Promise.all([requests.read(), requests.write()]);
    await assertUnavailable(read, "json");
    await assertUnavailable(write, "json");
  } finally {
    await hold.release();
    restore();
  }
  const res = await requests.read();
  assertEquals(res.status, 200);
  await res.body?.cancel();
});

Deno.test({
  name: "a deadlock victim's transaction is run again once, and both transactions commit",
  ignore: !onPostgres,
  async fn() {
    await using testDb = await openTestDb();
    const { db } = testDb;
    const other = openPostgresDb(testDb.url!, { poolMax: 1, pgBouncer: loadConfig().pgBouncer });
    const lines: string[] = [];
    const restore = setLogSink((_level, line) => lines.push(line));
    try {
      await db.sql`create table deadlock_probe (id int primary key, n int not null)`;
      await db.sql`insert into deadlock_probe values (1, 0), (2, 0)`;
      // Each takes one row, waits until the other has taken its row, then wants the other's.
      let runs = 0;
      const holding = [Promise.withResolvers<void>(), Promise.withResolvers<void>()];
      const committed = [Promise.withResolvers<void>(), Promise.withResolvers<void>()];
      const crosswise = (pool: DbQueries, mine: number) =>
        pool.tx(async (sql) => {
          // The run again starts once the other has committed: on a starved runner the
          // victim's second run could otherwise take its row back before the survivor,
          // woken, got to it, and deadlock a second time (real, and not what this tests).
          if (++runs > 2) await committed[1 - mine].promise;
          await sql`update deadlock_probe set n = n + 1 where id = ${mine + 1}`;
          holding[mine].resolve();
          await holding[1 - mine].promise;
          await sql`update deadlock_probe set n = n + 1 where id = ${2 - mine}`;
        }).then(() => committed[mine].resolve());
      await Promise.all([crosswise(db, 0), crosswise(other, 1)]);
      assertEquals(runs, 3, "exactly one of them ran twice");
      const rows = await db.sql<{ n: number }[]>`select n from deadlock_probe order by id`;
      assertEquals(rows.map((row) => row.n), [2, 2], "both transactions' updates are there, once each");
      assert(lines.some((line) => line.includes('"db.tx.retried"') && line.includes("40P01")));
    } finally {
      restore();
      await other.close();
    }
  },
});
