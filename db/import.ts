/**
 * Writes validated {@linkcode ImportData} (a JSON export, or Loop's CSV read by
 * `lib/loop_import.ts`) into a user's account: all or nothing, in ONE transaction that
 * ends with exactly one activity row (`data.imported`).
 *
 * - New ids for everything (generated here, so check-ins can name their habit in one
 *   bulk insert); imported habits go after the user's existing ones, keeping their
 *   positions (offset by the list's next free position).
 * - The plan's active-habit limit: the transaction first takes the user's row lock — the
 *   same `FOR NO KEY UPDATE` that `lock_active_habit_quota` (sql/004_habits.sql) takes
 *   for every habit creation and unarchive — then counts, so a concurrent create waits
 *   and the count is exact. Over the limit → `RuleViolation` `plan_limit` and nothing is
 *   written.
 * - The plan's goal limit likewise (every goal counts, as `create_goal` counts them).
 * - Goals, milestones, subgoals and reminders come with new ids too; a reminder's habit
 *   is the imported copy of the habit it named.
 * - Settings in the document (JSON exports carry them) replace the account's.
 * - Check-ins keep their days, older than the 366-day backfill window included (that
 *   window is for check-ins typed by hand; an import restores history), and never after
 *   today (validated before this is called).
 *
 * @example
 * ```ts
 * const data = parseExportDocument(body, today); // lib/export_format.ts
 * const { habits, checkins } = await importUserData(db, user.id, data);
 * ```
 */
import type postgres from "postgres";
import type { ImportData } from "../lib/export_format.ts";
import type { DbQueries } from "./client.ts";
import { asRuleViolation, RuleViolation } from "./rules.ts";

/** How much an import wrote. */
export interface ImportSummary {
  habits: number;
  checkins: number;
  goals: number;
  reminders: number;
  settings: boolean;
}

interface QuotaRow {
  plan_id: string;
  max_active_habits: number;
  max_goals: number;
  active: number;
  /** Where imported habits start in each list: after the user's own. */
  active_next: number;
  archived_next: number;
  goals: number;
  pins: number;
}

/** Settings columns by the document's names. */
const SETTINGS_COLUMNS = {
  displayName: "display_name",
  timezone: "timezone",
  weekStart: "week_start",
  theme: "theme",
  emailReminders: "email_reminders",
} as const;

/**
 * Imports `data` into the user's account in one transaction; returns what it wrote.
 * Throws `RuleViolation` `plan_limit` when the active habits would pass the plan's
 * limit, `invalid` if the database still refuses a row (nothing is written either way).
 *
 * @example
 * ```ts
 * await importUserData(db, user.id, parseLoopZip(zip, today)); // { habits: 3, checkins: 120, settings: false }
 * ```
 */
export async function importUserData(db: DbQueries, userId: string, data: ImportData): Promise<ImportSummary> {
  try {
    return await db.tx(async (sql) => {
      const [quota] = await sql<QuotaRow[]>`
        select p.id as plan_id, p.max_active_habits, p.max_goals,
               (select count(*) from habits h where h.user_id = u.id and h.archived_at is null)::int as active,
               (select coalesce(max(position) + 1, 0) from habits h
                 where h.user_id = u.id and h.archived_at is null)::int as active_next,
               (select coalesce(max(position) + 1, 0) from habits h
                 where h.user_id = u.id and h.archived_at is not null)::int as archived_next,
               (select count(*) from goals g where g.user_id = u.id)::int as goals,
               (select count(*) from goal_pins gp where gp.user_id = u.id)::int as pins
          from users u join plans p on p.id = u.plan_id
         where u.id = ${userId}::uuid
           for no key update of u`;
      if (!quota) throw new RuleViolation("not_found", "No such user");
      const incoming = data.habits.filter((habit) => !habit.archived).length;
      if (quota.active + incoming > quota.max_active_habits) {
        throw new RuleViolation(
          "plan_limit",
          `This import has ${incoming} active habits and you have ${quota.active}; your ${quota.plan_id} plan ` +
            `allows ${quota.max_active_habits}. Archive some first, or upgrade at /upgrade. Nothing was imported.`,
        );
      }
      if (quota.goals + data.goals.length > quota.max_goals) {
        throw new RuleViolation(
          "plan_limit",
          `This import has ${data.goals.length} goals and you have ${quota.goals}; your ${quota.plan_id} plan ` +
            `allows ${quota.max_goals}. Delete some first, or upgrade at /upgrade. Nothing was imported.`,
        );
      }

      const habits = data.habits.map((habit) => ({
        id: crypto.randomUUID(),
        name: habit.name,
        color: habit.color,
        kind: habit.kind,
        target: habit.target,
        unit: habit.unit,
        schedule: habit.schedule,
        archived: habit.archived,
        position: habit.position + (habit.archived ? quota.archived_next : quota.active_next),
        start_date: habit.startDate,
      }));
      const checkins = data.habits.flatMap((habit, i) =>
        habit.checkins.map((c) => ({
          habit_id: habits[i].id,
          day: c.date,
          status: c.status,
          // As a check-in typed by hand: a numeric "done" without an amount counts as the target.
          value: c.value ?? (habit.kind === "numeric" && c.status === "done" ? habit.target : null),
          note: c.note,
        }))
      );

      if (habits.length) {
        await sql`
          insert into habits (id, user_id, name, color, kind, target, unit, schedule, archived_at, position, start_date)
          select x.id, ${userId}::uuid, x.name, x.color, x.kind, x.target, x.unit, x.schedule,
                 case when x.archived then now() end, x.position, x.start_date
            from jsonb_to_recordset(${JSON.stringify(habits)}::text::jsonb) as x(
              id uuid, name text, color text, kind text, target numeric, unit text, schedule jsonb,
              archived boolean, position integer, start_date date)`;
      }
      if (checkins.length) {
        await sql`
          insert into checkins (habit_id, user_id, day, status, value, note)
          select x.habit_id, ${userId}::uuid, x.day, x.status, x.value, x.note
            from jsonb_to_recordset(${JSON.stringify(checkins)}::text::jsonb) as x(
              habit_id uuid, day date, status text, value numeric, note text)`;
      }

      await insertGoals(sql, userId, data, quota.pins);
      if (data.reminders.length) {
        const reminders = data.reminders.map((r) => ({
          habit_id: r.habitIndex === null ? null : habits[r.habitIndex].id,
          title: r.title,
          time_of_day: r.time,
          days: r.days,
          enabled: r.enabled,
        }));
        await sql`
          insert into reminders (user_id, habit_id, title, time_of_day, days, enabled)
          select ${userId}::uuid, x.habit_id, x.title, x.time_of_day,
                 array(select jsonb_array_elements_text(x.days)::smallint), x.enabled
            from jsonb_to_recordset(${JSON.stringify(reminders)}::text::jsonb) as x(
              habit_id uuid, title text, time_of_day time, days jsonb, enabled boolean)`;
      }

      const settings = Object.entries(data.settings ?? {}).filter(([, value]) => value !== undefined);
      if (settings.length) {
        const changes = Object.fromEntries(
          settings.map(([key, value]) => [SETTINGS_COLUMNS[key as keyof typeof SETTINGS_COLUMNS], value]),
        );
        await sql`update users set ${sql(changes)}, updated_at = now() where id = ${userId}::uuid`;
      }

      const summary = {
        habits: habits.length,
        checkins: checkins.length,
        goals: data.goals.length,
        reminders: data.reminders.length,
        settings: settings.length > 0,
      };
      await sql`
        select log_activity(${userId}::uuid, 'data.imported', 'account', ${userId}::text,
          ${JSON.stringify({ source: data.source, ...summary })}::text::jsonb)`;
      return summary;
    });
  } catch (error) {
    const rule = asRuleViolation(error);
    if (rule) throw rule;
    // A check the validation missed: still all-or-nothing, and a 400 rather than a 500.
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    if (typeof code === "string" && (code.startsWith("22") || code.startsWith("23"))) {
      throw new RuleViolation("invalid", `The import was refused and nothing was written: ${String(message)}`);
    }
    throw error;
  }
}

/**
 * Goals keep their creation time (their list is ordered by it, so a round trip keeps the
 * order); pins go after the user's existing pins in the document's pin order.
 */
async function insertGoals(sql: postgres.TransactionSql, userId: string, data: ImportData, pins: number) {
  if (!data.goals.length) return;
  const goals = data.goals.map((g) => ({ ...g, id: crypto.randomUUID() }));
  const pinned = goals.filter((g) => g.pinPosition !== null).sort((a, b) => a.pinPosition! - b.pinPosition!);
  await sql`
    insert into goals (id, user_id, title, description, target_date, status, created_at)
    select x.id, ${userId}::uuid, x.title, x.description, x."targetDate", x.status, coalesce(x."createdAt", now())
      from jsonb_to_recordset(${JSON.stringify(goals)}::text::jsonb) as x(
        id uuid, title text, description text, "targetDate" date, status text, "createdAt" timestamptz)`;
  const parts = (kind: "milestones" | "subgoals") =>
    goals.flatMap((g) => g[kind].map((part, position) => ({ ...part, goal_id: g.id, position })));
  const milestones = parts("milestones");
  if (milestones.length) {
    await sql`
      insert into milestones (goal_id, user_id, title, due_date, done, position)
      select x.goal_id, ${userId}::uuid, x.title, x."dueDate", x.done, x.position
        from jsonb_to_recordset(${JSON.stringify(milestones)}::text::jsonb) as x(
          goal_id uuid, title text, "dueDate" date, done boolean, position integer)`;
  }
  const subgoals = parts("subgoals");
  if (subgoals.length) {
    await sql`
      insert into subgoals (goal_id, user_id, title, progress, done, position)
      select x.goal_id, ${userId}::uuid, x.title, x.progress, x.done, x.position
        from jsonb_to_recordset(${JSON.stringify(subgoals)}::text::jsonb) as x(
          goal_id uuid, title text, progress integer, done boolean, position integer)`;
  }
  if (pinned.length) {
    const rows = pinned.map((g, i) => ({ goal_id: g.id, position: pins + i }));
    await sql`
      insert into goal_pins (goal_id, user_id, position)
      select x.goal_id, ${userId}::uuid, x.position
        from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as x(goal_id uuid, position integer)`;
  }
}
