/**
 * The e-mail outbox: rows written by `deliver_due_reminders` (sql/007_reminders.sql) in
 * the same statement as the delivery, sent later by {@linkcode sendDueEmails}.
 *
 * Sending is a lease, not a long transaction: one short statement claims due rows
 * (`FOR UPDATE SKIP LOCKED`, so concurrent senders on any number of instances never
 * take the same row, and it is PgBouncer-safe) and pushes their `next_attempt_at` a
 * lease ahead; the SMTP conversation happens outside any transaction; a second
 * statement marks each row sent or schedules its retry. A sender that dies mid-send
 * leaves its rows to be retried when the lease ends (at-least-once for e-mail, which is
 * what SMTP can offer). Each failure doubles the wait ({@linkcode retryDelayMs}); after
 * {@linkcode EMAIL_MAX_ATTEMPTS} the row gives up (`next_attempt_at` null, `last_error`
 * kept). One failing address only ever delays itself.
 *
 * @example
 * ```ts
 * const { sent, failed } = await sendDueEmails(db, mailer, new Date());
 * ```
 */
import type { Mailer, MailMessage } from "@/lib/mail.ts";
import type { DbQueries } from "./client.ts";

/** Attempts before an e-mail gives up. With {@linkcode retryDelayMs} that spans about 4 hours. */
export const EMAIL_MAX_ATTEMPTS = 8;
/** How long a claimed row stays away from other senders while it is being sent. */
export const EMAIL_LEASE_MS = 5 * 60_000;
/** Rows one sender claims per round. */
export const EMAIL_BATCH = 50;

const RETRY_BASE_MS = 60_000;
const RETRY_MAX_MS = 60 * 60_000;

/**
 * The wait after the `attempt`-th failed attempt: 1 min, 2, 4, … capped at 1 hour.
 *
 * @example
 * ```ts
 * retryDelayMs(3); // 240_000
 * ```
 */
export function retryDelayMs(attempt: number): number {
  return Math.min(RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1), RETRY_MAX_MS);
}

/** An outbox row claimed for sending. */
export interface ClaimedEmail {
  id: string;
  /** The user it is about (null for mail to no account). */
  userId: string | null;
  to: string;
  subject: string;
  body: string;
  /** Including this one. */
  attempts: number;
  /** A habit reminder's e-mail: the habit and the user's local day (its one-tap links are for them). */
  habitReminder: { habitId: string; localDate: string } | null;
}

/**
 * Claims up to `limit` rows due at `now` for one sender: counts the attempt and leases
 * the rows for {@linkcode EMAIL_LEASE_MS}. Concurrent callers get disjoint rows.
 *
 * @example
 * ```ts
 * const batch = await claimDueEmails(db, new Date(), 50);
 * ```
 */
export async function claimDueEmails(db: DbQueries, now: Date, limit = EMAIL_BATCH): Promise<ClaimedEmail[]> {
  const rows = await db.sql<(Omit<ClaimedEmail, "habitReminder"> & { habitId: string | null; localDate: string })[]>`
    update email_outbox o
       set attempts = o.attempts + 1,
           next_attempt_at = ${now}::timestamptz + ${EMAIL_LEASE_MS} * interval '1 millisecond'
      from (select id from email_outbox
             where sent_at is null and next_attempt_at is not null and next_attempt_at <= ${now}::timestamptz
             order by next_attempt_at
             limit ${limit}
               for update skip locked) due
     where o.id = due.id
    returning o.id, o.user_id::text as "userId", o.to_address as "to", o.subject, o.body, o.attempts,
              (select r.habit_id from reminders r where r.id = o.reminder_id) as "habitId",
              o.reminder_date as "localDate"`;
  return rows.map(({ habitId, localDate, ...email }) => ({
    ...email,
    habitReminder: habitId && localDate ? { habitId, localDate } : null,
  }));
}

/** Marks a claimed row sent; a body that carried a secret (a reset link) is blanked. */
export async function markEmailSent(db: DbQueries, id: string, now: Date): Promise<void> {
  await db.sql`
    update email_outbox set sent_at = ${now}::timestamptz, next_attempt_at = null, last_error = null,
                            body = case when redact_after_send then '' else body end
     where id = ${id}::uuid`;
}

/** Records a failed attempt: a retry after {@linkcode retryDelayMs}, or giving up after the last attempt. */
export async function markEmailFailed(db: DbQueries, email: ClaimedEmail, error: string, now: Date): Promise<void> {
  const next = email.attempts >= EMAIL_MAX_ATTEMPTS ? null : new Date(now.getTime() + retryDelayMs(email.attempts));
  // Giving up on an e-mail that carried a secret blanks its body too.
  await db.sql`
    update email_outbox set next_attempt_at = ${next}::timestamptz, last_error = ${error.slice(0, 1000)},
                            body = case when ${next}::timestamptz is null and redact_after_send then '' else body end
     where id = ${email.id}::uuid`;
}

/** What {@linkcode sendDueEmails} did. */
export interface SendResult {
  sent: number;
  failed: number;
  /** Users whose outbox rows changed (sent, retried or given up), for cache invalidation. */
  changedUserIds: string[];
}

export interface SendOptions {
  /**
   * Completes a message just before it is sent (the scheduler adds a habit reminder's
   * one-tap links, signed at send time so they are valid 48 hours from then).
   */
  compose?: (email: ClaimedEmail, message: MailMessage) => Promise<MailMessage>;
}

/**
 * Sends every e-mail due at `now`, batch by batch, each independently: a refusal is
 * recorded on its row and the others go on.
 *
 * @example
 * ```ts
 * await sendDueEmails(db, createMailer(config.smtpUrl!, config.mailFrom), new Date());
 * ```
 */
export async function sendDueEmails(
  db: DbQueries,
  mailer: Mailer,
  now: Date,
  options: SendOptions = {},
): Promise<SendResult> {
  let sent = 0;
  let failed = 0;
  const changed = new Set<string>();
  while (true) {
    const batch = await claimDueEmails(db, now);
    for (const email of batch) {
      if (email.userId) changed.add(email.userId);
      try {
        const message = { to: email.to, subject: email.subject, text: email.body };
        await mailer.send(options.compose ? await options.compose(email, message) : message);
      } catch (error) {
        failed++;
        await markEmailFailed(db, email, error instanceof Error ? error.message : String(error), now);
        continue;
      }
      sent++;
      await markEmailSent(db, email.id, now);
    }
    // A short batch means nothing else was due (or the rest is another sender's).
    if (batch.length < EMAIL_BATCH) return { sent, failed, changedUserIds: [...changed] };
  }
}
