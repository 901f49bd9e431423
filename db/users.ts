/**
 * Users as the app sees them, and the lookups authentication needs: by session and by
 * API token, each one query that returns the user with their settings.
 *
 * @example
 * ```ts
 * const user = await findUserBySession(db, sha256Hex(secret));
 * ```
 */
import type { AuthUser, PlanId, Theme } from "@/domain/account_input.ts";
import type { Weekday } from "@/domain/calendar.ts";
import type { DbQueries } from "./client.ts";
import { SESSION_DAYS } from "@/lib/auth/session_cookie.ts";

export type { AuthUser, PlanId, Theme };

/** The columns of {@linkcode AuthUser}, for queries that join `users as u`. */
const USER_COLUMNS = `u.id::text as id, u.email, u.display_name, u.timezone, u.week_start, u.theme,
  u.email_reminders, u.plan_id, u.created_at`;

interface UserRow {
  id: string;
  email: string;
  display_name: string | null;
  timezone: string;
  week_start: number;
  theme: Theme;
  email_reminders: boolean;
  plan_id: PlanId;
  created_at: Date;
}

export function toAuthUser(row: UserRow): AuthUser {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    timezone: row.timezone,
    weekStart: row.week_start as Weekday,
    theme: row.theme,
    emailReminders: row.email_reminders,
    plan: row.plan_id,
    createdAt: row.created_at,
  };
}

/** "Last seen" is recorded to this precision: a busy session costs one write per interval, not per request. */
export const SESSION_SEEN_PRECISION_MINUTES = 5;

/**
 * The user behind a live session; null when the session is unknown or expired. A
 * session last recorded as seen more than {@linkcode SESSION_SEEN_PRECISION_MINUTES}
 * ago is marked seen now and extended to {@linkcode SESSION_DAYS} from now.
 */
export async function findUserBySession(db: DbQueries, idHash: string): Promise<AuthUser | null> {
  const rows = await db.sql.unsafe<(UserRow & { refresh: boolean })[]>(
    `select ${USER_COLUMNS},
            (s.last_seen_at < now() - interval '${SESSION_SEEN_PRECISION_MINUTES} minutes'
             or s.expires_at < now() + interval '${SESSION_DAYS - 1} days') as refresh
       from sessions s join users u on u.id = s.user_id
      where s.id_hash = $1 and s.expires_at > now()`,
    [idHash],
  );
  if (rows.length === 0) return null;
  if (rows[0].refresh) {
    await db.sql`update sessions set expires_at = now() + make_interval(days => ${SESSION_DAYS}), last_seen_at = now()
                 where id_hash = ${idHash}`;
  }
  return toAuthUser(rows[0]);
}

/**
 * The user behind a personal API token (by its hash). Records when it was last used,
 * to the minute: a script polling the API should not cost a write per request.
 */
export async function findUserByToken(db: DbQueries, tokenHash: string): Promise<AuthUser | null> {
  const rows = await db.sql.unsafe<(UserRow & { token_id: string; stale: boolean })[]>(
    `select ${USER_COLUMNS}, t.id::text as token_id,
            coalesce(t.last_used_at < now() - interval '1 minute', true) as stale
       from api_tokens t join users u on u.id = t.user_id
      where t.token_hash = $1`,
    [tokenHash],
  );
  if (rows.length === 0) return null;
  if (rows[0].stale) await db.sql`update api_tokens set last_used_at = now() where id = ${rows[0].token_id}`;
  return toAuthUser(rows[0]);
}

/** Starts a session for `userId`, stored by the hash of its secret. */
export async function createSession(db: DbQueries, userId: string, idHash: string): Promise<void> {
  await db.sql`insert into sessions (id_hash, user_id, expires_at)
               values (${idHash}, ${userId}, now() + make_interval(days => ${SESSION_DAYS}))`;
}

export { SESSION_DAYS };
