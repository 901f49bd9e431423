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
 * | `interval` (every N days) | every N-th day from the habit's start date | 1 |
 * | `monthly` (N times) | each calendar month | N (at most the month's length), or its share of a month cut short |
 * | `times_in_days` (T in D) | each day, with the D days ending on it (a rolling window) | T, or its share of a window cut short by the start |
 *
 * Numeric habits point `at_least` (met when the value reaches the target) or `at_most`
 * (a limit: met when the value stays at or under it). **An at-most habit's past day with
 * no check-in is met** (nothing logged is nothing consumed, as in Loop); today counts
 * once something is logged or the day is over. Over the limit, the day's score falls
 * like Loop's (`1 − (value − target) ÷ target`, 0 at twice the limit).
 *
 * In every period a skipped day takes one off what is due (a skip excuses, never
 * counts as done), a `failed` day is a logged miss (it counts as nothing done, and a
 * period whose failed days leave too few days to reach its target is missed at once,
 * even today's); `met` is the complete days, at most `due`. A period ends up:
 * - `complete`: its complete days reach what it asked before any skip;
 * - `neutral`: done and skipped days together reach it (neither breaks nor extends a streak,
 *   and stays out of the rates: nothing was asked of the user in the end);
 * - `open`: the period holding today, not complete yet and still reachable (no failed
 *   day has made its target impossible). It does not break a streak, and
 *   asks only for its share of the days before today (or what is already done, if more):
 *   today counts once it is done, and a 3-times-a-week habit asks for about one day in
 *   every 2⅓ that have gone by this week;
 * - `missed`: anything else.
 *
 * A completion rate is Σ met / Σ due over the window's periods but the neutral ones.
 * So "Gym, 3 times a week, done 3 and 2 times over two weeks" is 5 of 6: 83 %.
 *
 * A new schedule type is one more `case` in {@linkcode periodsOf}; a new day state is
 * one more {@linkcode DayState} read in {@linkcode tally}. The reminders' SQL mirrors
 * "is something still asked today" in `habit_due_on` (sql/016_habit_model.sql), tested
 * to agree with {@linkcode asksOn}.
 *
 * @example
 * ```ts
 * const gym = { kind: "boolean", target: null, schedule: { type: "weekly", times: 3 }, startDate: "2026-11-02" };
 * completion(gym, checkins, "2026-11-16", 1, 30); // { met: 5, due: 6, rate: 0.8333 }
 * ```
 */
import { dayNumber, fromDayNumber, isoWeekday, type Weekday } from "./calendar.ts";

/** How often a habit is meant to happen. */
export type Schedule =
  | { type: "daily" }
  | { type: "weekly"; times: number }
  | { type: "weekdays"; days: Weekday[] }
  | { type: "interval"; every: number }
  | { type: "monthly"; times: number }
  | { type: "times_in_days"; times: number; days: number };

/** Every schedule type, in the order the habit form offers them. */
export const SCHEDULE_TYPES: readonly Schedule["type"][] = [
  "daily",
  "weekdays",
  "weekly",
  "interval",
  "monthly",
  "times_in_days",
];

/**
 * Which way a numeric habit's target points: `at_least` (the default: "8 glasses of
 * water") or `at_most` ("at most 2 coffees": a day is met when its value ≤ target).
 */
export type Direction = "at_least" | "at_most";

/** What the rules read of a habit. */
export interface HabitRule {
  kind: "boolean" | "numeric";
  target: number | null;
  schedule: Schedule;
  /** The local day the habit starts counting (its creation day). */
  startDate: string;
  /** Numeric habits only; absent = `at_least`. */
  direction?: Direction;
  /** Paused local day ranges (inclusive; the habit's own and the user-wide ones): not due. */
  pauses?: readonly PauseRange[];
}

/** A paused stretch of local days, `from` … `to` inclusive. */
export interface PauseRange {
  from: string;
  to: string;
}

/** True when `date` lies in one of the habit's pauses. */
export function isPausedOn(habit: Pick<HabitRule, "pauses">, date: string): boolean {
  return habit.pauses?.some((p) => p.from <= date && date <= p.to) ?? false;
}

/** What a check-in says of its day: `failed` is a logged miss (a miss in every rule). */
export type CheckinStatus = "done" | "skipped" | "failed";

/** Every {@linkcode CheckinStatus}, in the order forms offer them. */
export const CHECKIN_STATUSES: readonly CheckinStatus[] = ["done", "skipped", "failed"];

/** One day's check-in, as the rules read it. */
export interface DayEntry {
  status: CheckinStatus;
  value: number | null;
}

/** The rule fields that decide whether one day's entry is met. */
export type DayRule = Pick<HabitRule, "kind" | "target" | "direction">;

/** True for a numeric habit with a limit ("at most"). */
export function isLimit(habit: DayRule): boolean {
  return habit.kind === "numeric" && !!habit.target && habit.direction === "at_most";
}

/**
 * True when the entry counts as done for this habit: a yes/no `done`; a numeric `done`
 * whose value reaches the target (at least) or stays within it (at most); no value =
 * the target. A day with no check-in is never complete here: for an at-most habit the
 * day rules ({@linkcode dayStates}, the grid) read a past empty day as met.
 */
export function isComplete(habit: DayRule, entry: DayEntry | undefined): boolean {
  if (!entry || entry.status !== "done") return false;
  if (habit.kind !== "numeric" || !habit.target) return true;
  const value = entry.value ?? habit.target;
  return isLimit(habit) ? value <= habit.target : value >= habit.target;
}

/**
 * How much of the day got done: 0 (nothing) to 1 (complete). Numeric habits: value ÷
 * target (at least); within the limit 1, over it Loop's `1 − (value − target) ÷ target`
 * down to 0 at twice the limit (at most).
 */
export function dayScore(habit: DayRule, entry: DayEntry | undefined): number {
  if (!entry || entry.status !== "done") return 0;
  if (habit.kind !== "numeric" || !habit.target) return 1;
  const value = entry.value ?? habit.target;
  if (isLimit(habit)) return Math.max(0, Math.min(1, 1 - (value - habit.target) / habit.target));
  return Math.max(0, Math.min(1, value / habit.target));
}

/**
 * True when the schedule names `date` as a day to do it: always for the schedules that
 * name no day (weekly, monthly, times_in_days), its weekdays for `weekdays`, every N-th
 * day from `startDate` for `interval`.
 */
export function isScheduled(schedule: Schedule, date: string, startDate?: string): boolean {
  if (schedule.type === "weekdays") return schedule.days.includes(isoWeekday(date));
  if (schedule.type === "interval") {
    if (startDate === undefined) return true;
    return ((dayNumber(date) - dayNumber(startDate)) % schedule.every + schedule.every) % schedule.every === 0;
  }
  return true;
}

/** True for the schedules that ask for a number of days in a stretch rather than for given days. */
export function isFlexible(schedule: Schedule): boolean {
  return schedule.type === "weekly" || schedule.type === "monthly" || schedule.type === "times_in_days";
}

/**
 * True when the habit asks for `date` itself: a daily habit from its start, a weekdays
 * habit on its days, an interval habit every N-th day from its start. A flexible habit
 * (weekly, monthly, times_in_days) is never due on a given day (any day will do), so a
 * day-by-day view counts it only when it was done.
 */
export function isDueOn(habit: Pick<HabitRule, "schedule" | "startDate">, date: string): boolean {
  return !isFlexible(habit.schedule) && date >= habit.startDate &&
    isScheduled(habit.schedule, date, habit.startDate);
}

/** What one day holds, reduced to what the rules need. */
export type DayState = 0 | 1 | 2 | 3 | 4;
/** No check-in, or a `done` short of a numeric target. */
export const NOTHING: DayState = 0;
export const COMPLETE: DayState = 1;
export const SKIPPED: DayState = 2;
/** A logged miss: counts as nothing done, and also closes the day (an open period it fills cannot be won any more). */
export const FAILED: DayState = 3;
/**
 * A paused day with nothing complete, skipped or failed logged: not due. Like a skip it
 * comes off its period's target (a fully paused period is neutral), so it neither
 * breaks nor extends a streak and leaves rates and strength alone.
 */
export const PAUSED: DayState = 4;

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

/**
 * Reads check-ins (by date) into day states; days after `today` are left out. An
 * at-most habit's past days without a check-in, from its start, are complete: nothing
 * logged is nothing consumed (Loop's rule too: an empty day is 0, within any limit).
 * Today stays as logged, so an at-most day counts once something is logged or the day
 * is over.
 */
export function dayStates(
  habit: DayRule & Partial<Pick<HabitRule, "startDate" | "pauses">>,
  checkins: ReadonlyMap<string, DayEntry>,
  todayN: number,
): Map<number, DayState> {
  const states = new Map<number, DayState>();
  if (isLimit(habit) && habit.startDate) {
    for (let n = dayNumber(habit.startDate); n < todayN; n++) states.set(n, COMPLETE);
  }
  // Paused days never move where counting begins (countingStart skips them).
  for (const pause of habit.pauses ?? []) {
    const lastN = Math.min(dayNumber(pause.to), todayN);
    for (let n = dayNumber(pause.from); n <= lastN; n++) states.set(n, PAUSED);
  }
  for (const [date, entry] of checkins) {
    const n = dayNumber(date);
    if (n > todayN) continue;
    const logged: DayState = isComplete(habit, entry)
      ? COMPLETE
      : entry.status === "skipped"
      ? SKIPPED
      : entry.status === "failed"
      ? FAILED
      : NOTHING;
    // A partial day inside a pause stays paused: only a complete, skipped or failed day speaks over it.
    if (logged !== NOTHING || states.get(n) !== PAUSED) states.set(n, logged);
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
  startN: number = fromN,
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
    case "interval": {
      // Every N-th day from the habit's start, one day each: a strict rhythm ("water the
      // plants every 3 days"). "About every N days" is times_in_days 1 in N.
      const offset = (((fromN - startN) % schedule.every) + schedule.every) % schedule.every;
      for (let n = offset === 0 ? fromN : fromN + schedule.every - offset; n <= todayN; n += schedule.every) {
        yield tally(days, n, n, 1, 1, todayN);
      }
      return;
    }
    case "monthly": {
      // Calendar months; a month cut short by the start or the window asks for its share.
      for (let first = monthStart(fromN); first <= todayN;) {
        const next = monthStart(first + 31);
        const from = Math.max(first, fromN);
        const monthLength = next - first;
        const asked = Math.min(schedule.times, monthLength);
        yield tally(days, from, next - 1, next - from, Math.round(asked * (next - from) / monthLength), todayN);
        first = next;
      }
      return;
    }
    case "times_in_days": {
      // Rolling: each day asks that the last D days (itself included) hold T complete
      // ones; a window cut short by the start asks for its share.
      for (let n = fromN; n <= todayN; n++) {
        const first = Math.max(n - schedule.days + 1, startN);
        const length = n - first + 1;
        yield tally(days, first, n, length, Math.round(schedule.times * length / schedule.days), todayN);
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

/** The day number of the first day of the calendar month holding day `n`. */
export function monthStart(n: number): number {
  const date = fromDayNumber(n);
  return dayNumber(`${date.slice(0, 8)}01`);
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
  let failed = 0;
  for (let n = first; n <= Math.min(last, todayN); n++) {
    const day = days.get(n);
    if (day === COMPLETE) done++;
    else if (day === SKIPPED || day === PAUSED) skipped++;
    else if (day === FAILED) failed++;
  }
  // A sliver of a week that asks for nothing cannot be won or lost.
  if (asked === 0) return { first, last, due: 0, met: 0, outcome: "neutral" };
  // The period holding today stays open while its target can still be reached: failed
  // days close their day for good, so "failed today" on a daily habit is a miss now.
  const reachable = (last - first + 1) - failed >= asked;
  const open = last >= todayN && done < asked && reachable;
  const askedSoFar = open ? Math.min(asked, Math.max(done, Math.round((asked * (todayN - first)) / length))) : asked;
  // A period already met asks for what it asked: a skipped or paused day in it takes
  // nothing away (else skipping a day of a met week would weigh less than failing it).
  const due = done >= asked ? asked : Math.max(0, askedSoFar - skipped);
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
  return completionOf(
    periodsOf(
      habit.schedule,
      days,
      windowStart(habit, days, todayN, windowDays),
      todayN,
      weekStart,
      dayNumber(habit.startDate),
    ),
  );
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
  for (const [n, state] of days) if (n < start && state !== PAUSED) start = n;
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
    case "interval":
      return `Every ${schedule.every}th day from the habit's start is expected once; the days between neither help nor hurt. ${common}`;
    case "monthly":
      return `Each calendar month expects ${days(schedule.times)} and counts at most that many; ` +
        `a month cut short by the habit's start or the window's edge expects its share. ` +
        `A skipped day comes off its month's target. ` +
        `This month so far expects its share of the days before today, or what you already did.`;
    case "times_in_days":
      return `Every day expects ${days(schedule.times)} done in the last ${days(schedule.days)} (that day included): ` +
        `a rolling window. The rate is the share of days whose window held enough. ${common}`;
  }
}

/**
 * True when the habit still asks something of the user on `date` (what a habit
 * reminder needs): the habit has started, the day is not answered yet (complete,
 * skipped or failed; for an at-most habit, anything logged), and the schedule asks for
 * this day (daily, its weekdays, its every-N-th day) or its stretch is not yet met
 * (fewer complete days than asked in the week, the month, or the last D days, this
 * day included). Mirrored in SQL by `habit_due_on` (sql/016_habit_model.sql); a test
 * checks they agree.
 */
export function asksOn(
  habit: HabitRule,
  checkins: ReadonlyMap<string, DayEntry>,
  date: string,
  weekStart: Weekday,
): boolean {
  if (date < habit.startDate || isPausedOn(habit, date)) return false;
  const entry = checkins.get(date);
  if (entry && (entry.status !== "done" || isLimit(habit) || isComplete(habit, entry))) return false;
  const n = dayNumber(date);
  const days = dayStates(habit, checkins, n);
  const completeBetween = (first: number) => {
    let count = 0;
    for (let d = Math.max(first, dayNumber(habit.startDate)); d <= n; d++) if (days.get(d) === COMPLETE) count++;
    return count;
  };
  const { schedule } = habit;
  switch (schedule.type) {
    case "daily":
    case "weekdays":
    case "interval":
      return isScheduled(schedule, date, habit.startDate);
    case "weekly":
      return completeBetween(n - ((weekdayOf(n) - weekStart + 7) % 7)) < schedule.times;
    case "monthly": {
      const first = monthStart(n);
      return completeBetween(first) < Math.min(schedule.times, monthStart(first + 31) - first);
    }
    case "times_in_days":
      return completeBetween(n - schedule.days + 1) < schedule.times;
  }
}
