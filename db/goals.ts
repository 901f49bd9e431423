/**
 * A user's goals with their milestones and subgoals. Reads are plain queries scoped to
 * the user; every change is one call of a Postgres function in `sql/006_goals.sql`
 * (`create_goal` with the plan's limit, `update_goal`, `delete_goal`, `pin_goal`,
 * `create_milestone`, ...), which checks ownership, writes and logs one activity row in
 * the same statement.
 *
 * Ids that are not UUIDs, unknown ids and other users' ids all read as "not found"
 * (`null` / `false`), never as an error: the routes answer 404 for each alike, also for
 * a `goalId` sent in a body.
 *
 * @example
 * ```ts
 * const goal = await createGoal(db, user.id, { title: "Run a marathon" });
 * await createSubgoal(db, user.id, { goalId: goal.id, title: "10 km" });
 * await pinGoal(db, user.id, { goalId: goal.id, pinned: true });
 * const { progress } = (await getGoal(db, user.id, goal.id))!;
 * ```
 */
import { goalProgress, type GoalStatus } from "@/domain/goal_progress.ts";
import type { DbQueries } from "./client.ts";
import type {
  Goal,
  GoalCreateInput,
  GoalPinInput,
  GoalUpdateInput,
  Milestone,
  MilestoneCreateInput,
  MilestoneUpdateInput,
  Subgoal,
  SubgoalCreateInput,
  SubgoalUpdateInput,
} from "@/domain/goal_input.ts";
import { isUuid } from "./habits.ts";
import { ruleViolationOf } from "./rule_violation.ts";

export type { Goal, Milestone, Subgoal };

// What the queries take is what the input schemas (domain/goal_input.ts) give: validate first.
/** A new goal. */
export type GoalInput = GoalCreateInput;
/** A goal's change: only the keys present change; null clears description and target date. */
export type GoalPatch = GoalUpdateInput;
/** Pin or unpin a goal, optionally at a place. */
export type PinInput = GoalPinInput;
/** A new milestone of a goal. */
export type MilestoneInput = MilestoneCreateInput;
/** A milestone's change. */
export type MilestonePatch = MilestoneUpdateInput;
/** A new subgoal of a goal. */
export type SubgoalInput = SubgoalCreateInput;
/** A subgoal's change. */
export type SubgoalPatch = SubgoalUpdateInput;

interface GoalRow {
  id: string;
  title: string;
  description: string | null;
  target_date: string | null;
  status: GoalStatus;
  pin_position: number | null;
  created_at: Date;
  updated_at: Date;
}

interface MilestoneRow {
  id: string;
  goal_id: string;
  title: string;
  due_date: string | null;
  done: boolean;
  position: number;
  created_at: Date;
  updated_at: Date;
}

interface SubgoalRow {
  id: string;
  goal_id: string;
  title: string;
  progress: number;
  done: boolean;
  position: number;
  created_at: Date;
  updated_at: Date;
}

function toMilestone(row: MilestoneRow): Milestone {
  return {
    id: row.id,
    goalId: row.goal_id,
    title: row.title,
    dueDate: row.due_date,
    done: row.done,
    position: row.position,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toSubgoal(row: SubgoalRow): Subgoal {
  return {
    id: row.id,
    goalId: row.goal_id,
    title: row.title,
    progress: row.progress,
    done: row.done,
    position: row.position,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toGoal(row: GoalRow, milestones: Milestone[], subgoals: Subgoal[]): Goal {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    targetDate: row.target_date,
    status: row.status,
    pinned: row.pin_position !== null,
    pinPosition: row.pin_position,
    progress: goalProgress({ status: row.status, milestones, subgoals }),
    milestones,
    subgoals,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function groupByGoal<T extends { goalId: string }>(items: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const list = map.get(item.goalId);
    if (list) list.push(item);
    else map.set(item.goalId, [item]);
  }
  return map;
}

/** Goals rows → goals with their parts (loaded for the whole user in two range reads). */
async function withParts(db: DbQueries, userId: string, rows: GoalRow[]): Promise<Goal[]> {
  if (rows.length === 0) return [];
  const [milestones, subgoals] = await Promise.all([
    db.sql<MilestoneRow[]>`
      select * from milestones where user_id = ${userId}::uuid order by goal_id, position, created_at, id`,
    db.sql<SubgoalRow[]>`
      select * from subgoals where user_id = ${userId}::uuid order by goal_id, position, created_at, id`,
  ]);
  const milestonesOf = groupByGoal([...milestones].map(toMilestone));
  const subgoalsOf = groupByGoal([...subgoals].map(toSubgoal));
  return rows.map((row) => toGoal(row, milestonesOf.get(row.id) ?? [], subgoalsOf.get(row.id) ?? []));
}

/**
 * The user's goals: pinned ones first in their pinned order, then the rest, newest first.
 *
 * @example
 * ```ts
 * const [top] = await listGoals(db, user.id); // the first pinned goal, if any
 * ```
 */
export async function listGoals(db: DbQueries, userId: string): Promise<Goal[]> {
  const rows = await db.sql<GoalRow[]>`
    select g.*, p.position as pin_position
      from goals g left join goal_pins p on p.goal_id = g.id
     where g.user_id = ${userId}::uuid
     order by p.position nulls last, g.created_at desc, g.id`;
  return await withParts(db, userId, [...rows]);
}

/**
 * The user's pinned goals in their order (the dashboard's "Pinned goals").
 *
 * @example
 * ```ts
 * const pinned = await listPinnedGoals(db, user.id);
 * ```
 */
export async function listPinnedGoals(db: DbQueries, userId: string): Promise<Goal[]> {
  const rows = await db.sql<GoalRow[]>`
    select g.*, p.position as pin_position
      from goal_pins p join goals g on g.id = p.goal_id
     where p.user_id = ${userId}::uuid
     order by p.position`;
  return await withParts(db, userId, [...rows]);
}

/**
 * One of the user's goals with its milestones, subgoals and progress; null for another
 * user's, an unknown or a malformed id.
 *
 * @example
 * ```ts
 * const goal = await getGoal(db, user.id, ctx.params.id);
 * if (!goal) throw new HttpError(404, "No goal with that id");
 * ```
 */
export async function getGoal(db: DbQueries, userId: string, goalId: string): Promise<Goal | null> {
  if (!isUuid(goalId)) return null;
  const [row] = await db.sql<GoalRow[]>`
    select g.*, p.position as pin_position
      from goals g left join goal_pins p on p.goal_id = g.id
     where g.id = ${goalId}::uuid and g.user_id = ${userId}::uuid`;
  if (!row) return null;
  const [milestones, subgoals] = await Promise.all([
    db.sql<MilestoneRow[]>`select * from milestones where goal_id = ${goalId}::uuid order by position, created_at, id`,
    db.sql<SubgoalRow[]>`select * from subgoals where goal_id = ${goalId}::uuid order by position, created_at, id`,
  ]);
  return toGoal(row, [...milestones].map(toMilestone), [...subgoals].map(toSubgoal));
}

/**
 * Creates a goal. Throws a `RuleViolation` `plan_limit` when the plan's goals are all
 * taken (exact under any concurrency: `create_goal` counts under the user's lock).
 *
 * @example
 * ```ts
 * const goal = await createGoal(db, user.id, parseInput(goalCreateSchema, body));
 * ```
 */
export async function createGoal(db: DbQueries, userId: string, input: GoalInput): Promise<Goal> {
  try {
    const [row] = await db.sql<{ id: string }[]>`
      select id from create_goal(
        ${userId}::uuid, ${input.title}::text, ${input.description ?? null}::text, ${input.targetDate ?? null}::date
      )`;
    return (await getGoal(db, userId, row.id))!;
  } catch (error) {
    throw ruleViolationOf(error) ?? error;
  }
}

/** Only the keys present go to the functions: absent means "leave as is". */
function patchJson(patch: object): string {
  return JSON.stringify(Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)));
}

/**
 * Changes one of the user's goals; null when it is not theirs.
 *
 * @example
 * ```ts
 * await updateGoal(db, user.id, id, { status: "done" });
 * ```
 */
export async function updateGoal(
  db: DbQueries,
  userId: string,
  goalId: string,
  patch: GoalPatch,
): Promise<Goal | null> {
  if (!isUuid(goalId)) return null;
  try {
    const rows = await db.sql<{ id: string }[]>`
      select id from update_goal(${userId}::uuid, ${goalId}::uuid, ${patchJson(patch)}::text::jsonb)`;
    return rows.length ? await getGoal(db, userId, goalId) : null;
  } catch (error) {
    throw ruleViolationOf(error) ?? error;
  }
}

/**
 * Deletes one of the user's goals with its milestones and subgoals; false when not theirs.
 *
 * @example
 * ```ts
 * if (!(await deleteGoal(db, user.id, id))) throw new HttpError(404, "No goal with that id");
 * ```
 */
export async function deleteGoal(db: DbQueries, userId: string, goalId: string): Promise<boolean> {
  if (!isUuid(goalId)) return false;
  const [row] = await db.sql<{ deleted: boolean }[]>`select delete_goal(${userId}::uuid, ${goalId}::uuid) as deleted`;
  return row.deleted;
}

/**
 * Pins (at `position`, default the end or its current place) or unpins one of the
 * user's goals; an upsert, so repeating it changes nothing. Pinned positions stay dense
 * (0..n-1) under any concurrency. Null when the goal is not theirs.
 *
 * @example
 * ```ts
 * await pinGoal(db, user.id, { goalId, pinned: true, position: 0 }); // to the top
 * ```
 */
export async function pinGoal(db: DbQueries, userId: string, input: PinInput): Promise<Goal | null> {
  if (!isUuid(input.goalId)) return null;
  try {
    await db.sql`
      select pin_goal(${userId}::uuid, ${input.goalId}::uuid, ${input.pinned}::boolean, ${
      input.position ?? null
    }::integer)`;
  } catch (error) {
    const rule = ruleViolationOf(error);
    if (rule?.kind === "not_found") return null;
    throw rule ?? error;
  }
  return await getGoal(db, userId, input.goalId);
}

/**
 * Adds a milestone at the end of one of the user's goals; null when the goal is not theirs.
 *
 * @example
 * ```ts
 * const milestone = await createMilestone(db, user.id, { goalId, title: "Half marathon", dueDate: "2026-06-01" });
 * ```
 */
export async function createMilestone(db: DbQueries, userId: string, input: MilestoneInput): Promise<Milestone | null> {
  if (!isUuid(input.goalId)) return null;
  try {
    const [row] = await db.sql<MilestoneRow[]>`
      select * from create_milestone(
        ${userId}::uuid, ${input.goalId}::uuid, ${input.title}::text, ${input.dueDate ?? null}::date
      )`;
    return toMilestone(row);
  } catch (error) {
    const rule = ruleViolationOf(error);
    if (rule?.kind === "not_found") return null;
    throw rule ?? error;
  }
}

/**
 * Changes one of the user's milestones; null when it is not theirs.
 *
 * @example
 * ```ts
 * await updateMilestone(db, user.id, id, { done: true });
 * ```
 */
export async function updateMilestone(
  db: DbQueries,
  userId: string,
  milestoneId: string,
  patch: MilestonePatch,
): Promise<Milestone | null> {
  if (!isUuid(milestoneId)) return null;
  try {
    const rows = await db.sql<MilestoneRow[]>`
      select * from update_milestone(${userId}::uuid, ${milestoneId}::uuid, ${patchJson(patch)}::text::jsonb)`;
    return rows.length ? toMilestone(rows[0]) : null;
  } catch (error) {
    throw ruleViolationOf(error) ?? error;
  }
}

/** Deletes one of the user's milestones; false when it is not theirs. */
export async function deleteMilestone(db: DbQueries, userId: string, milestoneId: string): Promise<boolean> {
  if (!isUuid(milestoneId)) return false;
  const [row] = await db.sql<{ deleted: boolean }[]>`
    select delete_milestone(${userId}::uuid, ${milestoneId}::uuid) as deleted`;
  return row.deleted;
}

/**
 * Adds a subgoal (progress 0) at the end of one of the user's goals; null when the goal
 * is not theirs.
 *
 * @example
 * ```ts
 * const subgoal = await createSubgoal(db, user.id, { goalId, title: "Buy shoes" });
 * ```
 */
export async function createSubgoal(db: DbQueries, userId: string, input: SubgoalInput): Promise<Subgoal | null> {
  if (!isUuid(input.goalId)) return null;
  try {
    const [row] = await db.sql<SubgoalRow[]>`
      select * from create_subgoal(${userId}::uuid, ${input.goalId}::uuid, ${input.title}::text)`;
    return toSubgoal(row);
  } catch (error) {
    const rule = ruleViolationOf(error);
    if (rule?.kind === "not_found") return null;
    throw rule ?? error;
  }
}

/**
 * Changes one of the user's subgoals; null when it is not theirs.
 *
 * @example
 * ```ts
 * await updateSubgoal(db, user.id, id, { progress: 60 });
 * ```
 */
export async function updateSubgoal(
  db: DbQueries,
  userId: string,
  subgoalId: string,
  patch: SubgoalPatch,
): Promise<Subgoal | null> {
  if (!isUuid(subgoalId)) return null;
  try {
    const rows = await db.sql<SubgoalRow[]>`
      select * from update_subgoal(${userId}::uuid, ${subgoalId}::uuid, ${patchJson(patch)}::text::jsonb)`;
    return rows.length ? toSubgoal(rows[0]) : null;
  } catch (error) {
    throw ruleViolationOf(error) ?? error;
  }
}

/** Deletes one of the user's subgoals; false when it is not theirs. */
export async function deleteSubgoal(db: DbQueries, userId: string, subgoalId: string): Promise<boolean> {
  if (!isUuid(subgoalId)) return false;
  const [row] = await db.sql<{ deleted: boolean }[]>`
    select delete_subgoal(${userId}::uuid, ${subgoalId}::uuid) as deleted`;
  return row.deleted;
}
