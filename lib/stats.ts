/**
 * Habit statistics from a habit's check-ins: streaks, completion rates, totals, and
 * the 0–1 score a grid cell shows. Pure functions over local calendar days, fed by one
 * query; the rules below are the product's definitions.
 *
 * - A day is *complete* when its check-in is `done` (numeric habits: and its value
 *   reaches the target; a `done` with no value counts as the target).
 * - `skipped` days neither break nor extend a streak, and leave the rates' denominators.
 * - Daily and chosen-weekdays habits count scheduled days only: a Mon/Wed/Fri habit is
 *   not broken by Tuesday. Weekly habits (N times a week) count weeks, in the user's
 *   week start; a week succeeds with N complete days, and a week whose skips make up
 *   the difference is neutral.
 * - Today (and the current week) is still open: not yet complete does not break the
 *   current streak and does not lower a rate.
 * - Rates are fractions 0–1 over the last 30 / 365 days, counted from the habit's start.
 *
 * @example
 * ```ts
 * const stats = habitStats(habit, checkins, "2026-03-04", 1);
 * stats.currentStreak; // 12
 * ```
 */
import { dayNumber, isoWeekday, type Weekday } from "./calendar.ts";

export type Schedule =
  | { type: "daily" }
  | { type: "weekly"; times: number }
  | { type: "weekdays"; days: Weekday[] };

export interface HabitRule {
  kind: "boolean" | "numeric";
  target: number | null;
  schedule: Schedule;
  /** The local day the habit starts counting (its creation day). */
  startDate: string;
}

export interface DayEntry {
  status: "done" | "skipped";
  value: number | null;
}

export interface HabitStats {
  currentStreak: number;
  longestStreak: number;
  completionRate30: number;
  completionRate365: number;
  totalDone: number;
}

/** True when the entry counts as done for this habit. */
export function isComplete(habit: Pick<HabitRule, "kind" | "target">, entry: DayEntry | undefined): boolean {
  if (!entry || entry.status !== "done") return false;
  if (habit.kind !== "numeric" || !habit.target) return true;
  return (entry.value ?? habit.target) >= habit.target;
}

/** How full a grid cell is: 0 (nothing) to 1 (complete); numeric habits by value/target. */
export function dayScore(habit: Pick<HabitRule, "kind" | "target">, entry: DayEntry | undefined): number {
  if (!entry || entry.status !== "done") return 0;
  if (habit.kind !== "numeric" || !habit.target) return 1;
  return Math.max(0, Math.min(1, (entry.value ?? habit.target) / habit.target));
}

/** True when the habit expects a check-in on `date` (always for weekly habits). */
export function isScheduled(schedule: Schedule, date: string): boolean {
  return schedule.type !== "weekdays" || schedule.days.includes(isoWeekday(date));
}

/** All the statistics of one habit as of the user's `today`. */
export function habitStats(
  habit: HabitRule,
  checkins: ReadonlyMap<string, DayEntry>,
  today: string,
  weekStart: Weekday = 1,
): HabitStats {
  // Day numbers, not date strings, inside the loops: a year of history for 20 habits
  // is ~7,000 days per dashboard render, and string dates cost ~1 ms per habit-year.
  const todayN = dayNumber(today);
  let startN = dayNumber(habit.startDate);
  let totalDone = 0;
  const days = new Map<number, Day>();
  for (const [date, entry] of checkins) {
    const n = dayNumber(date);
    if (n > todayN) continue;
    if (n < startN) startN = n; // backfilled before the habit was created
    const complete = isComplete(habit, entry);
    if (complete) totalDone++;
    days.set(n, complete ? COMPLETE : entry.status === "skipped" ? SKIPPED : NOTHING);
  }
  const scheduled = scheduleTest(habit.schedule);
  const streaks = habit.schedule.type === "weekly"
    ? weeklyStreaks(habit.schedule.times, days, startN, todayN, weekStart)
    : runs(dailyOutcomes(scheduled, days, startN, todayN));
  return {
    ...streaks,
    completionRate30: completionRate(habit.schedule, scheduled, days, startN, todayN, 30),
    completionRate365: completionRate(habit.schedule, scheduled, days, startN, todayN, 365),
    totalDone,
  };
}

/** What one day holds, reduced to what the rules need. */
type Day = 0 | 1 | 2;
const NOTHING: Day = 0;
const COMPLETE: Day = 1;
const SKIPPED: Day = 2;

type Outcome = "complete" | "missed" | "neutral" | "open";

/** ISO weekday of a day number (1970-01-01, day 0, was a Thursday). */
function weekdayOf(n: number): Weekday {
  return ((((n + 3) % 7) + 7) % 7 + 1) as Weekday;
}

function scheduleTest(schedule: Schedule): (n: number) => boolean {
  if (schedule.type !== "weekdays") return () => true;
  const days = new Set<number>(schedule.days);
  return (n) => days.has(weekdayOf(n));
}

function* dailyOutcomes(
  scheduled: (n: number) => boolean,
  days: ReadonlyMap<number, Day>,
  startN: number,
  todayN: number,
): Generator<Outcome> {
  for (let n = startN; n <= todayN; n++) {
    if (!scheduled(n)) continue;
    const day = days.get(n) ?? NOTHING;
    if (day === COMPLETE) yield "complete";
    else if (day === SKIPPED) yield "neutral";
    else yield n === todayN ? "open" : "missed";
  }
}

/** Longest and current run over a sequence of outcomes, oldest first. */
function runs(outcomes: Iterable<Outcome>): { currentStreak: number; longestStreak: number } {
  let run = 0;
  let longest = 0;
  for (const outcome of outcomes) {
    if (outcome === "complete") longest = Math.max(longest, ++run);
    else if (outcome === "missed") run = 0;
  }
  return { currentStreak: run, longestStreak: longest };
}

function weeklyStreaks(
  times: number,
  days: ReadonlyMap<number, Day>,
  startN: number,
  todayN: number,
  weekStart: Weekday,
) {
  const weekOf = (n: number) => n - ((weekdayOf(n) - weekStart + 7) % 7);
  const currentWeek = weekOf(todayN);
  function* outcomes(): Generator<Outcome> {
    for (let week = weekOf(startN); week <= currentWeek; week += 7) {
      let done = 0;
      let skipped = 0;
      for (let d = 0; d < 7; d++) {
        const day = days.get(week + d);
        if (day === COMPLETE) done++;
        else if (day === SKIPPED) skipped++;
      }
      if (done >= times) yield "complete";
      else if (week === currentWeek) yield "open";
      else if (done + skipped >= times) yield "neutral";
      else yield "missed";
    }
  }
  return runs(outcomes());
}

function completionRate(
  schedule: Schedule,
  scheduled: (n: number) => boolean,
  days: ReadonlyMap<number, Day>,
  startN: number,
  todayN: number,
  windowDays: number,
): number {
  const from = Math.max(todayN - (windowDays - 1), startN);
  if (from > todayN) return 0;
  let expected = 0;
  let done = 0;
  let countedDays = 0;
  for (let n = from; n <= todayN; n++) {
    const day = days.get(n) ?? NOTHING;
    // Done on an unscheduled weekday is welcome but cannot push the rate past 100 %.
    if (day === COMPLETE && scheduled(n)) done++;
    if (n === todayN && day !== COMPLETE) continue; // still open
    if (day === SKIPPED) continue;
    countedDays++;
    if (schedule.type !== "weekly" && scheduled(n)) expected++;
  }
  if (schedule.type === "weekly") expected = (schedule.times * countedDays) / 7;
  if (expected <= 0) return 0;
  return Math.round(Math.min(1, done / expected) * 10_000) / 10_000;
}
