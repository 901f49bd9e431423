/**
 * What each day of a consistency grid shows: its state (the cell's shape), a 0–1 score
 * (how much of it is filled) and a short label (its accessible name). Pure functions over
 * a habit's check-ins, so the grid component stays a plain "props in, HTML out" renderer.
 * What is due on a day comes from domain/completion.ts, like the statistics.
 *
 * - One habit: `done`, `partial` ("6 of 8 km"), `skipped`, `failed` (a logged miss, on
 *   any day), `paused` (inside a pause: not due), `missed` (due, nothing done),
 *   `open` (today, not done yet), `off` (not scheduled, or before the habit started) and
 *   `empty` (a weekly habit's day with nothing logged: no day of the week is due in itself).
 * - All habits (the dashboard's "Your year"): the share of the habits due that day that
 *   got done, partial days counting in part. A habit counts on a day only when it is due
 *   that day; one done on a day it was not due (a weekly habit, an extra day) adds to that
 *   day as one more habit done, while a partial or skipped one leaves it alone, so logging
 *   never makes a day look worse than logging nothing. A failed day counts as a habit due
 *   and not done, whether or not it was due (the user said they failed it).
 *
 * @example
 * ```ts
 * const days = habitGridDays(habit, checkins, addDays(today, -370), today);
 * days.get("2026-03-03"); // { state: "partial", score: 0.75, label: "6 of 8 km" }
 * ```
 */
import { dayNumber, fromDayNumber } from "./calendar.ts";
import {
  type DayEntry,
  type DayRule,
  dayScore,
  type HabitRule,
  isComplete,
  isDueOn,
  isFlexible,
  isLimit,
  isPausedOn,
  isScheduled,
} from "./completion.ts";

/**
 * The entry the rules read for a day: the check-in, or for an at-most habit's past day
 * (from its start) with none, "nothing consumed" (domain/completion.ts: such a day is met).
 */
export function entryFor(
  habit: DayRule & Pick<HabitRule, "startDate">,
  entry: DayEntry | undefined,
  date: string,
  today: string,
): DayEntry | undefined {
  if (entry || !isLimit(habit) || date >= today || date < habit.startDate) return entry;
  return NOTHING_CONSUMED;
}

const NOTHING_CONSUMED: DayEntry = { status: "done", value: 0 };

/** How a cell looks: each state has its own shape, not only its own colour. */
export type CellState = "done" | "partial" | "skipped" | "failed" | "paused" | "missed" | "open" | "off" | "empty";

/** One cell's content. */
export interface GridDay {
  state: CellState;
  /** 0 (nothing) … 1 (complete): how much of the cell is filled. */
  score: number;
  /** What happened, for the cell's name: "done", "6 of 8 km", "skipped", "missed". */
  label: string;
}

/** A habit as the grid needs it. */
export type GridHabit = HabitRule & { id: string; unit: string | null };

/** One day's check-in as the grid needs it. */
export type GridCheckin = DayEntry & { habitId: string; date: string };

/** Check-ins by habit id, then by date. */
export type CheckinIndex = Map<string, Map<string, DayEntry>>;

/** How much of a cell a partial (0–1) score fills: level 1 (a quarter), 2 (half) or 3 (three quarters). */
export function partialLevel(score: number): 1 | 2 | 3 {
  return score > 0.5 ? 3 : score > 0.25 ? 2 : 1;
}

/** The cell's classes: its state's shape and today's ring. */
export function cellClass(day: GridDay | undefined, isToday: boolean): string {
  const state = day?.state ?? "off";
  const shape = state === "partial" ? `part${partialLevel(day!.score)}` : STATE_CLASS[state];
  return isToday ? `${shape} today` : shape;
}

/** The class that draws each state's shape (styles.css, "The consistency grid"). */
export const STATE_CLASS: Record<CellState, string> = {
  done: "done",
  partial: "part2",
  skipped: "skip",
  failed: "fail",
  paused: "pause",
  missed: "miss",
  open: "open",
  off: "off",
  empty: "none",
};

/** Groups check-ins by habit and date, for O(1) lookups while drawing. */
export function indexCheckins(checkins: Iterable<GridCheckin>): CheckinIndex {
  const index: CheckinIndex = new Map();
  for (const { habitId, date, status, value } of checkins) {
    let byDate = index.get(habitId);
    if (!byDate) index.set(habitId, byDate = new Map());
    byDate.set(date, { status, value });
  }
  return index;
}

/** "6", "2.5", "1,200": a number as people write it in a label. */
export function formatAmount(n: number): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

/** One habit's day: its state and label, from its check-in and its schedule. */
export function habitDay(
  habit: Pick<GridHabit, "kind" | "target" | "unit" | "schedule" | "startDate" | "direction" | "pauses">,
  logged: DayEntry | undefined,
  date: string,
  today: string,
): GridDay {
  const entry = entryFor(habit, logged, date, today);
  const score = dayScore(habit, entry);
  const label = logged || !entry ? checkinLabel(habit, entry, date) : "nothing logged: within the limit";
  if (entry?.status === "skipped") return { state: "skipped", score, label };
  if (entry?.status === "failed") return { state: "failed", score, label };
  if (isComplete(habit, logged)) return { state: "done", score, label };
  // A pause: not due; only a complete, skipped or failed day shows over it.
  if (isPausedOn(habit, date)) return { state: "paused", score: 0, label: "paused" };
  if (isComplete(habit, entry)) return { state: "done", score, label };
  // Over a limit is a miss, however far over (the score still says how far, for strength).
  if (score > 0 && !isLimit(habit)) return { state: "partial", score, label };
  if (isDueOn(habit, date)) {
    if (date === today) return { state: "open", score, label: entry ? label : "not done yet" };
    return { state: "missed", score, label: entry ? label : "missed" };
  }
  if (isFlexible(habit.schedule) && date >= habit.startDate) return { state: "empty", score, label };
  return { state: "off", score, label: entry ? label : date < habit.startDate ? "before the habit started" : label };
}

/** The label of one habit's day: what the check-in says, or why there is none. */
export function checkinLabel(
  habit: Pick<GridHabit, "kind" | "target" | "unit" | "schedule" | "direction"> & { startDate?: string },
  entry: DayEntry | undefined,
  date: string,
): string {
  if (entry?.status === "skipped") return "skipped";
  if (entry?.status === "failed") return "failed";
  if (entry?.status === "done") {
    if (habit.kind !== "numeric" || !habit.target) return "done";
    const value = entry.value ?? habit.target;
    const limit = isLimit(habit) ? "at most " : "";
    return `${formatAmount(value)} of ${limit}${formatAmount(habit.target)}${habit.unit ? ` ${habit.unit}` : ""}`;
  }
  return isScheduled(habit.schedule, date, habit.startDate) ? "no check-in" : "not scheduled";
}

/** Every day from `from` to `today` of one habit. */
export function habitGridDays(
  habit: Omit<GridHabit, "id">,
  checkins: ReadonlyMap<string, DayEntry>,
  from: string,
  today: string,
): Map<string, GridDay> {
  const days = new Map<string, GridDay>();
  for (let n = dayNumber(from), last = dayNumber(today); n <= last; n++) {
    const date = fromDayNumber(n);
    days.set(date, habitDay(habit, checkins.get(date), date, today));
  }
  return days;
}

/** One day across habits: how many counted and how much of them got done. */
export interface DayTally {
  /** Habits that count this day: those due, and those done though not due. */
  due: number;
  /** Those complete. */
  complete: number;
  /** Those done in part (numeric habits short of their target). */
  partial: number;
  /** Sum of their scores (partial days count in part). */
  score: number;
}

/** The tally of `date` over `habits` (active ones, in any order). */
export function tallyDay(
  habits: readonly (HabitRule & { id: string })[],
  index: CheckinIndex,
  date: string,
  today?: string,
): DayTally {
  const tally: DayTally = { due: 0, complete: 0, partial: 0, score: 0 };
  for (const habit of habits) {
    const entry = entryFor(habit, index.get(habit.id)?.get(date), date, today ?? date);
    if (entry?.status === "skipped") continue;
    if (isPausedOn(habit, date) && entry?.status !== "failed" && !isComplete(habit, index.get(habit.id)?.get(date))) {
      continue;
    }
    if (entry?.status === "failed") {
      tally.due++;
      continue;
    }
    const complete = isComplete(habit, entry);
    if (!isDueOn(habit, date)) {
      // Done on a day it was not due: one more habit done that day; anything less is left out.
      if (!complete) continue;
      tally.due++;
      tally.complete++;
      tally.score++;
      continue;
    }
    const score = dayScore(habit, entry);
    tally.due++;
    tally.score += score;
    if (complete) tally.complete++;
    else if (score > 0) tally.partial++;
  }
  return tally;
}

/** One day of the dashboard's overview from its tally. */
export function overallDay(tally: DayTally, date: string, today: string): GridDay {
  const { due, complete, partial } = tally;
  if (due === 0) return { state: "off", score: 0, label: "nothing due" };
  const score = tally.score / due;
  const label = `${complete} of ${due} ${due === 1 ? "habit" : "habits"} done` +
    (partial > 0 ? `, ${partial} in part` : "");
  if (score >= 1) return { state: "done", score: 1, label };
  if (score > 0) return { state: "partial", score, label };
  return { state: date === today ? "open" : "missed", score, label };
}

/** Every day from `from` to `today` across `habits`: the share of the day's habits done. */
export function overallGridDays(
  habits: readonly GridHabit[],
  index: CheckinIndex,
  from: string,
  today: string,
): Map<string, GridDay> {
  const days = new Map<string, GridDay>();
  for (let n = dayNumber(from), last = dayNumber(today); n <= last; n++) {
    const date = fromDayNumber(n);
    days.set(date, overallDay(tallyDay(habits, index, date, today), date, today));
  }
  return days;
}

/** How many of the last `window` days (today included) reached a full score. */
export function fullDays(days: ReadonlyMap<string, GridDay>, today: string, window = 365): number {
  let count = 0;
  const last = dayNumber(today);
  for (let i = 0; i < window; i++) {
    if ((days.get(fromDayNumber(last - i))?.score ?? 0) >= 1) count++;
  }
  return count;
}

/**
 * Consecutive full days up to today, for the dashboard: today still open, days with
 * nothing due neither break nor extend the run.
 */
export function overallStreak(days: ReadonlyMap<string, GridDay>, today: string): number {
  let streak = 0;
  const last = dayNumber(today);
  for (let i = 0;; i++) {
    const day = days.get(fromDayNumber(last - i));
    if (!day) return streak;
    if (day.score >= 1) streak++;
    else if (day.state !== "off" && i > 0) return streak;
  }
}
