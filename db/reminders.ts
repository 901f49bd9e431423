/**
 * A user's reminders and the scheduler's delivery of them. Reads are plain queries
 * scoped to the user; every change is one call of a Postgres function in
 * `sql/007_reminders.sql` (`create_reminder`, `update_reminder`, `delete_reminder`),
 * which checks ownership (of the reminder and of its habit), writes, and logs one
 * activity row in the same statement. {@linkcode deliverDueReminders} is one call of
 * `deliver_due_reminders`: the at-most-once claim, the notification and the outbox
 * e-mail in one statement.
 *
 * Ids that are not UUIDs, unknown ids and other users' ids all read as "no such
 * reminder" (`null` / `false`); a habit id that is not the user's throws a
 * `RuleViolation` `not_found`. The routes answer 404 for each alike.
 *
 * @example
 * ```ts
 * const reminder = await createReminder(db, user.id, { title: "Stretch", time: "07:30", days: [1, 3, 5] });
 * await updateReminder(db, user.id, reminder.id, { enabled: false });
 * ```
 */
import type { Weekday } from "@/domain/calendar.ts";
import type { ReminderCreate, ReminderPatch } from "@/domain/reminder_input.ts";
import type { DbQueries } from "./client.ts";
import { isUuid } from "./habits.ts";
import { RuleViolation } from "@/domain/rules.ts";
import { ruleViolationOf } from "./rule_violation.ts";

/** A reminder as the app and the API show it. */
export interface Reminder {
  id: string;
  habitId: string | null;
  title: string;
  /** `HH:MM`, wall-clock time in the user's timezone. */
  time: string;
  /** ISO weekdays, sorted. */
  days: Weekday[];
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

interface ReminderRow {
  id: string;
  habit_id: string | null;
  title: string;
  time_of_day: string;
  days: number[];
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

function toReminder(row: ReminderRow): Reminder {
  return {
    id: row.id,
    habitId: row.habit_id,
    title: row.title,
    time: row.time_of_day.slice(0, 5),
    days: row.days.map(Number) as Weekday[],
    enabled: row.enabled,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * The user's reminders by time of day.
 *
 * @example
 * ```ts
 * const reminders = await listReminders(db, user.id);
 * ```
 */
export async function listReminders(db: DbQueries, userId: string): Promise<Reminder[]> {
  const rows = await db.sql<ReminderRow[]>`
    select * from reminders where user_id = ${userId}::uuid order by time_of_day, created_at, id`;
  return rows.map(toReminder);
}

/** One of the user's reminders; null for another user's, an unknown or a malformed id. */
export async function getReminder(db: DbQueries, userId: string, reminderId: string): Promise<Reminder | null> {
  if (!isUuid(reminderId)) return null;
  const rows = await db.sql<ReminderRow[]>`
    select * from reminders where id = ${reminderId}::uuid and user_id = ${userId}::uuid`;
  return rows.length ? toReminder(rows[0]) : null;
}

/** A habit id that cannot be the user's, refused before a cast could fail. */
function foreignHabit(): RuleViolation {
  return new RuleViolation("not_found", "No habit with that id");
}

/**
 * Creates a reminder (enabled unless told otherwise). Throws a `RuleViolation`
 * `not_found` when `habitId` is not one of the user's habits.
 *
 * @example
 * ```ts
 * const reminder = await createReminder(db, user.id, parseInput(reminderCreateSchema, body));
 * ```
 */
export async function createReminder(db: DbQueries, userId: string, input: ReminderCreate): Promise<Reminder> {
  const habitId = input.habitId ?? null;
  if (habitId !== null && !isUuid(habitId)) throw foreignHabit();
  try {
    const [row] = await db.sql<ReminderRow[]>`
      select * from create_reminder(
        ${userId}::uuid,
        ${habitId}::uuid,
        ${input.title}::text,
        ${input.time}::time,
        ${`{${input.days.join(",")}}`}::smallint[],
        ${input.enabled ?? true}::boolean
      )`;
    return toReminder(row);
  } catch (error) {
    throw ruleViolationOf(error) ?? error;
  }
}

/**
 * Changes one of the user's reminders (only the keys present); null when it is not
 * theirs. Throws a `RuleViolation` `not_found` for a habit that is not theirs.
 *
 * @example
 * ```ts
 * await updateReminder(db, user.id, id, { days: [6, 7], time: "09:00" });
 * ```
 */
export async function updateReminder(
  db: DbQueries,
  userId: string,
  reminderId: string,
  patch: ReminderPatch,
): Promise<Reminder | null> {
  if (!isUuid(reminderId)) return null;
  if (patch.habitId !== undefined && patch.habitId !== null && !isUuid(patch.habitId)) {
    // Still "no such reminder" first: an unknown reminder is a 404 whatever the body says.
    if (!(await getReminder(db, userId, reminderId))) return null;
    throw foreignHabit();
  }
  const changes = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  try {
    const rows = await db.sql<ReminderRow[]>`
      select * from update_reminder(${userId}::uuid, ${reminderId}::uuid, ${JSON.stringify(changes)}::text::jsonb)`;
    return rows.length ? toReminder(rows[0]) : null;
  } catch (error) {
    throw ruleViolationOf(error) ?? error;
  }
}

/** Deletes one of the user's reminders; false when it is not theirs. Notifications it sent stay. */
export async function deleteReminder(db: DbQueries, userId: string, reminderId: string): Promise<boolean> {
  if (!isUuid(reminderId)) return false;
  const [row] = await db.sql<{ deleted: boolean }[]>`
    select delete_reminder(${userId}::uuid, ${reminderId}::uuid) as deleted`;
  return row.deleted;
}

/** One reminder delivered by {@linkcode deliverDueReminders}. */
export interface Delivery {
  reminderId: string;
  userId: string;
  /** The user's local day it was delivered for. */
  localDate: string;
  notificationId: string;
  /** An e-mail was queued in the outbox. */
  emailed: boolean;
}

/** How many reminders one call delivers at most; the next tick takes the rest. */
export const DELIVERY_BATCH = 1000;

/**
 * Delivers every reminder due at `now` (each user's local clock) that no one has
 * delivered for that local day: a notification each, and an outbox e-mail when `email`
 * is true and the user opted in. Safe to call from any number of instances at once:
 * each reminder is delivered at most once per local day.
 *
 * @example
 * ```ts
 * const deliveries = await deliverDueReminders(db, new Date(), config.smtpUrl !== undefined);
 * ```
 */
export async function deliverDueReminders(
  db: DbQueries,
  now: Date,
  email: boolean,
  limit = DELIVERY_BATCH,
): Promise<Delivery[]> {
  return await db.sql<Delivery[]>`
    select reminder_id as "reminderId", user_id as "userId", local_date as "localDate",
           notification_id as "notificationId", emailed
      from deliver_due_reminders(${now}::timestamptz, ${email}::boolean, ${limit}::integer)`;
}
