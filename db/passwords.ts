/**
 * Passwords after sign-up: changing one (the current one proves who is asking) and
 * resetting a forgotten one through a single-use link sent by e-mail. Each change is one
 * call of its function in `sql/009_account_control.sql`, with its activity row.
 *
 * Secrets: the link's secret goes into the e-mail only; the database keeps its SHA-256
 * (and the outbox blanks the e-mail's body once sent). Passwords are hashed off the event
 * loop (lib/auth/password.ts).
 *
 * @example
 * ```ts
 * const ended = await changePassword(db, user.id, { currentPassword, newPassword }, sessionHash); // null: wrong current password
 * await requestPasswordReset(db, "ann@example.com", (token) => resetEmail(origin, token));
 * const userId = await confirmPasswordReset(db, token, "a new long passphrase"); // RuleViolation invalid when used/expired
 * ```
 */
import { hashPassword, verifyPassword } from "@/lib/auth/password.ts";
import { newSecret, sha256Hex } from "@/lib/auth/secret.ts";
import { canonicalEmail } from "@/domain/email_address.ts";
import type { DbQueries } from "./client.ts";
import { RuleViolation } from "@/domain/rules.ts";

/** What a used, expired or unknown link gets (confirm_password_reset says the same). */
export const RESET_LINK_INVALID = "This reset link is invalid, already used or expired: ask for a new one";

/** How long a reset link works. */
export const PASSWORD_RESET_TTL_SECONDS = 3600;

/**
 * Sets a new password when `currentPassword` is right: every other session ends (the
 * one whose hash is `keepSession` stays; none does for a token), API tokens stay.
 * Returns how many sessions ended, or null when the current password is wrong.
 * A concurrent change of the password → RuleViolation `conflict`.
 */
export async function changePassword(
  db: DbQueries,
  userId: string,
  input: { currentPassword: string; newPassword: string },
  keepSession: string | undefined,
): Promise<number | null> {
  const [row] = await db.sql<{ password_hash: string }[]>`select password_hash from users where id = ${userId}::uuid`;
  const hash = row?.password_hash ?? null;
  if (!await verifyPassword(hash, input.currentPassword)) return null;
  const newHash = await hashPassword(input.newPassword);
  const [{ ended }] = await db.sql<{ ended: number }[]>`
    select change_password(${userId}::uuid, ${hash}, ${newHash}, ${keepSession ?? null}) as ended`;
  return Number(ended);
}

/** What a reset e-mail says, given the link's secret. */
export type ResetEmail = (token: string) => { subject: string; body: string };

/**
 * Asks for a reset link for `email`. Exactly the same work whether or not an account
 * has that address (one secret, one hash, one statement), and nothing comes back either
 * way: the caller cannot tell, so neither can whoever asked.
 */
export async function requestPasswordReset(db: DbQueries, email: string, message: ResetEmail): Promise<void> {
  const token = newSecret();
  const { subject, body } = message(token);
  await db.sql`select request_password_reset(${canonicalEmail(email)}, ${await sha256Hex(token)},
                                             ${PASSWORD_RESET_TTL_SECONDS}::int, ${subject}, ${body})`;
}

/** True while the link with this secret is unused and unexpired (the reset page asks before showing its form). */
export async function isLivePasswordReset(db: DbQueries, token: string): Promise<boolean> {
  const rows = await db.sql`
    select 1 from password_resets
     where token_hash = ${await sha256Hex(token)} and used_at is null and expires_at > now()`;
  return rows.length > 0;
}

/**
 * Uses the link: sets the new password, ends every session and every other link of the
 * user; returns the user's id. A used, expired or unknown link → RuleViolation `invalid`
 * (checked before the new password is hashed, and again atomically when it is set).
 */
export async function confirmPasswordReset(db: DbQueries, token: string, newPassword: string): Promise<string> {
  // No hashing for a dead link; the function checks again, atomically, with the same words.
  if (!await isLivePasswordReset(db, token)) throw new RuleViolation("invalid", RESET_LINK_INVALID);
  const [row] = await db.sql<{ user_id: string }[]>`
    select confirm_password_reset(${await sha256Hex(token)}, ${await hashPassword(newPassword)})::text as user_id`;
  return row.user_id;
}
