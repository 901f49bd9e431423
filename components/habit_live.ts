/**
 * One source of truth per habit on the dashboard, shared by its islands: today's check-in
 * and the habit's statistics in one `@preact/signals` signal. The check-in toggle writes
 * it (at once, then with what the API saved); the streaks table, today's square in "Your
 * year" and that grid's summary read it, so the page never disagrees with itself.
 *
 * The server creates the signals while rendering (routes/app.tsx); the island runtime
 * sends each one once, and every island that was given it gets the same signal back.
 *
 * @example
 * ```ts
 * const live = signal<HabitLive>({ status: null, value: null, stats });
 * live.value = { ...live.value, status: "done" }; // every island reading it re-renders
 * ```
 */
import type { Signal } from "@preact/signals";
import type { CheckinStatus } from "@/domain/completion.ts";
import type { HabitStats } from "@/domain/stats.ts";
import { type GridDay, type GridHabit, overallDay, tallyDay } from "@/domain/grid_days.ts";

/** What changes when a habit is checked in today. */
export interface HabitLive {
  /** Today's check-in, if any. */
  status: CheckinStatus | null;
  value: number | null;
  stats: HabitStats;
}

/** A habit as the dashboard's islands need it: its rules and its live state. */
export type LiveHabit = Omit<GridHabit, "unit"> & { live: Signal<HabitLive> };

/** Today's square of "Your year" from the habits' live states. */
export function liveToday(habits: readonly LiveHabit[], today: string): GridDay {
  const index = new Map(
    habits.map((habit) => {
      const { status, value } = habit.live.value;
      return [habit.id, new Map(status ? [[today, { status, value }]] : [])];
    }),
  );
  return overallDay(tallyDay(habits, index, today), today, today);
}
