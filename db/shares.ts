/**
 * Shared grids: one secret link per habit (`/s/<token>`), created, kept or rotated by
 * `share_habit` and revoked by `unshare_habit` (sql/015). What a link opens is found by
 * its token alone and gives the habit's rule and day states, nothing else of the user.
 *
 * @example
 * ```ts
 * const share = await shareHabit(db, user.id, habit.id, { showName: true });
 * const shared = await findShare(db, share.token); // { userId, habitId, showName, timezone, weekStart }
 * ```
 */
import { newSecret } from "@/lib/auth/secret.ts";
import type { Weekday } from "@/domain/calendar.ts";
import type { DbQueries } from "./client.ts";
import { RuleViolation } from "@/domain/rules.ts";

/** A habit's share link as its owner sees it. */
export interface HabitShare {
  token: string;
  showName: boolean;
  createdAt: Date;
}

/** What a token opens: whose habit, and how to draw its days. */
export interface SharedHabitRef {
  userId: string;
  habitId: string;
  showName: boolean;
  timezone: string;
  weekStart: Weekday;
}

/** A share token's shape: 43 URL-safe base64 characters (32 random bytes). */
export const SHARE_TOKEN = /^[A-Za-z0-9_-]{43}$/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Shares one of the user's habits, or updates its link: the existing token is kept
 * unless `rotate` (which kills the old link); `showName` undefined keeps the current
 * choice. Another user's habit → RuleViolation `not_found`.
 */
export async function shareHabit(
  db: DbQueries,
  userId: string,
  habitId: string,
  options: { showName?: boolean; rotate?: boolean } = {},
): Promise<HabitShare> {
  if (!UUID.test(habitId)) return notFound();
  const [share] = await db.sql<HabitShare[]>`
    select token, show_name as "showName", created_at as "createdAt"
      from share_habit(${userId}::uuid, ${habitId}::uuid, ${newSecret()}, ${options.showName ?? null}::boolean,
                       ${options.rotate ?? false})`;
  return share;
}

/** Revokes a habit's link; not shared, another user's or unknown → RuleViolation `not_found`. */
export async function unshareHabit(db: DbQueries, userId: string, habitId: string): Promise<void> {
  if (!UUID.test(habitId)) return notFound();
  await db.sql`select unshare_habit(${userId}::uuid, ${habitId}::uuid)`;
}

/** The user's link for a habit, if it is shared. */
export async function shareOf(db: DbQueries, userId: string, habitId: string): Promise<HabitShare | undefined> {
  if (!UUID.test(habitId)) return undefined;
  const [share] = await db.sql<HabitShare[]>`
    select token, show_name as "showName", created_at as "createdAt"
      from habit_shares where habit_id = ${habitId}::uuid and user_id = ${userId}::uuid`;
  return share;
}

/** What `token` opens, or undefined for an unknown, revoked or malformed token. */
export async function findShare(db: DbQueries, token: string): Promise<SharedHabitRef | undefined> {
  if (!SHARE_TOKEN.test(token)) return undefined;
  const [ref] = await db.sql<SharedHabitRef[]>`
    select s.user_id::text as "userId", s.habit_id::text as "habitId", s.show_name as "showName",
           u.timezone, u.week_start as "weekStart"
      from habit_shares s join users u on u.id = s.user_id
     where s.token = ${token}`;
  return ref;
}

function notFound(): never {
  throw new RuleViolation("not_found", "No habit with that id");
}
