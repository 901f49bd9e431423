/**
 * A user's browser sessions as they see them: list, end one, end them all. Each change
 * is one call of its function in `sql/009_account_control.sql` (with its activity row).
 * Sessions are named by a public id; the cookie's secret and its hash never leave here.
 *
 * @example
 * ```ts
 * const sessions = await listSessions(db, user.id, currentSessionHash);
 * await revokeSession(db, user.id, sessions[1].id); // someone else's or unknown → RuleViolation not_found
 * const ended = await logOutEverywhere(db, user.id);
 * ```
 */
import type { SessionInfo } from "@/domain/account_input.ts";
import type { DbQueries } from "./client.ts";

export type { SessionInfo };

interface SessionRow {
  id: string;
  created_at: Date;
  last_seen_at: Date;
  user_agent: string | null;
  current: boolean;
}

/** The user's live sessions, most recently seen first; `currentHash` marks the caller's. */
export async function listSessions(
  db: DbQueries,
  userId: string,
  currentHash: string | undefined,
): Promise<SessionInfo[]> {
  const rows = await db.sql<SessionRow[]>`
    select public_id::text as id, created_at, last_seen_at, user_agent,
           coalesce(id_hash = ${currentHash ?? null}, false) as current
      from sessions
     where user_id = ${userId}::uuid and expires_at > now()
     order by last_seen_at desc, created_at desc, public_id`;
  return rows.map((row) => ({
    id: row.id,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    userAgent: row.user_agent,
    current: row.current,
  }));
}

/** Ends one of the user's sessions; another user's, unknown or malformed id → RuleViolation `not_found`. */
export async function revokeSession(db: DbQueries, userId: string, sessionId: string): Promise<void> {
  await db.sql`select revoke_session(${userId}::uuid, ${sessionId})`;
}

/** Ends every session of the user (the caller's too; API tokens stay); returns how many. */
export async function logOutEverywhere(db: DbQueries, userId: string): Promise<number> {
  const [row] = await db.sql<{ ended: number }[]>`select log_out_everywhere(${userId}::uuid) as ended`;
  return Number(row.ended);
}
