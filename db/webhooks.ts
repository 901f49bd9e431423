/**
 * Outgoing webhooks in the database: registering, listing and deleting them, their
 * deliveries (enqueued by sql/015's trigger on `activity`, in the transaction of the
 * write itself), and the sender's lease on due deliveries.
 *
 * Sending is a lease, as for the e-mail outbox (db/email_outbox.ts): one short statement
 * claims due rows with `FOR UPDATE SKIP LOCKED` (concurrent senders on any number of
 * instances never take the same row; PgBouncer-safe), counts the attempt and pushes
 * `next_attempt_at` a lease ahead; the HTTP request happens outside any transaction; a
 * second statement records the outcome. So each attempt is made by one sender at most; a
 * sender that dies mid-request leaves the row to a new attempt when the lease ends.
 *
 * @example
 * ```ts
 * const { webhook, secret } = await createWebhook(db, user.id, "https://example.com/cg", ["habit.*"]);
 * const deliveries = await listDeliveries(db, user.id, webhook.id);
 * ```
 */
import {
  DELIVERIES_SHOWN,
  type DeliveryStatus,
  deliveryStatus,
  WEBHOOK_MAX_ATTEMPTS,
  webhookRetryDelayMs,
} from "@/domain/webhook_input.ts";
import { generateWebhookSecret } from "@/lib/webhooks/signature.ts";
import type { DbQueries } from "./client.ts";

/** A webhook as its owner sees it (never its secret). */
export interface Webhook {
  id: string;
  url: string;
  events: string[];
  createdAt: Date;
}

/** One delivery as the list shows it. */
export interface WebhookDelivery {
  id: string;
  event: string;
  status: DeliveryStatus;
  attempts: number;
  /** The last attempt's HTTP status; null when there was no answer (or no attempt yet). */
  responseStatus: number | null;
  error: string | null;
  createdAt: Date;
  lastAttemptAt: Date | null;
  deliveredAt: Date | null;
  nextAttemptAt: Date | null;
}

/** How long a claimed delivery stays away from other senders: well over one request's deadline. */
export const WEBHOOK_LEASE_MS = 2 * 60_000;
/** Rows one sender claims per round. */
export const WEBHOOK_BATCH = 20;

/**
 * Registers a webhook; the caller has checked the URL (shape and addresses). Returns the
 * signing secret, which is shown to the user on this response only. More than
 * {@linkcode WEBHOOKS_PER_USER} → RuleViolation `conflict`.
 */
export async function createWebhook(
  db: DbQueries,
  userId: string,
  url: string,
  events: readonly string[],
): Promise<{ webhook: Webhook; secret: string }> {
  const secret = generateWebhookSecret();
  const [webhook] = await db.sql<Webhook[]>`
    select id::text as id, url, events, created_at as "createdAt"
      from create_webhook(${userId}::uuid, ${url}, ${events as string[]}::text[], ${secret})`;
  return { webhook, secret };
}

/** The user's webhooks, oldest first. */
export async function listWebhooks(db: DbQueries, userId: string): Promise<Webhook[]> {
  return await db.sql<Webhook[]>`
    select id::text as id, url, events, created_at as "createdAt"
      from webhooks where user_id = ${userId}::uuid
     order by created_at, id`;
}

/** Deletes one of the user's webhooks with its deliveries; another user's or unknown → RuleViolation `not_found`. */
export async function deleteWebhook(db: DbQueries, userId: string, webhookId: string): Promise<void> {
  await db.sql`select delete_webhook(${userId}::uuid, ${webhookId})`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The last {@linkcode DELIVERIES_SHOWN} deliveries of one of the user's webhooks, newest
 * first; undefined when the webhook is not theirs (or does not exist).
 */
export async function listDeliveries(
  db: DbQueries,
  userId: string,
  webhookId: string,
): Promise<WebhookDelivery[] | undefined> {
  if (!UUID.test(webhookId)) return undefined;
  const [owned] = await db.sql`select 1 from webhooks where id = ${webhookId}::uuid and user_id = ${userId}::uuid`;
  if (!owned) return undefined;
  const rows = await db.sql<(Omit<WebhookDelivery, "status">)[]>`
    select id::text as id, event, attempts, last_status as "responseStatus", last_error as error,
           created_at as "createdAt", last_attempt_at as "lastAttemptAt", delivered_at as "deliveredAt",
           next_attempt_at as "nextAttemptAt"
      from webhook_deliveries
     where webhook_id = ${webhookId}::uuid
     order by created_at desc, id desc
     limit ${DELIVERIES_SHOWN}`;
  return rows.map((row) => ({ ...row, status: deliveryStatus(row) }));
}

/** A delivery claimed for sending, with what it needs. */
export interface ClaimedDelivery {
  id: string;
  userId: string;
  webhookId: string;
  url: string;
  secret: string;
  event: string;
  payload: string;
  /** Including this one. */
  attempts: number;
}

/**
 * Claims up to `limit` deliveries due at `now` for one sender: counts the attempt and
 * leases the rows for {@linkcode WEBHOOK_LEASE_MS}. Concurrent callers get disjoint rows.
 */
export async function claimDueDeliveries(
  db: DbQueries,
  now: Date,
  limit = WEBHOOK_BATCH,
): Promise<ClaimedDelivery[]> {
  return await db.sql<ClaimedDelivery[]>`
    with due as (
      select id from webhook_deliveries
       where next_attempt_at is not null and next_attempt_at <= ${now}::timestamptz
       order by next_attempt_at
       limit ${limit}
         for update skip locked
    ), claimed as (
      update webhook_deliveries d
         set attempts = d.attempts + 1,
             last_attempt_at = ${now}::timestamptz,
             next_attempt_at = ${now}::timestamptz + ${WEBHOOK_LEASE_MS} * interval '1 millisecond'
        from due
       where d.id = due.id
      returning d.id, d.user_id, d.webhook_id, d.event, d.payload, d.attempts
    )
    select c.id::text as id, c.user_id::text as "userId", c.webhook_id::text as "webhookId", w.url, w.secret,
           c.event, c.payload, c.attempts
      from claimed c join webhooks w on w.id = c.webhook_id`;
}

/** Records a successful attempt. */
export async function markDelivered(db: DbQueries, id: string, status: number, now: Date): Promise<void> {
  await db.sql`
    update webhook_deliveries
       set delivered_at = ${now}::timestamptz, next_attempt_at = null, last_status = ${status}, last_error = null
     where id = ${id}::uuid`;
}

/**
 * Records a failed attempt (`status` null: no answer): a retry after
 * {@linkcode webhookRetryDelayMs}, or giving up after {@linkcode WEBHOOK_MAX_ATTEMPTS}.
 */
export async function markAttemptFailed(
  db: DbQueries,
  delivery: Pick<ClaimedDelivery, "id" | "attempts">,
  status: number | null,
  error: string,
  now: Date,
): Promise<void> {
  const next = delivery.attempts >= WEBHOOK_MAX_ATTEMPTS
    ? null
    : new Date(now.getTime() + webhookRetryDelayMs(delivery.attempts));
  await db.sql`
    update webhook_deliveries
       set next_attempt_at = ${next}::timestamptz, last_status = ${status}, last_error = ${error.slice(0, 500)}
     where id = ${delivery.id}::uuid`;
}

/** Deliveries finished (delivered or given up) more than `days` ago are deleted: the list shows the last 20 anyway. */
export async function pruneDeliveries(db: DbQueries, now: Date, days = 30): Promise<string[]> {
  const rows = await db.sql<{ userId: string }[]>`
    delete from webhook_deliveries
     where next_attempt_at is null and created_at < ${now}::timestamptz - ${days} * interval '1 day'
    returning user_id::text as "userId"`;
  return [...new Set(rows.map((row) => row.userId))];
}
