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
import { addDays, dayNumber, diffDays, fromDayNumber, isoWeekday, startOfWeek, type Weekday } from "./calendar.ts";

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
  let start = habit.startDate;
  let totalDone = 0;
  for (const [date, entry] of checkins) {
    if (date > today) continue;
    if (date < start) start = date; // backfilled before the habit was created
    if (isComplete(habit, entry)) totalDone++;
  }
  const streaks = habit.schedule.type === "weekly"
    ? weeklyStreaks(habit, habit.schedule.times, checkins, start, today, weekStart)
    : dailyStreaks(habit, checkins, start, today);
  return {
    ...streaks,
    completionRate30: completionRate(habit, checkins, start, today, 30),
    completionRate365: completionRate(habit, checkins, start, today, 365),
    totalDone,
  };
}

type Outcome = "complete" | "missed" | "neutral" | "open";

function dayOutcome(habit: HabitRule, checkins: ReadonlyMap<string, DayEntry>, date: string, today: string): Outcome {
  if (!isScheduled(habit.schedule, date)) return "neutral";
  const entry = checkins.get(date);
  if (isComplete(habit, entry)) return "complete";
  if (entry?.status === "skipped") return "neutral";
  return date === today ? "open" : "missed";
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

function dailyStreaks(habit: HabitRule, checkins: ReadonlyMap<string, DayEntry>, start: string, today: string) {
  const first = dayNumber(start);
  const last = dayNumber(today);
  function* outcomes() {
    for (let n = first; n <= last; n++) yield dayOutcome(habit, checkins, fromDayNumber(n), today);
  }
  return runs(outcomes());
}

function weeklyStreaks(
  habit: HabitRule,
  times: number,
  checkins: ReadonlyMap<string, DayEntry>,
  start: string,
  today: string,
  weekStart: Weekday,
) {
  const currentWeek = startOfWeek(today, weekStart);
  function* outcomes(): Generator<Outcome> {
    for (let week = startOfWeek(start, weekStart); week <= currentWeek; week = addDays(week, 7)) {
      let done = 0;
      let skipped = 0;
      for (let d = 0; d < 7; d++) {
        const entry = checkins.get(addDays(week, d));
        if (isComplete(habit, entry)) done++;
        else if (entry?.status === "skipped") skipped++;
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
  habit: HabitRule,
  checkins: ReadonlyMap<string, DayEntry>,
  start: string,
  today: string,
  windowDays: number,
): number {
  const from = [addDays(today, -(windowDays - 1)), start].sort().at(-1)!;
  if (from > today) return 0;
  let expected = 0;
  let done = 0;
  let countedDays = 0;
  for (let n = dayNumber(from); n <= dayNumber(today); n++) {
    const date = fromDayNumber(n);
    const entry = checkins.get(date);
    const complete = isComplete(habit, entry);
    if (complete) done++;
    if (date === today && !complete) continue; // still open
    if (entry?.status === "skipped") continue;
    countedDays++;
    if (habit.schedule.type !== "weekly" && isScheduled(habit.schedule, date)) expected++;
  }
  if (habit.schedule.type === "weekly") expected = (habit.schedule.times * countedDays) / 7;
  if (habit.schedule.type === "weekdays") {
    // Done on an unscheduled day is welcome but cannot push the rate past 100 %.
    done = [...Array(diffDays(from, today) + 1).keys()]
      .map((i) => addDays(from, i))
      .filter((date) => isScheduled(habit.schedule, date) && isComplete(habit, checkins.get(date))).length;
  }
  if (expected <= 0) return 0;
  return Math.round(Math.min(1, done / expected) * 10_000) / 10_000;
}
