/**
 * What the model live today holds of a Loop habit mapped onto the full habit model
 * (`domain/loop_mapping.ts`). THE one place that changes when the habit model of API.md
 * lands (check-in status `failed`, schedules `monthly`/`times_in_days`, numeric
 * `direction`): until then
 *
 * - a `failed` day (Loop's `NO`) is not imported (its note neither: a note needs a check-in);
 * - `monthly` and `times_in_days` become the nearest weekly count, `round(7 · times / days)`
 *   between 1 and 7 (2 times in 3 days → 5 per week), as the CSV import always did;
 * - `direction` is dropped: an at-most habit is imported with its target, and is met at
 *   or above it until the model can say otherwise;
 * - a target of 0 or less (Loop allows it, the model wants one above 0) becomes 1.
 *
 * Each loss is counted in {@linkcode TodaysModelLosses}, so the caller can say it.
 *
 * @example
 * ```ts
 * const { schedule, checkins } = toTodaysModel(mapLoopHabit(loopHabit));
 * ```
 */
import type { ModelHabit, ModelSchedule } from "@/domain/loop_mapping.ts";
import { HABIT_UNIT_MAX } from "@/domain/habit_input.ts";
import { cleanImportedText, type ImportCheckin, type ImportHabit } from "@/domain/import_data.ts";
import type { Schedule } from "@/domain/stats.ts";

/** What a habit lost on its way into today's model. */
export interface TodaysModelLosses {
  /** `failed` days left out (with their notes). */
  failedDays: number;
  /** The schedule became a weekly count. */
  scheduleApproximated: boolean;
  /** An at-most habit was imported as at-least. */
  directionDropped: boolean;
}

/** A Loop habit as today's model holds it. */
export interface TodaysModelHabit {
  target: number | null;
  schedule: Schedule;
  checkins: ImportCheckin[];
  losses: TodaysModelLosses;
}

/** The nearest schedule today's model has (see the module header). */
export function todaysSchedule(schedule: ModelSchedule): Schedule {
  switch (schedule.type) {
    case "daily":
    case "weekly":
      return schedule;
    case "monthly":
      return { type: "weekly", times: weeklyTimes(schedule.times, 30) };
    case "times_in_days":
      return schedule.days === 1
        ? { type: "daily" }
        : { type: "weekly", times: weeklyTimes(schedule.times, schedule.days) };
  }
}

function weeklyTimes(times: number, days: number): number {
  return Math.min(7, Math.max(1, Math.round((7 * times) / days)));
}

/**
 * The parts of `habit` today's model cannot hold as they are, made to fit (see the
 * module header), and what that cost.
 */
export function toTodaysModel(habit: ModelHabit): TodaysModelHabit {
  // Pending the habit model (check-in status `failed`): a NO day is left out for now.
  const checkins = habit.checkins.flatMap((c) =>
    c.status === "failed" ? [] : [{ date: c.date, status: c.status, value: c.value, note: c.note }]
  );
  const schedule = todaysSchedule(habit.schedule);
  return {
    target: habit.kind === "numeric" ? (habit.target !== null && habit.target > 0 ? habit.target : 1) : null,
    schedule,
    checkins,
    losses: {
      failedDays: habit.checkins.length - checkins.length,
      scheduleApproximated: schedule.type !== habit.schedule.type,
      // Pending the habit model (`direction`).
      directionDropped: habit.direction === "at_most",
    },
  };
}

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * A mapped Loop habit as the import writes it today: {@linkcode toTodaysModel}, the unit
 * cut to the model's length (`units` when empty), notes cleaned like every imported text
 * (empty → none). `from` says what the file decides: the id it is matched by, its place
 * and its start date.
 *
 * @example
 * ```ts
 * const habit = importHabitOf(mapLoopHabit(loopHabit), { sourceId, position: 0, startDate: "2024-03-01" });
 * ```
 */
export function importHabitOf(
  model: ModelHabit,
  from: { sourceId: string; position: number; startDate: string },
): ImportHabit {
  const fitted = toTodaysModel(model);
  const unit = cleanImportedText([...(model.unit ?? "")].slice(0, HABIT_UNIT_MAX).join(""));
  return {
    ...from,
    name: model.name,
    color: model.color,
    kind: model.kind,
    target: fitted.target,
    unit: model.kind === "numeric" ? (unit && !CONTROL.test(unit) ? unit : "units") : null,
    schedule: fitted.schedule,
    archived: model.archived,
    checkins: fitted.checkins.map((c) => ({ ...c, note: c.note === null ? null : cleanImportedText(c.note) || null })),
  };
}
