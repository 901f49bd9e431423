/**
 * The rules table's cases (tests/domain/rules_table_test.ts, tests/db/rules_table_test.ts):
 * a numeric habit (target 4, at least) of each schedule, done in full on every other day
 * since its start, and one probe day (the last day before today its schedule names) that
 * holds one status and may be paused.
 *
 * @example
 * ```ts
 * const { habit, checkins, probe } = ruleCase({ type: "daily" }, "failed", true);
 * ```
 */
import { addDays, isoWeekday } from "@/domain/calendar.ts";
import type { DayEntry, HabitRule, Schedule } from "@/domain/completion.ts";

/** Every schedule type. */
export const RULE_SCHEDULES: Schedule[] = [
  { type: "daily" },
  { type: "weekly", times: 3 },
  { type: "weekdays", days: [1, 3, 5] },
  { type: "interval", every: 3 },
  { type: "monthly", times: 5 },
  { type: "times_in_days", times: 2, days: 4 },
];

/** What the probe day holds. */
export type ProbeStatus = "done" | "partial" | "skipped" | "failed" | "none";
export const PROBE_STATUSES: ProbeStatus[] = ["done", "partial", "skipped", "failed", "none"];

/** A Monday; the habit starts here. */
export const START = "2026-01-05";
/** The user's today: 80 days later (a Saturday). */
export const TODAY = addDays(START, 75);
/** The numeric habit's target. */
export const TARGET = 4;

/** The last day before today that the schedule names (every day for flexible schedules). */
export function probeDay(schedule: Schedule): string {
  let day = addDays(TODAY, -1);
  while (
    (schedule.type === "weekdays" && !schedule.days.includes(isoWeekday(day))) ||
    (schedule.type === "interval" &&
      Math.round((Date.parse(day) - Date.parse(START)) / 86_400_000) % schedule.every !== 0)
  ) day = addDays(day, -1);
  return day;
}

/** The check-in of the probe day, or none. */
export function probeEntry(status: ProbeStatus): DayEntry | undefined {
  switch (status) {
    case "done":
      return { status: "done", value: TARGET };
    case "partial":
      return { status: "done", value: TARGET / 4 };
    case "skipped":
      return { status: "skipped", value: null };
    case "failed":
      return { status: "failed", value: null };
    case "none":
      return undefined;
  }
}

/** One combination: a numeric habit (target 4, at least) done in full on every other day since its start. */
export function ruleCase(schedule: Schedule, status: ProbeStatus, paused: boolean) {
  const probe = probeDay(schedule);
  const habit: HabitRule & { id: string; unit: string | null } = {
    id: "h",
    unit: null,
    kind: "numeric",
    target: TARGET,
    direction: "at_least",
    schedule,
    startDate: START,
    pauses: paused ? [{ from: probe, to: probe }] : [],
  };
  const checkins = new Map<string, DayEntry>();
  // Every other day done before the probe: strength sits near the middle, where a day moves it either way.
  for (let day = START, i = 0; day < probe; day = addDays(day, 1), i++) {
    if (i % 2 === 0) checkins.set(day, { status: "done", value: TARGET });
  }
  const entry = probeEntry(status);
  if (entry) checkins.set(probe, entry);
  return { habit, checkins, probe };
}

/** The one expected class of the probe day. */
export function expectedClass(status: ProbeStatus, paused: boolean): "met" | "part" | "miss" | "neutral" {
  if (status === "done") return "met";
  if (status === "failed") return "miss";
  if (status === "skipped" || paused) return "neutral";
  return status === "partial" ? "part" : "miss";
}
