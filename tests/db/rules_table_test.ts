/**
 * The rules table's SQL half: reminders ask Postgres (`habit_due_on`, `habit_paused_on`,
 * sql/016_habit_model.sql), the pages ask TypeScript (`asksOn`, `isPausedOn`,
 * domain/completion.ts). For every schedule × probe-day status (done, partial, skipped,
 * failed, nothing) × paused or not (tests/support/rules_table.ts), written through the
 * real functions (`create_habit`, `create_pause`), both must give the same answer on
 * every day from before the habit's start to today.
 */
import { createPause } from "@/db/pauses.ts";
import { addDays } from "@/domain/calendar.ts";
import { asksOn, isPausedOn } from "@/domain/completion.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { openTestDb } from "@/tests/support/db.ts";
import { PROBE_STATUSES, RULE_SCHEDULES, ruleCase, START, TODAY } from "@/tests/support/rules_table.ts";

Deno.test("rules table: habit_due_on and habit_paused_on (SQL) agree with asksOn and isPausedOn on every case", async () => {
  await using test = await openTestDb();
  const { db } = test;
  const [{ id: userId }] = await db.sql<{ id: string }[]>`
    insert into users (email, password_hash, timezone, week_start, plan_id)
    values (${`rules-${crypto.randomUUID().slice(0, 8)}@example.test`}, 'test-only', 'UTC', 1, 'pro')
    returning id::text as id`;
  let pausedSeen = 0;
  for (const schedule of RULE_SCHEDULES) {
    for (const status of PROBE_STATUSES) {
      for (const paused of [false, true]) {
        const what = `${JSON.stringify(schedule)} ${status}${paused ? " paused" : ""}`;
        const { habit, checkins, probe } = ruleCase(schedule, status, paused);
        const [{ id }] = await db.sql<{ id: string }[]>`
          select id::text from create_habit(${userId}::uuid, 'Rule', '#16a34a', 'numeric', ${habit.target}::numeric,
            'cups', ${JSON.stringify(schedule)}::text::jsonb, ${START}::date, 'at_least')`;
        const rows = [...checkins].map(([day, entry]) => ({ day, status: entry.status, value: entry.value }));
        await db.sql`
          insert into checkins (habit_id, user_id, day, status, value)
          select ${id}::uuid, ${userId}::uuid, x.day, x.status, x.value
            from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as x(day date, status text, value numeric)`;
        if (paused) await createPause(db, userId, { habitId: id, from: probe, to: probe });
        const answers = await db.sql<{ day: string; due: boolean; paused: boolean }[]>`
          select d::date::text as day, habit_due_on(h, d::date, 1) as due, habit_paused_on(h.id, d::date) as paused
            from habits h, generate_series(${addDays(START, -2)}::date, ${TODAY}::date, interval '1 day') d
           where h.id = ${id}::uuid
           order by d`;
        const expected = answers.map(({ day }) => ({
          day,
          due: asksOn(habit, checkins, day, 1),
          paused: isPausedOn(habit, day),
        }));
        assertEquals([...answers].map((a) => ({ ...a })), expected, what);
        const atProbe = answers.find((a) => a.day === probe)!;
        assertEquals(atProbe.paused, paused, what);
        if (paused) {
          assertEquals(atProbe.due, false, `${what}: a paused day asks nothing`);
          pausedSeen++;
        }
      }
    }
  }
  assert(pausedSeen === RULE_SCHEDULES.length * PROBE_STATUSES.length);
});
