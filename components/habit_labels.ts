/**
 * How a habit's settings read in the UI: its schedule, its target, what its streaks
 * count. One place, so the dashboard, the habit page and the forms say the same thing.
 *
 * @example
 * ```ts
 * describeSchedule({ type: "weekdays", days: [1, 3, 5] }); // "Mon, Wed, Fri"
 * describeTarget({ kind: "numeric", target: 8, unit: "km" }); // "8 km a day"
 * ```
 */
import { type Weekday, weekdayName } from "@/domain/calendar.ts";
import { DEFAULT_HABIT_COLOR } from "@/domain/habit_input.ts";
import type { Schedule } from "@/domain/stats.ts";
import { formatAmount } from "@/domain/grid_days.ts";

// Re-exported: islands import them from ./counts.ts, which pulls in no validation code.
export { countOf, percent } from "./counts.ts";

export function describeSchedule(schedule: Schedule): string {
  if (schedule.type === "daily") return "Every day";
  if (schedule.type === "weekly") return schedule.times === 1 ? "Once a week" : `${schedule.times} times a week`;
  if (schedule.type === "monthly") return schedule.times === 1 ? "Once a month" : `${schedule.times} times a month`;
  if (schedule.type === "interval") return `Every ${schedule.every} days`;
  if (schedule.type === "times_in_days") {
    return `${schedule.times === 1 ? "Once" : `${schedule.times} times`} in any ${schedule.days} days`;
  }
  if (schedule.days.length === 7) return "Every day";
  return [...schedule.days].sort((a, b) => a - b).map((day) => weekdayName(day, "short")).join(", ");
}

/** "8 km a day" for numeric habits ("at most 2 coffees a day" for limits); empty for yes/no ones. */
export function describeTarget(
  habit: { kind: string; target: number | null; unit: string | null; direction?: string },
): string {
  if (habit.kind !== "numeric" || habit.target === null) return "";
  const amount = `${formatAmount(habit.target)}${habit.unit ? ` ${habit.unit}` : ""} a day`;
  return habit.direction === "at_most" ? `at most ${amount}` : amount;
}

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/** The habit's color when it is a well-formed "#rrggbb" (it goes into a style attribute), else the default. */
export function safeColor(color: string | null | undefined): string {
  return color && HEX_COLOR.test(color) ? color : DEFAULT_HABIT_COLOR;
}

/** Weekly habits count their streaks in weeks, monthly ones in months, the others in days. */
export function streakUnit(schedule: Schedule): "day" | "week" | "month" {
  return schedule.type === "weekly" ? "week" : schedule.type === "monthly" ? "month" : "day";
}

/** The weekdays in the user's week order, starting at `weekStart`. */
export function weekOrder(weekStart: Weekday): Weekday[] {
  return Array.from({ length: 7 }, (_, i) => ((weekStart - 1 + i) % 7 + 1) as Weekday);
}
