/**
 * Habit statistics from a habit's check-ins: streaks, completion rates, totals. Pure
 * functions over local calendar days, fed by one query. What counts as due and met is
 * defined once, in domain/completion.ts; this module adds up its periods:
 *
 * - the current streak is the run of `complete` periods up to now (an `open` period,
 *   today or this week, does not break it; `neutral` ones neither break nor extend it);
 *   the longest streak is the longest such run. Days for daily, weekdays, interval and
 *   times_in_days habits (an interval habit's streak counts its due days), weeks for
 *   weekly ones, months for monthly ones.
 * - rates are `completion` over the last 30 / 365 days, counted from the habit's start.
 * - `totalDone` counts every complete day, scheduled or not.
 *
 * @example
 * ```ts
 * const stats = habitStats(habit, checkins, "2026-03-04", 1);
 * stats.currentStreak; // 12
 * ```
 */
import { dayNumber, fromDayNumber, type Weekday } from "./calendar.ts";
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
  type Period,
  periodsOf,
  windowStart,
} from "./completion.ts";

export { dayScore, isComplete, isDueOn, isScheduled } from "./completion.ts";
export type { DayEntry, HabitRule, Schedule } from "./completion.ts";

export interface HabitStats {
  currentStreak: number;
  longestStreak: number;
  /** The longest streak's first and last day (`YYYY-MM-DD`; the latest one when several tie), or null. */
  longestStreakStart: string | null;
  longestStreakEnd: string | null;
  completionRate30: number;
  completionRate365: number;
  totalDone: number;
  /** Habit strength 0–100, Loop's score (see {@linkcode strengthSeries}). */
  strength: number;
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
  const startN = dayNumber(habit.startDate);
  // The whole history's periods, walked once for the streaks and once for the strength
  // (the check-in route computes this on every write: one generator pass saved).
  const periods = [...periodsOf(habit.schedule, days, countingStart(habit, days), todayN, weekStart, startN)];
  const rate = (windowDays: number) =>
    completionOf(
      periodsOf(habit.schedule, days, windowStart(habit, days, todayN, windowDays), todayN, weekStart, startN),
    ).rate;
  const walk = strengthWalk(habit, checkins, days, periods);
  const strength = walk.steps ? Math.round(walk.strength * 100) : 0;
  return { ...runs(periods), completionRate30: rate(30), completionRate365: rate(365), totalDone, strength };
}

/** Longest and current run of complete periods, oldest first: missed breaks, neutral and open pass. */
function runs(periods: Iterable<Period>): Pick<
  HabitStats,
  "currentStreak" | "longestStreak" | "longestStreakStart" | "longestStreakEnd"
> {
  let run = 0;
  let runStart = 0;
  let longest = 0;
  let longestStart = 0;
  let longestEnd = 0;
  for (const { outcome, first, last } of periods) {
    if (outcome === "complete") {
      if (run === 0) runStart = first;
      run++;
      // ">=": of equally long streaks the latest is shown (the one a user remembers).
      if (run >= longest) [longest, longestStart, longestEnd] = [run, runStart, last];
    } else if (outcome === "missed") run = 0;
  }
  return {
    currentStreak: run,
    longestStreak: longest,
    longestStreakStart: longest ? fromDayNumber(longestStart) : null,
    longestStreakEnd: longest ? fromDayNumber(longestEnd) : null,
  };
}

/** The smoothing multiplier of a habit due `frequency` times a day: Loop's `0.5^(√f / 13)`. */
export function strengthMultiplier(frequency: number): number {
  return Math.pow(0.5, Math.sqrt(frequency) / 13);
}

/**
 * How many times a day the schedule asks for the habit, on average: daily 1, weekdays
 * k/7, weekly N/7, every N days 1/N, monthly N × 12/365, T in D days T/D.
 */
export function dueFrequency(schedule: HabitRule["schedule"]): number {
  switch (schedule.type) {
    case "daily":
      return 1;
    case "weekdays":
      return schedule.days.length / 7;
    case "weekly":
      return schedule.times / 7;
    case "interval":
      return 1 / schedule.every;
    case "monthly":
      return (schedule.times * 12) / 365;
    case "times_in_days":
      return schedule.times / schedule.days;
  }
}

/** One point of a strength series: the strength (0–1) at the end of `date`. */
export interface StrengthPoint {
  date: string;
  strength: number;
}

/**
 * Habit strength over time, Loop's published score: starting at 0 (1 for an at-most
 * habit, as Loop does), each due day moves it `s = s·m + v·(1−m)` with
 * `m = 0.5^(√f / 13)` ({@linkcode strengthMultiplier}, `f` = {@linkcode dueFrequency});
 * `v` is 1 for a met day, value ÷ target for a partly done numeric day (Loop's fall-off
 * for an at-most day over its limit), 0 for a missed or failed one. Skipped and paused
 * days, days the schedule does not ask for and the open period holding today leave it
 * unchanged. A period asking for k days (a week of a 3-times-a-week habit) moves it k
 * times with `v` = met ÷ due; a rolling window (T in D days) moves it once a day.
 *
 * Returns one point per day from `from` to `today` (0–1, unrounded; multiply by 100 for
 * the 0–100 figure of `stats.strength`), for the habit page's chart.
 *
 * @example
 * ```ts
 * const line = strengthSeries(habit, checkins, "2026-01-01", "2026-03-04", 1);
 * line.at(-1); // { date: "2026-03-04", strength: 0.42 }
 * ```
 */
export function strengthSeries(
  habit: HabitRule,
  checkins: ReadonlyMap<string, DayEntry>,
  from: string,
  today: string,
  weekStart: Weekday = 1,
): StrengthPoint[] {
  const todayN = dayNumber(today);
  const days = dayStates(habit, checkins, todayN);
  const periods = periodsOf(
    habit.schedule,
    days,
    countingStart(habit, days),
    todayN,
    weekStart,
    dayNumber(habit.startDate),
  );
  const steps: StrengthPoint[] = [];
  strengthWalk(habit, checkins, days, periods, (lastN, strength) => {
    steps.push({ date: fromDayNumber(Math.min(lastN, todayN)), strength });
  });
  const points: StrengthPoint[] = [];
  let i = 0;
  let strength = isLimit(habit) ? 1 : 0;
  for (let n = Math.min(dayNumber(from), todayN + 1); n <= todayN; n++) {
    const date = fromDayNumber(n);
    while (i < steps.length && steps[i].date <= date) strength = steps[i++].strength;
    if (n >= dayNumber(from)) points.push({ date, strength });
  }
  return points;
}

/**
 * Walks the strength through `periods` (the habit's, from its counting start), oldest
 * first: returns the strength after the last period that moved it and how many did
 * (none: no strength to speak of yet); `onStep` hears each move, with the period's last
 * day number, for the chart. No dates are made unless a missed day needs its entry.
 */
function strengthWalk(
  habit: HabitRule,
  checkins: ReadonlyMap<string, DayEntry>,
  days: DayStates,
  periods: Iterable<Period>,
  onStep?: (lastN: number, strength: number) => void,
): { strength: number; steps: number } {
  const m = strengthMultiplier(dueFrequency(habit.schedule));
  let s = isLimit(habit) ? 1 : 0;
  let steps = 0;
  for (const period of periods) {
    if (period.outcome === "neutral" || period.outcome === "open" || period.due === 0) continue;
    let v = period.met / period.due;
    if (period.first === period.last && period.outcome === "missed") {
      // One day short of its target: partial credit by value (Loop's numeric score).
      // A day with no state has no check-in (dayStates reads every one up to today): score 0, no date to make.
      const state = days.get(period.first);
      v = state === COMPLETE ? 1 : state === undefined ? 0 : dayScore(habit, checkins.get(fromDayNumber(period.first)));
    }
    // A rolling window is one day, however many it asks for (Loop steps once a day with f = T/D).
    const moves = habit.schedule.type === "times_in_days" ? 1 : period.due;
    for (let k = 0; k < moves; k++) s = s * m + v * (1 - m);
    steps++;
    onStep?.(period.last, s);
  }
  return { strength: s, steps };
}
