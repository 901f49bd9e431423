/**
 * What the dashboard renders, computed once from the user's habits and check-ins and
 * small enough to cache whole: per habit what its row, toggle and streaks line show
 * (today's check-in and its statistics), and "Your year" as encoded days
 * (./day_codes.ts). The raw check-ins stay in Postgres: the cache holds ~0.5 KB per habit
 * plus ~2 KB for the year, where it held a year of rows per habit (issue 13 §3).
 *
 * @example
 * ```ts
 * const view = dashboardView(habits, checkins, today, weekStart, gridStart(today, weekStart));
 * const days = decodeDays(view.year); // the overall grid's days
 * ```
 */
import type { Weekday } from "./calendar.ts";
import { type GridCheckin, type GridHabit, indexCheckins, overallGridDays } from "./grid_days.ts";
import { type DayEntry, type HabitStats, habitStats } from "./stats.ts";
import { DAY_CODES_FORMAT, encodeDays, type EncodedDays } from "./day_codes.ts";

/** The version of {@linkcode DashboardView}'s shape: part of its cache key, bump it on any change. */
export const DASHBOARD_VIEW_FORMAT = `3.${DAY_CODES_FORMAT}`;

/** A habit as the dashboard's list, toggle, streaks table and today's square use it. */
export interface DashboardHabit extends GridHabit {
  name: string;
  color: string;
  /** The habit's tags (the dashboard filters and groups by them). */
  tags: string[];
  /** Today's check-in, if any. */
  today: DayEntry | null;
  stats: HabitStats;
}

/** The dashboard's habits and its year, as cached. */
export interface DashboardView {
  /** Active habits in the user's order. */
  habits: DashboardHabit[];
  /** "Your year" from the grid's first day to today. */
  year: EncodedDays;
}

/**
 * Computes the view of `habits` (active, in order) from their `checkins` (every day
 * their statistics and the grid need, up to today; see db/dashboard.ts).
 */
export function dashboardView(
  habits: readonly (GridHabit & { name: string; color: string; tags?: readonly string[] })[],
  checkins: Iterable<GridCheckin>,
  today: string,
  weekStart: Weekday,
  gridFrom: string,
): DashboardView {
  const index = indexCheckins(checkins);
  const rows = habits.map((h): DashboardHabit => {
    const byDate = index.get(h.id) ?? new Map<string, DayEntry>();
    const entry = byDate.get(today);
    return {
      id: h.id,
      name: h.name,
      color: h.color,
      tags: [...(h.tags ?? [])],
      kind: h.kind,
      target: h.target,
      unit: h.unit,
      schedule: h.schedule,
      startDate: h.startDate,
      // Only when set, so the cached JSON of habits without them stays as small as before.
      ...(h.direction && h.direction !== "at_least" ? { direction: h.direction } : {}),
      ...(h.pauses?.length ? { pauses: h.pauses.map((p) => ({ from: p.from, to: p.to })) } : {}),
      today: entry ? { status: entry.status, value: entry.value } : null,
      stats: habitStats(h, byDate, today, weekStart),
    };
  });
  return { habits: rows, year: encodeDays(overallGridDays(habits, index, gridFrom, today), gridFrom, today) };
}
