/**
 * Pauses (vacation, illness): local day ranges in which one habit, or every habit of a
 * user, asks nothing. Written only by `create_pause` / `delete_pause`
 * (sql/016_habit_model.sql): ownership, the plan's cap (exact under concurrency) and one
 * activity row in one statement each. Read here for the statistics (domain/completion.ts
 * treats paused days as not due) and for the pages and API.
 *
 * @example
 * ```ts
 * const pause = await createPause(db, user.id, { from: "2026-12-20", to: "2027-01-03" }); // every habit
 * const ranges = pausesOf(await listPauses(db, user.id), habit.id);
 * ```
 */
import type { PauseCreateInput } from "@/domain/pause_input.ts";
import type { DbQueries } from "./client.ts";
import { isUuid } from "./habits.ts";
import { RuleViolation } from "@/domain/rules.ts";
import { ruleViolationOf } from "./rule_violation.ts";

/** One pause as the API shows it. */
export interface Pause {
  id: string;
  /** The paused habit, or null: every habit of the user. */
  habitId: string | null;
  /** First and last paused local day, `YYYY-MM-DD`, inclusive. */
  from: string;
  to: string;
  note: string | null;
  createdAt: Date;
}

interface PauseRow {
  id: string;
  habit_id: string | null;
  from_day: string;
  to_day: string;
  note: string | null;
  created_at: Date;
}

function toPause(row: PauseRow): Pause {
  return {
    id: row.id,
    habitId: row.habit_id,
    from: row.from_day,
    to: row.to_day,
    note: row.note,
    createdAt: row.created_at,
  };
}

/** The user's pauses, latest first. */
export async function listPauses(db: DbQueries, userId: string): Promise<Pause[]> {
  const rows = await db.sql<PauseRow[]>`
    select id::text, habit_id::text, from_day, to_day, note, created_at
      from pauses where user_id = ${userId}::uuid
     order by from_day desc, created_at desc`;
  return rows.map(toPause);
}

/**
 * Creates a pause. Throws a `RuleViolation`: `not_found` (a habit that is not the user's),
 * `plan_limit` (the plan's cap of pauses), `invalid` (from after to, over 366 days).
 */
export async function createPause(db: DbQueries, userId: string, input: PauseCreateInput): Promise<Pause> {
  const habitId = input.habitId ?? null;
  if (habitId !== null && !isUuid(habitId)) throw new RuleViolation("not_found", "No habit with that id");
  try {
    const [row] = await db.sql<PauseRow[]>`
      select id::text, habit_id::text, from_day, to_day, note, created_at
        from create_pause(${userId}::uuid, ${habitId}::uuid, ${input.from}::date, ${input.to}::date,
                          ${input.note ?? null}::text)`;
    return toPause(row);
  } catch (error) {
    throw ruleViolationOf(error) ?? error;
  }
}

/** Deletes one of the user's pauses; false when it is not theirs (or the id is malformed). */
export async function deletePause(db: DbQueries, userId: string, pauseId: string): Promise<boolean> {
  if (!isUuid(pauseId)) return false;
  const [row] = await db.sql<{ deleted: boolean }[]>`select delete_pause(${userId}::uuid, ${pauseId}::uuid) as deleted`;
  return row.deleted;
}

/** The day ranges that pause `habitId`: its own pauses and the user-wide ones. */
export function pausesOf(pauses: readonly Pause[], habitId: string): { from: string; to: string }[] {
  return pauses.filter((p) => p.habitId === null || p.habitId === habitId).map(({ from, to }) => ({ from, to }));
}
