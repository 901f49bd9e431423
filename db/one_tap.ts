/**
 * One-tap check-ins in the database: what a verified token's page shows
 * ({@linkcode oneTapTarget}) and the single use that records it ({@linkcode useOneTap}:
 * one call of `use_one_tap`, sql/014_push.sql, so the token's row and the check-in are
 * written together, once, however many requests race with the same token).
 *
 * @example
 * ```ts
 * const checked = await verifyOneTap(keys, token);
 * if (checked.ok) {
 *   const { usedNow } = await useOneTap(db, checked.claims, new Date());
 * }
 * ```
 */
import type { OneTapClaims } from "@/lib/one_tap.ts";
import type { DbQueries } from "./client.ts";
import { ruleViolationOf } from "./rule_violation.ts";

/** What the confirmation page shows about a token's habit and day. */
export interface OneTapTarget {
  habitName: string;
  /** The day's check-in now: `done`, `skipped`, or null for none. */
  status: "done" | "skipped" | null;
  /** When the token was used, or null while it is unused. */
  usedAt: Date | null;
}

/** The token's habit as its page shows it; null when the habit is gone (or was never the user's). */
export async function oneTapTarget(db: DbQueries, claims: OneTapClaims): Promise<OneTapTarget | null> {
  const rows = await db.sql<OneTapTarget[]>`
    select h.name as "habitName",
           (select c.status from checkins c where c.habit_id = h.id and c.day = ${claims.localDate}::date) as status,
           (select u.used_at from one_tap_uses u where u.token_id = ${claims.tokenId}::uuid) as "usedAt"
      from habits h
     where h.id = ${claims.habitId}::uuid and h.user_id = ${claims.userId}::uuid`;
  return rows[0] ?? null;
}

/** What one use did: recorded now, or found the token already used (at `usedAt`). */
export interface OneTapUse {
  usedNow: boolean;
  usedAt: Date;
}

/**
 * Records the token's check-in unless the token was used before. Throws a
 * `RuleViolation` `not_found` when the habit is gone, `invalid` for a day the check-in
 * rules refuse; the token then stays unused.
 */
export async function useOneTap(db: DbQueries, claims: OneTapClaims, now: Date): Promise<OneTapUse> {
  try {
    const [row] = await db.sql<OneTapUse[]>`
      select used_now as "usedNow", used_at as "usedAt"
        from use_one_tap(${claims.tokenId}::uuid, ${claims.userId}::uuid, ${claims.habitId}::uuid,
                         ${claims.localDate}::date, ${claims.action}, ${now}::timestamptz)`;
    return row;
  } catch (error) {
    throw ruleViolationOf(error) ?? error;
  }
}

/**
 * Forgets uses older than `olderThanMs` (tokens live 48 hours, so a row older than that
 * guards nothing). Returns how many went.
 */
export async function pruneOneTapUses(db: DbQueries, now: Date, olderThanMs: number): Promise<number> {
  const rows = await db.sql`
    delete from one_tap_uses where used_at < ${now}::timestamptz - ${olderThanMs} * interval '1 millisecond'
    returning 1`;
  return rows.length;
}
