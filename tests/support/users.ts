/**
 * Users for tests, written straight to the database (no password hashing, so they are
 * cheap): a session cookie for browser-style requests and a Bearer token for API ones.
 *
 * @example
 * ```ts
 * const alice = await createTestUser(t.services, { timezone: "Pacific/Kiritimati" });
 * await t.app.request("/api/me", { headers: alice.session });
 * ```
 */
import type { Weekday } from "@/domain/calendar.ts";
import { renewUserVersion } from "@/app/auth/auth_cache.ts";
import { newSecret, sha256Hex } from "@/lib/auth/secret.ts";
import { type AuthUser, createSession, type PlanId } from "@/db/users.ts";
import type { Services } from "@/app/state.ts";

export interface TestUser {
  id: string;
  email: string;
  /** Headers of a same-origin browser request with the session cookie. */
  session: Record<string, string>;
  /** Headers of an API request with a personal token. */
  bearer: Record<string, string>;
}

export async function createTestUser(
  services: Services,
  options: { email?: string; timezone?: string; weekStart?: Weekday; plan?: PlanId } = {},
): Promise<TestUser> {
  const { db, config } = services;
  const email = options.email ?? `user-${crypto.randomUUID().slice(0, 8)}@example.test`;
  const [row] = await db.sql<{ id: string }[]>`
    insert into users (email, password_hash, timezone, week_start, plan_id)
    values (${email}, 'test-only: cannot log in', ${options.timezone ?? "UTC"}, ${options.weekStart ?? 1},
            ${options.plan ?? "free"})
    returning id::text as id`;
  const secret = newSecret();
  await createSession(db, row.id, await sha256Hex(secret));
  // As a real sign-in does: instances may now remember the user's credentials.
  await renewUserVersion(services, row.id);
  const token = newSecret("cgt_");
  await db.sql`insert into api_tokens (user_id, name, token_hash) values (${row.id}, 'test', ${await sha256Hex(
    token,
  )})`;
  const cookieName = config.appOrigin.startsWith("https:") ? "__Host-cg_session" : "cg_session";
  return {
    id: row.id,
    email,
    session: { Cookie: `${cookieName}=${secret}`, Origin: config.appOrigin },
    bearer: { Authorization: `Bearer ${token}` },
  };
}

/** A signed-in user as authentication hands it on, for tests of the credential memory that need no database. */
export function authUserFixture(id: string, email: string): AuthUser {
  return {
    id,
    email,
    displayName: null,
    timezone: "UTC",
    weekStart: 1,
    theme: "system",
    emailReminders: false,
    plan: "free",
    createdAt: new Date(0),
  };
}
