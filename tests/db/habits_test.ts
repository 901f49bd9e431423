/**
 * The habit and check-in functions of sql/004_habits.sql through db/habits.ts and
 * db/checkins.ts: plan limits that hold under concurrency, ownership, one activity row
 * per call, and the upsert that leaves one row however many identical calls race.
 *
 * On real Postgres the pool has 25 connections, so the races below really run in
 * parallel; embedded PGlite serialises them on its one connection (the rules must hold
 * either way).
 */
import { habitStatsFor, habitStatsForAll, listCheckins, listUserCheckins, upsertCheckin } from "@/db/checkins.ts";
import type { Db } from "@/db/client.ts";
import { createHabit, deleteHabit, getHabit, type Habit, listHabits, updateHabit } from "@/db/habits.ts";
import { RuleViolation } from "@/domain/rules.ts";
import { addDays } from "@/domain/calendar.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "@/tests/support/assert.ts";
import { openTestDb } from "@/tests/support/db.ts";

const TODAY = "2026-03-04"; // a Wednesday

async function newUser(db: Db, plan: "free" | "pro" = "free"): Promise<string> {
  const [row] = await db.sql<{ id: string }[]>`
    insert into users (email, password_hash, plan_id)
    values (${`db-${crypto.randomUUID()}@example.test`}, 'test-only', ${plan})
    returning id::text as id`;
  return row.id;
}

async function activity(db: Db, userId: string): Promise<{ action: string; object_id: string; details: unknown }[]> {
  const rows = await db.sql<{ action: string; object_id: string; details: unknown }[]>`
    select action, object_id, details from activity where user_id = ${userId}::uuid order by id`;
  return [...rows];
}

async function actionCounts(db: Db, userId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { action } of await activity(db, userId)) counts[action] = (counts[action] ?? 0) + 1;
  return counts;
}

async function ruleOf(promise: () => Promise<unknown>): Promise<RuleViolation> {
  const error = await assertRejects(promise);
  assert(error instanceof RuleViolation, `expected a RuleViolation, got ${error}`);
  return error;
}

Deno.test("habits and check-ins in the database", async (t) => {
  await using testDb = await openTestDb({ poolMax: 25 });
  const { db } = testDb;

  await t.step("25 concurrent creations on the free plan: exactly 10 succeed, the rest get plan_limit", async () => {
    const userId = await newUser(db);
    const results = await Promise.allSettled(
      Array.from({ length: 25 }, (_, i) => createHabit(db, userId, { name: `Habit ${i}` }, TODAY)),
    );
    const made = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    assertEquals([made.length, refused.length], [10, 15]);
    for (const { reason } of refused) {
      assert(reason instanceof RuleViolation, String(reason));
      assertEquals(reason.kind, "plan_limit");
      assertMatch(reason.message, /free plan allows 10 active habits/);
      assertMatch(reason.message, /upgrade to pro .*\/upgrade/);
    }
    assertEquals((await listHabits(db, userId)).length, 10);
    // Positions stay unique and dense even when the creations raced.
    assertEquals((await listHabits(db, userId)).map((h) => h.position), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assertEquals(await actionCounts(db, userId), { "habit.created": 10 });
  });

  await t.step("a pro account is not held to the free limit", async () => {
    const userId = await newUser(db, "pro");
    for (let i = 0; i < 11; i++) await createHabit(db, userId, { name: `Pro ${i}` }, TODAY);
    assertEquals((await listHabits(db, userId)).length, 11);
  });

  await t.step("create: defaults, start date, and the stored shape", async () => {
    const userId = await newUser(db);
    const plain = await createHabit(db, userId, { name: "Stretch" }, TODAY);
    assertEquals(
      { ...plain, id: "", createdAt: null, updatedAt: null },
      {
        id: "",
        name: "Stretch",
        color: "#16a34a",
        kind: "boolean",
        target: null,
        unit: null,
        schedule: { type: "daily" },
        direction: "at_least",
        archived: false,
        position: 0,
        startDate: TODAY,
        tags: [],
        createdAt: null,
        updatedAt: null,
      },
    );
    assert(plain.createdAt instanceof Date);
    const run = await createHabit(db, userId, {
      name: "Run",
      color: "#112233",
      kind: "numeric",
      target: 5.5,
      unit: "km",
      schedule: { type: "weekdays", days: [1, 3, 5] },
    }, TODAY);
    assertEquals([run.kind, run.target, run.unit, run.schedule, run.position], [
      "numeric",
      5.5,
      "km",
      { type: "weekdays", days: [1, 3, 5] },
      1,
    ]);
    assertEquals(await getHabit(db, userId, run.id), run);
  });

  await t.step("the table refuses what the rules refuse, as RuleViolation invalid", async () => {
    const userId = await newUser(db);
    const cases = [
      { name: "No target", kind: "numeric" as const, unit: "km" },
      { name: "Target on yes/no", target: 3 },
      { name: "", color: "#112233" },
      { name: "Bad color", color: "red" },
      { name: "Bad schedule", schedule: { type: "weekly", times: 8 } as never },
    ];
    for (const input of cases) {
      const error = await ruleOf(() => createHabit(db, userId, input, TODAY));
      assertEquals(error.kind, "invalid", JSON.stringify(input));
    }
    assertEquals(await listHabits(db, userId), []);
    assertEquals(await activity(db, userId), []);
  });

  await t.step("the schedule check accepts exactly API.md's shapes", async () => {
    const cases: [string, boolean][] = [
      ['{"type":"daily"}', true],
      ['{"type":"weekly","times":1}', true],
      ['{"type":"weekly","times":7}', true],
      ['{"type":"weekdays","days":[1,3,5]}', true],
      ['{"type":"weekdays","days":[7]}', true],
      ['{"type":"daily","times":3}', false],
      ['{"type":"weekly","times":0}', false],
      ['{"type":"weekly","times":8}', false],
      ['{"type":"weekly","times":2.5}', false],
      ['{"type":"weekly","times":"2"}', false],
      ['{"type":"weekly"}', false],
      ['{"type":"weekdays","days":[]}', false],
      ['{"type":"weekdays","days":[0]}', false],
      ['{"type":"weekdays","days":[1,1]}', false],
      ['{"type":"weekdays","days":"1"}', false],
      ['{"type":"weekdays","days":[1],"x":1}', false],
      ['{"type":"monthly"}', false],
      ['"daily"', false],
      ["[]", false],
    ];
    for (const [schedule, valid] of cases) {
      const [row] = await db.sql<
        { valid: boolean }[]
      >`select habit_schedule_is_valid(${schedule}::text::jsonb) as valid`;
      assertEquals(row.valid, valid, schedule);
    }
  });

  await t.step("unarchiving past the limit is refused with plan_limit and changes nothing", async () => {
    const userId = await newUser(db);
    const habits: Habit[] = [];
    for (let i = 0; i < 10; i++) habits.push(await createHabit(db, userId, { name: `H${i}` }, TODAY));
    const archived = await updateHabit(db, userId, habits[0].id, { archived: true });
    assertEquals(archived?.archived, true);
    await createHabit(db, userId, { name: "The tenth again" }, TODAY);
    const before = (await activity(db, userId)).length;

    const error = await ruleOf(() => updateHabit(db, userId, habits[0].id, { archived: false }));
    assertEquals(error.kind, "plan_limit");
    assertMatch(error.message, /10 active habits/);
    assertEquals((await getHabit(db, userId, habits[0].id))?.archived, true);
    assertEquals((await activity(db, userId)).length, before);

    // Making room lets it back in, at the end of the active list.
    assert(await deleteHabit(db, userId, habits[1].id));
    const back = await updateHabit(db, userId, habits[0].id, { archived: false });
    assertEquals(back?.archived, false);
    assertEquals((await listHabits(db, userId)).at(-1)?.id, habits[0].id);
  });

  await t.step("concurrent unarchives of two habits with one free slot: exactly one wins", async () => {
    const userId = await newUser(db);
    const habits: Habit[] = [];
    for (let i = 0; i < 10; i++) habits.push(await createHabit(db, userId, { name: `U${i}` }, TODAY));
    await updateHabit(db, userId, habits[0].id, { archived: true });
    await updateHabit(db, userId, habits[1].id, { archived: true });
    await createHabit(db, userId, { name: "Ninth active" }, TODAY);
    const results = await Promise.allSettled([
      ...Array.from({ length: 5 }, () => updateHabit(db, userId, habits[0].id, { archived: false })),
      ...Array.from({ length: 5 }, () => updateHabit(db, userId, habits[1].id, { archived: false })),
    ]);
    assertEquals((await listHabits(db, userId)).length, 10);
    const refused = results.filter((r) => r.status === "rejected");
    assert(refused.every((r) => (r as PromiseRejectedResult).reason.kind === "plan_limit"));
    // Only one call actually unarchived; the others either found it active already or hit the limit.
    assertEquals((await actionCounts(db, userId))["habit.unarchived"], 1);
  });

  await t.step("update: fields, kind switch, reorder, one activity row each", async () => {
    const userId = await newUser(db);
    const a = await createHabit(db, userId, { name: "A" }, TODAY);
    const b = await createHabit(db, userId, { name: "B", kind: "numeric", target: 8, unit: "glasses" }, TODAY);
    const c = await createHabit(db, userId, { name: "C" }, TODAY);

    const renamed = await updateHabit(db, userId, a.id, { name: "A2", color: "#abcdef" });
    assertEquals([renamed?.name, renamed?.color], ["A2", "#abcdef"]);
    assert(renamed!.updatedAt >= a.updatedAt);

    const yesNo = await updateHabit(db, userId, b.id, { kind: "boolean" });
    assertEquals([yesNo?.kind, yesNo?.target, yesNo?.unit], ["boolean", null, null]);
    const error = await ruleOf(() => updateHabit(db, userId, b.id, { target: 3 }));
    assertEquals(error.kind, "invalid");
    const numeric = await updateHabit(db, userId, b.id, { kind: "numeric", target: 2, unit: "l" });
    assertEquals([numeric?.kind, numeric?.target, numeric?.unit], ["numeric", 2, "l"]);

    await updateHabit(db, userId, c.id, { position: 0 });
    assertEquals((await listHabits(db, userId)).map((h) => [h.name, h.position]), [["C", 0], ["A2", 1], ["B", 2]]);
    await updateHabit(db, userId, c.id, { position: 99 });
    assertEquals((await listHabits(db, userId)).map((h) => [h.name, h.position]), [["A2", 0], ["B", 1], ["C", 2]]);
    await updateHabit(db, userId, b.id, { position: 0 });
    assertEquals((await listHabits(db, userId)).map((h) => h.name), ["B", "A2", "C"]);

    await updateHabit(db, userId, a.id, { archived: true });
    assertEquals((await listHabits(db, userId)).map((h) => h.name), ["B", "C"]);
    assertEquals((await listHabits(db, userId, { archived: true })).map((h) => h.name), ["A2"]);
    // Archiving an archived habit is a no-op change, still one row (habit.updated).
    await updateHabit(db, userId, a.id, { archived: true });

    const log = await activity(db, userId);
    assertEquals(log.map((row) => row.action), [
      "habit.created",
      "habit.created",
      "habit.created",
      "habit.updated",
      "habit.updated",
      "habit.updated",
      "habit.updated",
      "habit.updated",
      "habit.updated",
      "habit.archived",
      "habit.updated",
    ]);
    assertEquals(log[3].details, { name: "A2", fields: ["color", "name"] });
    assertEquals(log[3].object_id, a.id);
  });

  await t.step("another user's, unknown and malformed ids are 'not found' everywhere", async () => {
    const owner = await newUser(db);
    const other = await newUser(db);
    const habit = await createHabit(db, owner, { name: "Mine" }, TODAY);
    for (const id of [habit.id, crypto.randomUUID(), "not-a-uuid", "1", "' or 1=1 --"]) {
      assertEquals(await getHabit(db, other, id), null, id);
      assertEquals(await updateHabit(db, other, id, { name: "Stolen" }), null, id);
      assertEquals(await deleteHabit(db, other, id), false, id);
      assertEquals(await listCheckins(db, other, id, addDays(TODAY, -30), TODAY), [], id);
      const error = await ruleOf(() => upsertCheckin(db, other, id, { date: TODAY, status: "done" }, TODAY));
      assertEquals(error.kind, "not_found", id);
    }
    assertEquals((await getHabit(db, owner, habit.id))?.name, "Mine");
    assertEquals(await activity(db, other), []);
  });

  await t.step("50 concurrent identical check-ins: one row, and one activity row per call (50)", async () => {
    const userId = await newUser(db);
    const habit = await createHabit(db, userId, { name: "Race" }, TODAY);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => upsertCheckin(db, userId, habit.id, { date: TODAY, status: "done" }, TODAY)),
    );
    assert(results.every((checkin) => checkin?.status === "done" && checkin.date === TODAY));
    const [{ n }] = await db.sql<{ n: number }[]>`select count(*)::int as n from checkins where habit_id = ${habit.id}`;
    assertEquals(n, 1);
    assertEquals(await actionCounts(db, userId), { "habit.created": 1, "checkin.saved": 50 });
  });

  await t.step("check-in days: up to today and 366 days back, never after or further", async () => {
    const userId = await newUser(db);
    const habit = await createHabit(db, userId, { name: "Days" }, TODAY);
    const save = (date: string) => upsertCheckin(db, userId, habit.id, { date, status: "done" }, TODAY);
    assertEquals((await save(TODAY))?.date, TODAY);
    assertEquals((await save(addDays(TODAY, -366)))?.date, addDays(TODAY, -366));
    const future = await ruleOf(() => save(addDays(TODAY, 1)));
    assertEquals(future.kind, "invalid");
    assertMatch(future.message, /after today \(2026-03-04\)/);
    const old = await ruleOf(() => save(addDays(TODAY, -367)));
    assertEquals(old.kind, "invalid");
    assertMatch(old.message, /366 days at most: the earliest is 2025-03-03/);
    assertEquals((await listCheckins(db, userId, habit.id, "2020-01-01", "2030-01-01")).length, 2);
  });

  await t.step("values, notes, skips and clearing", async () => {
    const userId = await newUser(db);
    const water = await createHabit(db, userId, { name: "Water", kind: "numeric", target: 8, unit: "glasses" }, TODAY);
    const walk = await createHabit(db, userId, { name: "Walk" }, TODAY);
    const day = addDays(TODAY, -1);

    // A numeric done without a value stores the target.
    assertEquals((await upsertCheckin(db, userId, water.id, { date: day, status: "done" }, TODAY))?.value, 8);
    const noted = await upsertCheckin(
      db,
      userId,
      water.id,
      { date: day, status: "done", value: 5, note: "Hot day" },
      TODAY,
    );
    assertEquals([noted?.value, noted?.note], [5, "Hot day"]);
    // An omitted note keeps the day's note; a skip has no value.
    const skipped = await upsertCheckin(db, userId, water.id, { date: day, status: "skipped" }, TODAY);
    assertEquals([skipped?.status, skipped?.value, skipped?.note], ["skipped", null, "Hot day"]);
    // null (or "") clears it.
    const cleared = await upsertCheckin(db, userId, water.id, { date: day, status: "done", note: null }, TODAY);
    assertEquals(cleared?.note, null);

    assertEquals(
      (await ruleOf(() => upsertCheckin(db, userId, walk.id, { date: day, status: "done", value: 1 }, TODAY))).kind,
      "invalid",
    );
    assertEquals(
      (await ruleOf(() => upsertCheckin(db, userId, water.id, { date: day, status: "skipped", value: 1 }, TODAY))).kind,
      "invalid",
    );
    assertEquals(
      (await ruleOf(() => upsertCheckin(db, userId, water.id, { date: day, status: "done", value: -1 }, TODAY))).kind,
      "invalid",
    );

    assertEquals(await upsertCheckin(db, userId, water.id, { date: day, status: "none" }, TODAY), null);
    assertEquals(await listCheckins(db, userId, water.id, day, day), []);
    // Clearing a day with nothing on it is still one call, one row.
    assertEquals(await upsertCheckin(db, userId, water.id, { date: day, status: "none" }, TODAY), null);
    assertEquals(await actionCounts(db, userId), {
      "habit.created": 2,
      "checkin.saved": 4,
      "checkin.cleared": 2,
    });
    const last = (await activity(db, userId)).at(-1)!;
    assertEquals([last.action, last.object_id, last.details], ["checkin.cleared", water.id, {
      name: "Water",
      date: day,
    }]);
  });

  await t.step("ranges, the dashboard read, and stats from one query", async () => {
    const userId = await newUser(db);
    // Mon/Wed/Fri, created three weeks ago; TODAY is a Wednesday.
    const start = addDays(TODAY, -21);
    const mwf = await createHabit(db, userId, { name: "MWF", schedule: { type: "weekdays", days: [1, 3, 5] } }, start);
    const daily = await createHabit(db, userId, { name: "Daily" }, start);
    const gone = await createHabit(db, userId, { name: "Archived" }, start);
    const mwfDays = ["2026-02-23", "2026-02-25", "2026-02-27", "2026-03-02", "2026-03-04"];
    for (const date of mwfDays) await upsertCheckin(db, userId, mwf.id, { date, status: "done" }, TODAY);
    for (const date of ["2026-03-02", "2026-03-03", "2026-03-04"]) {
      await upsertCheckin(db, userId, daily.id, { date, status: "done" }, TODAY);
    }
    await upsertCheckin(db, userId, gone.id, { date: TODAY, status: "done" }, TODAY);
    await updateHabit(db, userId, gone.id, { archived: true });

    assertEquals(
      (await listCheckins(db, userId, mwf.id, "2026-02-25", "2026-03-02")).map((c) => c.date),
      ["2026-02-25", "2026-02-27", "2026-03-02"],
    );
    const dashboard = await listUserCheckins(db, userId, "2026-03-02", TODAY);
    assertEquals(dashboard.length, 5); // 2 MWF + 3 daily; the archived habit's is left out
    assert(dashboard.every((c) => c.habitId !== gone.id));
    assertEquals(dashboard.map((c) => c.date), [...dashboard.map((c) => c.date)].sort());

    // Tuesdays and Thursdays do not break a Mon/Wed/Fri streak.
    const stats = await habitStatsFor(db, mwf, TODAY, 1);
    assertEquals([stats.currentStreak, stats.longestStreak, stats.totalDone], [5, 5, 5]);
    const dailyStats = await habitStatsFor(db, daily, TODAY, 1);
    assertEquals([dailyStats.currentStreak, dailyStats.totalDone], [3, 3]);
    const all = await habitStatsForAll(db, [mwf, daily], TODAY, 1);
    assertEquals(all.get(mwf.id), stats);
    assertEquals(all.get(daily.id), dailyStats);
  });

  await t.step("deleting a habit removes its check-ins and logs habit.deleted", async () => {
    const userId = await newUser(db);
    const habit = await createHabit(db, userId, { name: "Temporary" }, TODAY);
    await upsertCheckin(db, userId, habit.id, { date: TODAY, status: "done" }, TODAY);
    assert(await deleteHabit(db, userId, habit.id));
    assertEquals(await getHabit(db, userId, habit.id), null);
    const [{ n }] = await db.sql<{ n: number }[]>`select count(*)::int as n from checkins where habit_id = ${habit.id}`;
    assertEquals(n, 0);
    assertEquals(await deleteHabit(db, userId, habit.id), false);
    const last = (await activity(db, userId)).at(-1)!;
    assertEquals([last.action, last.object_id, last.details], ["habit.deleted", habit.id, { name: "Temporary" }]);
  });
});
