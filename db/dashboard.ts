/**
 * What the dashboard and a habit's page read, each in as few queries as the page
 * allows: the habits, then every check-in the page's grid and statistics need in one
 * range read. Statistics are computed from these rows by `domain/stats.ts`, so the
 * dashboard costs two queries however many habits it shows.
 *
 * The range starts early enough for exact statistics (they count every check-in up to
 * today): a check-in can be backfilled up to 366 days before the habit's start day
 * (API.md's check-in rules), and the grid shows 53 weeks.
 *
 * @example
 * ```ts
 * const { habits, checkins } = await loadDashboard(db, user.id, today);
 * const detail = await loadHabitDetail(db, user.id, params.id, today); // null → 404
 * ```
 */
import { addDays, type Weekday } from "@/domain/calendar.ts";
import { type DashboardView, dashboardView } from "@/domain/dashboard_view.ts";
import { BACKFILL_DAYS } from "@/domain/habit_input.ts";
import type { DbQueries } from "./client.ts";
import { type Checkin, habitPauses, listCheckins, listUserCheckins } from "./checkins.ts";
import { type Goal, listPinnedGoals } from "./goals.ts";
import { getHabit, type Habit, listHabits } from "./habits.ts";

/**
 * How far before a habit's start day a check-in may lie: 366 days back from the day it
 * was written, plus one for a user who moved a timezone east since.
 */
const EARLIEST_BEFORE_START = BACKFILL_DAYS + 1;

/** How far back a 53-week grid can reach: its first column starts at most 52 weeks and 6 days ago. */
const GRID_DAYS = 53 * 7;

/** The first day any statistic or grid of these habits can need. */
export function checkinRangeStart(habits: readonly Pick<Habit, "startDate">[], today: string): string {
  let from = addDays(today, -GRID_DAYS);
  for (const habit of habits) {
    const earliest = addDays(habit.startDate, -EARLIEST_BEFORE_START);
    if (earliest < from) from = earliest;
  }
  return from;
}

export interface DashboardData {
  /** Active habits in the user's order. */
  habits: Habit[];
  /** Their check-ins, from the earliest day their statistics or the grid need up to today. */
  checkins: Checkin[];
}

/** The user's active habits (with their pauses) and their check-ins: three queries. */
export async function loadDashboard(db: DbQueries, userId: string, today: string): Promise<DashboardData> {
  const listed = await listHabits(db, userId);
  if (listed.length === 0) return { habits: listed, checkins: [] };
  const pauses = await habitPauses(db, listed.map((habit) => habit.id));
  const habits = listed.map((habit) => ({ ...habit, pauses: pauses.get(habit.id) ?? [] }));
  const checkins = await listUserCheckins(db, userId, checkinRangeStart(habits, today), today);
  return { habits, checkins };
}

/** What the dashboard renders and caches: the computed view and the pinned goals. */
export interface DashboardPage extends DashboardView {
  pinnedGoals: Goal[];
}

/**
 * The dashboard of `userId` as of `today`: its habits' statistics and "Your year" from
 * `gridFrom` (computed here from the check-ins, which are not kept), and the pinned
 * goals. Three queries.
 */
export async function loadDashboardPage(
  db: DbQueries,
  userId: string,
  today: string,
  weekStart: Weekday,
  gridFrom: string,
): Promise<DashboardPage> {
  const { habits, checkins } = await loadDashboard(db, userId, today);
  const pinnedGoals = await listPinnedGoals(db, userId);
  return { ...dashboardView(habits, checkins, today, weekStart, gridFrom), pinnedGoals };
}

export interface HabitDetail {
  habit: Habit;
  /** Oldest first, up to today. */
  checkins: Checkin[];
  /** How many habits the habit's list (active or archived) holds, for its move up/down buttons. */
  listLength: number;
}

/** One of the user's habits (archived or not, with its pauses) and its check-ins; null when it is not theirs. Four queries. */
export async function loadHabitDetail(
  db: DbQueries,
  userId: string,
  habitId: string,
  today: string,
): Promise<HabitDetail | null> {
  const found = await getHabit(db, userId, habitId);
  if (!found) return null;
  const habit = { ...found, pauses: (await habitPauses(db, [found.id])).get(found.id) ?? [] };
  const checkins = await listCheckins(db, userId, habitId, checkinRangeStart([habit], today), today);
  const list = await listHabits(db, userId, { archived: habit.archived });
  return { habit, checkins, listLength: list.length };
}
