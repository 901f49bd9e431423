/**
 * A habit's best streaks (the longest runs, with their first and last day) as a list:
 * the words carry the numbers, and a bar drawn in SVG beside each shows its length
 * against the longest (decoration, hidden from assistive technology).
 *
 * @example
 * ```tsx
 * <BestStreaks runs={bestStreaks(habit, checkins, today, weekStart)} unit="day" currentStart={runs.at(-1)?.start} />
 * ```
 */
import type { StreakRun } from "@/domain/habit_charts.ts";
import { formatDay } from "@/domain/calendar.ts";
import { countOf, safeColor } from "./habit_labels.ts";

export interface BestStreaksProps {
  /** Longest first. */
  runs: readonly StreakRun[];
  /** What a streak counts. */
  unit: "day" | "week" | "month";
  /** The first day of the streak still running, if any: it is marked as current. */
  currentStart?: string;
  /** The habit's `#rrggbb`. */
  color?: string;
}

/** "2 Mar 2026". */
function shortDay(date: string): string {
  return formatDay(date).slice(4);
}

/** The list of best streaks (see the module doc). */
export function BestStreaks({ runs, unit, currentStart, color }: BestStreaksProps) {
  if (runs.length === 0) return <p class="muted">No streak yet: a streak starts with the first day done.</p>;
  const longest = runs[0].length;
  return (
    <ol class="best-streaks" style={color ? `--chart-color:${safeColor(color)}` : undefined}>
      {runs.map((run) => (
        <li key={run.start}>
          <span class="best-streak-length">{countOf(run.length, unit)}</span>
          <span class="best-streak-dates">
            <time dateTime={run.start}>{shortDay(run.start)}</time> –{" "}
            <time dateTime={run.end}>{shortDay(run.end)}</time>
            {run.start === currentStart && " (current)"}
          </span>
          <svg class="best-streak-bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">
            <rect class="chart-bar" x="0" y="0" height="8" width={Math.max(2, (run.length / longest) * 100)} />
          </svg>
        </li>
      ))}
    </ol>
  );
}
