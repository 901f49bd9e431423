/**
 * Habit statistics from a habit's check-ins: streaks, completion rates, totals. Pure
 * functions over local calendar days, fed by one query. What counts as due and met is
 * defined once, in domain/completion.ts; this module adds up its periods:
 *
 * - the current streak is the run of `complete` periods up to now (an `open` period,
 *   today or this week, does not break it; `neutral` ones neither break nor extend it);
 *   the longest streak is the longest such run. Days for daily and weekdays habits,
 *   weeks for weekly ones.
 * - rates are `completion` over the last 30 / 365 days, counted from the habit's start.
 * - `totalDone` counts every complete day, scheduled or not.
 *
 * @example
 * ```ts
 * const stats = habitStats(habit, checkins, "2026-03-04", 1);
 * stats.currentStreak; // 12
 * ```
 */
import { dayNumber, type Weekday } from "./calendar.ts";
import {
  COMPLETE,
  completionOf,
  countingStart,
  type DayEntry,
  dayStates,
  type HabitRule,
  type Period,
  periodsOf,
  windowStart,
} from "./completion.ts";

export { dayScore, isComplete, isDueOn, isScheduled } from "./completion.ts";
export type { DayEntry, HabitRule, Schedule } from "./completion.ts";

export interface HabitStats {
  currentStreak: number;
  longestStreak: number;
  completionRate30: number;
  completionRate365: number;
  totalDone: number;
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
  const days = dayStates(habit, checkins, todayN);
  let totalDone = 0;
  for (const day of days.values()) if (day === COMPLETE) totalDone++;
  const periods = periodsOf(habit.schedule, days, countingStart(habit, days), todayN, weekStart);
  const rate = (windowDays: number) =>
    completionOf(periodsOf(habit.schedule, days, windowStart(habit, days, todayN, windowDays), todayN, weekStart))
      .rate;
  return { ...runs(periods), completionRate30: rate(30), completionRate365: rate(365), totalDone };
}

/** Longest and current run of complete periods, oldest first: missed breaks, neutral and open pass. */
function runs(periods: Iterable<Period>): { currentStreak: number; longestStreak: number } {
  let run = 0;
  let longest = 0;
  for (const { outcome } of periods) {
    if (outcome === "complete") longest = Math.max(longest, ++run);
    else if (outcome === "missed") run = 0;
  }
  return { currentStreak: run, longestStreak: longest };
}
