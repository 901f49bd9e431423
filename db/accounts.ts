/**
 * Accounts: sign-up, log-in and log-out, settings, personal API tokens. Each mutation
 * is one call of its Postgres function in `sql/003_account_functions.sql`, which also
 * writes the activity row. Secrets are made here and only their hashes reach the
 * database: session ids and token secrets as SHA-256, passwords as argon2id.
 *
 * @example
 * ```ts
 * const { user, sessionSecret } = await signUp(db, { email, password, timezone: "UTC" });
 * const session = await logIn(db, { email, password }); // null: wrong e-mail or password
 * const { token, secret } = await createToken(db, user.id, "laptop");
 * await revokeToken(db, user.id, token.id); // someone else's or unknown → RuleViolation not_found
 * const settings = await saveSettings(db, user.id, { timezone: "Pacific/Kiritimati" });
 * ```
 */
import { hashPassword, verifyPassword } from "@/lib/auth/password.ts";
import { newSecret, sha256Hex } from "@/lib/auth/secret.ts";
import { localDay, type Weekday } from "@/domain/calendar.ts";
import { canonicalEmail } from "@/domain/email_address.ts";
import type { DbQueries } from "./client.ts";
import { type AuthUser, type PlanId, SESSION_DAYS, type Theme, toAuthUser } from "./users.ts";

/** The columns of a `users` row that make an {@linkcode AuthUser}, for `select … from f(…)`. */
const USER_FIELDS = `id::text as id, email, display_name, timezone, week_start, theme, email_reminders, plan_id,
  created_at`;

type UserRow = Parameters<typeof toAuthUser>[0];

/** A new browser session: the signed-in user and the secret for the cookie. */
export interface NewSession {
  user: AuthUser;
  /** Goes into the cookie, never into the database (which keeps its SHA-256). */
  sessionSecret: string;
}

/**
 * Creates an account (password hashed off the event loop) with its first session.
 * `replacesSession` is the hash of the session the request came with, deleted in the
 * same transaction. A taken e-mail (any case) throws RuleViolation `conflict`.
 */
export async function signUp(
  db: DbQueries,
  input: { email: string; password: string; timezone: string },
  replacesSession?: string,
  userAgent?: string | null,
): Promise<NewSession> {
  const passwordHash = await hashPassword(input.password);
  const sessionSecret = newSecret();
  const [row] = await db.sql.unsafe<UserRow[]>(
    `select ${USER_FIELDS} from create_user($1, $2, $3, $4, $5, $6, $7)`,
    [
      input.email,
      passwordHash,
      input.timezone,
      await sha256Hex(sessionSecret),
      SESSION_DAYS,
      replacesSession ?? null,
      userAgent ?? null,
    ],
  );
  return { user: toAuthUser(row), sessionSecret };
}

/**
 * Checks an e-mail and password and starts a new session (rotating out
 * `replacesSession`; `userAgent` is shown in the user's session list). Null for an
 * unknown e-mail and for a wrong password alike, after the same work: an unknown e-mail
 * is checked against a dummy hash.
 */
export async function logIn(
  db: DbQueries,
  input: { email: string; password: string },
  replacesSession?: string,
  userAgent?: string | null,
): Promise<NewSession | null> {
  const [row] = await db.sql.unsafe<(UserRow & { password_hash: string })[]>(
    // The canonical spelling (domain/email_address.ts) is what the per-e-mail rate limit keys
    // on: lower() on the stored side only, so no other spelling reaches the account.
    `select ${USER_FIELDS}, password_hash from users where lower(email) = $1`,
    [canonicalEmail(input.email)],
  );
  const matches = await verifyPassword(row?.password_hash ?? null, input.password);
  if (!row || !matches) return null;
  const sessionSecret = newSecret();
  try {
    await db.sql`select log_in(${row.id}::uuid, ${await sha256Hex(sessionSecret)}, ${SESSION_DAYS}::int,
                               ${replacesSession ?? null}, ${userAgent ?? null})`;
  } catch (error) {
    // The account was deleted while its password was being checked: nobody to sign in.
    if ((error as { code?: string }).code === FOREIGN_KEY_VIOLATION) return null;
    throw error;
  }
  return { user: toAuthUser(row), sessionSecret };
}

const FOREIGN_KEY_VIOLATION = "23503";

/**
 * Deletes the account and every row of it (`on delete cascade` from `users`: sessions,
 * tokens, habits, goals, reminders, activity, …). Returns the e-mail it had; another
 * user's or an unknown id → RuleViolation `not_found`. The KV side is
 * app/account_erasure.ts's.
 */
export async function deleteAccount(db: DbQueries, userId: string): Promise<string> {
  const [row] = await db.sql<{ email: string }[]>`select delete_account(${userId}::uuid) as email`;
  return row.email;
}

/**
 * The stored password hash of a user (for checks against the current password), or
 * null for an unknown user.
 */
export async function passwordHashOf(db: DbQueries, userId: string): Promise<string | null> {
  const [row] = await db.sql<{ password_hash: string }[]>`select password_hash from users where id = ${userId}::uuid`;
  return row?.password_hash ?? null;
}

/** Ends the session with this hash; false when there was none. */
export async function logOut(db: DbQueries, sessionHash: string): Promise<boolean> {
  const [row] = await db.sql<{ ended: boolean }[]>`select log_out(${sessionHash}) as ended`;
  return row.ended;
}

// --- settings ------------------------------------------------------------------

/** What the settings page and `/api/settings` show and save. */
export interface Settings {
  displayName: string | null;
  timezone: string;
  weekStart: Weekday;
  theme: Theme;
  emailReminders: boolean;
}

/** Any subset of the settings; absent = unchanged, `displayName: null` clears it. */
export type SettingsPatch = Partial<Settings>;

/** A user's settings (already loaded with the user on every request). */
export function settingsOf(user: AuthUser): Settings {
  const { displayName, timezone, weekStart, theme, emailReminders } = user;
  return { displayName, timezone, weekStart, theme, emailReminders };
}

/** Saves the given settings in one statement; returns the user as now stored. */
export async function saveSettings(db: DbQueries, userId: string, patch: SettingsPatch): Promise<AuthUser> {
  // save_settings reads null as "unchanged" and "" as "clear the display name".
  const displayName = patch.displayName === undefined ? null : patch.displayName ?? "";
  const [row] = await db.sql.unsafe<UserRow[]>(
    `select ${USER_FIELDS} from save_settings($1::uuid, $2, $3, $4::smallint, $5, $6::boolean)`,
    [
      userId,
      displayName,
      patch.timezone ?? null,
      patch.weekStart ?? null,
      patch.theme ?? null,
      patch.emailReminders ?? null,
    ],
  );
  return toAuthUser(row);
}

/** The account as `/api/me` (and sign-up, log-in) show it, with the user's local today. */
export interface AccountView {
  id: string;
  email: string;
  displayName: string | null;
  timezone: string;
  weekStart: Weekday;
  theme: Theme;
  plan: PlanId;
  /** The user's local calendar day now, in their timezone. */
  today: string;
}

export function accountView(user: AuthUser, now: Date = new Date()): AccountView {
  const { id, email, displayName, timezone, weekStart, theme, plan } = user;
  return { id, email, displayName, timezone, weekStart, theme, plan, today: localDay(timezone, now) };
}

// --- API tokens ----------------------------------------------------------------

/** A personal API token as its owner sees it (the secret is never stored). */
export interface ApiToken {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

interface TokenRow {
  id: string;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
}

function toApiToken(row: TokenRow): ApiToken {
  return { id: row.id, name: row.name, createdAt: row.created_at, lastUsedAt: row.last_used_at };
}

/** The user's tokens, newest first. */
export async function listTokens(db: DbQueries, userId: string): Promise<ApiToken[]> {
  const rows = await db.sql<TokenRow[]>`
    select id::text as id, name, created_at, last_used_at
      from api_tokens
     where user_id = ${userId}::uuid
     order by created_at desc, id`;
  return rows.map(toApiToken);
}

/** Creates a token; `secret` is for `Authorization: Bearer` and is shown to the user once. */
export async function createToken(
  db: DbQueries,
  userId: string,
  name: string,
): Promise<{ token: ApiToken; secret: string }> {
  const secret = newSecret("cgt_");
  const [row] = await db.sql<TokenRow[]>`
    select id::text as id, name, created_at, last_used_at
      from create_api_token(${userId}::uuid, ${name}, ${await sha256Hex(secret)})`;
  return { token: toApiToken(row), secret };
}

/** Revokes one of the user's tokens; another user's, unknown or malformed id → RuleViolation `not_found`. */
export async function revokeToken(db: DbQueries, userId: string, tokenId: string): Promise<void> {
  await db.sql`select revoke_api_token(${userId}::uuid, ${tokenId})`;
}
