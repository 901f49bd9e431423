/**
 * A user's in-app notifications: written by the reminder scheduler
 * (`deliver_due_reminders`), read here, marked read through one call of
 * `mark_notifications_read` (sql/007_reminders.sql), which logs one activity row.
 *
 * @example
 * ```ts
 * const unread = await listNotifications(db, user.id, { unread: true });
 * await markNotificationsRead(db, user.id, unread.map((n) => n.id));
 * ```
 */
import type { DbQueries } from "./client.ts";
import { isUuid } from "./habits.ts";
import { RuleViolation } from "@/domain/rules.ts";
import { ruleViolationOf } from "./rule_violation.ts";

export interface Notification {
  id: string;
  reminderId: string | null;
  /** The habit of the reminder that sent it, if it has one (still): pages link to it. */
  habitId: string | null;
  habitName: string | null;
  title: string;
  body: string;
  createdAt: Date;
  /** Null while unread. */
  readAt: Date | null;
}

/** The most a list returns: the newest ones. */
export const NOTIFICATIONS_LIST_MAX = 100;

/**
 * The user's newest notifications (all, or `{ unread: true }`), newest first.
 *
 * @example
 * ```ts
 * const latest = await listNotifications(db, user.id);
 * ```
 */
export async function listNotifications(
  db: DbQueries,
  userId: string,
  options: { unread?: boolean } = {},
): Promise<Notification[]> {
  // Two statements rather than one with a parameter, so each matches its index.
  return options.unread
    ? await db.sql<Notification[]>`
        select n.id, n.reminder_id as "reminderId", h.id as "habitId", h.name as "habitName", n.title, n.body,
               n.created_at as "createdAt", n.read_at as "readAt"
          from notifications n
          left join reminders r on r.id = n.reminder_id
          left join habits h on h.id = r.habit_id
         where n.user_id = ${userId}::uuid and n.read_at is null
         order by n.created_at desc, n.id desc
         limit ${NOTIFICATIONS_LIST_MAX}`
    : await db.sql<Notification[]>`
        select n.id, n.reminder_id as "reminderId", h.id as "habitId", h.name as "habitName", n.title, n.body,
               n.created_at as "createdAt", n.read_at as "readAt"
          from notifications n
          left join reminders r on r.id = n.reminder_id
          left join habits h on h.id = r.habit_id
         where n.user_id = ${userId}::uuid
         order by n.created_at desc, n.id desc
         limit ${NOTIFICATIONS_LIST_MAX}`;
}

/**
 * How many unread notifications the user has, from the partial unread index (every
 * page's header shows it).
 */
export async function countUnreadNotifications(db: DbQueries, userId: string): Promise<number> {
  const [row] = await db.sql<{ count: number }[]>`
    select count(*)::integer as count from notifications where user_id = ${userId}::uuid and read_at is null`;
  return row.count;
}

/**
 * Marks the given notifications read, or every unread one when `ids` is undefined;
 * returns how many changed. All or nothing: an id that is not the user's (or not a
 * UUID) throws a `RuleViolation` `not_found` and nothing changes.
 *
 * @example
 * ```ts
 * await markNotificationsRead(db, user.id); // all
 * ```
 */
export async function markNotificationsRead(db: DbQueries, userId: string, ids?: string[]): Promise<number> {
  if (ids && !ids.every(isUuid)) throw new RuleViolation("not_found", "No notification with that id");
  try {
    const [row] = await db.sql<{ count: number }[]>`
      select mark_notifications_read(${userId}::uuid, ${ids ? `{${ids.join(",")}}` : null}::uuid[]) as count`;
    return row.count;
  } catch (error) {
    throw ruleViolationOf(error) ?? error;
  }
}
