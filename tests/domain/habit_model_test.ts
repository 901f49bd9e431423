/**
 * Issue 11's habit model in the pure rules, against cases worked out by hand: an explicit
 * `failed` day (a logged miss), numeric limits (`at_most`), the new schedules, pauses and
 * strength. Each case names what a user would compute on paper.
 */
import { assertEquals } from "@/tests/support/assert.ts";
import { completion, type DayEntry, type HabitRule } from "@/domain/completion.ts";
import { habitStats, strengthSeries } from "@/domain/stats.ts";
import { addDays } from "@/domain/calendar.ts";
import { habitDay, tallyDay } from "@/domain/grid_days.ts";
import { habitLegend } from "@/components/ConsistencyGrid.tsx";
import { bestStreaks } from "@/domain/habit_charts.ts";

const done: DayEntry = { status: "done", value: null };
const skipped: DayEntry = { status: "skipped", value: null };
const failed: DayEntry = { status: "failed", value: null };

function entries(list: Record<string, DayEntry>): Map<string, DayEntry> {
  return new Map(Object.entries(list));
}

function habit(schedule: HabitRule["schedule"], startDate: string, extra: Partial<HabitRule> = {}): HabitRule {
  return { kind: "boolean", target: null, schedule, startDate, ...extra };
}

Deno.test("failed: a daily habit's failed day breaks the streak and is a miss in the rates", () => {
  const daily = habit({ type: "daily" }, "2026-11-01");
  // 1–3 done, 4 failed, 5–6 done: streak 2, longest 3; 5 of 6 days.
  const checkins = entries({
    "2026-11-01": done,
    "2026-11-02": done,
    "2026-11-03": done,
    "2026-11-04": failed,
    "2026-11-05": done,
    "2026-11-06": done,
  });
  const stats = habitStats(daily, checkins, "2026-11-06", 1);
  assertEquals([stats.currentStreak, stats.longestStreak, stats.completionRate30, stats.totalDone], [2, 3, 0.8333, 5]);
  // A skip in its place excuses the day instead: the streak runs on (5) and the rate is 5 of 5.
  const excused = new Map([...checkins, ["2026-11-04", skipped]]);
  const excusedStats = habitStats(daily, excused, "2026-11-06", 1);
  assertEquals([excusedStats.currentStreak, excusedStats.completionRate30], [5, 1]);
});

Deno.test("failed: failing today ends the streak now, where an empty today leaves it open", () => {
  const daily = habit({ type: "daily" }, "2026-11-01");
  const before = entries({ "2026-11-01": done, "2026-11-02": done });
  assertEquals(habitStats(daily, before, "2026-11-03", 1).currentStreak, 2);
  const failedToday = new Map([...before, ["2026-11-03", failed]]);
  const stats = habitStats(daily, failedToday, "2026-11-03", 1);
  assertEquals([stats.currentStreak, stats.longestStreak, stats.completionRate30], [0, 2, 0.6667]);
  assertEquals(completion(daily, failedToday, "2026-11-03", 1, 30), { met: 2, due: 3, rate: 0.6667 });
});

Deno.test("failed: a weekly habit's week stays open until its failed days make the target unreachable", () => {
  // 3 times a week, weeks from Monday 2 Nov 2026; last week (26 Oct–1 Nov) complete.
  const gym = habit({ type: "weekly", times: 3 }, "2026-10-26");
  const lastWeek = { "2026-10-26": done, "2026-10-28": done, "2026-10-30": done };
  // Wednesday 4 Nov: Mon and Tue failed, 5 days left for 3: still open, the streak holds at 1.
  const twoFailed = entries({ ...lastWeek, "2026-11-02": failed, "2026-11-03": failed });
  assertEquals(habitStats(gym, twoFailed, "2026-11-04", 1).currentStreak, 1);
  // Five failed by Friday: 2 days left for 3, the week is lost already.
  const fiveFailed = entries({
    ...lastWeek,
    "2026-11-02": failed,
    "2026-11-03": failed,
    "2026-11-04": failed,
    "2026-11-05": failed,
    "2026-11-06": failed,
  });
  assertEquals(habitStats(gym, fiveFailed, "2026-11-06", 1).currentStreak, 0);
});

Deno.test("failed: the grid draws it as its own state, named 'failed', counted as due and not done overall", () => {
  const daily = { ...habit({ type: "weekdays", days: [1] }, "2026-11-01"), unit: null };
  // Tuesday 3 Nov is not scheduled: a failure logged there still shows as failed.
  assertEquals(habitDay(daily, failed, "2026-11-03", "2026-11-06"), { state: "failed", score: 0, label: "failed" });
  assertEquals(habitDay(daily, failed, "2026-11-02", "2026-11-02"), { state: "failed", score: 0, label: "failed" });
  const index = new Map([["a", entries({ "2026-11-03": failed })], ["b", entries({ "2026-11-03": done })]]);
  const habits = [{ ...daily, id: "a" }, { ...habit({ type: "daily" }, "2026-11-01"), id: "b" }];
  assertEquals(tallyDay(habits, index, "2026-11-03"), { due: 2, complete: 1, partial: 0, score: 1 });
  assertEquals(habitLegend(daily).map(([key]) => key).includes("failed"), true);
});

const coffees = (value: number): DayEntry => ({ status: "done", value });

Deno.test("at_most: ≤ target is met, over it a miss; a past day with nothing logged is met, today waits", () => {
  // "At most 2 coffees" from Sunday 1 Nov 2026.
  const limit = habit({ type: "daily" }, "2026-11-01", { kind: "numeric", target: 2, direction: "at_most" });
  // 1: 1 cup, 2: nothing, 3: 3 cups (over), 4: 2 cups, 5 (today): nothing yet.
  const checkins = entries({ "2026-11-01": coffees(1), "2026-11-03": coffees(3), "2026-11-04": coffees(2) });
  const stats = habitStats(limit, checkins, "2026-11-05", 1);
  // Met: 1, 2, 4 → streak 1 (day 4; today open), longest 2 (days 1–2); 3 of 4 days; rate counts today once logged.
  assertEquals([stats.currentStreak, stats.longestStreak, stats.completionRate30, stats.totalDone], [1, 2, 0.75, 3]);
  // Today within the limit counts at once: 4 of 5.
  const logged = new Map([...checkins, ["2026-11-05", coffees(0)]]);
  assertEquals(habitStats(limit, logged, "2026-11-05", 1).completionRate30, 0.8);
  // The grid says what happened: nothing logged is within the limit, 3 of 2 is a miss.
  const grid = { ...limit, unit: "cups" };
  assertEquals(habitDay(grid, undefined, "2026-11-02", "2026-11-05"), {
    state: "done",
    score: 1,
    label: "nothing logged: within the limit",
  });
  assertEquals(habitDay(grid, coffees(3), "2026-11-03", "2026-11-05"), {
    state: "missed",
    score: 0.5,
    label: "3 of at most 2 cups",
  });
  assertEquals(habitDay(grid, undefined, "2026-11-05", "2026-11-05").state, "open");
  // The same numbers as a goal ("at least 2"): 1 and 3 flip.
  const goal = { ...limit, direction: "at_least" as const };
  assertEquals(habitStats(goal, checkins, "2026-11-05", 1).completionRate30, 0.5);
});

Deno.test("interval: due every N-th day from the start, the days between neither help nor hurt", () => {
  // Every 3 days from Sunday 1 Nov: due 1, 4, 7, 10.
  const water = habit({ type: "interval", every: 3 }, "2026-11-01");
  const checkins = entries({ "2026-11-01": done, "2026-11-04": done, "2026-11-05": done, "2026-11-10": done });
  const stats = habitStats(water, checkins, "2026-11-10", 1);
  // 1 ✓, 4 ✓, 7 ✗, 10 ✓: streak 1, longest 2, 3 of 4; the 5th (not due) only adds to the total.
  assertEquals([stats.currentStreak, stats.longestStreak, stats.completionRate30, stats.totalDone], [1, 2, 0.75, 4]);
  assertEquals(habitDay({ ...water, unit: null }, undefined, "2026-11-07", "2026-11-10").state, "missed");
  assertEquals(habitDay({ ...water, unit: null }, undefined, "2026-11-08", "2026-11-10"), {
    state: "off",
    score: 0,
    label: "not scheduled",
  });
  // A 30-day window starting between due days still lands on them: 8 Nov … 7 Dec holds 10, 13, … , 4 Dec
  // (9 days) and today, 7 Dec, which asks nothing until it is done.
  assertEquals(completion(water, checkins, "2026-12-07", 1, 30).due, 9);
});

Deno.test("monthly: N days per calendar month, streaks in months, a month cut short asks its share", () => {
  // 4 times a month from Sunday 15 Nov 2026: November asks round(4 × 16/30) = 2.
  const calls = habit({ type: "monthly", times: 4 }, "2026-11-15");
  const checkins = entries({
    "2026-11-16": done,
    "2026-11-20": done,
    "2026-12-01": done,
    "2026-12-02": done,
    "2026-12-03": done,
    "2026-12-31": done,
    "2027-01-05": done,
  });
  // On 10 Jan 2027: Nov 2/2 ✓, Dec 4/4 ✓, Jan open (9 days gone ask round(4 × 9/31) = 1, 1 done): streak 2 months.
  const stats = habitStats(calls, checkins, "2027-01-10", 1);
  assertEquals([stats.currentStreak, stats.longestStreak, stats.totalDone], [2, 2, 7]);
  // December with 3 only is missed: the streak restarts.
  const short = new Map(checkins);
  short.delete("2026-12-31");
  assertEquals(habitStats(calls, short, "2027-01-10", 1).currentStreak, 0);
});

Deno.test("times_in_days: X times in any Y days, a rolling window", () => {
  // 2 times in any 3 days from Sunday 1 Nov (Loop's "2 times in 3 days").
  const rolling = habit({ type: "times_in_days", times: 2, days: 3 }, "2026-11-01");
  // Done 1, 2, 4, 5: windows ending on 1 (cut short: 1 day asks round(2/3) = 1) ✓, 2 ✓, 3 (1–3: 2) ✓,
  // 4 (2–4: 2) ✓, 5 (3–5: 2) ✓, 6 (4–6: 2) ✓, 7 (5–7: 1) ✗, 8 (6–8: 0) ✗.
  const checkins = entries({ "2026-11-01": done, "2026-11-02": done, "2026-11-04": done, "2026-11-05": done });
  // The rate adds up each window's met ÷ due: 1/1, 1/1 (2 days ask round(4/3) = 1), 2/2 × 4, 1/2, and today
  // (8th, open) asks its share of the 2 days gone by, round(4/3) = 1, none yet: 11 of 13.
  const on8 = habitStats(rolling, checkins, "2026-11-08", 1);
  assertEquals([on8.longestStreak, on8.currentStreak, on8.completionRate30], [6, 0, 0.8462]);
});

Deno.test("strength: Loop's score by hand — half-life 13 due days for a daily habit", () => {
  // m = 0.5^(1/13): from 0, n met days give 1 − 0.5^(n/13): 13 days → 50, 26 → 75.
  const daily = habit({ type: "daily" }, "2026-01-01");
  const run = (n: number) =>
    entries(Object.fromEntries(Array.from({ length: n }, (_, i) => [addDays("2026-01-01", i), done])));
  assertEquals(habitStats(daily, run(13), "2026-01-13", 1).strength, 50);
  assertEquals(habitStats(daily, run(26), "2026-01-26", 1).strength, 75);
  // Today still open leaves it where it was: 13 done, the 14th not yet → 50.
  assertEquals(habitStats(daily, run(13), "2026-01-14", 1).strength, 50);
  // 1 ✓, 2 ✓, 3 failed (v 0), 4 skipped (no move), 5 half of a numeric target (v 0.5):
  // s = ((0·m + (1−m))·m + (1−m))·m·m + 0.5(1−m) = 0.1169 → 12.
  const pages = habit({ type: "daily" }, "2026-01-01", { kind: "numeric", target: 10 });
  const mixed = entries({
    "2026-01-01": { status: "done", value: 10 },
    "2026-01-02": { status: "done", value: 12 },
    "2026-01-03": failed,
    "2026-01-04": skipped,
    "2026-01-05": { status: "done", value: 5 },
  });
  // Seen from the 6th (the 5th closed; the 6th open and unlogged moves nothing). On the 5th itself the
  // half-done day was still open: 10.
  assertEquals(habitStats(pages, mixed, "2026-01-06", 1).strength, 12);
  assertEquals(habitStats(pages, mixed, "2026-01-05", 1).strength, 10);
  // The series moves on due days only and holds on the skipped one.
  const series = strengthSeries(pages, mixed, "2026-01-01", "2026-01-06", 1).map((p) => Math.round(p.strength * 1000));
  assertEquals(series, [52, 101, 96, 96, 117, 117]);
});

Deno.test("strength: weekly habits move once per asked day; at-most habits start full; streak dates", () => {
  // 3 times a week (m = 0.5^(√(3/7)/13) = 0.96570): a full week, then 2 of 3: six moves, v = 1, 1, 1, ⅔, ⅔, ⅔ → 15.58 → 16.
  const gym = habit({ type: "weekly", times: 3 }, "2026-11-02");
  const weeks = entries({
    "2026-11-02": done,
    "2026-11-04": done,
    "2026-11-06": done,
    "2026-11-10": done,
    "2026-11-12": done,
  });
  assertEquals(habitStats(gym, weeks, "2026-11-16", 1).strength, 16);
  // At most 2 coffees from 1 Nov: 1 cup, nothing, 3 cups (v = 1 − (3−2)/2 = ½), 2 cups; from 1: 0.9754 → 98.
  const limit = habit({ type: "daily" }, "2026-11-01", { kind: "numeric", target: 2, direction: "at_most" });
  const cups = entries({ "2026-11-01": coffees(1), "2026-11-03": coffees(3), "2026-11-04": coffees(2) });
  assertEquals(habitStats(limit, cups, "2026-11-05", 1).strength, 98);
  // The longest streak's dates: days 1–2 (2 long) before the over-limit day 3.
  const stats = habitStats(limit, cups, "2026-11-05", 1);
  assertEquals([stats.longestStreakStart, stats.longestStreakEnd], ["2026-11-01", "2026-11-02"]);
  // A weekly streak runs from its first week's first day to its last week's last day.
  const weekly = habitStats(gym, entries({ ...Object.fromEntries(weeks), "2026-11-13": done }), "2026-11-20", 1);
  assertEquals([weekly.longestStreak, weekly.longestStreakStart, weekly.longestStreakEnd], [
    2,
    "2026-11-02",
    "2026-11-15",
  ]);
  assertEquals(habitStats(gym, new Map(), "2026-11-03", 1).longestStreakStart, null);
});

Deno.test("pauses: paused days are not due — no break, no extension, rates and strength unchanged; grid mark", () => {
  const daily = habit({ type: "daily" }, "2026-03-01");
  // Done 1–5 Mar, away 6–12 Mar (nothing logged), done 13–14 Mar.
  const checkins = entries(Object.fromEntries(
    ["01", "02", "03", "04", "05", "13", "14"].map((d) => [`2026-03-${d}`, done]),
  ));
  const unpaused = habitStats(daily, checkins, "2026-03-14", 1);
  assertEquals([unpaused.currentStreak, unpaused.longestStreak, unpaused.completionRate30], [2, 5, 0.5]);
  const paused = { ...daily, pauses: [{ from: "2026-03-06", to: "2026-03-12" }] };
  const stats = habitStats(paused, checkins, "2026-03-14", 1);
  // The streak runs through the pause without counting it: 5 + 2 = 7; every expected day done: 100 %.
  assertEquals([stats.currentStreak, stats.longestStreak, stats.completionRate30], [7, 7, 1]);
  // Strength: 7 met days moved it, the pause held it: 1 − 0.5^(7/13) = 0.3116 → 31.
  assertEquals(stats.strength, 31);
  assertEquals(
    habitStats(
      { ...daily },
      entries(Object.fromEntries(
        ["01", "02", "03", "04", "05", "06", "07"].map((d) => [`2026-03-${d}`, done]),
      )),
      "2026-03-07",
      1,
    ).strength,
    31,
  );
  // The grid marks paused days, and a day done during a pause still shows done.
  const grid = { ...paused, unit: null };
  assertEquals(habitDay(grid, undefined, "2026-03-08", "2026-03-14"), { state: "paused", score: 0, label: "paused" });
  assertEquals(habitDay(grid, done, "2026-03-08", "2026-03-14").state, "done");
  assertEquals(habitLegend(grid).some(([key]) => key === "paused"), true);
  // The overview leaves a paused habit out of the day.
  const index = new Map([["a", checkins], ["b", entries({ "2026-03-08": done })]]);
  assertEquals(tallyDay([{ ...paused, id: "a" }, { ...daily, id: "b" }], index, "2026-03-08", "2026-03-14"), {
    due: 1,
    complete: 1,
    partial: 0,
    score: 1,
  });
  // A weekly habit's week fully paused is neutral; half paused asks its share of the rest… of the target.
  const gym = {
    ...habit({ type: "weekly", times: 3 }, "2026-03-02"),
    pauses: [{ from: "2026-03-09", to: "2026-03-15" }],
  };
  const weeks = entries({ "2026-03-02": done, "2026-03-04": done, "2026-03-06": done, "2026-03-17": done });
  const gymStats = habitStats(gym, weeks, "2026-03-18", 1);
  assertEquals([gymStats.currentStreak, gymStats.completionRate30], [1, 1]);
});

Deno.test("DST: intervals and pauses count local calendar days across both changes (Berlin, New York)", () => {
  // Europe/Berlin springs forward on 29 Mar 2026 and falls back on 25 Oct; New York on 8 Mar and 1 Nov.
  // Days are calendar dates, so a 23- or 25-hour day is still one day: every 2 days from 27 Mar is due 29, 31 Mar.
  for (
    const [start, due] of [["2026-03-27", ["2026-03-29", "2026-03-31"]], ["2026-10-23", ["2026-10-25", "2026-10-27"]], [
      "2026-03-06",
      ["2026-03-08", "2026-03-10"],
    ], ["2026-10-30", ["2026-11-01", "2026-11-03"]]] as const
  ) {
    const every2 = habit({ type: "interval", every: 2 }, start);
    for (const date of due) {
      assertEquals(habitDay({ ...every2, unit: null }, undefined, date, addDays(date, 1)).state, "missed");
    }
    assertEquals(habitDay({ ...every2, unit: null }, undefined, addDays(due[0], 1), addDays(due[1], 1)).state, "off");
    // A pause over the change day covers exactly its calendar days.
    const paused = { ...every2, pauses: [{ from: due[0], to: due[0] }] };
    const checkins = entries({ [start]: done, [due[1]]: done });
    assertEquals(habitStats(paused, checkins, due[1], 1).currentStreak, 2);
    assertEquals(habitStats(every2, checkins, due[1], 1).currentStreak, 1);
  }
});

Deno.test("longest streak dates: the stats module and the best-streaks chart name the same run", () => {
  const today = "2026-11-30";
  // Pseudo-random days (fixed seed) over 200 days, with failed and skipped ones among them.
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const checkins = new Map<string, DayEntry>();
  for (let ago = 199; ago >= 0; ago--) {
    const r = next();
    if (r < 0.6) checkins.set(addDays(today, -ago), done);
    else if (r < 0.7) checkins.set(addDays(today, -ago), failed);
    else if (r < 0.75) checkins.set(addDays(today, -ago), skipped);
  }
  const start = addDays(today, -199);
  const schedules: HabitRule["schedule"][] = [
    { type: "daily" },
    { type: "weekdays", days: [1, 3, 5] },
    { type: "weekly", times: 3 },
    { type: "interval", every: 2 },
    { type: "monthly", times: 10 },
    { type: "times_in_days", times: 2, days: 3 },
  ];
  for (const schedule of schedules) {
    const rule = habit(schedule, start);
    const stats = habitStats(rule, checkins, today, 1);
    const runs = bestStreaks(rule, checkins, today, 1, 50);
    const label = JSON.stringify(schedule);
    assertEquals(runs[0]?.length ?? 0, stats.longestStreak, label);
    // Ties: the stats module names one of the runs of that length.
    const longest = runs.filter((run) => run.length === stats.longestStreak);
    if (stats.longestStreak > 0) {
      assertEquals(
        longest.some((run) => run.start === stats.longestStreakStart && run.end === stats.longestStreakEnd),
        true,
        `${label}: ${stats.longestStreakStart}…${stats.longestStreakEnd} in ${JSON.stringify(longest)}`,
      );
    }
  }
});
