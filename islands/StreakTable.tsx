/**
 * The dashboard's streaks table: each habit's current and longest streak and its last 30
 * days, read from the habit's live state (components/habit_live.ts), so a check-in from
 * the "Today" list shows here at once. Plain links and text: it works the same without
 * JavaScript, as the server drew it.
 *
 * @example
 * ```tsx
 * <StreakTable rows={habits.map((h) => ({ id: h.id, name: h.name, color: h.color, unit: "day", live }))} />
 * ```
 */
import type { Signal } from "@preact/signals";
import type { HabitLive } from "@/components/habit_live.ts";
import { countOf, percent } from "@/components/counts.ts";

export interface StreakRow {
  id: string;
  name: string;
  /** A checked "#rrggbb" (`safeColor`). */
  color: string;
  unit: "day" | "week" | "month";
  live: Signal<HabitLive>;
}

export default function StreakTable({ rows }: { rows: StreakRow[] }) {
  return (
    <table class="streaks">
      <thead>
        <tr>
          <th scope="col">Habit</th>
          <th scope="col">Current</th>
          <th scope="col">Longest</th>
          <th scope="col">30 days</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const { stats } = row.live.value;
          return (
            <tr key={row.id}>
              <th scope="row">
                <span class="habit-swatch" style={`--habit-color:${row.color}`} aria-hidden="true"></span>
                <a href={`/habits/${row.id}`}>{row.name}</a>
              </th>
              <td data-label="Current">{countOf(stats.currentStreak, row.unit)}</td>
              <td data-label="Longest">{countOf(stats.longestStreak, row.unit)}</td>
              <td data-label="30 days">{percent(stats.completionRate30)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
