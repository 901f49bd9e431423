import { assertEquals } from "../support/assert.ts";
import { addDays } from "@/domain/calendar.ts";
import { completion, type DayEntry, type HabitRule } from "@/domain/completion.ts";
import { habitStats } from "@/domain/stats.ts";
import { bestStreaks, completionByMonth, completionByWeekday, streakRuns } from "@/domain/habit_charts.ts";

const daily: HabitRule = { kind: "boolean", target: null, schedule: { type: "daily" }, startDate: "2026-01-01" };
const done = (value: number | null = null): DayEntry => ({ status: "done", value });

/** One char per day ending at `last`: d=done s=skipped .=nothing. */
function days(last: string, pattern: string): Map<string, DayEntry> {
  const out = new Map<string, DayEntry>();
  [...pattern].forEach((char, i) => {
    const date = addDays(last, i - (pattern.length - 1));
    if (char === "d") out.set(date, done());
    if (char === "s") out.set(date, { status: "skipped", value: null });
  });
  return out;
}

Deno.test("by weekday: a daily habit's Mondays and Tuesdays, counted by hand", () => {
  // Two weeks, Mon 2026-11-16 … Sun 2026-11-29; today Sun 29. Mondays both done, Tuesdays one
  // done one skipped (skipped: excused, not due), Wednesdays none.
  const habit = { ...daily, startDate: "2026-11-16" };
  const checkins = new Map<string, DayEntry>([
    ["2026-11-16", done()],
    ["2026-11-23", done()],
    ["2026-11-17", done()],
    ["2026-11-24", { status: "skipped", value: null }],
  ]);
  const chart = completionByWeekday(habit, checkins, "2026-11-29", 1);
  assertEquals(chart.mode, "rate");
  assertEquals(chart.days.map((d) => d.weekday), [1, 2, 3, 4, 5, 6, 7]);
  assertEquals(chart.days[0], { weekday: 1, done: 2, met: 2, due: 2, rate: 1 });
  assertEquals(chart.days[1], { weekday: 2, done: 1, met: 1, due: 1, rate: 1 });
  assertEquals(chart.days[2], { weekday: 3, done: 0, met: 0, due: 2, rate: 0 });
  // Today (Sunday) is open and not done: it asks for nothing yet.
  assertEquals(chart.days[6], { weekday: 7, done: 0, met: 0, due: 1, rate: 0 });
  // The weekdays add up to the habit's completion over the same window.
  const sum = chart.days.reduce((acc, d) => ({ met: acc.met + d.met, due: acc.due + d.due }), { met: 0, due: 0 });
  const whole = completion(habit, checkins, "2026-11-29", 1, 365);
  assertEquals([sum.met, sum.due], [whole.met, whole.due]);
});

Deno.test("by weekday: the user's week start orders the bars; a weekly habit is counted, not rated", () => {
  const habit: HabitRule = { ...daily, schedule: { type: "weekly", times: 3 }, startDate: "2026-11-02" };
  const checkins = new Map<string, DayEntry>([
    ["2026-11-02", done()], // Mon
    ["2026-11-09", done()], // Mon
    ["2026-11-11", done()], // Wed
    ["2026-11-15", done()], // Sun
  ]);
  const chart = completionByWeekday(habit, checkins, "2026-11-20", 7);
  assertEquals(chart.mode, "count");
  assertEquals(chart.days.map((d) => [d.weekday, d.done]), [[7, 1], [1, 2], [2, 0], [3, 1], [4, 0], [5, 0], [6, 0]]);
});

Deno.test("by month: 12 months, this one last; weekdays habit counts only its days; before the start nothing is due", () => {
  // Mon/Wed/Fri from 2026-10-01; today 2026-11-30 (Mon).
  const habit: HabitRule = { ...daily, schedule: { type: "weekdays", days: [1, 3, 5] }, startDate: "2026-10-01" };
  const checkins = new Map<string, DayEntry>([
    ["2026-10-02", done()], // Fri
    ["2026-10-05", done()], // Mon
    ["2026-10-06", done()], // Tue: not scheduled, not counted
    ["2026-11-30", done()], // today, Mon
  ]);
  const months = completionByMonth(habit, checkins, "2026-11-30", 1);
  assertEquals(months.map((m) => m.month), [
    "2025-12",
    "2026-01",
    "2026-02",
    "2026-03",
    "2026-04",
    "2026-05",
    "2026-06",
    "2026-07",
    "2026-08",
    "2026-09",
    "2026-10",
    "2026-11",
  ]);
  assertEquals(months.slice(0, 10).every((m) => m.due === 0 && m.rate === 0), true);
  // October 2026 from the 1st (Thu): Mon/Wed/Fri days = Fri 2, 9, 16, 23, 30; Mon 5, 12, 19, 26; Wed 7, 14, 21, 28 = 13.
  assertEquals(months[10], { month: "2026-10", met: 2, due: 13, rate: 0.1538 });
  // November: Mon 2,9,16,23,30; Wed 4,11,18,25; Fri 6,13,20,27 = 13, today done.
  assertEquals(months[11], { month: "2026-11", met: 1, due: 13, rate: 0.0769 });
});

Deno.test("by month: a week spanning two months counts once, in the month of its middle day", () => {
  const habit: HabitRule = { ...daily, schedule: { type: "weekly", times: 2 }, startDate: "2026-09-01" };
  // The week Mon 2026-09-28 … Sun 10-04 has its middle (Thu 10-01) in October.
  const checkins = new Map<string, DayEntry>([["2026-09-28", done()], ["2026-09-29", done()]]);
  const months = completionByMonth(habit, checkins, "2026-10-20", 1);
  const sept = months.find((m) => m.month === "2026-09")!;
  const oct = months.find((m) => m.month === "2026-10")!;
  // September: the weeks of 1 Sep (cut short by the start: Tue–Sun, 6 days → 2 asked), 7, 14, 21 → 8 due.
  assertEquals([sept.met, sept.due], [0, 8]);
  // October: the week of 28 Sep (met 2 of 2), 5, 12 (0 of 2 each), and the open week of 19 Oct (asks for its share: 0).
  assertEquals([oct.met, oct.due], [2, 6]);
  // Every period once: the months add up to the completion since the start.
  const whole = completion(habit, checkins, "2026-10-20", 1, 365);
  const sum = months.reduce((acc, m) => [acc[0] + m.met, acc[1] + m.due], [0, 0]);
  assertEquals(sum, [whole.met, whole.due]);
});

Deno.test("streak runs: dates of each run; the longest agrees with stats.longestStreak", () => {
  const today = "2026-03-10";
  const habit = { ...daily, startDate: addDays(today, -30) };
  // ending today: a run of 4 with a skip inside (… -13..-9), a run of 2, today open after a run of 3.
  const checkins = days(today, "dddsd..dd..ddd.");
  const runs = streakRuns(habit, checkins, today, 1);
  assertEquals(runs, [
    { length: 4, start: addDays(today, -14), end: addDays(today, -10) },
    { length: 2, start: addDays(today, -7), end: addDays(today, -6) },
    { length: 3, start: addDays(today, -3), end: addDays(today, -1) },
  ]);
  const stats = habitStats(habit, checkins, today);
  assertEquals(Math.max(...runs.map((r) => r.length)), stats.longestStreak);
  assertEquals(runs.at(-1)!.length, stats.currentStreak);
  assertEquals(bestStreaks(habit, checkins, today, 1, 2), [runs[0], runs[2]]);
});

Deno.test("best streaks: equal lengths, the most recent first; a weekly habit's runs end no later than today", () => {
  const today = "2026-11-18"; // Wed
  const habit: HabitRule = { ...daily, schedule: { type: "weekly", times: 1 }, startDate: "2026-10-05" };
  const checkins = new Map<string, DayEntry>([
    ["2026-10-05", done()],
    ["2026-10-21", done()],
    ["2026-11-16", done()],
  ]);
  assertEquals(bestStreaks(habit, checkins, today, 1), [
    { length: 1, start: "2026-11-16", end: today },
    { length: 1, start: "2026-10-19", end: "2026-10-25" },
    { length: 1, start: "2026-10-05", end: "2026-10-11" },
  ]);
  assertEquals(habitStats(habit, checkins, today, 1).longestStreak, 1);
});

Deno.test("streaks and charts agree with stats on random histories", () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const today = "2026-06-15";
  const schedules: HabitRule["schedule"][] = [
    { type: "daily" },
    { type: "weekly", times: 3 },
    { type: "weekdays", days: [2, 4, 6] },
  ];
  for (let i = 0; i < 60; i++) {
    const habit = { ...daily, schedule: schedules[i % 3], startDate: addDays(today, -Math.floor(random() * 400)) };
    const pattern = Array.from({ length: 420 }, () => (random() < 0.7 ? "d" : random() < 0.3 ? "s" : ".")).join("");
    const checkins = days(today, pattern);
    const stats = habitStats(habit, checkins, today, 1);
    const runs = streakRuns(habit, checkins, today, 1);
    assertEquals(Math.max(0, ...runs.map((r) => r.length)), stats.longestStreak, `case ${i}`);
  }
});
