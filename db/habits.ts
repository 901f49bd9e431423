/**
 * A user's habits: reads are plain queries scoped to the user; every change is one call
 * of a Postgres function in `sql/004_habits.sql` (`create_habit`, `update_habit`,
 * `delete_habit`), which checks ownership and the plan's limit, writes, and logs one
 * activity row in the same statement.
 *
 * Ids that are not UUIDs, unknown ids and other users' ids all read as "no such habit"
 * (`null` / `false`), never as an error: the routes answer 404 for each alike.
 *
 * @example
 * ```ts
 * const habit = await createHabit(db, user.id, { name: "Read", kind: "numeric", target: 20, unit: "pages" }, today);
 * await updateHabit(db, user.id, habit.id, { archived: true });
 * const active = await listHabits(db, user.id); // archived ones left out
 * ```
 */
import { DEFAULT_HABIT_COLOR, type HabitCreateInput, type HabitUpdateInput } from "@/domain/habit_input.ts";
import type { PauseRange } from "@/domain/completion.ts";
import type { HabitFields } from "@/domain/habit.ts";
import type { DbQueries } from "./client.ts";
import { ruleViolationOf } from "./rule_violation.ts";

/** A habit as the app and the API show it: its fields (domain/habit.ts), its timestamps, and pauses when loaded. */
export interface Habit extends HabitFields {
  /** Its paused day ranges, when the reader loaded them (db/dashboard.ts does). */
  pauses?: PauseRange[];
  createdAt: Date;
  updatedAt: Date;
}

/**
 * What creating a habit takes; validate it with `habitCreateSchema` (domain/habit_input.ts)
 * first. Defaults: color {@linkcode DEFAULT_HABIT_COLOR}, kind `boolean`, schedule daily.
 */
export type HabitInput = Omit<HabitCreateInput, "tags">;

/**
 * A partial change (validate with `habitUpdateSchema`): only the keys present change.
 * `kind: "boolean"` clears target and unit; `archived: false` counts against the plan;
 * `position` moves the habit to that index in its list, shifting the others.
 */
export type HabitPatch = Omit<HabitUpdateInput, "tags">;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True for a well-formed UUID. Checked before any query: Postgres would reject a
 * malformed one with an error, and a malformed id is simply "not found".
 */
export function isUuid(id: unknown): id is string {
  return typeof id === "string" && UUID.test(id);
}

/** A habits row as the queries select it (snake_case where SQL names differ). */
interface HabitRow extends Omit<HabitFields, "archived" | "startDate" | "tags"> {
  archived_at: Date | null;
  start_date: string;
  tags?: string[];
  created_at: Date;
  updated_at: Date;
}

function toHabit(row: HabitRow): Habit {
  return {
    id: row.id,
    name: row.name,
    color: row.color,
    kind: row.kind,
    target: row.target,
    unit: row.unit,
    schedule: row.schedule,
    direction: row.direction,
    archived: row.archived_at !== null,
    position: row.position,
    startDate: row.start_date,
    tags: row.tags ?? [],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * The user's habits in their order (position, then creation): active ones, or with
 * `{ archived: true }` the archived ones.
 *
 * @example
 * ```ts
 * const archived = await listHabits(db, user.id, { archived: true });
 * ```
 */
export async function listHabits(
  db: DbQueries,
  userId: string,
  options: { archived?: boolean } = {},
): Promise<Habit[]> {
  // Two statements rather than one with a parameter, so each matches its partial index.
  const rows = options.archived
    ? await db.sql<HabitRow[]>`
        select * from habits
         where user_id = ${userId}::uuid and archived_at is not null
         order by position, created_at, id`
    : await db.sql<HabitRow[]>`
        select * from habits
         where user_id = ${userId}::uuid and archived_at is null
         order by position, created_at, id`;
  return rows.map(toHabit);
}

/**
 * One of the user's habits (active or archived); null for another user's, an unknown
 * or a malformed id.
 *
 * @example
 * ```ts
 * const habit = await getHabit(db, user.id, ctx.params.id);
 * if (!habit) throw new HttpError(404, "No habit with that id");
 * ```
 */
export async function getHabit(db: DbQueries, userId: string, habitId: string): Promise<Habit | null> {
  if (!isUuid(habitId)) return null;
  const rows = await db.sql<HabitRow[]>`
    select * from habits where id = ${habitId}::uuid and user_id = ${userId}::uuid`;
  return rows.length ? toHabit(rows[0]) : null;
}

/**
 * Creates a habit at the end of the user's active list; `today` (the user's local day)
 * becomes its start date. Throws a `RuleViolation`: `plan_limit` when the plan's active
 * habits are all taken (exact under any concurrency), `invalid` for input the table
 * refuses.
 *
 * @example
 * ```ts
 * const habit = await createHabit(db, user.id, parseInput(habitCreateSchema, body), localDay(user.timezone));
 * ```
 */
export async function createHabit(db: DbQueries, userId: string, input: HabitInput, today: string): Promise<Habit> {
  const kind = input.kind ?? "boolean";
  try {
    const [row] = await db.sql<HabitRow[]>`
      select * from create_habit(
        ${userId}::uuid,
        ${input.name}::text,
        ${input.color ?? DEFAULT_HABIT_COLOR}::text,
        ${kind}::text,
        ${input.target ?? null}::numeric,
        ${input.unit ?? null}::text,
        ${JSON.stringify(input.schedule ?? { type: "daily" })}::text::jsonb,
        ${today}::date,
        ${input.direction ?? "at_least"}::text
      )`;
    return toHabit(row);
  } catch (error) {
    throw ruleViolationOf(error) ?? error;
  }
}

/**
 * Changes one of the user's habits; null when it is not theirs (or does not exist).
 * Throws a `RuleViolation`: `plan_limit` when unarchiving passes the plan's limit,
 * `invalid` when the result would break a rule (a target on a yes/no habit).
 *
 * @example
 * ```ts
 * await updateHabit(db, user.id, id, { position: 0 }); // move to the top
 * await updateHabit(db, user.id, id, { archived: false }); // may throw plan_limit
 * ```
 */
export async function updateHabit(
  db: DbQueries,
  userId: string,
  habitId: string,
  patch: HabitPatch,
): Promise<Habit | null> {
  if (!isUuid(habitId)) return null;
  // Only keys that are present go to the function: absent means "leave as is".
  const changes = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  try {
    const rows = await db.sql<HabitRow[]>`
      select * from update_habit(${userId}::uuid, ${habitId}::uuid, ${JSON.stringify(changes)}::text::jsonb)`;
    return rows.length ? toHabit(rows[0]) : null;
  } catch (error) {
    throw ruleViolationOf(error) ?? error;
  }
}

/**
 * Deletes one of the user's habits and all its check-ins; false when it is not theirs.
 *
 * @example
 * ```ts
 * if (!(await deleteHabit(db, user.id, id))) throw new HttpError(404, "No habit with that id");
 * ```
 */
export async function deleteHabit(db: DbQueries, userId: string, habitId: string): Promise<boolean> {
  if (!isUuid(habitId)) return false;
  const [row] = await db.sql<{ deleted: boolean }[]>`
    select delete_habit(${userId}::uuid, ${habitId}::uuid) as deleted`;
  return row.deleted;
}
