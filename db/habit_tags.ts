/**
 * Writing a habit's tags: the Postgres function `set_habit_tags`
 * (sql/013_notes_and_tags.sql) checks ownership, writes and logs one activity row.
 * Creating or editing a habit together with its tags runs both calls in one transaction
 * ({@linkcode withTags}), so a habit is never left half-written.
 *
 * @example
 * ```ts
 * const habit = await createTaggedHabit(db, user.id, { name: "Run", tags: ["health"] }, today);
 * await updateTaggedHabit(db, user.id, habit.id, { tags: [] }); // only the tags change
 * ```
 */
import type postgres from "postgres";
import type { DbQueries } from "./client.ts";
import { createHabit, getHabit, type Habit, type HabitInput, type HabitPatch, isUuid, updateHabit } from "./habits.ts";
import { ruleViolationOf } from "./rule_violation.ts";

/** Replaces the tags of one of the user's habits (validated with `tagsSchema`); null when it is not theirs. */
export async function setHabitTags(
  db: DbQueries,
  userId: string,
  habitId: string,
  tags: readonly string[],
): Promise<Pick<Habit, "id" | "tags"> | null> {
  if (!isUuid(habitId)) return null;
  try {
    const rows = await db.sql<{ id: string; tags: string[] }[]>`
      select id, tags from set_habit_tags(${userId}::uuid, ${habitId}::uuid, ${tags as string[]}::text[])`;
    return rows[0] ?? null;
  } catch (error) {
    throw ruleViolationOf(error) ?? error;
  }
}

/**
 * Runs `write` (a habit create or update) and, when `tags` is given, sets the habit's tags,
 * in one transaction; returns the habit with its tags (null when `write` found none).
 */
export async function withTags(
  db: DbQueries,
  userId: string,
  tags: readonly string[] | undefined,
  write: (q: DbQueries) => Promise<Habit | null>,
): Promise<Habit | null> {
  if (tags === undefined) return await write(db);
  return await db.tx(async (sql) => {
    const q: DbQueries = { sql: sql as unknown as postgres.Sql, tx: (fn) => fn(sql) };
    const habit = await write(q);
    if (!habit) return null;
    const tagged = await setHabitTags(q, userId, habit.id, tags);
    return { ...habit, tags: tagged?.tags ?? habit.tags };
  });
}

/** `createHabit` (db/habits.ts) that also sets `input.tags`, in one transaction. */
export async function createTaggedHabit(
  db: DbQueries,
  userId: string,
  input: HabitInput & { tags?: readonly string[] },
  today: string,
): Promise<Habit> {
  const { tags, ...rest } = input;
  return (await withTags(db, userId, tags, (q) => createHabit(q, userId, rest, today)))!;
}

/**
 * `updateHabit` (db/habits.ts) that also sets `patch.tags`, in one transaction; a patch of
 * tags alone leaves the other fields (and their activity row) alone. Null when the habit is
 * not the user's.
 */
export async function updateTaggedHabit(
  db: DbQueries,
  userId: string,
  habitId: string,
  patch: HabitPatch & { tags?: readonly string[] },
): Promise<Habit | null> {
  const { tags, ...rest } = patch;
  const changesMore = Object.values(rest).some((value) => value !== undefined);
  return await withTags(
    db,
    userId,
    tags,
    (q) => changesMore || tags === undefined ? updateHabit(q, userId, habitId, rest) : getHabit(q, userId, habitId),
  );
}
