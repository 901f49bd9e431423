/**
 * The numbers behind a habit page's charts, from the one definition of "due" and "met"
 * (domain/completion.ts): nothing here decides what a day asks of the user, it only groups
 * the schedule's periods differently.
 *
 * - **By weekday** ({@linkcode completionByWeekday}): for schedules whose periods are
 *   single days (daily, weekdays, and any schedule that asks for given days), each day's
 *   period goes to its weekday, so "Mondays: 40 of 52 expected, 77 %". A schedule whose
 *   periods span several days (3 times a week) asks for no weekday in particular: then the
 *   chart counts the complete days that fell on each weekday (`mode: "count"`), which is
 *   the question its users ask ("which days do I actually go?").
 * - **By month** ({@linkcode completionByMonth}): the last 12 calendar months, this one
 *   included; a period spanning two months (a week) belongs to the month of its middle
 *   day, so every period is counted once. Rates are `completionOf` over each month's
 *   periods: neutral ones stay out, the open one asks for its share so far.
 * - **Streak runs** ({@linkcode streakRuns}): every run of complete periods with its first
 *   and last day, counted the way lib/stats.ts counts streaks (missed breaks a run;
 *   neutral and open periods pass), so the longest run here is `stats.longestStreak`.
 *
 * Pure: no I/O.
 *
 * @example
 * ```ts
 * const months = completionByMonth(habit, checkins, "2026-11-30", 1);
 * months.at(-1); // { month: "2026-11", met: 24, due: 29, rate: 0.8276 }
 * bestStreaks(habit, checkins, "2026-11-30", 1, 5); // [{ length: 41, start: "2026-03-02", end: "2026-04-11" }, …]
 * ```
 */
import { dayNumber, fromDayNumber, type Weekday } from "./calendar.ts";
import {
  COMPLETE,
  type Completion,
  completionOf,
  countingStart,
  type DayEntry,
  dayStates,
  type HabitRule,
  type Period,
  periodsOf,
  weekdayOf,
} from "./completion.ts";

/** One weekday's bar. */
export interface WeekdayCompletion extends Completion {
  weekday: Weekday;
  /** Complete days that fell on this weekday (the bar in `count` mode). */
  done: number;
}

/** The weekday chart: rates when the schedule asks for given days, counts when it does not. */
export interface WeekdayChart {
  mode: "rate" | "count";
  /** In the user's week order, starting with `weekStart`. */
  days: WeekdayCompletion[];
}

/** One calendar month's bar. */
export interface MonthCompletion extends Completion {
  /** `YYYY-MM`. */
  month: string;
}

/** One run of complete periods. */
export interface StreakRun {
  /** Complete periods in the run (days, or weeks for a weekly habit). */
  length: number;
  /** First day of its first complete period. */
  start: string;
  /** Last day of its last complete period, never after today. */
  end: string;
}

/** How many days back the weekday chart looks (a year: every weekday ~52 times). */
export const WEEKDAY_WINDOW_DAYS = 365;
/** How many calendar months the month chart shows, this one included. */
export const MONTHS_SHOWN = 12;

/** Completion by weekday over the last {@linkcode WEEKDAY_WINDOW_DAYS} days (see the module doc). */
export function completionByWeekday(
  habit: HabitRule,
  checkins: ReadonlyMap<string, DayEntry>,
  today: string,
  weekStart: Weekday,
): WeekdayChart {
  const todayN = dayNumber(today);
  const days = dayStates(habit, checkins, todayN);
  const fromN = Math.max(todayN - (WEEKDAY_WINDOW_DAYS - 1), countingStart(habit, days));
  const byWeekday = new Map<Weekday, Period[]>();
  const done = new Map<Weekday, number>();
  let singleDays = true;
  for (const period of periodsOf(habit.schedule, days, fromN, todayN, weekStart)) {
    if (period.first !== period.last) singleDays = false;
    const weekday = weekdayOf(period.first);
    byWeekday.set(weekday, [...byWeekday.get(weekday) ?? [], period]);
  }
  for (let n = fromN; n <= todayN; n++) {
    if (days.get(n) === COMPLETE) done.set(weekdayOf(n), (done.get(weekdayOf(n)) ?? 0) + 1);
  }
  const order = Array.from({ length: 7 }, (_, i) => (((weekStart - 1 + i) % 7) + 1) as Weekday);
  return {
    mode: singleDays ? "rate" : "count",
    days: order.map((weekday) => ({
      weekday,
      done: done.get(weekday) ?? 0,
      ...(singleDays ? completionOf(byWeekday.get(weekday) ?? []) : { met: 0, due: 0, rate: 0 }),
    })),
  };
}

/** `YYYY-MM` of a day number. */
function monthOf(n: number): string {
  return fromDayNumber(n).slice(0, 7);
}

/** The first day (as a day number) of the month `back` months before the one holding `todayN`. */
function monthStart(todayN: number, back: number): number {
  const [year, month] = fromDayNumber(todayN).split("-").map(Number);
  const index = year * 12 + (month - 1) - back;
  const y = Math.floor(index / 12);
  const m = index % 12 + 1;
  return dayNumber(`${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-01`);
}

/**
 * Completion of each of the last {@linkcode MONTHS_SHOWN} calendar months, oldest first;
 * months before the habit started have `due: 0`.
 */
export function completionByMonth(
  habit: HabitRule,
  checkins: ReadonlyMap<string, DayEntry>,
  today: string,
  weekStart: Weekday,
): MonthCompletion[] {
  const todayN = dayNumber(today);
  const days = dayStates(habit, checkins, todayN);
  const firstN = monthStart(todayN, MONTHS_SHOWN - 1);
  const byMonth = new Map<string, Period[]>();
  const fromN = Math.max(firstN, countingStart(habit, days));
  for (const period of periodsOf(habit.schedule, days, fromN, todayN, weekStart)) {
    // The middle of the days gone by: this week's open period stays in this month.
    const last = Math.min(period.last, todayN);
    const month = monthOf(period.first + Math.floor((last - period.first) / 2));
    byMonth.set(month, [...byMonth.get(month) ?? [], period]);
  }
  // Periods start no earlier than `fromN`, so every middle day lies in a month shown.
  return Array.from({ length: MONTHS_SHOWN }, (_, i) => {
    const month = monthOf(monthStart(todayN, MONTHS_SHOWN - 1 - i));
    return { month, ...completionOf(byMonth.get(month) ?? []) };
  });
}

/** Every run of complete periods from the habit's start to today, oldest first. */
export function streakRuns(
  habit: HabitRule,
  checkins: ReadonlyMap<string, DayEntry>,
  today: string,
  weekStart: Weekday,
): StreakRun[] {
  const todayN = dayNumber(today);
  const days = dayStates(habit, checkins, todayN);
  const runs: StreakRun[] = [];
  let current: { length: number; first: number; last: number } | null = null;
  for (const period of periodsOf(habit.schedule, days, countingStart(habit, days), todayN, weekStart)) {
    if (period.outcome === "complete") {
      if (current) {
        current.length++;
        current.last = period.last;
      } else current = { length: 1, first: period.first, last: period.last };
    } else if (period.outcome === "missed" && current) {
      runs.push(toRun(current, todayN));
      current = null;
    }
  }
  if (current) runs.push(toRun(current, todayN));
  return runs;
}

function toRun(run: { length: number; first: number; last: number }, todayN: number): StreakRun {
  return { length: run.length, start: fromDayNumber(run.first), end: fromDayNumber(Math.min(run.last, todayN)) };
}

/** The `count` longest streak runs, longest first; among equals the most recent first. */
export function bestStreaks(
  habit: HabitRule,
  checkins: ReadonlyMap<string, DayEntry>,
  today: string,
  weekStart: Weekday,
  count = 5,
): StreakRun[] {
  return streakRuns(habit, checkins, today, weekStart)
    .sort((a, b) => b.length - a.length || (a.end < b.end ? 1 : a.end > b.end ? -1 : 0))
    .slice(0, count);
}
