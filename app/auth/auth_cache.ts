/**
 * A short-lived, per-instance memory of who a session or token belongs to, so a signed-in
 * request does not cost a Postgres round trip (on embedded PGlite that lookup was ~1 ms
 * and capped every signed-in route near 1k requests/s).
 *
 * Safety: an entry is used only while the user's cache version in KV (bumped by every
 * mutation, log-out and token revocation included: app/cache/invalidate.ts) is the very
 * entry it was stored under — the version IS that entry's versionstamp
 * (lib/cache/user_cache.ts), which never repeats — and never while the version does not
 * exist: so a revocation on any instance takes effect on the next request, and so does
 * erasing the version with a deleted account. A user whose version is missing (never
 * created, or expired after a quiet hour) gets a new one at their first lookup
 * ({@linkcode renewUserVersion}; sign-in does the same), so they are remembered from
 * then on at the cost of one KV write per quiet hour.
 *
 * The order of the reads closes the one race: a revocation that lands after Postgres
 * answered the lookup but bumps the version before that version is read would leave a
 * revoked credential remembered under the current version. So the version an entry is
 * stored under is read BEFORE its lookup, whenever the user is known then (the
 * credential was remembered before: expired, or its version moved): any revocation
 * after that read moves the version away from the entry. Such an entry is trusted for
 * {@linkcode AUTH_CACHE_CONFIRMED_TTL_MS}. Only a credential's first lookup on an
 * instance cannot know the user beforehand; its entry is tentative, trusted for
 * {@linkcode AUTH_CACHE_TTL_MS}, and the race is bounded by that. A KV failure falls
 * back to Postgres. Memory is bounded: at most {@linkcode AUTH_CACHE_MAX} entries per
 * instance, oldest evicted first.
 *
 * @example
 * ```ts
 * const found = await rememberedUser(services, `s:${hash}`, () => findUserBySession(db, hash));
 * ```
 */
import type { AuthUser } from "@/db/users.ts";
import { invalidateUser } from "@/app/cache/invalidate.ts";
import { NO_VERSION, readVersion } from "@/lib/cache/user_cache.ts";
import { log } from "@/lib/log.ts";
import { AUTH_CACHE_MAX, rememberedOf } from "./remembered.ts";
import type { Services } from "@/app/state.ts";

/** How long an entry whose version was read after its lookup (a first lookup) is trusted. */
export const AUTH_CACHE_TTL_MS = 5_000;
/**
 * How long an entry whose version was read before its lookup is trusted. Every change to
 * a credential or to the user moves the version (tests/lib/cache/writers_test.ts checks
 * every writer), so this only bounds what an entry could miss if one did not.
 */
export const AUTH_CACHE_CONFIRMED_TTL_MS = 10 * 60_000;
export { AUTH_CACHE_MAX };

/**
 * The user for credential `key` (e.g. "s:<session hash>"), from memory when still valid,
 * with the user's cache version as read now (undefined when KV failed): the read cache
 * reuses it instead of reading it again.
 */
export async function rememberedUser(
  services: Services,
  key: string,
  lookup: () => Promise<AuthUser | null>,
  now: () => number = Date.now,
): Promise<{ user: AuthUser; version: string | undefined } | null> {
  const memory = rememberedOf(services);
  const entry = memory.get(key);
  // The user's version as it is before any lookup: a revocation after this read moves it.
  const before = entry && await readVersion(services.kv, entry.user.id).catch(() => undefined);
  if (entry && entry.expiresAt > now() && before === entry.version) return { user: entry.user, version: before };
  memory.delete(key);
  const user = await lookup();
  if (!user) return null;
  if (before !== undefined && before !== NO_VERSION && user.id === entry?.user.id) {
    memory.set(key, { user, version: before, expiresAt: now() + AUTH_CACHE_CONFIRMED_TTL_MS });
    return { user, version: before };
  }
  // A first lookup: the user was unknown until now, so the version is read after it.
  let version = await readVersion(services.kv, user.id).catch(() => undefined);
  if (version === NO_VERSION) {
    await renewUserVersion(services, user.id);
    version = await readVersion(services.kv, user.id).catch(() => undefined);
  }
  if (version !== undefined && version !== NO_VERSION) {
    memory.set(key, { user, version, expiresAt: now() + AUTH_CACHE_TTL_MS });
  }
  return { user, version };
}

/**
 * Moves the user's cache version, creating it the first time: every instance forgets
 * what it remembered of the user, and may remember them from now on. Called after a
 * sign-in (so a new session is remembered from its first request), after sessions end
 * outside a signed-in request (a password reset), and when a lookup finds no version. A
 * KV failure is logged and costs only memory: credentials are then looked up in Postgres.
 */
export async function renewUserVersion(services: Services, userId: string): Promise<void> {
  try {
    await invalidateUser(services.kv, userId);
  } catch (error) {
    log.warn("auth.version_create_failed", { userId, error });
  }
}
