import { assertEquals } from "@/tests/support/assert.ts";
import { addDays } from "@/domain/calendar.ts";
import { type DayEntry, dayScore, type HabitRule, habitStats } from "@/domain/stats.ts";

const daily: HabitRule = { kind: "boolean", target: null, schedule: { type: "daily" }, startDate: "2026-01-01" };

/** Builds check-ins from a compact string: one char per day ending at `last`: d=done s=skipped .=nothing. */
function days(last: string, pattern: string, value: number | null = null): Map<string, DayEntry> {
  const out = new Map<string, DayEntry>();
  [...pattern].forEach((char, i) => {
    const date = addDays(last, i - (pattern.length - 1));
    if (char === "d") out.set(date, { status: "done", value });
    if (char === "s") out.set(date, { status: "skipped", value: null });
  });
  return out;
}

Deno.test("daily streaks: today is open, skips neither break nor extend", () => {
  const today = "2026-03-10";
  const cases: [string, number, number][] = [
    // [pattern ending today, current, longest]
    ["ddd", 3, 3],
    ["ddd.", 3, 3], // today not done yet: streak still alive
    ["dd.d", 1, 2],
    ["d.dd", 2, 2],
    ["ddsdd", 4, 4], // a skip in the middle
    ["dd..", 0, 2], // yesterday missed
    ["ddddd.ddd", 3, 5],
    ["s", 0, 0],
    ["", 0, 0],
  ];
  for (const [pattern, current, longest] of cases) {
    const stats = habitStats({ ...daily, startDate: addDays(today, -20) }, days(today, pattern), today);
    assertEquals([stats.currentStreak, stats.longestStreak], [current, longest], pattern);
  }
});

Deno.test("chosen weekdays: a Mon/Wed/Fri habit is not broken by Tuesday", () => {
  const habit: HabitRule = { ...daily, schedule: { type: "weekdays", days: [1, 3, 5] }, startDate: "2026-11-01" };
  // 2026-11-16 Mon … 2026-11-22 Sun
  const checkins = new Map<string, DayEntry>([
    ["2026-11-09", { status: "done", value: null }], // Mon
    ["2026-11-11", { status: "done", value: null }], // Wed
    ["2026-11-13", { status: "done", value: null }], // Fri
    ["2026-11-16", { status: "done", value: null }], // Mon
    ["2026-11-18", { status: "done", value: null }], // Wed
  ]);
  const thu = habitStats(habit, checkins, "2026-11-19");
  assertEquals([thu.currentStreak, thu.longestStreak], [5, 5]);
  const fri = habitStats(habit, checkins, "2026-11-20"); // Friday open
  assertEquals(fri.currentStreak, 5);
  const sat = habitStats(habit, checkins, "2026-11-21"); // Friday missed
  assertEquals([sat.currentStreak, sat.longestStreak], [0, 5]);
});

Deno.test("weekly habits count weeks in the user's week start", () => {
  const habit: HabitRule = { ...daily, schedule: { type: "weekly", times: 2 }, startDate: "2026-10-26" };
  const entries = (dates: string[]) => new Map(dates.map((d) => [d, { status: "done", value: null } as DayEntry]));
  // Weeks starting Monday: 10-26, 11-02, 11-09, 11-16 (current; today is Wed 11-18).
  const checkins = entries(["2026-10-27", "2026-10-29", "2026-11-02", "2026-11-08", "2026-11-10", "2026-11-12"]);
  const stats = habitStats(habit, checkins, "2026-11-18", 1);
  assertEquals([stats.currentStreak, stats.longestStreak], [3, 3]);
  // With Sunday week starts the Sunday 11-08 moves into the next week: 11-08 + 11-10 + 11-12 = 3 that week,
  // and the week of 11-01 has only 11-02: broken; the week of 10-25 succeeded on its own.
  const sundays = habitStats(habit, checkins, "2026-11-18", 7);
  assertEquals([sundays.currentStreak, sundays.longestStreak], [1, 1]);
  // The current week reaching its target extends the streak.
  checkins.set("2026-11-16", { status: "done", value: null });
  checkins.set("2026-11-17", { status: "done", value: null });
  assertEquals(habitStats(habit, checkins, "2026-11-18", 1).currentStreak, 4);
});

Deno.test("numeric habits: done counts when the value reaches the target; cells scale by value", () => {
  const habit: HabitRule = { ...daily, kind: "numeric", target: 8, startDate: "2026-03-01" };
  const today = "2026-03-05";
  const checkins = new Map<string, DayEntry>([
    ["2026-03-03", { status: "done", value: 8 }],
    ["2026-03-04", { status: "done", value: 4 }],
    ["2026-03-05", { status: "done", value: 10 }],
  ]);
  const stats = habitStats(habit, checkins, today);
  assertEquals([stats.currentStreak, stats.longestStreak, stats.totalDone], [1, 1, 2]);
  assertEquals(dayScore(habit, checkins.get("2026-03-04")), 0.5);
  assertEquals(dayScore(habit, checkins.get("2026-03-05")), 1);
  assertEquals(dayScore(habit, undefined), 0);
  assertEquals(dayScore(daily, { status: "skipped", value: null }), 0);
});

Deno.test("completion rates: from the habit's start, open today excluded, skips excluded", () => {
  const today = "2026-03-10";
  // Started 10 days ago (11 days incl. today): 8 done, 1 skipped, 1 missed, today open.
  const habit = { ...daily, startDate: "2026-02-28" };
  const stats = habitStats(habit, days(today, "ddddsddd.dd."), today);
  assertEquals(stats.totalDone, 9);
  // Window from 2026-02-28: 11 days, minus open today, minus 1 skip = 9 counted, 8 of them done.
  // (The 12-char pattern starts a day before the habit: that backfilled 'd' moves the start back.)
  assertEquals(stats.completionRate30, Math.round((9 / 10) * 10_000) / 10_000);
  assertEquals(habitStats({ ...daily, startDate: today }, new Map(), today).completionRate30, 0);
  const weekdays = { ...habit, schedule: { type: "weekdays" as const, days: [1 as const] }, startDate: "2026-02-01" };
  // Mondays in Feb 2–Mar 9 (6), done on 3 of them plus a Tuesday.
  const mondays = new Map<string, DayEntry>(
    ["2026-02-02", "2026-02-09", "2026-03-09", "2026-03-10"].map((d) => [d, { status: "done", value: null }]),
  );
  assertEquals(habitStats(weekdays, mondays, today).completionRate30, Math.round((2 / 5) * 10_000) / 10_000);
});
