/**
 * The text alternative of the dashboard's "Your year" ("every scheduled habit done on 40
 * days of the last 365; current run 3 days"), kept in step with today's check-ins: the
 * days before today come from the server, today from the habits' live states.
 *
 * @example
 * ```tsx
 * <YearSummary habits={liveHabits} today={today} fullBefore={39} runBefore={2} />
 * ```
 */
import { type LiveHabit, liveToday } from "@/components/habit_live.ts";
import { countOf } from "@/components/counts.ts";

export interface YearSummaryProps {
  habits: LiveHabit[];
  today: string;
  /** Full days among the 364 before today. */
  fullBefore: number;
  /** The run of full days that ended yesterday (days with nothing due passed over). */
  runBefore: number;
}

export default function YearSummary({ habits, today, fullBefore, runBefore }: YearSummaryProps) {
  const full = liveToday(habits, today).score >= 1;
  return (
    <span>
      {`All habits: every scheduled habit done on ${countOf(fullBefore + (full ? 1 : 0), "day")} of the last 365; ` +
        `current run ${countOf(runBefore + (full ? 1 : 0), "day")}.`}
    </span>
  );
}
