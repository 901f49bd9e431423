/**
 * Check-ins: one per habit per user-local day, written only by the Postgres function
 * `upsert_checkin` (sql/004_habits.sql), which checks ownership and the allowed days,
 * upserts (so concurrent identical requests leave one row) and logs one activity row.
 * Statistics come from one query fed to the pure `habitStats` (domain/stats.ts).
 *
 * @example
 * ```ts
 * const today = localDay(user.timezone);
 * const checkin = await upsertCheckin(db, user.id, habit.id, { date: today, status: "done" }, today);
 * const stats = await habitStatsFor(db, habit, today, user.weekStart);
 * ```
 */
import type { CheckinStatus, PauseRange } from "@/domain/completion.ts";
import type { Weekday } from "@/domain/calendar.ts";
import { type DayEntry, type HabitStats, habitStats } from "@/domain/stats.ts";
import type { DbQueries } from "./client.ts";
import { type Habit, isUuid } from "./habits.ts";
import { RuleViolation } from "@/domain/rules.ts";
import { ruleViolationOf } from "./rule_violation.ts";

export type { CheckinStatus };

/** One day of one habit. */
export interface Checkin {
  habitId: string;
  /** The user-local day, `YYYY-MM-DD`. */
  date: string;
  status: CheckinStatus;
  /** Numeric habits with `done`: the amount (stored as the target when none was given); else null. */
  value: number | null;
  note: string | null;
  updatedAt: Date;
}

/** What {@linkcode upsertCheckin} takes; validate it with `checkinSchemaFor` (domain/habit_input.ts) first. */
export interface CheckinWrite {
  date: string;
  /** `none` deletes the day's check-in. */
  status: CheckinStatus | "none";
  /** Numeric habits with `done` only; omitted or null on a numeric `done` = the target. */
  value?: number | null;
  /** Omitted (undefined) keeps the day's note; null or "" clears it. */
  note?: string | null;
}

/** The habit fields statistics need (a whole {@linkcode Habit} will do). */
export type HabitForStats = Pick<Habit, "id" | "kind" | "target" | "schedule" | "startDate">;

interface CheckinRow {
  habit_id: string;
  day: string;
  status: CheckinStatus;
  value: number | null;
  note: string | null;
  updated_at: Date;
}

function toCheckin(row: CheckinRow): Checkin {
  return {
    habitId: row.habit_id,
    date: row.day,
    status: row.status,
    value: row.value,
    note: row.note,
    updatedAt: row.updated_at,
  };
}

/**
 * One of the user's habits' check-ins from `from` to `to` (inclusive), oldest first;
 * empty for another user's, an unknown or a malformed habit id.
 *
 * @example
 * ```ts
 * const checkins = await listCheckins(db, user.id, habit.id, addDays(today, -29), today);
 * ```
 */
export async function listCheckins(
  db: DbQueries,
  userId: string,
  habitId: string,
  from: string,
  to: string,
): Promise<Checkin[]> {
  if (!isUuid(habitId)) return [];
  const rows = await db.sql<CheckinRow[]>`
    select habit_id, day, status, value, note, updated_at
      from checkins
     where habit_id = ${habitId}::uuid and user_id = ${userId}::uuid
       and day between ${from}::date and ${to}::date
     order by day`;
  return rows.map(toCheckin);
}

/**
 * Every check-in of the user's active habits from `from` to `to` (inclusive), in one
 * query (the dashboard's grid): ordered by day, then habit.
 *
 * @example
 * ```ts
 * const week = await listUserCheckins(db, user.id, addDays(today, -6), today);
 * ```
 */
export async function listUserCheckins(db: DbQueries, userId: string, from: string, to: string): Promise<Checkin[]> {
  const rows = await db.sql<CheckinRow[]>`
    select c.habit_id, c.day, c.status, c.value, c.note, c.updated_at
      from checkins c
      join habits h on h.id = c.habit_id
     where c.user_id = ${userId}::uuid
       and c.day between ${from}::date and ${to}::date
       and h.archived_at is null
     order by c.day, c.habit_id`;
  return rows.map(toCheckin);
}

/**
 * Sets one day of one of the user's habits (`today` is the user's local day): `done`
 * or `skipped` save it, `none` deletes it (then the result is null). One call, one
 * activity row (`checkin.saved` / `checkin.cleared`), whatever the concurrency.
 * Throws `RuleViolation` `not_found` (another user's, unknown or malformed habit id) or
 * `invalid` (a day after today or more than 366 days back, a value on a yes/no habit
 * or without `done`).
 *
 * @example
 * ```ts
 * await upsertCheckin(db, user.id, habit.id, { date: today, status: "done", value: 12, note: "Easy" }, today);
 * await upsertCheckin(db, user.id, habit.id, { date: today, status: "none" }, today); // null
 * ```
 */
export async function upsertCheckin(
  db: DbQueries,
  userId: string,
  habitId: string,
  input: CheckinWrite,
  today: string,
): Promise<Checkin | null> {
  const rows = await callCheckinFunction<CheckinRow>(
    db,
    "select habit_id, day, status, value, note, updated_at from upsert_checkin",
    [userId, habitId, input, today],
  );
  return rows.length ? toCheckin(rows[0]) : null;
}

/**
 * Calls one of the SQL functions that write a check-in (`upsert_checkin`, and
 * `checkin_with_history` around it), which take the same arguments: `select` is the
 * statement up to the function's name. Rule violations come back as `RuleViolation`.
 */
async function callCheckinFunction<T>(
  db: DbQueries,
  select: string,
  [userId, habitId, input, today]: [string, string, CheckinWrite, string],
): Promise<T[]> {
  if (!isUuid(habitId)) throw new RuleViolation("not_found", "No habit with that id");
  // The function reads a null note as "keep" and '' as "clear".
  const note = input.note === undefined ? null : input.note ?? "";
  try {
    return await db.sql.unsafe<T[]>(
      `${select}($1::uuid, $2::uuid, $3::date, $4::text, $5::numeric, $6::text, $7::date)`,
      [userId, habitId, input.date, input.status, input.value ?? null, note, today],
    );
  } catch (error) {
    throw ruleViolationOf(error) ?? error;
  }
}

/** A check-in written by {@linkcode checkInWithStats}, and the habit's statistics after it. */
export interface CheckinResult {
  /** The day's check-in as saved; null when `none` cleared it. */
  checkin: Checkin | null;
  stats: HabitStats;
}

/** The row `checkin_with_history` returns: the written check-in (nulls after a `none`), the habit's rule, its pauses and its history. */
export interface CheckinWithHistoryRow {
  checkin_habit_id: string | null;
  checkin_day: string | null;
  checkin_status: CheckinStatus | null;
  checkin_value: number | null;
  checkin_note: string | null;
  checkin_updated_at: Date | null;
  habit_kind: Habit["kind"];
  habit_target: number | null;
  habit_schedule: Habit["schedule"];
  habit_start_date: string;
  habit_direction: Habit["direction"];
  /** `[from, to]` per pause, oldest first. */
  pauses: [string, string][];
  /** `[day, status, value]` per check-in up to today, the written one included. */
  history: [string, CheckinStatus, number | null][];
}

/**
 * {@linkcode upsertCheckin} and {@linkcode habitStatsFor} in one round trip: the SQL
 * function `checkin_with_history` (sql/017) runs `upsert_checkin`, then reads the habit's
 * rule, pauses and check-ins after the write, in the same statement; the statistics are
 * computed here from those rows. Same rules, same errors (`RuleViolation` `not_found` or
 * `invalid`), same answer as the two calls, at a fifth of the statements.
 *
 * The input must already be valid for the habit (`checkinSchemaFor`); the one rule that
 * depends on the habit's kind (no value on a yes/no habit) is checked again by the
 * database, so a caller that validated for a numeric habit gets `invalid` for a yes/no one.
 *
 * @example
 * ```ts
 * const today = localDay(user.timezone);
 * const { checkin, stats } = await checkInWithStats(db, user.id, habitId, { date: today, status: "done" }, today, 1);
 * ```
 */
export async function checkInWithStats(
  db: DbQueries,
  userId: string,
  habitId: string,
  input: CheckinWrite,
  today: string,
  weekStart: Weekday,
): Promise<CheckinResult> {
  const row = await checkinWithHistory(db, userId, habitId, input, today);
  const checkin = row.checkin_day === null ? null : {
    habitId: row.checkin_habit_id!,
    date: row.checkin_day,
    status: row.checkin_status!,
    value: row.checkin_value,
    note: row.checkin_note,
    updatedAt: row.checkin_updated_at!,
  };
  const rule = {
    kind: row.habit_kind,
    target: row.habit_target,
    schedule: row.habit_schedule,
    startDate: row.habit_start_date,
    direction: row.habit_direction,
    pauses: row.pauses.map(([from, to]) => ({ from, to })),
  };
  const entries = new Map<string, DayEntry>();
  for (const [day, status, value] of row.history) entries.set(day, { status, value });
  return { checkin, stats: habitStats(rule, entries, today, weekStart) };
}

/**
 * The one statement of {@linkcode checkInWithStats}: the SQL function
 * `checkin_with_history` (sql/017), its row as the database returns it. Exported for
 * bench/checkin.ts, which calls it directly as the check-in's baseline.
 */
export async function checkinWithHistory(
  db: DbQueries,
  userId: string,
  habitId: string,
  input: CheckinWrite,
  today: string,
): Promise<CheckinWithHistoryRow> {
  const [row] = await callCheckinFunction<CheckinWithHistoryRow>(
    db,
    "select * from checkin_with_history",
    [userId, habitId, input, today],
  );
  // upsert_checkin raised for a habit that is not the user's; a row is always there otherwise.
  if (!row) throw new RuleViolation("not_found", "No habit with that id");
  return row;
}

/**
 * The habit's statistics as of the user's `today` (streaks, 30/365-day rates, total),
 * from one query over its check-ins, by domain/stats.ts's rules.
 *
 * @example
 * ```ts
 * const stats = await habitStatsFor(db, habit, localDay(user.timezone), user.weekStart);
 * stats.currentStreak; // days, or weeks for a weekly habit
 * ```
 */
export async function habitStatsFor(
  db: DbQueries,
  habit: HabitForStats,
  today: string,
  weekStart: Weekday,
): Promise<HabitStats> {
  const rows = await db.sql<Pick<CheckinRow, "day" | "status" | "value">[]>`
    select day, status, value from checkins where habit_id = ${habit.id}::uuid and day <= ${today}::date`;
  const pauses = (await habitPauses(db, [habit.id])).get(habit.id) ?? [];
  return habitStats({ ...habit, pauses }, entriesByDay(rows), today, weekStart);
}

/**
 * The paused day ranges of each habit (its own pauses and its user's user-wide ones),
 * by habit id; habits without any are left out.
 *
 * @example
 * ```ts
 * const pauses = await habitPauses(db, [habit.id]);
 * habitStats({ ...habit, pauses: pauses.get(habit.id) ?? [] }, checkins, today);
 * ```
 */
export async function habitPauses(
  db: DbQueries,
  habitIds: readonly string[],
): Promise<Map<string, PauseRange[]>> {
  const result = new Map<string, PauseRange[]>();
  if (habitIds.length === 0) return result;
  const rows = await db.sql<{ habit_id: string; from_day: string; to_day: string }[]>`
    select h.id::text as habit_id, p.from_day, p.to_day
      from habits h
      join pauses p on p.user_id = h.user_id and (p.habit_id is null or p.habit_id = h.id)
     where h.id = any(${habitIds}::uuid[])
     order by p.from_day`;
  for (const row of rows) {
    const list = result.get(row.habit_id);
    const range = { from: row.from_day, to: row.to_day };
    if (list) list.push(range);
    else result.set(row.habit_id, [range]);
  }
  return result;
}

/**
 * Statistics of several habits (the dashboard's list) from one query; keyed by habit id.
 *
 * @example
 * ```ts
 * const habits = await listHabits(db, user.id);
 * const stats = await habitStatsForAll(db, habits, today, user.weekStart);
 * stats.get(habits[0].id)?.currentStreak;
 * ```
 */
export async function habitStatsForAll(
  db: DbQueries,
  habits: readonly HabitForStats[],
  today: string,
  weekStart: Weekday,
): Promise<Map<string, HabitStats>> {
  const result = new Map<string, HabitStats>();
  if (habits.length === 0) return result;
  const rows = await db.sql<(Pick<CheckinRow, "habit_id" | "day" | "status" | "value">)[]>`
    select habit_id, day, status, value
      from checkins
     where habit_id = any(${habits.map((habit) => habit.id)}::uuid[]) and day <= ${today}::date`;
  const byHabit = new Map<string, typeof rows[number][]>();
  for (const row of rows) {
    const list = byHabit.get(row.habit_id);
    if (list) list.push(row);
    else byHabit.set(row.habit_id, [row]);
  }
  const pauses = await habitPauses(db, habits.map((habit) => habit.id));
  for (const habit of habits) {
    const rule = { ...habit, pauses: pauses.get(habit.id) ?? [] };
    result.set(habit.id, habitStats(rule, entriesByDay(byHabit.get(habit.id) ?? []), today, weekStart));
  }
  return result;
}

function entriesByDay(rows: readonly Pick<CheckinRow, "day" | "status" | "value">[]): Map<string, DayEntry> {
  return new Map(rows.map((row) => [row.day, { status: row.status, value: row.value }]));
}
