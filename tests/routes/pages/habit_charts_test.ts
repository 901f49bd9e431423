/**
 * The habit page's charts, server-rendered with JavaScript off: each SVG has a title and a
 * description that state its numbers, the numbers agree with the one completion module,
 * and the best streaks carry their dates.
 */
import { assert, assertEquals, assertStringIncludes } from "../../support/assert.ts";
import { startTestApp } from "../../support/app.ts";
import { createTestUser } from "../../support/users.ts";
import { upsertCheckin } from "@/db/checkins.ts";
import { createHabit } from "@/db/habits.ts";
import { addDays, localDay } from "@/domain/calendar.ts";
import { html } from "../../support/pages.ts";

/** The text of the element with `id` (no nested tags in titles and descriptions). */
function textOf(page: string, id: string): string | undefined {
  return new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(page)?.[1];
}

Deno.test("habit page charts: strength, by weekday, by month and best streaks, with their numbers in words", async () => {
  await using test = await startTestApp();
  const { app, services } = test;
  const { db } = services;
  const alice = await createTestUser(services);
  const today = localDay("UTC");
  const habit = await createHabit(db, alice.id, { name: "Stretch" }, today);
  await db.sql`update habits set start_date = ${addDays(today, -20)}::date where id = ${habit.id}::uuid`;
  // Done on the 10 days before the last 3 (a 10-day run), then 2 days after a gap.
  for (let ago = 13; ago >= 4; ago--) {
    await upsertCheckin(db, alice.id, habit.id, { date: addDays(today, -ago), status: "done" }, today);
  }
  for (const ago of [2, 1]) {
    await upsertCheckin(db, alice.id, habit.id, { date: addDays(today, -ago), status: "done" }, today);
  }
  const page = await html(await app.request(`/habits/${habit.id}`, { headers: alice.session }), 200);

  assertStringIncludes(page, 'aria-labelledby="by-weekday-title by-weekday-desc"');
  assertEquals(textOf(page, "by-weekday-title"), "Expected days done, by weekday, over the last year");
  const weekdays = textOf(page, "by-weekday-desc")!;
  assertEquals(weekdays.split("; ").length, 7, weekdays);
  // Every day from the start (20 days ago) to yesterday was expected: 20 days, 12 done.
  const counts = [...weekdays.matchAll(/(\d+) of (\d+) done/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assertEquals(counts.reduce((a, [met, due]) => [a[0] + met, a[1] + due], [0, 0]), [12, 20]);

  const months = textOf(page, "by-month-desc")!;
  assertEquals(months.split("; ").length, 12, months);
  assert(/nothing expected/.test(months.split("; ")[0]), "a month before the start expects nothing");

  // Best streaks: the 10-day run first with its dates, then the current 2-day run.
  const streaks = /<ol class="best-streaks"[^>]*>(.*?)<\/ol>/s.exec(page)![1];
  const items = [...streaks.matchAll(/<li>(.*?)<\/li>/gs)].map((m) => m[1].replace(/<[^>]+>/g, ""));
  assertEquals(items.length, 2);
  assertStringIncludes(items[0], "10 days");
  assertStringIncludes(streaks, `datetime="${addDays(today, -13)}"`);
  assertStringIncludes(streaks, `datetime="${addDays(today, -4)}"`);
  assertStringIncludes(items[1], "2 days");
  assertStringIncludes(items[1], "(current)");
  // Strength over the habit's 20 days (domain/stats.ts strengthSeries): from 0 on its
  // first day (nothing done yet), up after 12 days done.
  assertEquals(textOf(page, "strength-title"), "Strength over time");
  const strength = /^Strength (\d+) of 100 on .*, from 0 on /.exec(textOf(page, "strength-desc")!);
  assert(strength && Number(strength[1]) > 0, textOf(page, "strength-desc")!);
});
