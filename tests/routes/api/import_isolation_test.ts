/**
 * A max-size import (100,000 check-ins, ~20 MiB inflated: tests/support/max_import.ts)
 * while other users read: every read answers 200 and `/api/health/deep` stays 200 for
 * as long as it runs, on embedded PGlite (one session for the whole app) as through
 * PgBouncer. A correctness test: it asserts no timing; `bench/import_isolation.ts`
 * measures the latencies.
 */
import { call, json } from "@/tests/support/api.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { openTestDb } from "@/tests/support/db.ts";
import { upload } from "@/tests/support/imports.ts";
import { MAX_IMPORT_HABITS, maxLoopZip } from "@/tests/support/max_import.ts";
import { createTestUser } from "@/tests/support/users.ts";

const PAUSE_MS = 200;

Deno.test("a max-size import leaves other users' reads and the deep health check answering", async () => {
  // A generous statement deadline: on a CI runner shared with other suites a statement can
  // stall for seconds for reasons that are not the import's (CPU, disk); what this test
  // checks is that the import never makes another request fail (a lock wait still ends
  // at the 3 s lock_timeout as a 503, and would fail it).
  await using testDb = await openTestDb({ queryTimeoutMs: 60_000 });
  // The same for the deep health check's ping (2 s in the app): it must answer 200, however
  // slowly a busy runner lets it.
  const db = testDb.db;
  const generousPing = new Proxy(db, {
    get(target, prop) {
      if (prop === "ping") return () => target.ping(60_000);
      const value = Reflect.get(target, prop, target);
      const method = typeof value === "function" && Object.hasOwn(Object.getPrototypeOf(target), prop);
      return method ? value.bind(target) : value;
    },
  });
  await using test = await startTestApp({ db: generousPing });
  const { app, services } = test;
  const today = new Date().toISOString().slice(0, 10);
  const zip = maxLoopZip(today);
  const importer = await createTestUser(services);
  const readers = await Promise.all(Array.from({ length: 3 }, async (_, i) => {
    const user = await createTestUser(services);
    const { habit } = await json(await call(app, user.bearer, "POST", "/api/habits", { name: `Mine ${i}` }), 201);
    await json(
      await call(app, user.bearer, "POST", `/api/habits/${habit.id}/checkins`, { date: today, status: "done" }),
      200,
    );
    return { user, habit };
  }));

  let importing = true;
  const seen: { what: string; status: number; during: boolean; error?: string }[] = [];
  const until = async (what: string, request: () => Response | Promise<Response>) => {
    while (importing) {
      const res = await request();
      // A failure keeps what it said, so a red run tells why.
      const error = res.status === 200 ? (await res.body?.cancel(), undefined) : await res.text();
      seen.push({ what, status: res.status, during: importing, ...(error === undefined ? {} : { error }) });
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
  };
  const imported = (async () => {
    try {
      const res = await app.request("/api/import", {
        method: "POST",
        headers: importer.bearer,
        body: upload(zip, "loop.zip"),
      });
      return await json(res, 201);
    } finally {
      importing = false;
    }
  })();
  await Promise.all([
    imported,
    // Uncached reads (each one a database query), and the health check that probes the database and KV.
    ...readers.map(({ user, habit }) =>
      until("checkins", () => app.request(`/api/habits/${habit.id}/checkins`, { headers: user.bearer }))
    ),
    until("health", () => app.request("/api/health/deep")),
  ]);

  const { imported: summary } = await imported;
  assertEquals([summary.habits, summary.checkins], [MAX_IMPORT_HABITS, 100_000]);
  const during = seen.filter((s) => s.during);
  assert(during.some((s) => s.what === "checkins") && during.some((s) => s.what === "health"), JSON.stringify(seen));
  const bad = seen.filter((s) => s.status !== 200);
  assertEquals(bad, [], `${bad.length} of ${seen.length} requests failed`);
});
