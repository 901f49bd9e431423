/**
 * `checkInWithStats` (one statement: sql/017's `checkin_with_history`) against the two
 * calls it replaces on the check-in route, `upsertCheckin` then `habitStatsFor`: on
 * random histories of every schedule and kind, with habit and user-wide pauses, the
 * saved check-in and the statistics must be the ones a fresh read gives, every time.
 * Its errors and its one activity row per call are the upsert's.
 */
import { checkInWithStats, habitStatsFor, listCheckins, upsertCheckin } from "@/db/checkins.ts";
import type { Db } from "@/db/client.ts";
import { createHabit, type Habit, type HabitInput } from "@/db/habits.ts";
import { addDays, type Weekday } from "@/domain/calendar.ts";
import { RuleViolation } from "@/domain/rules.ts";
import { assert, assertEquals, assertRejects } from "@/tests/support/assert.ts";
import { openTestDb } from "@/tests/support/db.ts";
import { seededRandom } from "@/tests/support/seeded_random.ts";

const TODAY = "2026-03-04";

async function newUser(db: Db): Promise<string> {
  const [row] = await db.sql<{ id: string }[]>`
    insert into users (email, password_hash, plan_id)
    values (${`db-${crypto.randomUUID()}@example.test`}, 'test-only', 'pro')
    returning id::text as id`;
  return row.id;
}

const HABITS: HabitInput[] = [
  { name: "Daily" },
  { name: "Weekdays", schedule: { type: "weekdays", days: [1, 3, 5] } },
  { name: "Weekly", schedule: { type: "weekly", times: 3 } },
  { name: "Interval", schedule: { type: "interval", every: 3 } },
  { name: "Monthly", schedule: { type: "monthly", times: 4 } },
  { name: "Window", schedule: { type: "times_in_days", times: 2, days: 5 } },
  { name: "Pages", kind: "numeric", target: 5, unit: "pages" },
  { name: "Coffee", kind: "numeric", target: 2, unit: "cups", direction: "at_most" },
] as HabitInput[];

Deno.test("checkInWithStats gives the check-in and statistics of upsertCheckin + habitStatsFor", async () => {
  await using t = await openTestDb();
  const { db } = t;
  const next = seededRandom(14);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  const userId = await newUser(db);
  const habits: Habit[] = [];
  for (const input of HABITS) {
    const habit = await createHabit(db, userId, input, TODAY);
    // A longer life than the backfill window, so old rows count in streaks and totals.
    const startDate = addDays(TODAY, -400 - Math.floor(next() * 200));
    await db.sql`update habits set start_date = ${startDate}::date where id = ${habit.id}::uuid`;
    habits.push({ ...habit, startDate });
    await db.sql`
      insert into checkins (habit_id, user_id, day, status, value)
      select ${habit.id}::uuid, ${userId}::uuid, ${TODAY}::date - d,
             (array['done', 'done', 'done', 'skipped', 'failed'])[1 + (d * 7 + ${habits.length}) % 5],
             case when ${habit.kind} = 'numeric' and (d * 7 + ${habits.length}) % 5 < 3 then (d % 4)::numeric end
        from generate_series(0, 599) d
       where (d * 13 + ${habits.length}) % 3 <> 0 and ${TODAY}::date - d >= ${startDate}::date`;
  }
  await db.sql`insert into pauses (user_id, habit_id, from_day, to_day)
    values (${userId}::uuid, null, ${addDays(TODAY, -40)}::date, ${addDays(TODAY, -30)}::date),
           (${userId}::uuid, ${habits[0].id}::uuid, ${addDays(TODAY, -10)}::date, ${addDays(TODAY, -8)}::date),
           (${userId}::uuid, ${habits[6].id}::uuid, ${addDays(TODAY, -200)}::date, ${addDays(TODAY, -150)}::date)`;

  for (let i = 0; i < 120; i++) {
    const habit = pick(habits);
    const weekStart = pick([0, 1, 6] as Weekday[]);
    const date = addDays(TODAY, -Math.floor(next() * 367));
    const status = pick(["done", "done", "skipped", "failed", "none"] as const);
    const value = habit.kind === "numeric" && status === "done" && next() < 0.7 ? Math.floor(next() * 9) : undefined;
    const note = pick([undefined, null, "", "Note ✓"]);
    const [{ n: before }] = await db.sql<{ n: number }[]>`
      select count(*) as n from activity where user_id = ${userId}::uuid`;
    const got = await checkInWithStats(db, userId, habit.id, { date, status, value, note }, TODAY, weekStart);

    const [saved] = await listCheckins(db, userId, habit.id, date, date);
    assertEquals(got.checkin, saved ?? null, `check-in ${i}: ${habit.name} ${date} ${status}`);
    assertEquals(got.stats, await habitStatsFor(db, habit, TODAY, weekStart), `stats ${i}: ${habit.name} ${date}`);
    const [{ n: after }] = await db.sql<{ n: number }[]>`
      select count(*) as n from activity where user_id = ${userId}::uuid`;
    assertEquals(after, before + 1, "one activity row per call");
  }
});

Deno.test("checkInWithStats refuses what upsertCheckin refuses, and writes nothing then", async () => {
  await using t = await openTestDb();
  const { db } = t;
  const alice = await newUser(db);
  const bob = await newUser(db);
  const walk = await createHabit(db, alice, { name: "Walk" } as HabitInput, TODAY);
  type Write = Parameters<typeof upsertCheckin>[3];
  /** Both functions' refusal of the same call, as "kind: message"; they must agree. */
  const refusal = async (userId: string, habitId: string, input: Write): Promise<string> => {
    const errors: string[] = [];
    for (
      const call of [
        () => upsertCheckin(db, userId, habitId, input, TODAY),
        () => checkInWithStats(db, userId, habitId, input, TODAY, 1),
      ]
    ) {
      const error = await assertRejects(call);
      assert(error instanceof RuleViolation, `expected a RuleViolation, got ${error}`);
      errors.push(`${error.kind}: ${error.message}`);
    }
    assertEquals(errors[0], errors[1]);
    return errors[1];
  };
  assertEquals(await refusal(bob, walk.id, { date: TODAY, status: "done" }), "not_found: No habit with that id");
  assertEquals(await refusal(alice, "nope", { date: TODAY, status: "done" }), "not_found: No habit with that id");
  assertEquals(
    await refusal(alice, walk.id, { date: TODAY, status: "done", value: 1 }),
    "invalid: A yes/no habit takes no value",
  );
  assertEquals(
    await refusal(alice, walk.id, { date: addDays(TODAY, 1), status: "done" }),
    `invalid: You cannot check in for a day after today (${TODAY})`,
  );
  assertEquals(await listCheckins(db, alice, walk.id, addDays(TODAY, -400), addDays(TODAY, 1)), []);
  const [{ n }] = await db.sql<{ n: number }[]>`select count(*) as n from activity where action like 'checkin.%'
    and user_id in (${alice}::uuid, ${bob}::uuid)`;
  assertEquals(n, 0);
});
