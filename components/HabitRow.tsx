/**
 * One habit in the dashboard's "today" list: its color, name (a link to its page), what
 * it asks for, and the one-tap check-in. The row's id (`habit-<id>`) is where a check-in
 * without JavaScript comes back to, so the page does not jump to the top.
 *
 * @example
 * ```tsx
 * <HabitRow habit={habit} today="2026-03-04" live={signal({ status: null, value: null, stats })} />
 * ```
 */
import type { Signal } from "@preact/signals";
import CheckinToggle from "@/islands/CheckinToggle.tsx";
import type { HabitFields } from "@/domain/habit.ts";
import type { HabitLive } from "./habit_live.ts";
import { describeSchedule, describeTarget, safeColor, streakUnit } from "./habit_labels.ts";

export interface HabitRowProps {
  habit: Pick<HabitFields, "id" | "name" | "color" | "kind" | "target" | "unit" | "schedule">;
  today: string;
  /** Today's check-in and the statistics, shared with the page's other islands. */
  live: Signal<HabitLive>;
}

export function HabitRow({ habit, today, live }: HabitRowProps) {
  const meta = [describeSchedule(habit.schedule), describeTarget(habit)].filter(Boolean).join(" · ");
  return (
    <li class="habit-row" id={`habit-${habit.id}`}>
      <span class="habit-swatch" style={`--habit-color:${safeColor(habit.color)}`} aria-hidden="true"></span>
      <div class="habit-row-text">
        <a class="habit-name" href={`/habits/${habit.id}`}>{habit.name}</a>
        <span class="habit-meta">{meta}</span>
      </div>
      <CheckinToggle
        habitId={habit.id}
        habitName={habit.name}
        date={today}
        kind={habit.kind}
        target={habit.target}
        unit={habit.unit}
        live={live}
        streakUnit={streakUnit(habit.schedule)}
        returnTo={`/app#habit-${habit.id}`}
      />
    </li>
  );
}
