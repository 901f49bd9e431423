/**
 * A habit's own fields: the one declaration of its shape. The database's `Habit`
 * (db/habits.ts) adds its timestamps and loaded pauses, the export's `ExportHabit`
 * (domain/export_format.ts) its check-ins, and components pick what they show.
 *
 * @example
 * ```ts
 * function label(habit: Pick<HabitFields, "name" | "unit">) { … }
 * ```
 */
import type { Direction } from "./completion.ts";
import type { Schedule } from "./stats.ts";

/** Yes/no, or an amount a day. */
export type HabitKind = "boolean" | "numeric";

/** What a habit is, whoever reads it. */
export interface HabitFields {
  id: string;
  name: string;
  /** `#rrggbb`, lowercase. */
  color: string;
  kind: HabitKind;
  /** Numeric habits: the amount a day needs to count as complete; null for yes/no habits. */
  target: number | null;
  /** Numeric habits: what the target counts ("pages"); null for yes/no habits. */
  unit: string | null;
  schedule: Schedule;
  /** Numeric habits: `at_least` the target (a goal) or `at_most` (a limit); yes/no habits `at_least`. */
  direction: Direction;
  archived: boolean;
  /** 0-based place in its list (active or archived). */
  position: number;
  /** The user-local day the habit was created (`YYYY-MM-DD`): statistics count from here. */
  startDate: string;
  /** 0–10 tags, unique ignoring case (domain/tags.ts). */
  tags: string[];
}
