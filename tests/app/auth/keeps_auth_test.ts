/**
 * A check-in keeps the instance's memory of the user (app/cache/invalidate.ts
 * `keepsSignedInUser`): the user's next request is not looked up again, unless
 * something else moved their version between the request's authentication and its bump
 * (a log-out, a revoked token, a settings change, on any instance), and never after a
 * write that does not say so.
 */
import type { FreshContext } from "fresh";
import { rememberedUser, renewUserVersion } from "@/app/auth/auth_cache.ts";
import { invalidateOnWrite, invalidateUser } from "@/app/cache/invalidate.ts";
import { readVersion } from "@/lib/cache/user_cache.ts";
import { loadConfig } from "@/lib/config.ts";
import type { Services, State } from "@/app/state.ts";
import type { Db } from "@/db/client.ts";
import { localDay } from "@/domain/calendar.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { openTestDb } from "@/tests/support/db.ts";
import { call, json } from "@/tests/support/api.ts";
import { authUserFixture, createTestUser } from "@/tests/support/users.ts";

const user = authUserFixture("6f0c6b8e-0000-4000-8000-000000000002", "keep@example.test");

function countingLookup() {
  const lookup = () => {
    lookup.calls++;
    return Promise.resolve(user);
  };
  lookup.calls = 0;
  return lookup;
}

/** Services with an in-memory KV, and the user remembered once under a fresh version. */
async function rememberedOnce() {
  const s: Services = {
    config: loadConfig(() => undefined),
    db: {} as never,
    kv: await Deno.openKv(":memory:"),
    startedAt: 0,
  };
  const lookup = countingLookup();
  await renewUserVersion(s, user.id);
  const first = await rememberedUser(s, "t:a", lookup);
  assertEquals(lookup.calls, 1);
  return { s, lookup, first };
}

/** A POST through `invalidateOnWrite` whose handler runs `during` and says it kept the user. */
async function checkInThrough(s: Services, version: string, during: () => Promise<void>, keepsAuth = true) {
  const state = { services: s, user, userVersion: version, keepsAuth } as unknown as State;
  const ctx = {
    req: new Request("http://localhost/api/habits/x/checkins", { method: "POST" }),
    url: new URL("http://localhost/api/habits/x/checkins"),
    state,
    next: async () => {
      await during();
      return new Response(null, { status: 200 });
    },
  } as unknown as FreshContext<State>;
  assertEquals((await invalidateOnWrite(ctx)).status, 200);
}

Deno.test("a check-in's bump keeps the memory; one racing another bump, or a write that did not say so, drops it", async () => {
  const { s, lookup, first } = await rememberedOnce();
  try {
    await checkInThrough(s, first!.version!, async () => {});
    const kept = await rememberedUser(s, "t:a", lookup);
    assertEquals(lookup.calls, 1, "remembered across the check-in's own bump");
    assert(kept!.version !== first!.version, "under the new version");
    assertEquals(kept!.version, await readVersion(s.kv, user.id));

    // A revocation (or any bump) elsewhere while the check-in runs: the memory must go.
    await checkInThrough(s, kept!.version!, () => invalidateUser(s.kv, user.id));
    await rememberedUser(s, "t:a", lookup);
    assertEquals(lookup.calls, 2, "looked up again after a bump it did not make");

    // A write that did not say it keeps the user (a settings change): dropped as before.
    const now = await rememberedUser(s, "t:a", lookup);
    assertEquals(lookup.calls, 2);
    await checkInThrough(s, now!.version!, async () => {}, false);
    await rememberedUser(s, "t:a", lookup);
    assertEquals(lookup.calls, 3, "looked up again after an ordinary write");
  } finally {
    s.kv.close();
  }
});

Deno.test("two check-ins of one user at once on one instance both keep the memory; a revocation during them still drops it", async () => {
  const { s, lookup, first } = await rememberedOnce();
  try {
    // Both authenticated under the same version; the inner one bumps while the outer one's handler runs.
    await checkInThrough(s, first!.version!, () => checkInThrough(s, first!.version!, async () => {}));
    const kept = await rememberedUser(s, "t:a", lookup);
    assertEquals(lookup.calls, 1, "remembered after two overlapping check-ins");
    assertEquals(kept!.version, await readVersion(s.kv, user.id));

    // Three deep, and then one whose overlapping write was a revocation: dropped.
    const v = kept!.version!;
    await checkInThrough(s, v, () => checkInThrough(s, v, () => checkInThrough(s, v, async () => {})));
    const still = await rememberedUser(s, "t:a", lookup);
    assertEquals(lookup.calls, 1, "remembered after three overlapping check-ins");
    await checkInThrough(s, still!.version!, async () => {
      await checkInThrough(s, still!.version!, async () => {});
      await invalidateUser(s.kv, user.id);
    });
    await rememberedUser(s, "t:a", lookup);
    assertEquals(lookup.calls, 2, "looked up again: a bump it did not make came between");
  } finally {
    s.kv.close();
  }
});

/** The test database, counting the statements that look up a token (db/users.ts `findUserByToken`). */
function countingTokenLookups(db: Db) {
  const counter = { lookups: 0 };
  const sql = new Proxy(db.sql, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (name !== "unsafe") return value;
      return (query: string, ...rest: unknown[]) => {
        if (query.includes("from api_tokens")) counter.lookups++;
        return value.call(target, query, ...rest);
      };
    },
  });
  return { db: new Proxy(db, { get: (d, name) => name === "sql" ? sql : Reflect.get(d, name, d) }), counter };
}

Deno.test("check-ins in a row through the app: the token is looked up once; a settings change drops the memory", async () => {
  await using testDb = await openTestDb();
  const { db, counter } = countingTokenLookups(testDb.db);
  await using t = await startTestApp({ db });
  const alice = await createTestUser(t.services, { plan: "pro" });
  const habit = (await json(await call(t.app, alice.bearer, "POST", "/api/habits", { name: "Read" }), 201)).habit;
  const today = localDay("UTC");
  counter.lookups = 0;
  for (const status of ["done", "none", "done"]) {
    await json(
      await call(t.app, alice.bearer, "POST", `/api/habits/${habit.id}/checkins`, { date: today, status }),
      200,
    );
  }
  assert(counter.lookups <= 1, `${counter.lookups} token lookups for three check-ins`);
  const settled = counter.lookups;
  await json(await call(t.app, alice.bearer, "POST", "/api/settings/save", { displayName: "Alice" }), 200);
  const me = await json(
    await call(t.app, alice.bearer, "POST", `/api/habits/${habit.id}/checkins`, {
      date: today,
      status: "done",
    }),
    200,
  );
  assertEquals(me.checkin.status, "done");
  assertEquals(counter.lookups, settled + 1, "the settings change made the next request look the token up");
});
