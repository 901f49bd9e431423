/**
 * The plan's archived-habit cap (sql/008_import.sql): archiving counts against it under
 * the user's lock, exact when archives race (25 connections on real Postgres really run
 * in parallel), and the plans table states it for free and pro.
 */
import type { Db } from "@/db/client.ts";
import { createHabit, listHabits, updateHabit } from "@/db/habits.ts";
import { RuleViolation } from "@/domain/rules.ts";
import { assert, assertEquals, assertMatch } from "@/tests/support/assert.ts";
import { openTestDb } from "@/tests/support/db.ts";

const TODAY = "2026-03-04";

async function newUser(db: Db, plan: "free" | "pro" = "free"): Promise<string> {
  const [row] = await db.sql<{ id: string }[]>`
    insert into users (email, password_hash, plan_id)
    values (${`archived-${crypto.randomUUID()}@example.test`}, 'test-only', ${plan})
    returning id::text as id`;
  return row.id;
}

/** `n` archived habits written straight to the table (the cap is what is under test, not how they got there). */
async function archivedHabits(db: Db, userId: string, n: number): Promise<void> {
  await db.sql`
    insert into habits (user_id, name, color, start_date, archived_at, position)
    select ${userId}::uuid, 'Old ' || i, '#16a34a', ${TODAY}::date, now(), i - 1 from generate_series(1, ${n}) as i`;
}

async function archivedCount(db: Db, userId: string): Promise<number> {
  const [{ n }] = await db.sql<{ n: number }[]>`
    select count(*)::int as n from habits where user_id = ${userId}::uuid and archived_at is not null`;
  return n;
}

Deno.test("archived habits have a plan cap of their own", async (t) => {
  await using testDb = await openTestDb({ poolMax: 25 });
  const { db } = testDb;

  await t.step("the plans table states it: free keeps 50 archived habits, pro 1000", async () => {
    const plans = await db.sql`select id, max_archived_habits from plans order by id`;
    assertEquals(plans.map((p) => [p.id, p.max_archived_habits]), [["free", 50], ["pro", 1000]]);
  });

  await t.step("10 concurrent archives with 2 free places: exactly 2 win, the rest get plan_limit", async () => {
    const userId = await newUser(db);
    await archivedHabits(db, userId, 48);
    const active = [];
    for (let i = 0; i < 10; i++) active.push(await createHabit(db, userId, { name: `Active ${i}` }, TODAY));
    const results = await Promise.allSettled(active.map((h) => updateHabit(db, userId, h.id, { archived: true })));
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    assertEquals([results.length - refused.length, refused.length], [2, 8]);
    for (const { reason } of refused) {
      assert(reason instanceof RuleViolation, String(reason));
      assertEquals(reason.kind, "plan_limit");
      assertMatch(reason.message, /free plan keeps 50 archived habits/);
      assertMatch(reason.message, /upgrade to pro \(up to 1000 archived habits\) at \/upgrade/);
    }
    assertEquals(await archivedCount(db, userId), 50);
    assertEquals((await listHabits(db, userId)).length, 8);
    const [{ n }] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from activity where user_id = ${userId}::uuid and action = 'habit.archived'`;
    assertEquals(n, 2);
  });

  await t.step("a refused archive changes nothing; other edits of the habit still work", async () => {
    const userId = await newUser(db);
    await archivedHabits(db, userId, 50);
    const habit = await createHabit(db, userId, { name: "Keep" }, TODAY);
    const refused = await updateHabit(db, userId, habit.id, { archived: true, name: "Renamed" }).catch((e) => e);
    assert(refused instanceof RuleViolation && refused.kind === "plan_limit", String(refused));
    assertEquals((await listHabits(db, userId)).map((h) => h.name), ["Keep"]);
    assertEquals((await updateHabit(db, userId, habit.id, { name: "Renamed" }))?.name, "Renamed");
    // Unarchiving makes room.
    const [old] = await db.sql<{ id: string }[]>`
      select id::text from habits where user_id = ${userId}::uuid and archived_at is not null limit 1`;
    await db.sql`delete from habits where id = ${old.id}::uuid`;
    assertEquals((await updateHabit(db, userId, habit.id, { archived: true }))?.archived, true);
  });

  await t.step("a pro account is not held to the free cap", async () => {
    const userId = await newUser(db, "pro");
    await archivedHabits(db, userId, 60);
    const habit = await createHabit(db, userId, { name: "Pro" }, TODAY);
    assertEquals((await updateHabit(db, userId, habit.id, { archived: true }))?.archived, true);
    assertEquals(await archivedCount(db, userId), 61);
  });
});
