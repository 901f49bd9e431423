/**
 * A lived-in account for page tests: habits of every kind and schedule with a year of
 * check-ins (done, partial amounts, skipped, missed days), an archived habit, goals with
 * milestones and subgoals (one pinned), reminders, read and unread notifications, and
 * the activity all of that wrote. Everything but the bulk of old check-ins goes through
 * the db/ functions the app uses, so the rows are the app's own.
 *
 * @example
 * ```ts
 * const seeded = await seedAccount(t.services);
 * await page.goto(`${origin}/habits/${seeded.habits.read.id}`);
 * ```
 */
import { upsertCheckin } from "@/db/checkins.ts";
import {
  createGoal,
  createMilestone,
  createSubgoal,
  type Goal,
  pinGoal,
  updateMilestone,
  updateSubgoal,
} from "@/db/goals.ts";
import { createHabit, type Habit, updateHabit } from "@/db/habits.ts";
import { createReminder, type Reminder } from "@/db/reminders.ts";
import { addDays, localDay } from "@/domain/calendar.ts";
import type { Services } from "@/app/state.ts";
import { createTestUser, type TestUser } from "./users.ts";

export interface SeededAccount {
  user: TestUser;
  timezone: string;
  today: string;
  habits: { meditate: Habit; read: Habit; gym: Habit; callHome: Habit; archived: Habit };
  goals: { marathon: Goal; spanish: Goal };
  reminders: { linked: Reminder; plain: Reminder };
}

/** A deterministic 0–1 value per day and salt, so every run draws the same year. */
function noise(day: number, salt: number): number {
  const x = Math.sin(day * 12.9898 + salt * 78.233) * 43758.5453;
  return x - Math.floor(x);
}

/** Old check-ins in one statement per habit (a year one by one would take seconds). */
async function bulkCheckins(
  services: Services,
  userId: string,
  habit: Habit,
  rows: { day: string; status: "done" | "skipped"; value: number | null }[],
): Promise<void> {
  if (rows.length === 0) return;
  await services.db.sql`
    insert into checkins (habit_id, user_id, day, status, value)
    select ${habit.id}::uuid, ${userId}::uuid, d.day::date, d.status, d.value::numeric
      from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as d(day text, status text, value numeric)`;
}

export async function seedAccount(
  services: Services,
  options: { timezone?: string; email?: string } = {},
): Promise<SeededAccount> {
  const { db } = services;
  const timezone = options.timezone ?? "Europe/Berlin";
  const user = await createTestUser(services, { timezone, email: options.email });
  const today = localDay(timezone);
  const yearAgo = addDays(today, -365);

  const meditate = await createHabit(db, user.id, { name: "Meditate", color: "#1a7f37" }, yearAgo);
  const read = await createHabit(
    db,
    user.id,
    { name: "Read", color: "#0969da", kind: "numeric", target: 20, unit: "pages" },
    yearAgo,
  );
  const gym = await createHabit(
    db,
    user.id,
    { name: "Gym", color: "#bf3989", schedule: { type: "weekly", times: 3 } },
    yearAgo,
  );
  const callHome = await createHabit(
    db,
    user.id,
    { name: "Call home", color: "#9a6700", schedule: { type: "weekdays", days: [7] } },
    yearAgo,
  );
  const archived = await createHabit(db, user.id, { name: "Cold showers" }, yearAgo);
  await updateHabit(db, user.id, archived.id, { archived: true });

  // A year of history, older than the last week (which goes through upsert_checkin below).
  const history = (
    salt: number,
    draw: (n: number, day: string) => { status: "done" | "skipped"; value: number | null } | null,
  ) => {
    const rows = [];
    for (let n = 8; n <= 365; n++) {
      const day = addDays(today, -n);
      const row = draw(noise(n, salt), day);
      if (row) rows.push({ day, ...row });
    }
    return rows;
  };
  await bulkCheckins(
    services,
    user.id,
    meditate,
    history(
      1,
      (r) => r < 0.72 ? { status: "done", value: null } : r < 0.78 ? { status: "skipped", value: null } : null,
    ),
  );
  await bulkCheckins(
    services,
    user.id,
    read,
    history(
      2,
      (r) =>
        r < 0.45
          ? { status: "done", value: 20 + Math.round(r * 40) }
          : r < 0.8
          ? { status: "done", value: Math.round(r * 20) }
          : null,
    ),
  );
  await bulkCheckins(services, user.id, gym, history(3, (r) => r < 0.4 ? { status: "done", value: null } : null));
  await bulkCheckins(
    services,
    user.id,
    callHome,
    history(
      4,
      (r, day) => new Date(`${day}T12:00:00Z`).getUTCDay() === 0 && r < 0.8 ? { status: "done", value: null } : null,
    ),
  );

  // The last week through the app's own function, so activity has check-in lines.
  for (let n = 1; n <= 7; n++) {
    const date = addDays(today, -n);
    if (n !== 3) await upsertCheckin(db, user.id, meditate.id, { date, status: n === 5 ? "skipped" : "done" }, today);
    await upsertCheckin(db, user.id, read.id, { date, status: "done", value: n % 2 ? 25 : 12 }, today);
  }
  await upsertCheckin(db, user.id, meditate.id, { date: today, status: "done", note: "Ten calm minutes" }, today);
  await upsertCheckin(db, user.id, read.id, { date: today, status: "done", value: 12345 }, today);

  const marathon = await createGoal(db, user.id, {
    title: "Run a marathon",
    description: "Finish under 4 hours.",
    targetDate: addDays(today, 120),
  });
  const registered = (await createMilestone(db, user.id, { goalId: marathon.id, title: "Register for the race" }))!;
  await updateMilestone(db, user.id, registered.id, { done: true });
  await createMilestone(db, user.id, { goalId: marathon.id, title: "Run 30 km", dueDate: addDays(today, 60) });
  const shoes = (await createSubgoal(db, user.id, { goalId: marathon.id, title: "New shoes" }))!;
  await updateSubgoal(db, user.id, shoes.id, { done: true });
  const plan = (await createSubgoal(db, user.id, { goalId: marathon.id, title: "Training plan" }))!;
  await updateSubgoal(db, user.id, plan.id, { progress: 50 });
  await pinGoal(db, user.id, { goalId: marathon.id, pinned: true });
  const spanish = await createGoal(db, user.id, { title: "Learn Spanish" });

  const linked = await createReminder(db, user.id, {
    habitId: meditate.id,
    title: "Time to meditate",
    time: "07:30",
    days: [1, 2, 3, 4, 5],
  });
  const plain = await createReminder(db, user.id, { title: "Plan the week", time: "16:52", days: [7], enabled: false });
  await db.sql`
    insert into notifications (user_id, reminder_id, title, body, created_at, read_at)
    values (${user.id}::uuid, ${linked.id}::uuid, 'Time to meditate', 'Meditate is due today.', now() - interval '1 hour', null),
           (${user.id}::uuid, ${linked.id}::uuid, 'Time to meditate', 'Meditate is due today.', now() - interval '1 day', now()),
           (${user.id}::uuid, ${plain.id}::uuid, 'Plan the week', '', now() - interval '3 days', now())`;

  return {
    user,
    timezone,
    today,
    habits: { meditate, read, gym, callHome, archived },
    goals: { marathon, spanish },
    reminders: { linked, plain },
  };
}
