/**
 * What a share link shows: a habit's year grid as SVG, drawn from its check-ins in its
 * owner's timezone and week order, titled with the habit's name only when the owner
 * chose to show it. Nothing else of the user leaves through here: no user id, no notes,
 * no other habit.
 *
 * @example
 * ```ts
 * const grid = await loadSharedGrid(db, token); // undefined: unknown or revoked
 * new Response(grid.svg, { headers: { "content-type": "image/svg+xml; charset=utf-8" } });
 * ```
 */
import { gridStart, habitLegend } from "@/components/ConsistencyGrid.tsx";
import { gridSvgDocument } from "@/components/GridSvg.tsx";
import { habitGridDays, indexCheckins } from "@/domain/grid_days.ts";
import { listCheckins } from "@/db/checkins.ts";
import type { DbQueries } from "@/db/client.ts";
import { getHabit } from "@/db/habits.ts";
import { findShare } from "@/db/shares.ts";
import { localDay } from "@/domain/calendar.ts";

/** A shared grid, ready to serve. */
export interface SharedGrid {
  /** The habit's name when its owner shows it, else undefined. */
  title?: string;
  /** The standalone SVG document. */
  svg: string;
}

/** The grid behind `token`, or undefined when the token opens nothing (unknown, revoked, habit gone). */
export async function loadSharedGrid(db: DbQueries, token: string, now = new Date()): Promise<SharedGrid | undefined> {
  const ref = await findShare(db, token);
  if (!ref) return undefined;
  const habit = await getHabit(db, ref.userId, ref.habitId);
  if (!habit) return undefined;
  const today = localDay(ref.timezone, now);
  const from = gridStart(today, ref.weekStart);
  const checkins = await listCheckins(db, ref.userId, ref.habitId, from, today);
  const byDate = indexCheckins(checkins).get(habit.id) ?? new Map();
  const title = ref.showName ? habit.name : undefined;
  const svg = gridSvgDocument({
    id: "shared-grid",
    today,
    weekStart: ref.weekStart,
    days: habitGridDays(habit, byDate, from, today),
    title,
    color: habit.color ?? undefined,
    legend: habitLegend(habit),
  });
  return { title, svg };
}
