/**
 * `habitStats` and `strengthSeries` after the check-in route's rework (issue 14: one
 * walk of the history's periods for streaks and strength, no dates made for the
 * strength) against the implementation before it, kept below as the oracle: on random
 * histories of every schedule, kind and direction, with pauses and backfilled days,
 * every figure must be the same.
 */
import { addDays, dayNumber, fromDayNumber, type Weekday } from "@/domain/calendar.ts";
import {
  COMPLETE,
  completionOf,
  countingStart,
  type DayEntry,
  dayScore,
  type DayStates,
  dayStates,
  type HabitRule,
  isLimit,
  periodsOf,
  type Schedule,
  windowStart,
} from "@/domain/completion.ts";
import { dueFrequency, type HabitStats, habitStats, strengthMultiplier, strengthSeries } from "@/domain/stats.ts";
import { assertEquals } from "@/tests/support/assert.ts";
import { seededRandom } from "@/tests/support/seeded_random.ts";

// --- the oracle: domain/stats.ts as it was before the rework ----------------------------

function oracleStats(habit: HabitRule, checkins: ReadonlyMap<string, DayEntry>, today: string, weekStart: Weekday) {
  const todayN = dayNumber(today);
  const days = dayStates(habit, checkins, todayN);
  let totalDone = 0;
  for (const day of days.values()) if (day === COMPLETE) totalDone++;
  const startN = dayNumber(habit.startDate);
  const periods = periodsOf(habit.schedule, days, countingStart(habit, days), todayN, weekStart, startN);
  const rate = (windowDays: number) =>
    completionOf(
      periodsOf(habit.schedule, days, windowStart(habit, days, todayN, windowDays), todayN, weekStart, startN),
    ).rate;
  const series = oracleSteps(habit, checkins, days, todayN, weekStart);
  const strength = series.length ? Math.round(series[series.length - 1].strength * 100) : 0;
  let run = 0, runStart = 0, longest = 0, longestStart = 0, longestEnd = 0;
  for (const { outcome, first, last } of periods) {
    if (outcome === "complete") {
      if (run === 0) runStart = first;
      run++;
      if (run >= longest) [longest, longestStart, longestEnd] = [run, runStart, last];
    } else if (outcome === "missed") run = 0;
  }
  return {
    currentStreak: run,
    longestStreak: longest,
    longestStreakStart: longest ? fromDayNumber(longestStart) : null,
    longestStreakEnd: longest ? fromDayNumber(longestEnd) : null,
    completionRate30: rate(30),
    completionRate365: rate(365),
    totalDone,
    strength,
  } satisfies HabitStats;
}

function oracleSteps(
  habit: HabitRule,
  checkins: ReadonlyMap<string, DayEntry>,
  days: DayStates,
  todayN: number,
  weekStart: Weekday,
) {
  const m = strengthMultiplier(dueFrequency(habit.schedule));
  const startN = dayNumber(habit.startDate);
  let s = isLimit(habit) ? 1 : 0;
  const steps: { date: string; strength: number }[] = [];
  for (const period of periodsOf(habit.schedule, days, countingStart(habit, days), todayN, weekStart, startN)) {
    if (period.outcome === "neutral" || period.outcome === "open" || period.due === 0) continue;
    let v = period.met / period.due;
    if (period.first === period.last && period.outcome === "missed") {
      const entry = checkins.get(fromDayNumber(period.first));
      v = days.get(period.first) === COMPLETE ? 1 : dayScore(habit, entry);
    }
    const moves = habit.schedule.type === "times_in_days" ? 1 : period.due;
    for (let k = 0; k < moves; k++) s = s * m + v * (1 - m);
    steps.push({ date: fromDayNumber(Math.min(period.last, todayN)), strength: s });
  }
  return steps;
}

function oracleSeries(
  habit: HabitRule,
  checkins: ReadonlyMap<string, DayEntry>,
  from: string,
  today: string,
  weekStart: Weekday,
) {
  const todayN = dayNumber(today);
  const steps = oracleSteps(habit, checkins, dayStates(habit, checkins, todayN), todayN, weekStart);
  const points: { date: string; strength: number }[] = [];
  let i = 0;
  let strength = isLimit(habit) ? 1 : 0;
  for (let n = Math.min(dayNumber(from), todayN + 1); n <= todayN; n++) {
    const date = fromDayNumber(n);
    while (i < steps.length && steps[i].date <= date) strength = steps[i++].strength;
    if (n >= dayNumber(from)) points.push({ date, strength });
  }
  return points;
}

// --- random habits and histories ---------------------------------------------------------

const SCHEDULES: Schedule[] = [
  { type: "daily" },
  { type: "weekdays", days: [1, 3, 5] },
  { type: "weekdays", days: [6, 7] },
  { type: "weekly", times: 1 },
  { type: "weekly", times: 4 },
  { type: "interval", every: 2 },
  { type: "interval", every: 9 },
  { type: "monthly", times: 3 },
  { type: "times_in_days", times: 2, days: 5 },
  { type: "times_in_days", times: 1, days: 1 },
];

function randomCase(next: () => number) {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  const today = addDays("2026-03-04", Math.floor(next() * 400));
  // Some habits only days old: no period has moved the strength yet.
  const lifeDays = Math.floor(next() * (next() < 0.1 ? 3 : 900));
  const startDate = addDays(today, -lifeDays);
  const kind = next() < 0.5 ? "boolean" as const : "numeric" as const;
  const habit: HabitRule = {
    kind,
    target: kind === "numeric" ? pick([1, 2, 5, 8.5]) : null,
    schedule: pick(SCHEDULES),
    startDate,
    direction: kind === "numeric" && next() < 0.4 ? "at_most" : "at_least",
    pauses: Array.from({ length: Math.floor(next() * 3) }, () => {
      const from = addDays(today, -Math.floor(next() * (lifeDays + 30)));
      return { from, to: addDays(from, Math.floor(next() * 40)) };
    }).sort((a, b) => a.from < b.from ? -1 : 1),
  };
  const checkins = new Map<string, DayEntry>();
  const density = next();
  // Up to 60 days before the start too: backfilled days move where counting begins.
  for (let d = -60; d <= lifeDays; d++) {
    if (next() > density) continue;
    const status = pick(["done", "done", "done", "skipped", "failed"] as const);
    const value = kind === "numeric" && status === "done" ? Math.floor(next() * 12) : null;
    checkins.set(addDays(startDate, d), { status, value });
  }
  return { habit, checkins, today, weekStart: pick([0, 1, 6] as Weekday[]) };
}

Deno.test("habitStats equals the previous implementation on 600 random habits and histories", () => {
  const next = seededRandom(20261130);
  for (let i = 0; i < 600; i++) {
    const { habit, checkins, today, weekStart } = randomCase(next);
    assertEquals(
      habitStats(habit, checkins, today, weekStart),
      oracleStats(habit, checkins, today, weekStart),
      `case ${i}: ${JSON.stringify(habit)} today ${today}`,
    );
  }
});

Deno.test("strengthSeries equals the previous implementation on 200 random habits and histories", () => {
  const next = seededRandom(14);
  for (let i = 0; i < 200; i++) {
    const { habit, checkins, today, weekStart } = randomCase(next);
    const from = addDays(today, -Math.floor(next() * 500));
    assertEquals(
      strengthSeries(habit, checkins, from, today, weekStart),
      oracleSeries(habit, checkins, from, today, weekStart),
      `case ${i}: ${JSON.stringify(habit)} from ${from} today ${today}`,
    );
  }
});

Deno.test("habitStats equals the previous implementation where nothing has moved the strength yet", () => {
  const today = "2026-03-04";
  for (const direction of ["at_least", "at_most"] as const) {
    const habit: HabitRule = { kind: "numeric", target: 2, schedule: { type: "daily" }, startDate: today, direction };
    for (const checkins of [new Map(), new Map([[today, { status: "done" as const, value: 1 }]])]) {
      assertEquals(habitStats(habit, checkins, today, 1), oracleStats(habit, checkins, today, 1), direction);
    }
  }
});
