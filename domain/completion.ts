/**
 * What a habit's schedule asks of the user and what their check-ins give: the one place
 * that defines "due" and "met", from which streaks (domain/stats.ts), completion rates, the
 * grid's states and the dashboard's "Your year" all follow. Pure: no I/O, no imports
 * but the calendar.
 *
 * The schedule cuts time into **periods**, each asking for a number of complete days:
 *
 * | schedule | period | due |
 * |---|---|---|
 * | `daily` | every day from the start | 1 |
 * | `weekdays` | each chosen weekday | 1 |
 * | `weekly` (N times) | each week, in the user's week start | N, or its share of a week cut short by the start or the window (N × days / 7, rounded) |
 *
 * In every period a skipped day takes one off what is due (a skip excuses, never
 * counts as done); `met` is the complete days, at most `due`. A period ends up:
 * - `complete`: its complete days reach what it asked before any skip;
 * - `neutral`: done and skipped days together reach it (neither breaks nor extends a streak,
 *   and stays out of the rates: nothing was asked of the user in the end);
 * - `open`: the period holding today, not complete yet. It does not break a streak, and
 *   asks only for its share of the days before today (or what is already done, if more):
 *   today counts once it is done, and a 3-times-a-week habit asks for about one day in
 *   every 2⅓ that have gone by this week;
 * - `missed`: anything else.
 *
 * A completion rate is Σ met / Σ due over the window's periods but the neutral ones.
 * So "Gym, 3 times a week, done 3 and 2 times over two weeks" is 5 of 6: 83 %.
 *
 * New schedule types (every N days, N times a month, X times in Y days) are one more
 * `case` in {@linkcode periodsOf}; new day states (an explicit failure, a paused day) are
 * one more {@linkcode DayState} read in {@linkcode tally}.
 *
 * @example
 * ```ts
 * const gym = { kind: "boolean", target: null, schedule: { type: "weekly", times: 3 }, startDate: "2026-11-02" };
 * completion(gym, checkins, "2026-11-16", 1, 30); // { met: 5, due: 6, rate: 0.8333 }
 * ```
 */
import { dayNumber, isoWeekday, type Weekday } from "./calendar.ts";

/** How often a habit is meant to happen. */
export type Schedule =
  | { type: "daily" }
  | { type: "weekly"; times: number }
  | { type: "weekdays"; days: Weekday[] };

/** What the rules read of a habit. */
export interface HabitRule {
  kind: "boolean" | "numeric";
  target: number | null;
  schedule: Schedule;
  /** The local day the habit starts counting (its creation day). */
  startDate: string;
}

/** One day's check-in, as the rules read it. */
export interface DayEntry {
  status: "done" | "skipped";
  value: number | null;
}

/** True when the entry counts as done for this habit (numeric: the value reaches the target; no value = the target). */
export function isComplete(habit: Pick<HabitRule, "kind" | "target">, entry: DayEntry | undefined): boolean {
  if (!entry || entry.status !== "done") return false;
  if (habit.kind !== "numeric" || !habit.target) return true;
  return (entry.value ?? habit.target) >= habit.target;
}

/** How much of the day got done: 0 (nothing) to 1 (complete); numeric habits by value/target. */
export function dayScore(habit: Pick<HabitRule, "kind" | "target">, entry: DayEntry | undefined): number {
  if (!entry || entry.status !== "done") return 0;
  if (habit.kind !== "numeric" || !habit.target) return 1;
  return Math.max(0, Math.min(1, (entry.value ?? habit.target) / habit.target));
}

/** True when the schedule names `date` as a day to do it (always for weekly habits, which name no day). */
export function isScheduled(schedule: Schedule, date: string): boolean {
  return schedule.type !== "weekdays" || schedule.days.includes(isoWeekday(date));
}

/**
 * True when the habit asks for `date` itself: a daily habit from its start, a weekdays
 * habit on its days. A weekly habit is never due on a given day (any day of the week
 * will do), so a day-by-day view counts it only when it was done.
 */
export function isDueOn(habit: Pick<HabitRule, "schedule" | "startDate">, date: string): boolean {
  return habit.schedule.type !== "weekly" && date >= habit.startDate && isScheduled(habit.schedule, date);
}

/** What one day holds, reduced to what the rules need. */
export type DayState = 0 | 1 | 2;
/** No check-in, or a `done` short of a numeric target. */
export const NOTHING: DayState = 0;
export const COMPLETE: DayState = 1;
export const SKIPPED: DayState = 2;

/** How a period ended (see the module's header). */
export type PeriodOutcome = "complete" | "missed" | "neutral" | "open";

/** One stretch of days the schedule asks something of. Days are day numbers. */
export interface Period {
  first: number;
  last: number;
  /** Complete days asked for, after skips. */
  due: number;
  /** Complete days given, at most `due`. */
  met: number;
  outcome: PeriodOutcome;
}

/** The days of one habit by day number, as {@linkcode DayState}s. */
export type DayStates = ReadonlyMap<number, DayState>;

/** Reads check-ins (by date) into day states; days after `today` are left out. */
export function dayStates(
  habit: Pick<HabitRule, "kind" | "target">,
  checkins: ReadonlyMap<string, DayEntry>,
  todayN: number,
): Map<number, DayState> {
  const states = new Map<number, DayState>();
  for (const [date, entry] of checkins) {
    const n = dayNumber(date);
    if (n > todayN) continue;
    states.set(n, isComplete(habit, entry) ? COMPLETE : entry.status === "skipped" ? SKIPPED : NOTHING);
  }
  return states;
}

/** ISO weekday of a day number (1970-01-01, day 0, was a Thursday). */
export function weekdayOf(n: number): Weekday {
  return ((((n + 3) % 7) + 7) % 7 + 1) as Weekday;
}

/**
 * The periods of `schedule` that overlap `fromN`…`todayN`, oldest first. A period cut
 * short by `fromN` asks for its share; the one holding today may still be open.
 */
export function* periodsOf(
  schedule: Schedule,
  days: DayStates,
  fromN: number,
  todayN: number,
  weekStart: Weekday,
): Generator<Period> {
  switch (schedule.type) {
    case "daily":
    case "weekdays": {
      const chosen = schedule.type === "weekdays" ? new Set<number>(schedule.days) : undefined;
      for (let n = fromN; n <= todayN; n++) {
        if (chosen && !chosen.has(weekdayOf(n))) continue;
        yield tally(days, n, n, 1, 1, todayN);
      }
      return;
    }
    case "weekly": {
      const weekOf = (n: number) => n - ((weekdayOf(n) - weekStart + 7) % 7);
      for (let week = weekOf(fromN); week <= todayN; week += 7) {
        const first = Math.max(week, fromN);
        const length = week + 7 - first;
        yield tally(days, first, week + 6, length, Math.round(schedule.times * length / 7), todayN);
      }
      return;
    }
  }
}

/**
 * One period's outcome: `asked` complete days over `first`…`last` (`length` days in all).
 * The period holding today (`todayN` within it) asks only for its share of the days gone
 * by before today, or for what is already done when that is more: a week is not failed
 * on its Monday, and today counts once it is done.
 */
function tally(days: DayStates, first: number, last: number, length: number, asked: number, todayN: number): Period {
  let done = 0;
  let skipped = 0;
  for (let n = first; n <= Math.min(last, todayN); n++) {
    const day = days.get(n);
    if (day === COMPLETE) done++;
    else if (day === SKIPPED) skipped++;
  }
  // A sliver of a week that asks for nothing cannot be won or lost.
  if (asked === 0) return { first, last, due: 0, met: 0, outcome: "neutral" };
  const open = last >= todayN && done < asked;
  const askedSoFar = open ? Math.min(asked, Math.max(done, Math.round((asked * (todayN - first)) / length))) : asked;
  const due = Math.max(0, askedSoFar - skipped);
  const period = { first, last, due, met: Math.min(done, due) };
  if (done >= asked) return { ...period, outcome: "complete" };
  if (open) return { ...period, outcome: "open" };
  if (done + skipped >= asked) return { ...period, outcome: "neutral" };
  return { ...period, outcome: "missed" };
}

/** A completion rate with its parts, so a page can say how it was computed. */
export interface Completion {
  /** Complete days given in the counted periods. */
  met: number;
  /** Complete days those periods asked for. */
  due: number;
  /** `met / due` (0–1, four decimals); 0 when nothing was due. */
  rate: number;
}

/** Σ met / Σ due over `periods`, leaving out the neutral ones. */
export function completionOf(periods: Iterable<Period>): Completion {
  let met = 0;
  let due = 0;
  for (const period of periods) {
    if (period.outcome === "neutral") continue;
    met += period.met;
    due += period.due;
  }
  return { met, due, rate: due > 0 ? Math.round((met / due) * 10_000) / 10_000 : 0 };
}

/**
 * The completion of the last `windowDays` days (today included), counted from the habit's
 * start (or its earliest check-in, when days were logged before it).
 */
export function completion(
  habit: HabitRule,
  checkins: ReadonlyMap<string, DayEntry>,
  today: string,
  weekStart: Weekday,
  windowDays: number,
): Completion {
  const todayN = dayNumber(today);
  const days = dayStates(habit, checkins, todayN);
  return completionOf(periodsOf(habit.schedule, days, windowStart(habit, days, todayN, windowDays), todayN, weekStart));
}

/** The first counted day of a window: its first day, or the habit's start when later. */
export function windowStart(
  habit: Pick<HabitRule, "startDate">,
  days: DayStates,
  todayN: number,
  windowDays: number,
): number {
  return Math.max(todayN - (windowDays - 1), countingStart(habit, days));
}

/** The habit's first counted day: its start day, or its earliest check-in when one was backfilled before it. */
export function countingStart(habit: Pick<HabitRule, "startDate">, days: DayStates): number {
  let start = dayNumber(habit.startDate);
  for (const n of days.keys()) if (n < start) start = n;
  return start;
}

/**
 * How the completion rate of `schedule` is counted, in a sentence a user can check by
 * hand (the habit page's "How is this computed?").
 */
export function describeCompletionRule(schedule: Schedule, weekStartName: string): string {
  const common = "A skipped day is excused: it comes off what is expected. Today counts once it is done.";
  const days = (n: number) => `${n} ${n === 1 ? "day" : "days"}`;
  switch (schedule.type) {
    case "daily":
      return `Every day since the habit started is expected once. ${common}`;
    case "weekdays":
      return `Only the days it is scheduled are expected; other days neither help nor hurt. ${common}`;
    case "weekly":
      return `Each week (from ${weekStartName}) expects ${days(schedule.times)} and counts at most that many; ` +
        `a week cut short by the habit's start or the window's edge expects its share. ` +
        `A skipped day comes off its week's target. ` +
        `This week so far expects its share of the days before today (${schedule.times} in 7), or what you already did.`;
  }
}
