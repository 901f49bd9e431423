/**
 * "Is something still asked of the user today?" is one rule in domain/completion.ts
 * (`asksOn`) and its mirror in SQL (`habit_due_on`, sql/016_habit_model.sql), which the
 * reminders ask. This walks every schedule type and direction through 70 days of mixed
 * check-ins (done, partial, over a limit, skipped, failed, nothing) and a pause, and
 * checks both give the same answer on every day; then reminders skip what it says.
 */
import type { Db } from "@/db/client.ts";
import { createHabit } from "@/db/habits.ts";
import { createPause, deletePause, listPauses } from "@/db/pauses.ts";
import { createReminder, deliverDueReminders } from "@/db/reminders.ts";
import type { RuleViolation } from "@/domain/rules.ts";
import { addDays } from "@/domain/calendar.ts";
import { asksOn, type DayEntry, type HabitRule, type Schedule } from "@/domain/completion.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { openTestDb } from "@/tests/support/db.ts";

const START = "2026-02-20";
const LAST = addDays(START, 69);

const SCHEDULES: Schedule[] = [
  { type: "daily" },
  { type: "weekdays", days: [1, 3, 5] },
  { type: "weekly", times: 3 },
  { type: "interval", every: 3 },
  { type: "monthly", times: 5 },
  { type: "times_in_days", times: 2, days: 4 },
];

/** A fixed, irregular mix of days: the pattern repeats every 11 days, so it falls differently in every week and month. */
function entryOf(i: number, numeric: boolean): DayEntry | undefined {
  switch (i % 11) {
    case 0:
    case 3:
    case 7:
      return { status: "done", value: numeric ? 2 : null };
    case 1:
      return numeric ? { status: "done", value: 5 } : { status: "done", value: null };
    case 4:
      return { status: "skipped", value: null };
    case 8:
      return { status: "failed", value: null };
    case 9:
      return numeric ? { status: "done", value: 1 } : undefined;
    default:
      return undefined;
  }
}

async function createUser(db: Db, weekStart: number): Promise<string> {
  const [row] = await db.sql<{ id: string }[]>`
    insert into users (email, password_hash, timezone, week_start, plan_id)
    values (${`due-${crypto.randomUUID().slice(0, 8)}@example.test`}, 'test-only', 'UTC', ${weekStart}, 'pro')
    returning id::text as id`;
  return row.id;
}

Deno.test("habit_due_on (SQL) agrees with asksOn (TypeScript) on every day of every schedule and direction", async () => {
  await using test = await openTestDb();
  const { db } = test;
  for (const weekStart of [1, 7] as const) {
    const userId = await createUser(db, weekStart);
    for (const schedule of SCHEDULES) {
      for (const direction of ["boolean", "at_least", "at_most"] as const) {
        const numeric = direction !== "boolean";
        const habit: HabitRule = {
          kind: numeric ? "numeric" : "boolean",
          target: numeric ? 3 : null,
          schedule,
          startDate: START,
          direction: direction === "at_most" ? "at_most" : "at_least",
        };
        const [{ id }] = await db.sql<{ id: string }[]>`
          select id::text from create_habit(${userId}::uuid, 'Due', '#16a34a', ${habit.kind}, ${habit.target}::numeric,
            ${numeric ? "cups" : null}, ${JSON.stringify(schedule)}::text::jsonb, ${START}::date, ${habit.direction!})`;
        const checkins = new Map<string, DayEntry>();
        for (let i = 0; i < 70; i++) {
          const entry = entryOf(i, numeric);
          if (!entry) continue;
          const date = addDays(START, i);
          checkins.set(date, entry);
          await db.sql`select 1 from upsert_checkin(${userId}::uuid, ${id}::uuid, ${date}::date, ${entry.status},
            ${entry.value}::numeric, null, ${LAST}::date)`;
        }
        const rows = await db.sql<{ day: string; due: boolean }[]>`
          select d::date::text as day, habit_due_on(h, d::date, ${weekStart}) as due
            from habits h, generate_series(${addDays(START, -2)}::date, ${LAST}::date, interval '1 day') d
           where h.id = ${id}::uuid
           order by d`;
        const expected = rows.map(({ day }) => ({ day, due: asksOn(habit, checkins, day, weekStart) }));
        // Both answers occur, so agreeing is not agreeing on a constant.
        assert(expected.some((d) => d.due) && expected.some((d) => !d.due), JSON.stringify(schedule));
        assertEquals(rows.map(({ day, due }) => ({ day, due })), expected, `${JSON.stringify(schedule)} ${direction}`);
      }
    }
  }
});

Deno.test("pauses: 100 concurrent creates at the cap leave exactly the cap; reminders skip paused habits", async () => {
  await using test = await openTestDb({ poolMax: 8 });
  const { db } = test;
  await db.sql`update plans set max_pauses = 7 where id = 'free'`;
  const [{ id: userId }] = await db.sql<{ id: string }[]>`
    insert into users (email, password_hash, timezone)
    values (${`pause-${crypto.randomUUID().slice(0, 8)}@example.test`}, 'test-only', 'Europe/Berlin')
    returning id::text as id`;
  const results = await Promise.allSettled(
    Array.from(
      { length: 100 },
      (_, i) =>
        createPause(db, userId, { from: addDays("2026-06-01", i), to: addDays("2026-06-01", i), note: `#${i}` }),
    ),
  );
  const ok = results.filter((r) => r.status === "fulfilled").length;
  const refused = results.filter((r) => r.status === "rejected" && (r.reason as RuleViolation).kind === "plan_limit");
  assertEquals([ok, refused.length], [7, 93]);
  const [{ pauses, activity }] = await db.sql<{ pauses: number; activity: number }[]>`
    select (select count(*) from pauses where user_id = ${userId})::int as pauses,
           (select count(*) from activity where user_id = ${userId} and action = 'pause.created')::int as activity`;
  assertEquals([pauses, activity], [7, 7]);

  // Reminders: a habit paused on the user's local day gets none; a user-wide pause covers a habit created later.
  for (const pause of await listPauses(db, userId)) await deletePause(db, userId, pause.id);
  const read = await createHabit(db, userId, { name: "Read" }, "2026-01-01");
  const reminder = await createReminder(db, userId, {
    habitId: read.id,
    title: "Read",
    time: "07:00",
    days: [1, 2, 3, 4, 5, 6, 7],
  });
  const delivered = async (iso: string) =>
    (await deliverDueReminders(db, new Date(iso), false)).map((d) => d.reminderId);
  // Sunday 29 Mar 2026, Berlin springs forward: 07:00 local is 05:00Z. Paused that one local day only.
  const pause = await createPause(db, userId, { habitId: read.id, from: "2026-03-29", to: "2026-03-29" });
  assertEquals(await delivered("2026-03-29T05:00:00Z"), []);
  assertEquals(await delivered("2026-03-30T05:00:00Z"), [reminder.id]);
  await deletePause(db, userId, pause.id);
  await createPause(db, userId, { from: "2026-04-01", to: "2026-04-02" });
  const later = await createHabit(db, userId, { name: "Later" }, "2026-04-01");
  assertEquals(
    await db.sql`select habit_paused_on(${later.id}::uuid, '2026-04-02') as p`.then((r) => r[0].p),
    true,
  );
  assertEquals(await delivered("2026-04-01T05:00:00Z"), []);
  assertEquals(await delivered("2026-04-03T05:00:00Z"), [reminder.id]);
});
