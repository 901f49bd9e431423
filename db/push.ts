/**
 * Web Push in the database (sql/014_push.sql): the devices a user subscribed, and the
 * reminder pushes the scheduler sends to them.
 *
 * Subscriptions: one row per push endpoint (a browser profile on a device), owned by
 * the user who subscribed it last; {@linkcode savePushSubscription} and
 * {@linkcode deletePushSubscription} are one function call each (ownership, the device
 * cap and one activity row in the same statement). Another user's id, an unknown one
 * and a malformed one all read as "no such subscription".
 *
 * Reminder pushes: {@linkcode deliverRemindersToDevices} is the scheduler's claim
 * (sql/007's, unchanged) plus the routing to devices or e-mail, in one statement.
 * Sending is a lease, like the e-mail outbox (db/email_outbox.ts): one short statement
 * claims due rows (`FOR UPDATE SKIP LOCKED`: concurrent senders on any number of
 * instances never take the same row) and pushes their `next_attempt_at` a lease ahead;
 * the HTTP request happens outside any transaction; {@linkcode finishReminderPush}
 * records the outcome, deletes a gone subscription, and queues the e-mail when no
 * device took the reminder.
 *
 * @example
 * ```ts
 * const deliveries = await deliverRemindersToDevices(db, now, { email: true, push: true });
 * for (const push of await claimDuePushes(db, now)) {
 *   const outcome = await sendPush(push.subscription, message, vapid);
 *   await finishReminderPush(db, push.id, outcome, now, { email: true });
 * }
 * ```
 */
import type { PushOutcome } from "@/lib/push/send.ts";
import type { PushSubscriptionJson } from "@/lib/push/subscription.ts";
import type { PushDevice } from "@/domain/push_device.ts";
import type { DbQueries } from "./client.ts";
import { isUuid } from "./habits.ts";
import { ruleViolationOf } from "./rule_violation.ts";

/** How many devices one user can receive reminders on. */
export const PUSH_DEVICES_MAX = 10;
/** How long a claimed push stays away from other senders while it is being sent. */
export const PUSH_LEASE_MS = 60_000;
/** Rows one sender claims per round. */
export const PUSH_BATCH = 50;

/**
 * Saves `subscription` for the user (a device that subscribes again keeps one row, now
 * theirs). Throws a `RuleViolation` `conflict` past {@linkcode PUSH_DEVICES_MAX}
 * devices. Check the subscription first (lib/push/subscription.ts).
 *
 * @example
 * ```ts
 * const device = await savePushSubscription(db, user.id, body, "Firefox on Linux");
 * ```
 */
export async function savePushSubscription(
  db: DbQueries,
  userId: string,
  subscription: PushSubscriptionJson,
  label: string,
): Promise<PushDevice> {
  try {
    const [row] = await db.sql<PushDevice[]>`
      select id, device_label as label, created_at as "createdAt", last_success_at as "lastSuccessAt"
        from save_push_subscription(${userId}::uuid, ${subscription.endpoint}, ${subscription.keys.p256dh},
                                    ${subscription.keys.auth}, ${label}, ${PUSH_DEVICES_MAX}::integer)`;
    return row;
  } catch (error) {
    throw ruleViolationOf(error) ?? error;
  }
}

/** Forgets one of the user's devices; false when it is not theirs. */
export async function deletePushSubscription(db: DbQueries, userId: string, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const [row] = await db.sql<{ deleted: boolean }[]>`
    select delete_push_subscription(${userId}::uuid, ${id}::uuid) as deleted`;
  return row.deleted;
}

/** The user's devices, oldest first. */
export async function listPushDevices(db: DbQueries, userId: string): Promise<PushDevice[]> {
  return await db.sql<PushDevice[]>`
    select id, device_label as label, created_at as "createdAt", last_success_at as "lastSuccessAt"
      from push_subscriptions where user_id = ${userId}::uuid order by created_at, id`;
}

/** One reminder claimed by {@linkcode deliverRemindersToDevices}. */
export interface DeviceDelivery {
  reminderId: string;
  userId: string;
  localDate: string;
  notificationId: string;
  /** The e-mail was queued (the user has no device, and wants reminder e-mail). */
  emailed: boolean;
  /** Pushes queued: one per device of the user. */
  pushes: number;
}

/**
 * Claims every reminder due at `now` (sql/007's `deliver_due_reminders`: at most once
 * per reminder per local day across instances) and routes each: a push per device
 * when `push` (the server has VAPID keys) and the user has devices, else the e-mail
 * when `email` (SMTP is configured) and the user wants it.
 *
 * @example
 * ```ts
 * const batch = await deliverRemindersToDevices(db, new Date(), { email: false, push: true });
 * ```
 */
export async function deliverRemindersToDevices(
  db: DbQueries,
  now: Date,
  routes: { email: boolean; push: boolean },
  limit = 1000,
): Promise<DeviceDelivery[]> {
  return await db.sql<DeviceDelivery[]>`
    select reminder_id as "reminderId", user_id as "userId", local_date as "localDate",
           notification_id as "notificationId", emailed, pushes
      from deliver_reminders_to_devices(${now}::timestamptz, ${routes.email}::boolean, ${routes.push}::boolean,
                                        ${limit}::integer)`;
}

/** A push claimed for sending, with what its message says. */
export interface ClaimedPush {
  id: string;
  reminderId: string;
  userId: string;
  localDate: string;
  subscription: PushSubscriptionJson;
  /** Including this one. */
  attempts: number;
  /** Past this, the push fails without being sent (the e-mail goes instead). */
  giveUpAt: Date;
  title: string;
  /** The reminder's habit (one-tap links are for it), or null for a plain reminder. */
  habitId: string | null;
  habitName: string | null;
  /** `HH:MM`, the reminder's local time. */
  time: string;
}

/**
 * Claims up to `limit` pushes due at `now` for one sender: counts the attempt and
 * leases the rows for {@linkcode PUSH_LEASE_MS}. Concurrent callers get disjoint rows.
 */
export async function claimDuePushes(db: DbQueries, now: Date, limit = PUSH_BATCH): Promise<ClaimedPush[]> {
  const rows = await db.sql<(Omit<ClaimedPush, "subscription"> & { endpoint: string; p256dh: string; auth: string })[]>`
    update reminder_pushes p
       set attempts = p.attempts + 1,
           next_attempt_at = ${now}::timestamptz + ${PUSH_LEASE_MS} * interval '1 millisecond'
      from (select id from reminder_pushes
             where status = 'pending' and next_attempt_at <= ${now}::timestamptz
             order by next_attempt_at
             limit ${limit}
               for update skip locked) due,
           push_subscriptions s,
           reminders r
           left join habits h on h.id = r.habit_id
     where p.id = due.id and s.id = p.subscription_id and r.id = p.reminder_id
    returning p.id, p.reminder_id as "reminderId", p.user_id as "userId", p.local_date as "localDate",
              p.attempts, p.give_up_at as "giveUpAt", s.endpoint, s.p256dh, s.auth,
              r.title, r.habit_id as "habitId", h.name as "habitName", to_char(r.time_of_day, 'HH24:MI') as time`;
  return rows.map(({ endpoint, p256dh, auth, ...push }) => ({
    ...push,
    subscription: { endpoint, keys: { p256dh, auth } },
  }));
}

/**
 * Records `outcome` for a claimed push: delivered; a retry at the service's
 * `Retry-After` or after {@linkcode pushRetryDelayMs} (failed once past its give-up
 * time); gone (the subscription is deleted); refused (failed). Returns whether that
 * left the reminder with no device and so queued its e-mail (when `email`).
 */
export async function finishReminderPush(
  db: DbQueries,
  push: Pick<ClaimedPush, "id" | "attempts">,
  outcome: PushOutcome | { kind: "expired" },
  now: Date,
  routes: { email: boolean },
): Promise<boolean> {
  const kind = outcome.kind === "expired" ? "refused" : outcome.kind;
  const error = outcome.kind === "expired"
    ? "not sent before its give-up time"
    : "reason" in outcome
    ? outcome.reason
    : outcome.kind === "gone"
    ? `${outcome.status}: the subscription is gone`
    : null;
  const retryAt = outcome.kind === "retry"
    ? new Date(now.getTime() + (outcome.retryAfterSeconds ?? 0) * 1000 + pushRetryDelayMs(push.attempts))
    : null;
  const [row] = await db.sql<{ emailed: boolean }[]>`
    select finish_reminder_push(${push.id}::uuid, ${kind}, ${error}, ${retryAt}::timestamptz, ${now}::timestamptz,
                                ${routes.email}::boolean) as emailed`;
  return row.emailed;
}

/**
 * The wait after the `attempt`-th failed try of a push: 30 s, 1 min, 2, 4 … (a
 * reminder gives up after 15 minutes, sql/014_push.sql, and goes by e-mail).
 */
export function pushRetryDelayMs(attempt: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 8 * 60_000);
}
