/**
 * The habit page's charts, each answering one question: how strong is the habit (Loop's
 * score over the last year, `strengthSeries` of domain/stats.ts), on which weekdays does
 * it happen, how did the last 12 months go, what were the best streaks and when. The
 * numbers come from domain/habit_charts.ts (the one completion module's periods); this
 * file only words them.
 *
 * @example
 * ```tsx
 * <HabitCharts habit={habit} checkins={byDate} today={today} weekStart={weekStart} currentStreak={3} />
 * ```
 */
import {
  bestStreaks,
  completionByMonth,
  completionByWeekday,
  type MonthCompletion,
  streakRuns,
  type WeekdayChart,
} from "@/domain/habit_charts.ts";
import { weekdayName } from "@/domain/calendar.ts";
import type { DayEntry, HabitRule } from "@/domain/completion.ts";
import type { Weekday } from "@/domain/calendar.ts";
import { addDays } from "@/domain/calendar.ts";
import { strengthSeries } from "@/domain/stats.ts";
import { type Bar, BarChart } from "./BarChart.tsx";
import { StrengthChart } from "./StrengthChart.tsx";
import { BestStreaks } from "./BestStreaks.tsx";
import { countOf, percent, streakUnit } from "./habit_labels.ts";

const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

export interface HabitChartsProps {
  habit: HabitRule & { color: string };
  checkins: ReadonlyMap<string, DayEntry>;
  today: string;
  weekStart: Weekday;
  /** stats.currentStreak: marks the running streak in the best streaks. */
  currentStreak: number;
}

/** "January 2026" from `YYYY-MM`. */
export function monthName(month: string): string {
  const [year, m] = month.split("-").map(Number);
  return `${MONTH_NAMES[m - 1]} ${year}`;
}

/** The weekday chart's bars: rates for schedules of given days, counts otherwise. */
export function weekdayBars(chart: WeekdayChart): Bar[] {
  return chart.days.map((day) => {
    const name = `${weekdayName(day.weekday)}s`;
    const label = weekdayName(day.weekday, "short");
    if (chart.mode === "count") return { label, name, value: day.done, text: String(day.done), detail: "" };
    if (day.due === 0) return { label, name, value: null, text: "nothing expected", detail: "" };
    return { label, name, value: day.rate, text: percent(day.rate), detail: `${day.met} of ${day.due} done` };
  });
}

/** The month chart's bars; months with nothing expected draw no bar. */
export function monthBars(months: readonly MonthCompletion[]): Bar[] {
  return months.map((month) => {
    const name = monthName(month.month);
    const label = name.slice(0, 3);
    if (month.due === 0) return { label, name, value: null, text: "nothing expected", detail: "" };
    return { label, name, value: month.rate, text: percent(month.rate), detail: `${month.met} of ${month.due} done` };
  });
}

/** A sentence naming the extremes of the rated bars: "Best on Mondays (92 %), weakest on Saturdays (40 %)." */
function extremes(bars: readonly Bar[], prefix: string): string {
  const rated = bars.filter((bar) => bar.value !== null);
  if (rated.length === 0) return "Nothing was expected yet.";
  const best = rated.reduce((a, b) => (b.value! > a.value! ? b : a));
  const worst = rated.reduce((a, b) => (b.value! < a.value! ? b : a));
  if (best.value === worst.value) return `${prefix}: ${best.text} throughout.`;
  return `${prefix}: best ${best.name} (${best.text}), weakest ${worst.name} (${worst.text}).`;
}

/** The charts section's content (see the module doc). */
export function HabitCharts({ habit, checkins, today, weekStart, currentStreak }: HabitChartsProps) {
  const weekdays = completionByWeekday(habit, checkins, today, weekStart);
  const byWeekday = weekdayBars(weekdays);
  const byMonth = monthBars(completionByMonth(habit, checkins, today, weekStart));
  const runs = streakRuns(habit, checkins, today, weekStart);
  const current = currentStreak > 0 ? runs.at(-1) : undefined;
  const unit = streakUnit(habit.schedule);
  const weekdayMax = weekdays.mode === "rate" ? 1 : Math.max(1, ...weekdays.days.map((d) => d.done));
  const yearAgo = addDays(today, -364);
  const strength = strengthSeries(
    habit,
    checkins,
    habit.startDate > yearAgo ? habit.startDate : yearAgo,
    today,
    weekStart,
  )
    .map((point) => ({ date: point.date, value: Math.round(point.strength * 100) }));
  return (
    <div class="habit-charts">
      <div class="chart-block">
        <h3 id="strength-heading">Strength</h3>
        <StrengthChart id="strength" series={strength} color={habit.color} />
      </div>
      <div class="chart-block">
        <h3 id="by-weekday-heading">By weekday</h3>
        <BarChart
          id="by-weekday"
          title={weekdays.mode === "rate"
            ? "Expected days done, by weekday, over the last year"
            : "Days done, by weekday, over the last year"}
          caption={weekdays.mode === "rate"
            ? extremes(byWeekday, "Over the last year")
            : `Any day of the week counts for this schedule, so this counts the days done on each weekday over the last year: ${
              countOf(weekdays.days.reduce((sum, d) => sum + d.done, 0), "day")
            } in all.`}
          bars={byWeekday}
          max={weekdayMax}
          axis={weekdays.mode === "rate" ? "percent" : "count"}
          color={habit.color}
          columns={["Weekday", weekdays.mode === "rate" ? "Done" : "Days done", "Expected"]}
        />
      </div>
      <div class="chart-block">
        <h3 id="by-month-heading">By month</h3>
        <BarChart
          id="by-month"
          title="Expected days done, by month, over the last 12 months"
          caption={extremes(byMonth, "The last 12 months")}
          bars={byMonth}
          max={1}
          axis="percent"
          color={habit.color}
          columns={["Month", "Done", "Expected"]}
        />
      </div>
      <div class="chart-block">
        <h3 id="best-streaks-heading">Best streaks</h3>
        <BestStreaks
          runs={bestStreaks(habit, checkins, today, weekStart, 5)}
          unit={unit}
          currentStart={current?.start}
          color={habit.color}
        />
      </div>
    </div>
  );
}
