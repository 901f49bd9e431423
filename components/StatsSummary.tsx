/**
 * A habit's statistics as a row of figures: current and longest streak, completion
 * over 30 and 365 days, total days done, and strength (0–100, Loop's score).
 *
 * @example
 * ```tsx
 * <StatsSummary stats={stats} unit="day" />
 * ```
 */
import type { HabitStats } from "@/domain/stats.ts";
import { countOf, percent } from "./habit_labels.ts";

export function StatsSummary({ stats, unit }: { stats: HabitStats; unit: "day" | "week" | "month" }) {
  const figures: [string, string][] = [
    ["Current streak", countOf(stats.currentStreak, unit)],
    ["Longest streak", countOf(stats.longestStreak, unit)],
    ["Last 30 days", percent(stats.completionRate30)],
    ["Last 365 days", percent(stats.completionRate365)],
    ["Total done", countOf(stats.totalDone, "day")],
    ["Strength", `${stats.strength} of 100`],
  ];
  return (
    <dl class="stats">
      {figures.map(([label, value]) => (
        <div class="stat">
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
