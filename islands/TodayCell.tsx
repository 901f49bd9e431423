/**
 * Today's square in the dashboard's "Your year": drawn like every other cell on the
 * server, then kept in step with the habits' live states (components/habit_live.ts), so
 * ticking a habit done fills it at once.
 *
 * @example
 * ```tsx
 * <ConsistencyGrid … todayCell={<TodayCell habits={liveHabits} today={today} />} />
 * ```
 */
import { cellClass } from "@/domain/grid_days.ts";
import { type LiveHabit, liveToday } from "@/components/habit_live.ts";
import { formatDay } from "@/domain/calendar.ts";

export interface TodayCellProps {
  habits: LiveHabit[];
  /** The user's local today. */
  today: string;
}

export default function TodayCell({ habits, today }: TodayCellProps) {
  const day = liveToday(habits, today);
  return <span class={cellClass(day, true)} title={`${formatDay(today)}: ${day.label}`}></span>;
}
