/**
 * What each thing of Loop Habit Tracker becomes in the habit model of API.md ("Habit
 * model"), as one pure mapping used by both Loop imports (the `.db` backup and the CSV
 * zip). Its output names the model's values: check-in status `failed`, schedules
 * `monthly` and `times_in_days`, numeric `direction`. Where the model that is live
 * today cannot hold one of them yet, `app/loop/todays_model.ts` says what it becomes
 * until then: that is the one place to change when the model lands. Pure: no I/O.
 *
 * | Loop | the habit model |
 * |---|---|
 * | frequency n/n (Loop's "every day") | `{type:"daily"}` |
 * | n/7 (Loop's "n times per week") | `{type:"weekly", times:n}` |
 * | n/30 (Loop's "n times per month") | `{type:"monthly", times:n}` |
 * | any other n/d, d ≤ 365 ("2 times in 3 days", "once every 10 days") | `{type:"times_in_days", times:n, days:d}`: the same rolling window Loop uses |
 * | n/d with d > 365 (Loop allows it; the model's window stops at 365) | `times_in_days` over 365 days, `times` scaled to the same rate (at least 1) |
 * | numeric target type at least / at most | `direction` `at_least` / `at_most`, the target as it is |
 * | `YES_MANUAL` | `done` |
 * | `SKIP` | `skipped` |
 * | `NO` | `failed`: Loop's explicit miss |
 * | an amount (numeric habits) | `done` with that value (0 too: for an at-most habit it is the best day) |
 * | `YES_AUTO` | nothing: Loop derived it from the frequency, and the `times_in_days` schedule derives it again |
 * | `UNKNOWN` | nothing |
 * | a note on a `YES_MANUAL`/`SKIP`/`NO`/amount day | the check-in's note |
 * | a note on a `YES_AUTO` or `UNKNOWN` day | a `skipped` check-in holding the note (see below) |
 *
 * ## A note on a day the user did not mark
 * Loop lets a note stand on a day without a mark of the user: one it derived as done
 * (`YES_AUTO`: the frequency was met by other days) or one left empty. A check-in is the
 * only place the model keeps a day's note, and every check-in has a status. `done` would
 * claim the habit was done that day, `failed` that it was missed; `skipped` is the one
 * status that neither extends nor breaks a streak and leaves rates and strength as they
 * were, so the note comes across on a skip. On a `YES_AUTO` day that is what Loop means
 * too: the day was not due.
 *
 * @example
 * ```ts
 * mapLoopFrequency({ numerator: 2, denominator: 3 }); // { type: "times_in_days", times: 2, days: 3 }
 * mapLoopEntry({ date: "2015-01-24", mark: "NO", notes: "Sick" });
 * // { date: "2015-01-24", status: "failed", value: null, note: "Sick" }
 * ```
 */
import type { LoopEntry, LoopFrequency, LoopHabit } from "./loop_backup_format.ts";
import { TIMES_IN_DAYS_MAX } from "./limits.ts";

/** A schedule of the habit model (API.md "Habit model"; `weekdays` has no Loop counterpart). */
export type ModelSchedule =
  | { type: "daily" }
  | { type: "weekly"; times: number }
  | { type: "monthly"; times: number }
  | { type: "times_in_days"; times: number; days: number };

/** A check-in status of the habit model. */
export type ModelStatus = "done" | "skipped" | "failed";

/** One day of a habit in the habit model. */
export interface ModelCheckin {
  /** `YYYY-MM-DD`. */
  date: string;
  status: ModelStatus;
  /** Numeric habits' amount (`done` only); null otherwise. */
  value: number | null;
  /** Null when there is none. */
  note: string | null;
}

/** A habit in the habit model, as Loop's habit maps onto it. */
export interface ModelHabit {
  name: string;
  /** `#rrggbb`, lowercase. */
  color: string;
  kind: "boolean" | "numeric";
  /** Numeric habits: the daily target as Loop has it (may be 0 or less); null for yes/no habits. */
  target: number | null;
  /** Numeric habits: Loop's unit (may be empty); null for yes/no habits. */
  unit: string | null;
  /** Numeric habits: met at or above, or at or below, the target; null for yes/no habits. */
  direction: "at_least" | "at_most" | null;
  schedule: ModelSchedule;
  archived: boolean;
  /** Loop's question and description: the model has no field for them yet (kept here so a caller can say so). */
  question: string;
  description: string;
  /** A reminder at `HH:MM` local on ISO weekdays (empty: Loop keeps it and it never fires); null without one. */
  reminder: { time: string; days: number[] } | null;
  /** By day, oldest first. */
  checkins: ModelCheckin[];
  /** Days Loop derived (`YES_AUTO`) or left empty (`UNKNOWN`) without a note: nothing to import. */
  derivedDays: number;
}

/**
 * Loop's frequency "n times in d days" as a schedule of the model (see the module table).
 *
 * @example
 * ```ts
 * mapLoopFrequency({ numerator: 3, denominator: 7 }); // { type: "weekly", times: 3 }
 * mapLoopFrequency({ numerator: 1, denominator: 10 }); // { type: "times_in_days", times: 1, days: 10 }
 * ```
 */
export function mapLoopFrequency({ numerator, denominator }: LoopFrequency): ModelSchedule {
  if (numerator >= denominator) return { type: "daily" };
  if (denominator === 7) return { type: "weekly", times: numerator };
  if (denominator === 30) return { type: "monthly", times: numerator };
  if (denominator <= TIMES_IN_DAYS_MAX) return { type: "times_in_days", times: numerator, days: denominator };
  const times = Math.max(1, Math.round((numerator * TIMES_IN_DAYS_MAX) / denominator));
  return { type: "times_in_days", times, days: TIMES_IN_DAYS_MAX };
}

/**
 * One day of a Loop habit as a check-in of the model, or null when there is nothing to
 * import (a derived or empty day without a note). See the module table.
 *
 * @example
 * ```ts
 * mapLoopEntry({ date: "2015-01-23", mark: "YES_AUTO", notes: "Forgot to do it, really" });
 * // { date: "2015-01-23", status: "skipped", value: null, note: "Forgot to do it, really" }
 * ```
 */
export function mapLoopEntry(entry: LoopEntry): ModelCheckin | null {
  const note = entry.notes === "" ? null : entry.notes;
  const day = (status: ModelStatus, value: number | null = null): ModelCheckin => ({
    date: entry.date,
    status,
    value,
    note,
  });
  switch (entry.mark) {
    case "YES_MANUAL":
      return day("done");
    case "SKIP":
      return day("skipped");
    case "NO":
      return day("failed");
    case "AMOUNT":
      return day("done", entry.amount);
    case "YES_AUTO":
    case "UNKNOWN":
      return note === null ? null : day("skipped");
  }
}

/** `HH:MM`. */
function clock(hour: number, minute: number): string {
  return `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
}

/**
 * A Loop habit (from the backup, or rebuilt from the CSV) in the habit model.
 *
 * @example
 * ```ts
 * const habits = backup.habits.map(mapLoopHabit);
 * ```
 */
export function mapLoopHabit(habit: LoopHabit): ModelHabit {
  const numeric = habit.type === "numeric";
  const checkins: ModelCheckin[] = [];
  let derivedDays = 0;
  for (const entry of habit.entries) {
    const checkin = mapLoopEntry(entry);
    if (checkin) checkins.push(checkin);
    else derivedDays++;
  }
  return {
    name: habit.name,
    color: habit.color.hex,
    kind: habit.type,
    target: numeric ? habit.targetValue : null,
    unit: numeric ? habit.unit : null,
    direction: numeric ? habit.targetType : null,
    schedule: mapLoopFrequency(habit.frequency),
    archived: habit.archived,
    question: habit.question,
    description: habit.description,
    reminder: habit.reminder
      ? { time: clock(habit.reminder.hour, habit.reminder.minute), days: habit.reminder.days }
      : null,
    checkins,
    derivedDays,
  };
}
