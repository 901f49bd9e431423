/**
 * What each day of a consistency grid shows: a 0–1 score (the cell's intensity) and a
 * short label for its title. Pure functions over a habit's check-ins, so the grid
 * component stays a plain "props in, SVG out" renderer.
 *
 * - One habit: `done`, `6 of 8 km` (numeric habits by value/target), `skipped`,
 *   `not scheduled`, `no check-in`.
 * - All habits (the dashboard): the share of the habits scheduled that day that were
 *   done. A weekly habit (N times a week) is never "due" on a given day, so it only
 *   counts on days it was done; a skipped habit leaves the day's denominator, as it
 *   leaves the rates'.
 *
 * @example
 * ```ts
 * const days = habitGridDays(habit, checkins, addDays(today, -370), today);
 * days.get("2026-03-03"); // { score: 0.75, label: "6 of 8 km" }
 * ```
 */
import { addDays, dayNumber, fromDayNumber } from "../lib/calendar.ts";
import { type DayEntry, dayScore, type HabitRule, isComplete, isScheduled } from "../lib/stats.ts";

/** One cell's content. */
export interface GridDay {
  /** 0 (nothing) … 1 (complete). */
  score: number;
  /** What happened, for the cell's title: "done", "6 of 8 km", "skipped". */
  label: string;
  /** Drawn with the skipped mark. */
  skipped?: boolean;
  /** Nothing was due: the day neither breaks nor extends a run. */
  idle?: boolean;
}

/** A habit as the grid needs it. */
export type GridHabit = HabitRule & { id: string; unit: string | null };

/** One day's check-in as the grid needs it. */
export type GridCheckin = DayEntry & { habitId: string; date: string };

/** Check-ins by habit id, then by date. */
export type CheckinIndex = Map<string, Map<string, DayEntry>>;

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

/** The label of one habit's day: what the check-in says, or why there is none. */
export function checkinLabel(
  habit: Pick<GridHabit, "kind" | "target" | "unit" | "schedule">,
  entry: DayEntry | undefined,
  date: string,
): string {
  if (entry?.status === "skipped") return "skipped";
  if (entry?.status === "done") {
    if (habit.kind !== "numeric" || !habit.target) return "done";
    const value = entry.value ?? habit.target;
    return `${formatAmount(value)} of ${formatAmount(habit.target)}${habit.unit ? ` ${habit.unit}` : ""}`;
  }
  return isScheduled(habit.schedule, date) ? "no check-in" : "not scheduled";
}

/** Every day from `from` to `today` of one habit. */
export function habitGridDays(
  habit: Omit<GridHabit, "id">,
  checkins: ReadonlyMap<string, DayEntry>,
  from: string,
  today: string,
): Map<string, GridDay> {
  const days = new Map<string, GridDay>();
  for (let n = dayNumber(from); n <= dayNumber(today); n++) {
    const date = fromDayNumber(n);
    const entry = checkins.get(date);
    days.set(date, {
      score: dayScore(habit, entry),
      label: checkinLabel(habit, entry, date),
      skipped: entry?.status === "skipped" || undefined,
    });
  }
  return days;
}

/** One day across habits: how many were due and how much of them got done. */
export interface DayTally {
  /** Habits that count this day. */
  due: number;
  /** Those complete. */
  complete: number;
  /** Sum of their scores (partial numeric days count in part). */
  score: number;
}

/** The tally of `date` over `habits` (active ones, in any order). */
export function tallyDay(habits: readonly GridHabit[], index: CheckinIndex, date: string): DayTally {
  const tally: DayTally = { due: 0, complete: 0, score: 0 };
  for (const habit of habits) {
    const entry = index.get(habit.id)?.get(date);
    if (entry?.status === "skipped") continue;
    const complete = isComplete(habit, entry);
    const due = habit.schedule.type === "weekly" ? entry?.status === "done" : date >= habit.startDate &&
      isScheduled(habit.schedule, date);
    // A check-in backfilled before the habit's start, or on an unscheduled day, still counts.
    if (!due && entry?.status !== "done") continue;
    tally.due++;
    tally.score += dayScore(habit, entry);
    if (complete) tally.complete++;
  }
  return tally;
}

/** Every day from `from` to `today` across `habits`: the share of the day's habits done. */
export function overallGridDays(
  habits: readonly GridHabit[],
  index: CheckinIndex,
  from: string,
  today: string,
): Map<string, GridDay> {
  const days = new Map<string, GridDay>();
  for (let n = dayNumber(from); n <= dayNumber(today); n++) {
    const date = fromDayNumber(n);
    const { due, complete, score } = tallyDay(habits, index, date);
    days.set(date, {
      score: due === 0 ? 0 : score / due,
      label: due === 0 ? "nothing scheduled" : `${complete} of ${due} ${due === 1 ? "habit" : "habits"} done`,
      idle: due === 0 || undefined,
    });
  }
  return days;
}

/** How many of the last `window` days (today included) reached a full score. */
export function fullDays(days: ReadonlyMap<string, GridDay>, today: string, window = 365): number {
  let count = 0;
  for (let i = 0; i < window; i++) {
    if ((days.get(addDays(today, -i))?.score ?? 0) >= 1) count++;
  }
  return count;
}

/**
 * Consecutive full days up to today, for the dashboard: today still open, days with
 * nothing due neither break nor extend the run.
 */
export function overallStreak(days: ReadonlyMap<string, GridDay>, today: string): number {
  let streak = 0;
  for (let i = 0;; i++) {
    const day = days.get(addDays(today, -i));
    if (!day) return streak;
    if (day.score >= 1) streak++;
    else if (!day.idle && i > 0) return streak;
  }
}
