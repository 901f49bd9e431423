/**
 * Everything of one user as an {@linkcode ExportDocument}, read in ONE repeatable-read
 * transaction so the habits, check-ins and settings are one consistent snapshot (a
 * check-in saved mid-export is either wholly in or wholly out). `SET TRANSACTION` as the
 * first statement of the transaction works through PgBouncer in transaction mode: it
 * lives and dies with the transaction.
 *
 * The monthly quota is not consumed here: the route calls `consumeUsage` first (its own
 * statement, which also logs the `usage.consumed` activity row). An export is a read and
 * writes nothing else.
 *
 * @example
 * ```ts
 * await consumeUsage(db, user.id, "exports");
 * const doc = await exportUserData(db.withTimeout(60_000), user.id);
 * ```
 */
import {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  type ExportCheckin,
  type ExportDocument,
  type ExportMilestone,
  type ExportPause,
  type ExportSubgoal,
} from "@/domain/export_format.ts";
import type { CheckinStatus } from "@/domain/completion.ts";
import type { HabitFields } from "@/domain/habit.ts";
import type { DbQueries } from "./client.ts";

interface SettingsRow {
  display_name: string | null;
  timezone: string;
  week_start: number;
  theme: string;
  email_reminders: boolean;
}

/** A habits row as the export selects it. */
interface HabitRow extends Omit<HabitFields, "startDate"> {
  start_date: string;
  created_at: Date;
}

interface CheckinRow {
  habit_id: string;
  day: string;
  status: CheckinStatus;
  value: number | null;
  note: string | null;
}

interface GoalRow {
  id: string;
  title: string;
  description: string | null;
  target_date: string | null;
  status: "active" | "done" | "dropped";
  pin_position: number | null;
  created_at: Date;
}

interface GoalPartRow {
  id: string;
  goal_id: string;
  title: string;
  due_date: string | null;
  progress: number;
  done: boolean;
}

interface ReminderRow {
  id: string;
  habit_id: string | null;
  title: string;
  time_of_day: string;
  days: number[];
  enabled: boolean;
}

interface PauseRow {
  id: string;
  habit_id: string | null;
  from_day: string;
  to_day: string;
  note: string | null;
  created_at: Date;
}

/** Rows grouped by a key, each group in the rows' order. */
function groupBy<T, V>(rows: T[], key: (row: T) => string, value: (row: T) => V): Map<string, V[]> {
  const groups = new Map<string, V[]>();
  for (const row of rows) {
    const list = groups.get(key(row)) ?? [];
    list.push(value(row));
    groups.set(key(row), list);
  }
  return groups;
}

/**
 * The user's whole data from one snapshot: settings; habits (active then archived, each
 * in its order) with every check-in, oldest first; goals (oldest first) with their pin,
 * milestones and subgoals in order; reminders in time order; pauses by first day. Throws for an unknown user id.
 *
 * @example
 * ```ts
 * const doc = await exportUserData(db, user.id);
 * doc.habits[0].checkins; // [{ date: "2026-03-03", status: "done", value: null, note: "Easy" }, ...]
 * ```
 */
export async function exportUserData(db: DbQueries, userId: string, now: Date = new Date()): Promise<ExportDocument> {
  return await db.tx(async (sql) => {
    await sql`set transaction isolation level repeatable read`;
    const [settings] = await sql<SettingsRow[]>`
      select display_name, timezone, week_start, theme, email_reminders from users where id = ${userId}::uuid`;
    if (!settings) throw new Error(`exportUserData: no user ${userId}`);
    const habits = await sql<HabitRow[]>`
      select id::text, name, color, kind, target, unit, schedule, direction, archived_at is not null as archived,
             position, start_date, created_at, tags
        from habits
       where user_id = ${userId}::uuid
       order by archived_at is not null, position, created_at, id`;
    const checkins = await sql<CheckinRow[]>`
      select habit_id::text, day, status, value, note
        from checkins
       where user_id = ${userId}::uuid
       order by habit_id, day`;

    const goals = await sql<GoalRow[]>`
      select g.id::text, g.title, g.description, g.target_date, g.status, p.position as pin_position, g.created_at
        from goals g left join goal_pins p on p.goal_id = g.id
       where g.user_id = ${userId}::uuid
       order by g.created_at, g.id`;
    const milestones = await sql<GoalPartRow[]>`
      select id::text, goal_id::text, title, due_date, 0 as progress, done
        from milestones where user_id = ${userId}::uuid
       order by goal_id, position, created_at, id`;
    const subgoals = await sql<GoalPartRow[]>`
      select id::text, goal_id::text, title, null::date as due_date, progress, done
        from subgoals where user_id = ${userId}::uuid
       order by goal_id, position, created_at, id`;
    const reminders = await sql<ReminderRow[]>`
      select id::text, habit_id::text, title, time_of_day::text, days, enabled
        from reminders where user_id = ${userId}::uuid
       order by time_of_day, created_at, id`;
    const pauses = await sql<PauseRow[]>`
      select id::text, habit_id::text, from_day, to_day, note, created_at
        from pauses where user_id = ${userId}::uuid
       order by from_day, to_day, created_at, id`;

    const byHabit = groupBy(
      checkins,
      (c) => c.habit_id,
      (c): ExportCheckin => ({ date: c.day, status: c.status, value: c.value, note: c.note }),
    );
    const milestonesOf = groupBy(
      milestones,
      (m) => m.goal_id,
      (m): ExportMilestone => ({ id: m.id, title: m.title, dueDate: m.due_date, done: m.done }),
    );
    const subgoalsOf = groupBy(
      subgoals,
      (sg) => sg.goal_id,
      (sg): ExportSubgoal => ({ id: sg.id, title: sg.title, progress: sg.progress, done: sg.done }),
    );
    return {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: now.toISOString(),
      settings: {
        displayName: settings.display_name,
        timezone: settings.timezone,
        weekStart: settings.week_start,
        theme: settings.theme,
        emailReminders: settings.email_reminders,
      },
      habits: habits.map((h) => ({
        id: h.id,
        name: h.name,
        color: h.color,
        kind: h.kind,
        target: h.target,
        unit: h.unit,
        schedule: h.schedule,
        direction: h.direction,
        archived: h.archived,
        position: h.position,
        startDate: h.start_date,
        createdAt: h.created_at.toISOString(),
        tags: h.tags,
        checkins: byHabit.get(h.id) ?? [],
      })),
      goals: goals.map((g) => ({
        id: g.id,
        title: g.title,
        description: g.description,
        targetDate: g.target_date,
        status: g.status,
        pinPosition: g.pin_position,
        createdAt: g.created_at.toISOString(),
        milestones: milestonesOf.get(g.id) ?? [],
        subgoals: subgoalsOf.get(g.id) ?? [],
      })),
      reminders: reminders.map((r) => ({
        id: r.id,
        habitId: r.habit_id,
        title: r.title,
        time: r.time_of_day.slice(0, 5),
        days: r.days.map(Number),
        enabled: r.enabled,
      })),
      pauses: pauses.map((p): ExportPause => ({
        id: p.id,
        habitId: p.habit_id,
        from: p.from_day,
        to: p.to_day,
        note: p.note,
        createdAt: p.created_at.toISOString(),
      })),
    };
  });
}

/** The month's export quota as the /export page shows it. */
export interface ExportQuota {
  quota: number;
  used: number;
  remaining: number;
}

/**
 * How many exports the user's plan allows in the UTC month of `now`, and how many are
 * used (a read: nothing is consumed).
 *
 * @example
 * ```ts
 * const { remaining } = await exportQuota(db, user.id); // 3 on a new free account
 * ```
 */
export async function exportQuota(db: DbQueries, userId: string, now: Date = new Date()): Promise<ExportQuota> {
  const [row] = await db.sql<{ quota: number; used: number }[]>`
    select p.exports_per_month as quota,
           coalesce((select c.used from usage_counters c
                      where c.user_id = u.id and c.feature = 'exports'
                        and c.period = date_trunc('month', ${now.toISOString()}::timestamptz at time zone 'UTC')::date), 0)
             as used
      from users u join plans p on p.id = u.plan_id
     where u.id = ${userId}::uuid`;
  const quota = row?.quota ?? 0;
  const used = row?.used ?? 0;
  return { quota, used, remaining: Math.max(quota - used, 0) };
}
