/**
 * Monthly quotas through `increment_usage_if_allowed` (db/usage.ts): exact under
 * concurrency, per UTC calendar month, per plan. On real Postgres the pool has 20
 * connections so the race really runs in parallel; PGlite serialises it.
 */
import type { Db } from "@/db/client.ts";
import { RuleViolation } from "@/domain/rules.ts";
import { consumeUsage, incrementUsageIfAllowed, type QuotaFeature } from "@/db/usage.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "@/tests/support/assert.ts";
import { openTestDb } from "@/tests/support/db.ts";

async function newUser(db: Db, plan: "free" | "pro" = "free"): Promise<string> {
  const [row] = await db.sql<{ id: string }[]>`
    insert into users (email, password_hash, plan_id)
    values (${`usage-${crypto.randomUUID()}@example.test`}, 'test-only', ${plan})
    returning id::text as id`;
  return row.id;
}

async function activityCount(db: Db, userId: string, action: string): Promise<number> {
  const [row] = await db.sql<{ n: number }[]>`
    select count(*)::int as n from activity where user_id = ${userId}::uuid and action = ${action}`;
  return row.n;
}

const MARCH = new Date("2026-03-15T12:00:00Z");

Deno.test("monthly usage quotas in the database", async (t) => {
  await using testDb = await openTestDb({ poolMax: 20 });
  const { db } = testDb;

  await t.step("20 concurrent exports with 3 left: exactly 3 allowed", async () => {
    const userId = await newUser(db);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => incrementUsageIfAllowed(db, userId, "exports", MARCH)),
    );
    assertEquals(results.filter((r) => r.allowed).length, 3);
    // Each allowed call saw a distinct count; the refused ones saw the quota used up.
    assertEquals(results.filter((r) => r.allowed).map((r) => r.used).sort(), [1, 2, 3]);
    for (const refused of results.filter((r) => !r.allowed)) {
      assertEquals(refused, { allowed: false, used: 3, quota: 3, remaining: 0 });
    }
    assertEquals(await activityCount(db, userId, "usage.consumed"), 3);
  });

  await t.step("what remains is reported after each call", async () => {
    const userId = await newUser(db);
    assertEquals(await incrementUsageIfAllowed(db, userId, "exports", MARCH), {
      allowed: true,
      used: 1,
      quota: 3,
      remaining: 2,
    });
    assertEquals((await incrementUsageIfAllowed(db, userId, "exports", MARCH)).remaining, 1);
  });

  await t.step("a new UTC month starts from zero", async () => {
    const userId = await newUser(db);
    const lastMinuteOfMarch = new Date("2026-03-31T23:59:59Z");
    for (let i = 0; i < 3; i++) await incrementUsageIfAllowed(db, userId, "exports", lastMinuteOfMarch);
    assertEquals((await incrementUsageIfAllowed(db, userId, "exports", lastMinuteOfMarch)).allowed, false);
    const april = await incrementUsageIfAllowed(db, userId, "exports", new Date("2026-04-01T00:00:00Z"));
    assertEquals(april, { allowed: true, used: 1, quota: 3, remaining: 2 });
    const periods = await db.sql<{ period: string; used: number }[]>`
      select period, used from usage_counters where user_id = ${userId}::uuid order by period`;
    assertEquals(periods.map((r) => [r.period, r.used]), [["2026-03-01", 3], ["2026-04-01", 1]]);
  });

  await t.step("the month is UTC's, whatever the server's time zone", async () => {
    const userId = await newUser(db);
    // 23:30 on March 31st in New York is already April in UTC.
    await incrementUsageIfAllowed(db, userId, "exports", new Date("2026-03-31T23:30:00-04:00"));
    const [row] = await db.sql<{ period: string }[]>`
      select period from usage_counters where user_id = ${userId}::uuid`;
    assertEquals(row.period, "2026-04-01");
  });

  await t.step("pro has 100 a month", async () => {
    const userId = await newUser(db, "pro");
    const first = await incrementUsageIfAllowed(db, userId, "exports", MARCH);
    assertEquals(first, { allowed: true, used: 1, quota: 100, remaining: 99 });
    await db.sql`update usage_counters set used = 99 where user_id = ${userId}::uuid`;
    assertEquals((await incrementUsageIfAllowed(db, userId, "exports", MARCH)).remaining, 0);
    assertEquals((await incrementUsageIfAllowed(db, userId, "exports", MARCH)).allowed, false);
  });

  await t.step("an unknown feature is an error, and counts nothing", async () => {
    const userId = await newUser(db);
    const error = await assertRejects(() => incrementUsageIfAllowed(db, userId, "teleports" as QuotaFeature, MARCH));
    assert(error instanceof RuleViolation, String(error));
    assertEquals(error.kind, "invalid");
    const [row] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from usage_counters where user_id = ${userId}::uuid`;
    assertEquals(row.n, 0);
  });

  await t.step("an unknown user is not_found", async () => {
    const error = await assertRejects(() => incrementUsageIfAllowed(db, crypto.randomUUID(), "exports", MARCH));
    assert(error instanceof RuleViolation, String(error));
    assertEquals(error.kind, "not_found");
  });

  await t.step("consumeUsage throws plan_limit naming the limit and /upgrade", async () => {
    const userId = await newUser(db);
    for (let i = 0; i < 3; i++) await consumeUsage(db, userId, "exports", MARCH);
    const error = await assertRejects(() => consumeUsage(db, userId, "exports", MARCH));
    assert(error instanceof RuleViolation, String(error));
    assertEquals(error.kind, "plan_limit");
    assertMatch(error.message, /allows 3 exports per calendar month/);
    assertMatch(error.message, /\/upgrade/);
  });
});
