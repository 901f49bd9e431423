/**
 * A Loop habit mapped onto the habit model (`domain/loop_mapping.ts`) as the import
 * writes it. The habit model of API.md is live (sql/016, `domain/completion.ts`), so
 * every part of the mapping is kept as it is:
 *
 * - a `failed` day (Loop's `NO`) is imported as `failed`, with its note;
 * - `monthly` and `times_in_days` schedules are imported as such;
 * - an at-most habit keeps its `direction` (met at or below its target).
 *
 * One thing still has to be fitted: a target of 0 or less (Loop allows it, the model
 * wants one above 0) becomes 1.
 *
 * @example
 * ```ts
 * const { schedule, checkins } = toTodaysModel(mapLoopHabit(loopHabit));
 * ```
 */
import type { ModelHabit } from "@/domain/loop_mapping.ts";
import { cleanImportedText, type ImportCheckin, type ImportHabit } from "@/domain/import_data.ts";
import type { Direction, Schedule } from "@/domain/completion.ts";
import { HABIT_UNIT_MAX } from "@/domain/limits.ts";
import { ONE_LINE_CONTROL } from "@/domain/text_rules.ts";

/** A Loop habit as the model holds it. */
export interface TodaysModelHabit {
  target: number | null;
  /** Numeric habits only; null for yes/no habits. */
  direction: Direction | null;
  schedule: Schedule;
  checkins: ImportCheckin[];
}

/** `habit` as the model holds it (see the module header). */
export function toTodaysModel(habit: ModelHabit): TodaysModelHabit {
  return {
    target: habit.kind === "numeric" ? (habit.target !== null && habit.target > 0 ? habit.target : 1) : null,
    direction: habit.kind === "numeric" ? habit.direction ?? "at_least" : null,
    schedule: habit.schedule,
    checkins: habit.checkins.map((c) => ({ date: c.date, status: c.status, value: c.value, note: c.note })),
  };
}

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
    ...(fitted.direction === "at_most" ? { direction: "at_most" as const } : {}),
    unit: model.kind === "numeric" ? (unit && !ONE_LINE_CONTROL.test(unit) ? unit : "units") : null,
    schedule: fitted.schedule,
    archived: model.archived,
    checkins: fitted.checkins.map((c) => ({ ...c, note: c.note === null ? null : cleanImportedText(c.note) || null })),
  };
}
