/**
 * A year of realistic data for a user, for tests that must prove nothing is lost
 * (backup and restore, crashes): habits of every kind through the API, 365 days of
 * check-ins (done, skipped, values, notes with quotes, newlines, emoji and right-to-left
 * text) in one bulk insert, goals with milestones, subgoals and a pin, reminders,
 * settings, and a few check-ins through the API so activity and stats paths ran too.
 *
 * @example
 * ```ts
 * const alice = await createTestUser(t.services);
 * await seedYearOfData(t.app, t.services, alice);
 * ```
 */
import { localDay } from "@/domain/calendar.ts";
import { assertEquals } from "./assert.ts";
import { type App, call, json } from "./api.ts";
import type { Services } from "@/app/state.ts";
import type { TestUser } from "./users.ts";

const NOTES = [
  'Said "no" to the snooze button',
  "Line one\nline two",
  "Ran 5 km 🏃‍♀️ in the rain",
  "שלום — mixed direction",
  "back\\slash and 'quotes'",
];

/**
 * Seeds `user` (see the module doc); returns how many check-ins were written. Days are
 * the user's local ones: near midnight UTC, "today" differs from one timezone to the next.
 */
export async function seedYearOfData(
  app: App,
  services: Services,
  user: TestUser,
  timezone: string,
): Promise<number> {
  const auth = user.bearer;
  const today = localDay(timezone);
  const habits = [
    { name: "Read 20 pages", color: "#2f855a" },
    { name: "Water", kind: "numeric", target: 8, unit: "glasses" },
    { name: "Gym", schedule: { type: "weekly", times: 3 } },
    { name: "No sugar", schedule: { type: "weekdays", days: [1, 2, 3, 4, 5] } },
  ];
  const ids: string[] = [];
  for (const body of habits) ids.push((await json(await call(app, auth, "POST", "/api/habits", body), 201)).habit.id);
  // The habits began a year ago.
  await services.db.sql`update habits set start_date = ${today}::date - 370 where user_id = ${user.id}::uuid`;
  const [{ n }] = await services.db.sql<{ n: number }[]>`
    with days as (select generate_series(1, 365) as ago)
    insert into checkins (habit_id, user_id, day, status, value, note)
    select h.id, h.user_id, ${today}::date - d.ago,
           case when (d.ago + h.position) % 7 = 0 then 'skipped' else 'done' end,
           case when h.kind = 'numeric' then ((d.ago * 37) % 12)::numeric + 0.5 end,
           case when d.ago % 11 = 0 then (${NOTES}::text[])[1 + (d.ago / 11) % ${NOTES.length}] end
      from habits h cross join days d
     where h.user_id = ${user.id}::uuid and (h.position + d.ago) % 5 <> 0
    returning 1`.then((rows) => [{ n: rows.length }]);
  for (const id of ids) {
    await json(await call(app, auth, "POST", `/api/habits/${id}/checkins`, { date: today, status: "done" }), 200);
  }
  await json(await call(app, auth, "PUT", `/api/habits/${ids[2]}`, { archived: true }), 200);

  const goal = (await json(
    await call(app, auth, "POST", "/api/goals", { title: "Run a marathon", description: "Autumn, <b>city</b> course" }),
    201,
  )).goal;
  await json(await call(app, auth, "POST", "/api/goals", { title: "Learn Portuguese" }), 201);
  await json(await call(app, auth, "POST", "/api/milestones", { goalId: goal.id, title: "Half marathon" }), 201);
  const subgoal = (await json(await call(app, auth, "POST", "/api/subgoals", { goalId: goal.id, title: "Shoes" }), 201))
    .subgoal;
  await json(await call(app, auth, "PATCH", `/api/subgoals/${subgoal.id}`, { progress: 40 }), 200);
  await json(await call(app, auth, "PATCH", "/api/goals/pin", { goalId: goal.id, pinned: true }), 200);
  await json(
    await call(app, auth, "POST", "/api/reminders", { habitId: ids[0], title: "Read", time: "21:30", days: [1, 3, 5] }),
    201,
  );
  await json(
    await call(app, auth, "POST", "/api/settings/save", { displayName: "Ada 'A' Lovelace", weekStart: 7 }),
    200,
  );
  assertEquals(ids.length, habits.length);
  return n + ids.length;
}
